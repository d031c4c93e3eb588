import type { SpanExporter } from './exporter.js';
import type { SpanData } from '../span/span.js';

/** Options of {@link createConsoleExporter}. */
export interface ConsoleExporterOptions {
  /** Where each line goes; default `console.log` (looked up per line, so a replaced console is honoured). */
  log?: (line: string, span: SpanData) => void;
}

/**
 * One line per span: `[isotrace] <kind> <name> <ms>ms <status> trace=<id> span=<id> parent=<id|->`,
 * where status is `ok` (unset or ok) or `error`, followed by `error="message"` when there is one.
 */
export function formatSpanLine(span: SpanData): string {
  const ms = (span.endTime - span.startTime).toFixed(1);
  const status = span.status.code === 'error' ? (span.status.message ? `error error=${JSON.stringify(span.status.message)}` : 'error') : 'ok';
  return `[isotrace] ${span.kind} ${span.name} ${ms}ms ${status} trace=${span.traceId} span=${span.spanId} parent=${span.parentSpanId ?? '-'}`;
}

/**
 * An exporter that prints one readable line per span, for development.
 *
 * @example
 * const spans = createSpanTracer({ serviceName: 'gateway', exporter: createConsoleExporter() });
 * // [isotrace] client users/GetUser 12.3ms ok trace=4bf9…4736 span=00f0…02b7 parent=-
 */
export function createConsoleExporter(options: ConsoleExporterOptions = {}): SpanExporter {
  if (options.log !== undefined && typeof options.log !== 'function') {
    throw new TypeError('isotrace: createConsoleExporter log must be a function (line, span) => void');
  }
  let stopped = false;
  return {
    export(spans) {
      if (stopped) return;
      const log = options.log ?? ((line: string) => console.log(line));
      for (const span of spans) log(formatSpanLine(span), span);
    },
    forceFlush: async () => {},
    async shutdown() {
      stopped = true;
    },
  };
}
