import type { SpanExporter } from './exporter.js';
import type { SpanData } from '../span/span.js';

/** A {@link SpanExporter} that keeps spans in memory, for tests. */
export interface MemoryExporter extends SpanExporter {
  /** Every span exported since creation or the last `reset()`, in export (end) order. */
  readonly spans: readonly SpanData[];
  /** Forgets the spans kept so far. */
  reset(): void;
}

/**
 * An exporter that keeps every span in `spans`, for tests. After `shutdown()` it keeps no more.
 *
 * @example
 * const memory = createMemoryExporter();
 * const spans = createSpanTracer({ serviceName: 'test', exporter: memory });
 * await traceCall({ tracers: [spans], method: 'Get' }, () => 1);
 * expect(memory.spans[0].name).toBe('Get');
 */
export function createMemoryExporter(): MemoryExporter {
  let kept: SpanData[] = [];
  let stopped = false;
  return {
    get spans() {
      return kept;
    },
    reset() {
      kept = [];
    },
    export(spans) {
      if (!stopped) kept.push(...spans);
    },
    forceFlush: async () => {},
    async shutdown() {
      stopped = true;
    },
  };
}
