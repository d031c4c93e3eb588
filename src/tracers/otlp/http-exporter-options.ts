import type { DropEvent, ExportErrorEvent } from '../exporters/exporter.js';
import type { FetchFunction, SendOptions } from './send.js';

/** Options of {@link createOtlpHttpExporter}. */
export interface OtlpHttpExporterOptions {
  /** The collector's traces endpoint. Default `http://localhost:4318/v1/traces`. */
  url?: string;
  /** Extra request headers (e.g. an auth token). Not sent by `sendBeacon` on page hide. */
  headers?: Record<string, string>;
  /** Spans per request. Default 512. */
  maxBatchSize?: number;
  /** Spans waiting at most; more are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** How long a partial batch waits for more spans. Default 1000 ms. */
  scheduledDelayMs?: number;
  /** Retries of a batch after network errors, 429 and 5xx. Default 5. */
  maxRetries?: number;
  /** The first retry's delay, doubled each retry, with jitter. Default 1000 ms. */
  initialBackoffMs?: number;
  /** The longest retry delay (a `Retry-After` may ask for up to 60 s). Default 5000 ms. */
  maxBackoffMs?: number;
  /** Per request, response included. Default 10000 ms. */
  timeoutMs?: number;
  /** Default: the platform's `fetch` as it is when the exporter is created, never a traced one. */
  fetch?: FetchFunction;
  /** In browsers, send what is queued when the page is hidden or left. Default true. */
  keepaliveOnPageHide?: boolean;
  /** Told of spans dropped before sending. Default: a `console.warn` at most every 10 s. */
  onDrop?: (event: DropEvent) => void;
  /** Told of batches given up on. Default: a `console.warn` at most every 10 s. */
  onError?: (event: ExportErrorEvent) => void;
}

const WARN_INTERVAL_MS = 10_000;

function option(options: OtlpHttpExporterOptions, name: keyof OtlpHttpExporterOptions, fallback: number, min: number): number {
  const value = options[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`isotrace: createOtlpHttpExporter ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function hook<E>(given: ((event: E) => void) | undefined, name: string, describe: (event: E) => string): (event: E) => void {
  if (given !== undefined && typeof given !== 'function') throw new TypeError(`isotrace: createOtlpHttpExporter ${name} must be a function`);
  let last = -Infinity;
  const fallback = (event: E) => {
    // At most one line per interval: an unreachable collector must not flood the console.
    if (Date.now() - last < WARN_INTERVAL_MS) return;
    last = Date.now();
    console.warn(describe(event));
  };
  const call = given ?? fallback;
  return (event) => {
    try {
      call(event);
    } catch {
      // A throwing hook must not break tracing.
    }
  };
}

function assertHeaders(headers: unknown): asserts headers is Record<string, string> {
  if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string')) {
    throw new TypeError('isotrace: createOtlpHttpExporter headers must be an object of strings');
  }
}

/** {@link OtlpHttpExporterOptions}, validated, with defaults applied. */
export interface NormalizedOtlpHttpOptions {
  url: string;
  fetch: FetchFunction;
  /** The user's headers plus `content-type: application/json`. */
  headers: Record<string, string>;
  maxBatchSize: number;
  maxQueueSize: number;
  scheduledDelayMs: number;
  retry: Pick<SendOptions, 'maxRetries' | 'initialBackoffMs' | 'maxBackoffMs' | 'timeoutMs'>;
  keepaliveOnPageHide: boolean;
  /** Guarded: never throws. */
  onDrop: (event: DropEvent) => void;
  /** Guarded: never throws. */
  onError: (event: ExportErrorEvent) => void;
}

/** Validates `options` once, when the exporter is created; throws a `TypeError` naming the bad option. */
export function normalizeOtlpHttpOptions(options: OtlpHttpExporterOptions): NormalizedOtlpHttpOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('isotrace: createOtlpHttpExporter(options) takes an options object');
  const url = options.url ?? 'http://localhost:4318/v1/traces';
  if (typeof url !== 'string' || url === '') throw new TypeError('isotrace: createOtlpHttpExporter url must be a non-empty string');
  assertHeaders(options.headers ?? {});
  const maxBatchSize = option(options, 'maxBatchSize', 512, 1);
  const maxQueueSize = option(options, 'maxQueueSize', 2048, 1);
  if (maxBatchSize > maxQueueSize)
    throw new TypeError(`isotrace: createOtlpHttpExporter maxBatchSize (${maxBatchSize}) must not exceed maxQueueSize (${maxQueueSize})`);
  // Captured now: a fetch patched later (e.g. by a tracing wrapper) is never the exporter's.
  const platformFetch = (globalThis as { fetch?: FetchFunction }).fetch;
  const fetch = options.fetch ?? (typeof platformFetch === 'function' ? platformFetch.bind(globalThis) : undefined);
  if (typeof fetch !== 'function') throw new TypeError('isotrace: createOtlpHttpExporter needs a fetch: none on this platform, pass options.fetch');
  if (options.keepaliveOnPageHide !== undefined && typeof options.keepaliveOnPageHide !== 'boolean') {
    throw new TypeError('isotrace: createOtlpHttpExporter keepaliveOnPageHide must be a boolean');
  }
  return {
    url,
    fetch,
    headers: { ...options.headers, 'content-type': 'application/json' },
    maxBatchSize,
    maxQueueSize,
    scheduledDelayMs: option(options, 'scheduledDelayMs', 1000, 0),
    retry: {
      maxRetries: option(options, 'maxRetries', 5, 0),
      initialBackoffMs: option(options, 'initialBackoffMs', 1000, 0),
      maxBackoffMs: option(options, 'maxBackoffMs', 5000, 0),
      timeoutMs: option(options, 'timeoutMs', 10_000, 1),
    },
    keepaliveOnPageHide: options.keepaliveOnPageHide !== false,
    onDrop: hook(options.onDrop, 'onDrop', (e: DropEvent) => `isotrace: dropped ${e.count} spans (${e.reason}); see exporter.stats`),
    onError: hook(
      options.onError,
      'onError',
      (e: ExportErrorEvent) => `isotrace: ${e.count} spans not exported: ${(e.error as Error)?.message ?? String(e.error)}`,
    ),
  };
}
