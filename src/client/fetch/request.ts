import type { HeaderCarrier } from '../../rpcinfo/header-carrier.js';

/** What a traced fetch reads from the caller's arguments, without touching a body. */
export interface FetchRequestParts {
  /** fetch's arguments, as the caller passed them. */
  input: RequestInfo | URL;
  init: RequestInit | undefined;
  url: URL;
  method: string;
  /** The `Request` input, when the caller passed one. */
  request: Request | undefined;
  /** `init.body`; `undefined` when the body comes from a `Request` (never read). */
  body: unknown;
  contentType: string | undefined;
  signal: AbortSignal | undefined;
}

/** Methods fetch upper-cases (the Fetch standard's "normalize"); `PATCH` and others stay as given. */
const NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** RequestInit members, read explicitly when `init` is not a plain object (e.g. a `Request`). */
const INIT_KEYS = [
  'method',
  'headers',
  'body',
  'referrer',
  'referrerPolicy',
  'mode',
  'credentials',
  'cache',
  'redirect',
  'integrity',
  'keepalive',
  'signal',
  'duplex',
  'priority',
  'window',
  'dispatcher',
] as const;

function isRequest(input: unknown): input is Request {
  const r = input as Request | null;
  return typeof r === 'object' && r !== null && typeof r.url === 'string' && typeof r.headers?.get === 'function' && typeof r.method === 'string';
}

function baseUrl(): string | undefined {
  const g = globalThis as { document?: { baseURI?: unknown }; location?: { href?: unknown } };
  const base = g.document?.baseURI ?? g.location?.href;
  return typeof base === 'string' ? base : undefined;
}

/** A header's value from any `HeadersInit` shape, or `undefined`. */
function headerValue(headers: HeadersInit | null | undefined, name: string): string | undefined {
  if (headers === undefined || headers === null || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  if (Array.isArray(headers)) {
    const pair = headers.find((p) => typeof p?.[0] === 'string' && p[0].toLowerCase() === name);
    return pair?.[1] === undefined ? undefined : String(pair[1]);
  }
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return String((headers as Record<string, string>)[key]);
  return undefined;
}

/**
 * Reads the parts of a fetch call that tracing needs, or `undefined` when the URL does not parse
 * (a relative URL in Node, a typo): fetch itself then answers with its own error.
 */
export function readRequest(input: RequestInfo | URL, init: RequestInit | undefined): FetchRequestParts | undefined {
  const request = isRequest(input) ? input : undefined;
  let url: URL;
  try {
    url = new URL(request ? request.url : String(input), baseUrl());
  } catch {
    return undefined;
  }
  const rawMethod = init?.method ?? request?.method ?? 'GET';
  const upper = String(rawMethod).toUpperCase();
  return {
    input,
    init,
    url,
    method: NORMALIZED.has(upper) ? upper : String(rawMethod),
    request,
    body: init?.body ?? undefined,
    contentType: init?.headers !== undefined ? headerValue(init.headers, 'content-type') : (request?.headers.get('content-type') ?? undefined),
    // A member set to undefined does not exist (WebIDL), so the Request's signal applies; null clears it.
    signal: (init?.signal !== undefined ? init.signal : request?.signal) ?? undefined,
  };
}

/** A copy of `init` fetch accepts the same way, with `headers`/`body` replaced where given. */
export function copyInit(init: RequestInit | undefined, headers: Headers | undefined, body: ReadableStream | undefined): RequestInit {
  const copy: Record<string, unknown> = { ...init };
  const proto = init === undefined || init === null ? null : Object.getPrototypeOf(init);
  if (proto !== null && proto !== Object.prototype) {
    // A class instance (a Request used as init) keeps its members on the prototype, out of spread's reach.
    for (const key of INIT_KEYS) {
      const value = (init as Record<string, unknown>)[key];
      if (!(key in copy) && value !== undefined) copy[key] = value;
    }
  }
  if (headers !== undefined) copy.headers = headers;
  if (body !== undefined) copy.body = body;
  return copy as RequestInit;
}

/**
 * The request headers with `carrier`'s entries (tracer-injected) and the caller header set over
 * the caller's own: `init.headers` when given, else the `Request`'s (the Fetch standard lets
 * `init.headers` replace a Request's headers wholesale, so both are never merged).
 */
export function outgoingHeaders(parts: FetchRequestParts, carrier: HeaderCarrier, caller: [string, string] | undefined): Headers | undefined {
  const { init } = parts;
  const keys = carrier.keys();
  if (keys.length === 0 && caller === undefined) return undefined;
  const headers = new Headers(init?.headers !== undefined ? init.headers : parts.request?.headers);
  for (const key of keys) {
    const value = carrier.get(key);
    if (value !== undefined) headers.set(key, value);
  }
  if (caller !== undefined) headers.set(caller[0], caller[1]);
  return headers;
}
