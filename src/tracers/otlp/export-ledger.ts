// What became of every span the exporter accepted, and the flushes waiting for it.
import type { DropEvent } from '../exporters/exporter.js';
import type { NormalizedOtlpHttpOptions } from './http-exporter-options.js';

/** The exporter's options {@link createExportLedger} reads: its guarded hooks. */
export type ExportLedgerOptions = Pick<NormalizedOtlpHttpOptions, 'onDrop' | 'onError'>;

/** The exporter's counters, and the promises of flushes waiting for sends to settle. */
export interface ExportLedger {
  /** Spans exported, dropped before sending, and given up on. */
  readonly counts: { exported: number; dropped: number; failed: number };
  /** Records `count` spans sent or given up on, `exported` of them accepted. */
  settle(count: number, exported: number, error?: unknown): void;
  /** Records `count` spans dropped before sending. */
  drop(count: number, reason: DropEvent['reason']): void;
  /** Whether a flush waits: then retry delays keep Node running. */
  awaited(): boolean;
  /** Resolves once `target` spans have settled; `undefined` when they already have. */
  whenSettled(target: number): Promise<void> | undefined;
}

/** An {@link ExportLedger}. */
export function createExportLedger(options: ExportLedgerOptions): ExportLedger {
  const { onDrop, onError } = options;
  const counts = { exported: 0, dropped: 0, failed: 0 };
  const waiters: { target: number; resolve: () => void }[] = [];
  let settled = 0; // spans ever sent or given up on
  return {
    counts,
    settle(count, exported, error) {
      counts.exported += exported;
      counts.failed += count - exported;
      if (error !== undefined) onError({ error, count: count - exported });
      settled += count;
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].target <= settled) waiters.splice(i, 1)[0].resolve();
      }
    },
    drop(count, reason) {
      counts.dropped += count;
      onDrop({ count, reason });
    },
    awaited: () => waiters.length > 0,
    whenSettled(target) {
      if (settled >= target) return undefined;
      return new Promise<void>((resolve) => waiters.push({ target, resolve }));
    },
  };
}
