import { JSON_RPC_MEMBERS, type JsonRpcErrorObject } from '../../rpcinfo/jsonrpc.js';

/** A request (with `id`) or a notification (without) that a codec turns into one frame. */
export interface RpcOutgoingMessage {
  /** The call's id from the client's counter; absent for a notification. */
  id?: number;
  method: string;
  params?: unknown;
  /** Trace headers (`traceparent`, `tracestate`, the caller's name); absent when there are none. */
  meta?: Record<string, string>;
}

/** What a codec makes of one incoming frame. */
export type RpcIncomingMessage =
  /** A successful response to the call with this `id`. */
  | { kind: 'response'; id: number | string; result: unknown }
  /** A failed response; `id` is null when the server could not tell which request failed. */
  | { kind: 'error'; id: number | string | null; error: JsonRpcErrorObject }
  /** A message the server pushed on its own (no id, or an event); goes to the client's `onNotification`. */
  | { kind: 'notification'; method: string; params?: unknown }
  /** A batch (JSON-RPC 2.0 §6): each member as a frame of its own, decoded again and routed; its size is that call's. */
  | { kind: 'batch'; frames: readonly (string | Uint8Array)[] }
  /** A frame the codec could not use; with `id` when it still names a call, which then fails. */
  | { kind: 'invalid'; reason: string; id?: number | string }
  /** A frame to drop silently (e.g. a codec's own keep-alive). */
  | { kind: 'ignore' };

/**
 * Turns requests into frames and frames into responses. JSON-RPC 2.0 ({@link jsonRpcCodec}) is
 * the default; supply another for a different envelope. `decode` may throw: the frame is then
 * reported as a protocol error, never thrown into the app.
 */
export interface WebSocketRpcCodec {
  /** Recorded as `ri.config.codec` and the `rpc.system` attribute, e.g. `jsonrpc`. */
  readonly name: string;
  /** One frame for `message`: a string is sent as a text frame, bytes as a binary frame. */
  encode(message: RpcOutgoingMessage): string | ArrayBuffer | ArrayBufferView<ArrayBuffer>;
  /** The meaning of one frame: text as a string, binary as bytes. */
  decode(frame: string | Uint8Array): RpcIncomingMessage;
}

/** Options of {@link createJsonRpcCodec}. */
export interface JsonRpcCodecOptions {
  /** The request member that carries the trace headers; default `meta`. */
  metaMember?: string;
}

// `fatal`: bytes that are not UTF-8 make a frame invalid rather than silently mangled.
let decoder: TextDecoder | undefined;

function isId(value: unknown): value is number | string {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function isErrorObject(value: unknown): value is JsonRpcErrorObject {
  const e = value as Partial<JsonRpcErrorObject> | null;
  return typeof e === 'object' && e !== null && Number.isInteger(e.code) && typeof e.message === 'string';
}

function decodeJsonRpc(frame: string | Uint8Array): RpcIncomingMessage {
  let text: string;
  let body: unknown;
  try {
    text = typeof frame === 'string' ? frame : (decoder ??= new TextDecoder('utf-8', { fatal: true })).decode(frame);
    body = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'the frame is not JSON (UTF-8)' };
  }
  // A member's own JSON is its frame: decoded like any frame, and its length is its call's size.
  if (Array.isArray(body))
    return body.length > 0 ? { kind: 'batch', frames: body.map((m) => JSON.stringify(m)) } : { kind: 'invalid', reason: 'an empty batch' };
  if (typeof body !== 'object' || body === null) return { kind: 'invalid', reason: 'the frame is not a JSON object' };
  const m = body as Record<string, unknown>;
  // rpc-websockets pushes an event as `{"notification": name, "params": …}`, without "jsonrpc".
  if (typeof m.notification === 'string' && !('id' in m || 'method' in m)) return { kind: 'notification', method: m.notification, params: m.params };
  // An id is only ours to fail when the frame is a response (a request's id is the server's).
  const id = isId(m.id) && !('method' in m) ? m.id : undefined;
  if (m.jsonrpc !== '2.0') return { kind: 'invalid', reason: 'the frame lacks "jsonrpc": "2.0"', id };
  if ('method' in m) {
    if (typeof m.method !== 'string') return { kind: 'invalid', reason: 'a request whose method is not a string' };
    if (m.id !== undefined && m.id !== null)
      return { kind: 'invalid', reason: `the server sent a request (${m.method}); this client only takes responses and notifications` };
    return { kind: 'notification', method: m.method, params: m.params };
  }
  const hasResult = 'result' in m;
  const hasError = 'error' in m;
  if (hasResult === hasError) return { kind: 'invalid', reason: 'a response must have exactly one of "result" and "error"', id };
  if (hasError) {
    if (!isErrorObject(m.error)) return { kind: 'invalid', reason: 'the "error" member needs an integer code and a string message', id };
    if (id === undefined && m.id !== null) return { kind: 'invalid', reason: 'an error response without an id' };
    return { kind: 'error', id: id ?? null, error: m.error };
  }
  if (id === undefined) return { kind: 'invalid', reason: 'a response without an id' };
  return { kind: 'response', id, result: m.result };
}

/**
 * A JSON-RPC 2.0 codec whose requests carry trace headers in the `metaMember` member, e.g.
 * `{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2],"meta":{"traceparent":"00-…"}}`.
 *
 * @example
 * const client = createWebSocketRpcClient(url, { codec: createJsonRpcCodec({ metaMember: '_meta' }) });
 */
export function createJsonRpcCodec(options: JsonRpcCodecOptions = {}): WebSocketRpcCodec {
  const metaMember = options.metaMember ?? 'meta';
  if (typeof metaMember !== 'string' || metaMember === '' || JSON_RPC_MEMBERS.has(metaMember)) {
    throw new TypeError(`isotrace: metaMember must be a non-empty string other than a JSON-RPC member name, got ${String(metaMember)}`);
  }
  return Object.freeze({
    name: 'jsonrpc',
    encode({ id, method, params, meta }: RpcOutgoingMessage): string {
      if (params !== undefined && (typeof params !== 'object' || params === null)) {
        throw new TypeError(`isotrace: JSON-RPC params of ${method} must be an array or an object, got ${params === null ? 'null' : typeof params}`);
      }
      const frame: Record<string, unknown> = { jsonrpc: '2.0' };
      if (id !== undefined) frame.id = id;
      frame.method = method;
      if (params !== undefined) frame.params = params;
      if (meta !== undefined) frame[metaMember] = meta;
      return JSON.stringify(frame);
    },
    decode: decodeJsonRpc,
  });
}

/** The default codec: JSON-RPC 2.0 with trace headers in `meta`. */
export const jsonRpcCodec: WebSocketRpcCodec = /*#__PURE__*/ createJsonRpcCodec();

/** The codec a client's options ask for: their own, or JSON-RPC 2.0 with their `metaMember`. */
export function clientCodec(options: { codec?: WebSocketRpcCodec; metaMember?: string }): WebSocketRpcCodec {
  if (options.codec && options.metaMember !== undefined) {
    throw new TypeError('isotrace: pass metaMember to createJsonRpcCodec, not next to a custom codec');
  }
  return options.codec ?? (options.metaMember !== undefined ? createJsonRpcCodec({ metaMember: options.metaMember }) : jsonRpcCodec);
}
