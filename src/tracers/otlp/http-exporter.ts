import { ROOT_CONTEXT } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import { suppressTracing } from '../../tracer/suppress-tracing.js';
import type { DropEvent, ExporterStats, SpanExporter } from '../exporters/exporter.js';
import { serializeOtlpJson } from './json-serialize.js';
import { sendOnPageHide, watchPageHide } from './page-lifecycle.js';
import { normalizeOtlpHttpOptions, type OtlpHttpExporterOptions } from './http-exporter-options.js';
import { sendOtlp, unrefTimer, type SendOptions } from './send.js';
import type { SpanData } from '../span/span.js';

const SUPPRESSED = suppressTracing(ROOT_CONTEXT);

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
  const { url, fetch, headers, maxBatchSize, maxQueueSize, scheduledDelayMs, retry, keepaliveOnPageHide, onDrop, onError } = normalizeOtlpHttpOptions(options);
  const waiters: { target: number; resolve: () => void }[] = [];
  const queue: SpanData[] = [];
  let enqueued = 0; // spans ever queued
  let taken = 0; // spans ever taken from the queue to be sent
  let settled = 0; // spans ever sent or given up on
  let dueUntil = 0; // send regardless of batch size until `taken` reaches this
  const counts = { exported: 0, dropped: 0, failed: 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pumping = false;
  let closed = false;
  let shutdownPromise: Promise<void> | undefined;

  const sendOptions: SendOptions = { fetch, url, headers, ...retry, awaited: () => waiters.length > 0 };

  const settle = (count: number, exported: number, error?: unknown) => {
    counts.exported += exported;
    counts.failed += count - exported;
    if (error !== undefined) onError({ error, count: count - exported });
    settled += count;
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].target <= settled) waiters.splice(i, 1)[0].resolve();
    }
  };

  const sendBatch = async (batch: SpanData[]) => {
    try {
      const result = await sendOtlp(serializeOtlpJson(batch), sendOptions);
      if (result.ok) settle(batch.length, batch.length - result.rejected, result.error);
      else settle(batch.length, 0, result.error);
    } catch (error) {
      settle(batch.length, 0, error);
    }
  };

  // Sends what is queued after `scheduledDelayMs`, unless a send is already due by then.
  const arm = (delay: number) => {
    if (timer !== undefined) return;
    // Created in the suppressed root context: the timer must not keep a request's context alive.
    timer = context.with(SUPPRESSED, () =>
      setTimeout(() => {
        timer = undefined;
        dueUntil = Math.max(dueUntil, enqueued);
        pump();
      }, delay),
    );
    unrefTimer(timer);
  };

  // A full batch goes out at the next microtask: after the tracer's finish returns (never from
  // inside it), yet without waiting for a timer, which a busy loop of calls may never let fire
  // (a timer re-armed on every span did exactly that, and the queue overflowed).
  let batchDue = false;
  const sendFullBatchSoon = () => {
    if (batchDue || pumping) return; // a running loop takes full batches as they come
    batchDue = true;
    queueMicrotask(() => {
      batchDue = false;
      pump();
    });
  };

  function pump(): void {
    if (pumping) return; // the running loop sees what was added
    pumping = true;
    const loop = async () => {
      while (queue.length > 0 && (queue.length >= maxBatchSize || taken < dueUntil)) {
        const batch = queue.splice(0, maxBatchSize);
        taken += batch.length;
        await sendBatch(batch);
      }
    };
    // Run apart from whatever call asked for the flush: its context stays out of the exporter.
    void context.with(SUPPRESSED, loop).finally(() => {
      pumping = false;
      if (queue.length >= maxBatchSize || (queue.length > 0 && taken < dueUntil)) pump();
      else if (queue.length > 0) arm(scheduledDelayMs);
    });
  }

  const drop = (count: number, reason: DropEvent['reason']) => {
    counts.dropped += count;
    onDrop({ count, reason });
  };

  // The page may be frozen right after these events: take the queue now, send with keepalive.
  const onPageHide = () => {
    if (queue.length === 0) return;
    const spans = queue.splice(0);
    taken += spans.length;
    void sendOnPageHide(spans, { fetch, url, headers }).then(({ sent }) => settle(spans.length, sent));
  };
  const stopWatching = keepaliveOnPageHide ? watchPageHide(onPageHide) : undefined;

  const forceFlush = (): Promise<void> => {
    const target = enqueued;
    if (settled >= target) return Promise.resolve();
    dueUntil = Math.max(dueUntil, target);
    const done = new Promise<void>((resolve) => waiters.push({ target, resolve }));
    pump();
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
        return queue.length;
      },
    },
    export(spans) {
      if (closed) return drop(spans.length, 'shutdown');
      const room = Math.max(0, maxQueueSize - queue.length);
      for (let i = 0; i < spans.length && i < room; i++) queue.push(spans[i]);
      const accepted = Math.min(room, spans.length);
      enqueued += accepted;
      if (accepted < spans.length) drop(spans.length - accepted, 'queue-full');
      if (queue.length >= maxBatchSize) sendFullBatchSoon();
      else if (queue.length > 0) arm(scheduledDelayMs);
    },
    forceFlush,
    shutdown() {
      if (shutdownPromise === undefined) {
        closed = true;
        shutdownPromise = forceFlush().then(() => {
          stopWatching?.();
          if (timer !== undefined) clearTimeout(timer);
          timer = undefined;
        });
      }
      return shutdownPromise;
    },
  };
}
