import type { Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import { CALLER_SERVICE_HEADER } from '../../rpcinfo/header-names.js';
import { createRPCInfo, withRPCInfo, type RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { StatsLevel } from '../../rpcinfo/stats-level.js';
import { isTracingSuppressed } from '../../tracer/suppress-tracing.js';
import { createTraceController, type TraceController } from '../../tracer/trace-controller.js';
import { FetchCall, startFetchWire } from './call.js';
import { applyCallName, describeFetchRequest, type FetchNaming, type FetchRequestInfo } from './naming.js';
import { normalizeFetchOptions, type NormalizedFetchOptions, type TraceFetchOptions } from './options.js';
import { copyInit, outgoingHeaders, readRequest, type FetchRequestParts } from './request.js';
import { browserResourceTiming } from './resource-timing.js';
import { countStream } from '../../rpcinfo/sizes/counting-stream.js';
import { urlHost, urlPort } from '../../rpcinfo/conventions/address.js';
import { isReadableStream, knownBodySize } from './sizes.js';

type FetchFn = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** `url.full`, `server.*` and the method; `url.full` without credentials, and without the query unless kept (it may hold a whole Connect GET message). */
function setUrlAttributes(ri: RPCInfo, parts: FetchRequestParts, keepQuery: boolean): void {
  const { url } = parts;
  let full = url.href;
  if (url.username !== '' || url.password !== '' || (!keepQuery && url.search !== '')) {
    const bare = new URL(full);
    bare.username = '';
    bare.password = '';
    if (!keepQuery) bare.search = '';
    full = bare.href;
  }
  const a = ri.attributes;
  a['http.request.method'] = parts.method;
  a['url.full'] = full;
  a['server.address'] = urlHost(url);
  const port = urlPort(url);
  if (port !== undefined) a['server.port'] = port;
}

/** Runs the caller's `describe` over the default naming; a throwing describe keeps the defaults. */
function nameCall(info: FetchRequestInfo, options: NormalizedFetchOptions, warn: () => void): FetchNaming {
  const naming = describeFetchRequest(info);
  if (options.describe === undefined) return naming;
  try {
    return applyCallName(naming, options.describe(info));
  } catch {
    warn();
    return naming;
  }
}

/** What every call of one traced fetch shares; built once per `traceFetch`. */
interface TracedFetchSetup {
  readonly controller: TraceController;
  readonly options: NormalizedFetchOptions;
  /** Warns, once per traced fetch, that `describe` threw. */
  readonly warnDescribe: () => void;
}

/** Everything per call up to the tracers' start. */
function begin(setup: TracedFetchSetup, parent: Context, parts: FetchRequestParts): FetchCall {
  const { options } = setup;
  const { input, init } = parts;
  const info: FetchRequestInfo = { url: parts.url, method: parts.method, body: parts.body, contentType: parts.contentType, input, init };
  const naming = nameCall(info, options, setup.warnDescribe);
  const ri = createRPCInfo({
    side: 'client',
    from: { serviceName: options.service },
    to: { serviceName: naming.service, method: naming.method, address: parts.url.origin },
    invocation: { service: naming.service, method: naming.method, package: naming.package, seqId: naming.seqId },
    config: { transport: 'fetch', codec: naming.codec },
    statsLevel: options.statsLevel,
  });
  setUrlAttributes(ri, parts, options.keepUrlQuery);
  if (naming.rpcSystem !== undefined) ri.attributes['rpc.system'] = naming.rpcSystem;
  // In browsers, Resource Timing tells the response's end (and at Detailed, its phases); the
  // call's start is taken before the tracers' start, so its entry can never begin earlier.
  const collector = options.statsLevel === StatsLevel.Disabled ? undefined : browserResourceTiming();
  const startTime = collector && performance.now();
  const fromRequest = parts.request !== undefined && init?.body === undefined;
  const knownSendSize = fromRequest ? undefined : knownBodySize(parts.body);

  const ctx: Context = setup.controller.start(withRPCInfo(parent, ri));
  const call = new FetchCall({ ctx, ri, controller: setup.controller, idleTimeoutMs: options.idleTimeoutMs, signal: parts.signal, knownSendSize });
  if (collector) call.timing = collector.watch(parts.url.href.split('#')[0], startTime!, call);
  return call;
}

/**
 * The arguments fetch gets: the caller's own, or a copy of `init` with trace headers and a
 * counted stream body. Should this throw (bad user headers make `new Headers` throw), the
 * caller's arguments go out unchanged and fetch rejects with its own error, still traced.
 */
function outgoingArgs(call: FetchCall, parts: FetchRequestParts, options: NormalizedFetchOptions): [RequestInfo | URL, RequestInit | undefined] {
  const { input, init } = parts;
  try {
    const headers = propagationHeaders(parts, call.ri, options);
    // Counting a streamed body replaces it with a pass-through stream; at Disabled nobody reads
    // its size or WriteFinish, so the caller's stream goes out untouched.
    const stream = parts.body;
    const countBody = options.statsLevel !== StatsLevel.Disabled && isReadableStream(stream) && !stream.locked;
    const body = countBody ? countStream(stream, call.requestCounter()) : undefined;
    return headers || body ? [input, copyInit(init, headers, body)] : [input, init];
  } catch {
    call.countsRequestBody = false;
    return [input, init];
  }
}

function propagationHeaders(parts: FetchRequestParts, ri: RPCInfo | undefined, options: NormalizedFetchOptions): Headers | undefined {
  if (!options.propagateTo(parts.url)) return undefined;
  const caller: [string, string] | undefined = options.service !== undefined ? [CALLER_SERVICE_HEADER, options.service] : undefined;
  return ri ? outgoingHeaders(parts, ri.headers, caller) : caller ? outgoingHeaders(parts, EMPTY, caller) : undefined;
}

const EMPTY = { get: () => undefined, set() {}, delete() {}, keys: () => [] };

/**
 * Wraps `fetchImpl` (default: `globalThis.fetch`, looked up at each call) into a drop-in
 * `fetch` where every call is a traced client RPC. The caller gets fetch's own promise, the
 * very `Response` object (its body methods and `body` count bytes as they are read; see
 * `countResponseBody`) and the very rejection objects.
 *
 * Each call builds an `RPCInfo` (transport `fetch`; naming per {@link describeFetchRequest}
 * or `describe`), runs the tracers' `start`, sends what they injected into `ri.headers` (plus
 * the caller header when `service` is set) to URLs `propagateTo` allows, and finishes exactly
 * once at the first of: the response's last byte arriving, where the runtime reports it (Node
 * with `isotrace/node` loaded, through undici's diagnostics channels; browsers at Base and
 * Detailed, through the call's Resource Timing entry, for a body the app is not reading); the body
 * read to its end, cancelled or errored; no body (204, HEAD); a rejected fetch; an abort (its
 * reason is `stats.error`; an abort or cancel after the last byte arrived is a normal end);
 * `idleTimeoutMs` without a read (RPCFinish `warn`, the body is not cancelled).
 *
 * - `stats.error` holds only what was thrown or rejected (network error, abort, body error).
 *   An HTTP status of 400 or more is not an error object: it finishes with RPCFinish status
 *   `error`, info `HTTP 404` (etc.), and attributes `http.response.status_code` and
 *   `error.type` (the status as a string), as `rpcOutcome` reads a client call.
 * - `url.full` has no credentials and, unless `keepUrlQuery`, no query string.
 * - Detailed events: WriteStart just before fetch is called; WriteFinish when fetch has taken
 *   an in-memory body (fetch reports no upload progress, so the network upload then falls in
 *   WaitRead) or when a streamed body has been read to its end; WaitReadStart at WriteFinish,
 *   WaitReadFinish at the response headers; ReadStart at the caller's first body read (at the
 *   headers when the runtime reports the end and nobody read before), ReadFinish at its end
 *   (at the last byte's arrival when the runtime reports it). In browsers, also connection phases and sizes from Resource Timing
 *   (see `applyResourceTiming`); Node does no Resource Timing work.
 * - `sendSize`: strings, buffers, Blobs, URLSearchParams exactly; a `ReadableStream` counted as
 *   sent (pass `duplex: 'half'` as fetch requires); `FormData` and a `Request`'s own body: as
 *   Node's undici sends them, 0 in browsers (nothing reports them there).
 * - `recvSize`: on Node, the body bytes as received (undici's chunks, else `content-length`:
 *   before decompression); in browsers, the bytes the app reads, or for a body ended by its
 *   Resource Timing entry, `encodedBodySize` (before decompression; none cross-origin without
 *   `Timing-Allow-Origin`).
 * - With no tracers and no `service`, calls go straight to `fetchImpl`: nothing would read
 *   what tracing records. A URL that does not parse goes straight to `fetchImpl` too, which
 *   rejects it with its own error. `traceFetch(options)` is short for `traceFetch(undefined, options)`.
 *
 * @example
 * const fetch = traceFetch(globalThis.fetch, { tracers: [spanTracer], service: 'web-app' });
 * const res = await fetch('/acme.user.v1.UserService/GetUser', { method: 'POST', body: '{"id":1}' });
 * // With Connect: createConnectTransport({ baseUrl, fetch: traceFetch(undefined, { tracers }) })
 */
export function traceFetch(fetchImpl?: typeof fetch | TraceFetchOptions, options?: TraceFetchOptions): typeof fetch {
  if (options === undefined && typeof fetchImpl === 'object' && fetchImpl !== null) {
    options = fetchImpl;
    fetchImpl = undefined;
  }
  if (fetchImpl !== undefined && typeof fetchImpl !== 'function') {
    throw new TypeError(
      `isotrace: traceFetch(fetchImpl, options) needs fetchImpl to be a fetch function or undefined, got ${fetchImpl === null ? 'null' : typeof fetchImpl}`,
    );
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError('isotrace: traceFetch options must be an object');
  }
  if (options?.tracers !== undefined && !Array.isArray(options.tracers)) throw new TypeError('isotrace: traceFetch option tracers must be an array of Tracers');
  const controller = createTraceController(options);
  const normalized = normalizeFetchOptions(options ?? {}, controller.tracers.length);
  const impl = fetchImpl as FetchFn | undefined;
  const traced = controller.tracers.length > 0;
  if (traced) startFetchWire();
  let warned = false;
  const setup: TracedFetchSetup = {
    controller,
    options: normalized,
    warnDescribe: () => {
      if (!warned) console.warn('isotrace: traceFetch describe threw; using the default name (further errors are not logged)');
      warned = true;
    },
  };

  return function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const run = impl ?? (globalThis as { fetch?: FetchFn }).fetch;
    if (typeof run !== 'function') {
      return Promise.reject(new TypeError('isotrace: no fetch to trace: pass traceFetch a fetchImpl, or run where globalThis.fetch exists'));
    }
    // An exporter's own request (see suppressTracing) goes out as it came: nothing is traced.
    const parent = normalized.ctx ?? context.active();
    if (isTracingSuppressed(parent)) return run(input, init);
    if (!traced) {
      if (normalized.service === undefined) return run(input, init);
      let headers: Headers | undefined;
      try {
        const parts = readRequest(input, init);
        headers = parts && propagationHeaders(parts, undefined, normalized);
      } catch {
        // Headers fetch itself would refuse: let fetch say so, with its own error.
      }
      return headers ? run(input, copyInit(init, headers, undefined)) : run(input, init);
    }
    let parts: FetchRequestParts | undefined;
    let call: FetchCall | undefined;
    try {
      parts = readRequest(input, init);
      if (parts !== undefined) call = begin(setup, parent, parts);
    } catch {
      // Our own bookkeeping failed before any tracer ran: the call goes out untraced.
      call = undefined;
    }
    if (parts === undefined || call === undefined) return run(input, init);
    const args = outgoingArgs(call, parts, normalized);
    call.ri.stats.record(stats.WriteStart);
    let pending: Promise<Response>;
    try {
      pending = context.with(call.ctx, run, undefined, args[0], args[1]);
    } catch (error) {
      call.finish(error);
      throw error;
    }
    call.handedOff();
    if (pending instanceof Promise) {
      // The caller gets fetch's own promise. Our reaction is registered first, so it instruments
      // the Response before any caller code sees it, and no extra promise tick is added.
      pending.then(
        (res) => call.respond(res),
        (error: unknown) => call.finish(error),
      );
      return pending;
    }
    // A custom fetchImpl returned a thenable (or a value): adopt it, passing results through.
    return Promise.resolve(pending).then(
      (res) => call.respond(res),
      (error: unknown) => {
        call.finish(error);
        throw error;
      },
    );
  } as typeof fetch;
}
