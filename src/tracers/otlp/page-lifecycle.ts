// Browsers: spans still queued when a page is hidden or left would be lost with it, so they go
// out at once with requests the browser completes after the page is gone: a `keepalive` fetch
// (limited to 64 KiB in flight per page), else `navigator.sendBeacon`. Every global is probed
// when called, never at module load, and Node never registers anything (no `document`).
import { context } from '../../context/context-api.js';
import { utf8Length } from '../../rpcinfo/sizes/utf8-length.js';
import { serializeOtlpJson } from './json-serialize.js';
import { type FetchFunction, SUPPRESSED } from './send.js';
import type { SpanData } from '../span/span.js';

/** The keepalive budget browsers give a page: 64 KiB of request bodies in flight at once. */
export const KEEPALIVE_LIMIT_BYTES = 64 * 1024;

interface PageGlobals {
  addEventListener?: (type: string, listener: () => void) => void;
  removeEventListener?: (type: string, listener: () => void) => void;
  document?: {
    visibilityState?: string;
    addEventListener(type: string, listener: () => void): void;
    removeEventListener(type: string, listener: () => void): void;
  };
  navigator?: { sendBeacon?: (url: string, data: Blob) => boolean };
}

const page = globalThis as PageGlobals;
// Shared by every exporter on the page, as the browser's budget is.
let keepaliveBytesInFlight = 0;

/**
 * Calls `onHide` on `pagehide` and when the document turns hidden (the last event a mobile
 * browser reliably fires); returns a function that removes both listeners, or `undefined` when
 * this is not a browser page.
 */
export function watchPageHide(onHide: () => void): (() => void) | undefined {
  const { document } = page;
  if (typeof page.addEventListener !== 'function' || typeof document?.addEventListener !== 'function') return undefined;
  const onPageHide = () => onHide();
  const onVisibilityChange = () => {
    if (document.visibilityState === 'hidden') onHide();
  };
  page.addEventListener('pagehide', onPageHide);
  document.addEventListener('visibilitychange', onVisibilityChange);
  return () => {
    page.removeEventListener?.('pagehide', onPageHide);
    document.removeEventListener('visibilitychange', onVisibilityChange);
  };
}

/** Bodies of at most {@link KEEPALIVE_LIMIT_BYTES} each (a lone larger span stays one body). */
function chunk(spans: SpanData[]): { body: string; bytes: number; count: number }[] {
  const body = serializeOtlpJson(spans);
  const bytes = utf8Length(body);
  if (bytes <= KEEPALIVE_LIMIT_BYTES || spans.length === 1) return [{ body, bytes, count: spans.length }];
  const half = Math.ceil(spans.length / 2);
  return [...chunk(spans.slice(0, half)), ...chunk(spans.slice(half))];
}

function beacon(url: string, body: string): boolean {
  const send = page.navigator?.sendBeacon;
  if (typeof send !== 'function' || typeof Blob !== 'function') return false;
  try {
    return send.call(page.navigator, url, new Blob([body], { type: 'application/json' }));
  } catch {
    return false;
  }
}

async function sendOne(body: string, bytes: number, target: { fetch: FetchFunction; url: string; headers: Record<string, string> }): Promise<boolean> {
  if (keepaliveBytesInFlight + bytes > KEEPALIVE_LIMIT_BYTES) return beacon(target.url, body);
  keepaliveBytesInFlight += bytes;
  try {
    const init: RequestInit = { method: 'POST', body, keepalive: true, headers: { ...target.headers, 'content-type': 'application/json' } };
    const response = await context.with(SUPPRESSED, () => target.fetch(target.url, init));
    return response.ok;
  } catch {
    // A keepalive fetch refused outright (quota, CSP) may still fit in the beacon queue.
    return beacon(target.url, body);
  } finally {
    keepaliveBytesInFlight -= bytes;
  }
}

/**
 * Sends `spans` with requests that outlive the page: keepalive fetches while the 64 KiB budget
 * lasts, `sendBeacon` beyond it. A beacon cannot carry custom headers (an auth token): point such
 * collectors at a same-origin path that adds them. Resolves with how many spans were accepted.
 */
export async function sendOnPageHide(
  spans: SpanData[],
  target: { fetch: FetchFunction; url: string; headers: Record<string, string> },
): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  // Start every request before awaiting any: the page may be frozen right after this task.
  const results = chunk(spans).map(async ({ body, bytes, count }) => {
    if (await sendOne(body, bytes, target)) sent += count;
    else failed += count;
  });
  await Promise.all(results);
  return { sent, failed };
}
