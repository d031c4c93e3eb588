import type { SpanData } from '../span/span.js';

/**
 * Where finished spans go. A span tracer calls `export` once per sampled span as it ends;
 * batching, if any, is the exporter's business. `export` must not throw (the tracer guards it
 * anyway); a returned promise is only watched for rejection.
 *
 * @example
 * const exporter: SpanExporter = {
 *   export: (spans) => { for (const s of spans) myLog.write(JSON.stringify(s)); },
 *   forceFlush: async () => {},
 *   shutdown: async () => {},
 * };
 */
export interface SpanExporter {
  export(spans: readonly SpanData[]): void | Promise<void>;
  /** Resolves when every span handed over so far was sent or given up. */
  forceFlush(): Promise<void>;
  /** Flushes, then refuses further spans. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/** Counters of an exporter, in spans. */
export interface ExporterStats {
  /** Accepted by the collector. */
  readonly exported: number;
  /** Never sent: the queue was full, or the exporter was shut down. */
  readonly dropped: number;
  /** Sent and given up on: a non-retryable response, retries exhausted, or rejected by the collector. */
  readonly failed: number;
  /** Waiting in the queue now. */
  readonly queued: number;
}

/** Why spans were dropped before being sent. */
export type DropReason = 'queue-full' | 'shutdown';

/** What an exporter's `onDrop` hook is told. */
export interface DropEvent {
  /** Spans dropped at once. */
  count: number;
  reason: DropReason;
}

/** What an exporter's `onError` hook is told when a batch failed for good. */
export interface ExportErrorEvent {
  /** An {@link OtlpExportError} for HTTP failures, or what `fetch` threw. */
  error: unknown;
  /** Spans lost with this failure. */
  count: number;
}

/** Throws a `TypeError` when `exporter` lacks a method of {@link SpanExporter}. */
export function assertSpanExporter(exporter: unknown, name: string): asserts exporter is SpanExporter {
  const e = exporter as Partial<SpanExporter> | null;
  if (typeof e?.export !== 'function' || typeof e.forceFlush !== 'function' || typeof e.shutdown !== 'function') {
    throw new TypeError(`isotrace: ${name} must be a SpanExporter (export(spans), forceFlush() and shutdown() methods), e.g. createOtlpHttpExporter()`);
  }
}
