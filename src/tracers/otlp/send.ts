// One OTLP/HTTP request with retries: exponential backoff with jitter on network errors, 429
// and 5xx, `Retry-After` honoured, each attempt under a timeout, and every request made under a
// context that suppresses tracing, so an instrumented fetch never traces the exporter itself.
import { ROOT_CONTEXT } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import { suppressTracing } from '../../tracer/suppress-tracing.js';
import { OtlpExportError } from '../../rpcinfo/errors.js';

/** A `fetch` as the exporter calls it. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/** How {@link sendOtlp} sends. */
export interface SendOptions {
  fetch: FetchFunction;
  url: string;
  headers: Record<string, string>;
  /** Retries after the first attempt. */
  maxRetries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Per attempt, response body included. */
  timeoutMs: number;
  /** Whether someone waits for this send (a flush): then its retry delays keep Node running. */
  awaited: () => boolean;
}

/** How a send ended: `ok` with the spans the collector still rejected, or given up with `error`. */
export type SendResult = { ok: true; rejected: number; error?: OtlpExportError } | { ok: false; error: unknown };

/** The longest `Retry-After` obeyed; a collector asking for more is retried sooner, not waited on for ever. */
const MAX_RETRY_AFTER_MS = 60_000;
/** The context the exporter's requests and timers run in: tracing suppressed, no caller's values. */
export const SUPPRESSED = suppressTracing(ROOT_CONTEXT);

/** `setTimeout` that does not keep Node alive (browsers return a number, and have no `unref`). */
export function unrefTimer(timer: unknown): void {
  (timer as { unref?: () => void } | null)?.unref?.();
}

function sleep(ms: number, keepAlive: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!keepAlive) unrefTimer(timer);
  });
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP-date; `undefined` when absent or invalid. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

function backoff(retry: number, options: SendOptions): number {
  const ceiling = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** retry);
  // Half fixed, half random: retries from many pages spread out instead of arriving together.
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

function rejectedSpans(text: string): { rejected: number; message: string } {
  try {
    const partial = (JSON.parse(text) as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } } | null)?.partialSuccess;
    const rejected = Number(partial?.rejectedSpans ?? 0);
    return { rejected: Number.isSafeInteger(rejected) && rejected > 0 ? rejected : 0, message: String(partial?.errorMessage ?? '') };
  } catch {
    return { rejected: 0, message: '' };
  }
}

async function attempt(body: string, options: SendOptions): Promise<{ status: number; text: string; retryAfter: string | null }> {
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  const timer = setTimeout(() => controller?.abort(), options.timeoutMs);
  unrefTimer(timer);
  try {
    const init: RequestInit = { method: 'POST', headers: options.headers, body, signal: controller?.signal };
    const response = await context.with(SUPPRESSED, () => options.fetch(options.url, init));
    // Read the body to the end either way: it frees the connection for the next request.
    const text = await response.text().catch(() => '');
    return { status: response.status, text, retryAfter: response.headers.get('retry-after') };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * POSTs `body` to the collector, retrying network errors, 429 and 5xx up to `maxRetries`
 * times. Never throws: the outcome is in the result.
 */
export async function sendOtlp(body: string, options: SendOptions): Promise<SendResult> {
  let lastError: unknown;
  for (let retry = 0; ; retry++) {
    let delay: number | undefined;
    try {
      const { status, text, retryAfter } = await attempt(body, options);
      if (status >= 200 && status < 300) {
        const { rejected, message } = rejectedSpans(text);
        if (rejected === 0) return { ok: true, rejected: 0 };
        const error = new OtlpExportError(`isotrace: the collector rejected ${rejected} spans: ${message}`, {
          status,
          attempts: retry + 1,
          responseText: text.slice(0, 1024),
        });
        return { ok: true, rejected, error };
      }
      lastError = new OtlpExportError(`isotrace: the collector at ${options.url} answered HTTP ${status}`, {
        status,
        attempts: retry + 1,
        responseText: text.slice(0, 1024),
      });
      if (status !== 429 && status < 500) return { ok: false, error: lastError };
      delay = parseRetryAfter(retryAfter);
    } catch (error) {
      lastError = new OtlpExportError(`isotrace: could not reach the collector at ${options.url}`, { status: 0, attempts: retry + 1, cause: error });
    }
    if (retry >= options.maxRetries) return { ok: false, error: lastError };
    await sleep(delay ?? backoff(retry, options), options.awaited());
  }
}
