import type { ExporterStats, SpanExporter } from '../exporters/exporter.js';
import { createBatchQueue } from './batch-queue.js';
import { createExportLedger } from './export-ledger.js';
import { serializeOtlpJson } from './json-serialize.js';
import { sendOnPageHide, watchPageHide } from './page-lifecycle.js';
import { normalizeOtlpHttpOptions, type OtlpHttpExporterOptions } from './http-exporter-options.js';
import { sendOtlp, type SendOptions } from './send.js';

/** The OTLP/HTTP exporter: a {@link SpanExporter} with counters. */
export interface OtlpHttpExporter extends SpanExporter {
  /** Live counters, in spans. */
  readonly stats: ExporterStats;
  readonly url: string;
}

/**
 * An exporter that batches spans and POSTs them as OTLP/HTTP JSON to an OpenTelemetry
 * Collector, Jaeger or Grafana Tempo (`/v1/traces`). One request is in flight at a time; a batch
 * goes when it is full or `scheduledDelayMs` after its first span; failed requests are retried
 * (network errors, 429, 5xx) with backoff; a full queue drops spans and says so. Its requests
 * run under `suppressTracing`, so they are never traced. In browsers, queued spans are sent with
 * `keepalive` requests when the page is hidden.
 *
 * @example
 * const exporter = createOtlpHttpExporter({ url: 'https://otel.example.com/v1/traces' });
 * const spans = createSpanTracer({ serviceName: 'web', exporter });
 * process.on('beforeExit', () => exporter.shutdown());
 */
export function createOtlpHttpExporter(options: OtlpHttpExporterOptions = {}): OtlpHttpExporter {
  const normalized = normalizeOtlpHttpOptions(options);
  const { url, fetch, headers, retry } = normalized;
  const ledger = createExportLedger(normalized);
  const sendOptions: SendOptions = { fetch, url, headers, ...retry, awaited: ledger.awaited };
  const batches = createBatchQueue(normalized, async (batch) => {
    try {
      const result = await sendOtlp(serializeOtlpJson(batch), sendOptions);
      if (result.ok) ledger.settle(batch.length, batch.length - result.rejected, result.error);
      else ledger.settle(batch.length, 0, result.error);
    } catch (error) {
      ledger.settle(batch.length, 0, error);
    }
  });
  const { counts } = ledger;
  let closed = false;
  let shutdownPromise: Promise<void> | undefined;

  // The page may be frozen right after these events: take the queue now, send with keepalive.
  const onPageHide = () => {
    const spans = batches.takeAll();
    if (spans.length === 0) return;
    void sendOnPageHide(spans, sendOptions).then(({ sent }) => ledger.settle(spans.length, sent));
  };
  const stopWatching = normalized.keepaliveOnPageHide ? watchPageHide(onPageHide) : undefined;

  const forceFlush = (): Promise<void> => {
    const done = ledger.whenSettled(batches.enqueued());
    if (done === undefined) return Promise.resolve();
    batches.flush();
    return done;
  };

  return {
    url,
    stats: {
      get exported() {
        return counts.exported;
      },
      get dropped() {
        return counts.dropped;
      },
      get failed() {
        return counts.failed;
      },
      get queued() {
        return batches.spans.length;
      },
    },
    export(spans) {
      if (closed) return ledger.drop(spans.length, 'shutdown');
      const accepted = batches.add(spans);
      if (accepted < spans.length) ledger.drop(spans.length - accepted, 'queue-full');
    },
    forceFlush,
    shutdown() {
      if (shutdownPromise === undefined) {
        closed = true;
        shutdownPromise = forceFlush().then(() => {
          stopWatching?.();
          batches.stop();
        });
      }
      return shutdownPromise;
    },
  };
}
