// Node only (imported by the Node entry): undici, the fetch inside Node, reports each request it
// sends on `node:diagnostics_channel`. A traced fetch learns from it when the response's last
// byte arrived and how many bytes went each way, whether or not the app reads the body.
import { subscribe } from 'node:diagnostics_channel';
import { context } from '../../context/context-api.js';
import { now } from '../../rpcinfo/rpc-stats.js';
import { getRPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { trackFetchWire, type FetchCall } from './call.js';

/** The members of undici's request object read here (undici's `DiagnosticsChannel.Request`, plus `contentLength`). */
interface UndiciRequest {
  contentLength?: unknown;
}

interface Message {
  request: UndiciRequest;
  chunk?: { length: number };
  response?: { statusCode: number; headers: unknown[] };
  error?: unknown;
}

/** One undici request that carries a traced fetch, and the bytes seen on it. */
interface Carrier {
  call: FetchCall;
  /** The request body's size is not known otherwise (a `Request`'s own body, `FormData`): the wire tells it. */
  sizesRequest: boolean;
  sent: number;
  received: number;
  /** Set when undici reports body chunks (`bodyChunkReceived`, undici 7: Node 22.?/24): `received` is then the size. */
  chunks: boolean;
  headers: unknown[] | undefined;
}

const byRequest = new WeakMap<UndiciRequest, Carrier>();
/** Each call's latest request: a redirect's first response must not end the call. */
const latest = new WeakMap<FetchCall, Carrier>();
let installed = false;

/** The `content-length` in undici's raw response headers (`[name, value, …]` Buffers), when valid. */
function contentLength(headers: unknown[] | undefined): number | undefined {
  if (headers === undefined) return undefined;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = String(headers[i]);
    if (name.length !== 14 || name.toLowerCase() !== 'content-length') continue;
    const n = Number(String(headers[i + 1]));
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  }
  return undefined;
}

function carrier(message: unknown): Carrier | undefined {
  return byRequest.get((message as Message).request);
}

/**
 * Subscribes, once per process, to undici's `undici:request:*` channels, and reports each request
 * created inside a traced fetch's context to that call: `create` (a Request's or FormData's body
 * size from `contentLength`), `bodyChunkSent`/`bodyChunkReceived` (where undici has them),
 * `headers`, `trailers` (the response's end: the call ends here, read or not; its size is the
 * received chunks, else `content-length`) and `error`. Per traced call: two WeakMap entries and
 * one small object; every undici request, traced or not, then publishes these messages.
 */
export function observeUndiciFetch(): void {
  if (installed) return;
  installed = true;
  const calls = trackFetchWire();
  subscribe('undici:request:create', (message) => {
    const { request } = message as Message;
    const ri = getRPCInfo(context.active());
    const call = ri === undefined ? undefined : calls.get(ri);
    // After the response, a request in the call's context is not the call's (the app's own, later).
    if (call === undefined || call.responded) return;
    // A redirect sends a new request: the first one's end is not the call's.
    call.endTime = undefined;
    // fetch has taken a known-size body by now (handedOff): 0 left means unknown, unless streamed.
    const sizesRequest = !call.countsRequestBody && ri!.stats.sendSize === 0;
    const c: Carrier = { call, sizesRequest, sent: 0, received: 0, chunks: false, headers: undefined };
    byRequest.set(request, c);
    latest.set(call, c);
    if (sizesRequest && typeof request.contentLength === 'number') ri!.stats.sendSize = request.contentLength;
  });
  subscribe('undici:request:bodyChunkSent', (message) => {
    const c = carrier(message);
    if (c === undefined || !c.sizesRequest) return;
    c.sent += (message as Message).chunk?.length ?? 0;
    c.call.ri.stats.sendSize = c.sent;
  });
  subscribe('undici:request:headers', (message) => {
    const c = carrier(message);
    const response = (message as Message).response;
    if (c === undefined || response === undefined) return;
    c.headers = response.headers;
    // The headers' arrival, unless a redirect fetch may follow (its next response's headers count).
    if (latest.get(c.call) === c && (response.statusCode < 300 || response.statusCode >= 400)) c.call.ri.stats.record(stats.WaitReadFinish);
  });
  subscribe('undici:request:bodyChunkReceived', (message) => {
    const c = carrier(message);
    if (c === undefined) return;
    c.chunks = true;
    c.received += (message as Message).chunk?.length ?? 0;
  });
  subscribe('undici:request:trailers', (message) => {
    const c = carrier(message);
    if (c !== undefined && latest.get(c.call) === c) c.call.ended(now(), c.chunks ? c.received : contentLength(c.headers));
  });
  subscribe('undici:request:error', (message) => {
    const c = carrier(message);
    // Before the response, fetch rejects and the call finishes with fetch's own error.
    if (c !== undefined && latest.get(c.call) === c && c.call.responded) c.call.onError((message as Message).error);
  });
}
