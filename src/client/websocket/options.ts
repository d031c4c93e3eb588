import type { Context } from '../../context/context.js';
import type { StatsLevel } from '../../rpcinfo/stats-level.js';
import type { TraceControllerOptions } from '../../tracer/trace-controller.js';
import type { WebSocketRpcCodec } from './codec.js';
import type { RpcProtocolError } from '../../rpcinfo/errors.js';
import { utf8Length } from '../../rpcinfo/sizes/utf8-length.js';
import type { WebSocketConstructor, WebSocketLike } from './socket.js';

/** Options of {@link createWebSocketRpcClient}. */
export interface WebSocketRpcClientOptions extends TraceControllerOptions {
  /** This (the calling) service's name: `ri.from.serviceName`, and sent in `meta` as the caller. */
  service?: string;
  /** The called service's name; default: the URL's `host[:port]`. */
  remoteService?: string;
  /** Default: Detailed with tracers, Disabled without. */
  statsLevel?: StatsLevel;
  /** The parent context of every call that passes none; default: the active one at call time. */
  ctx?: Context;
  /** Default deadline of each call in milliseconds, counted from `call()`; default: none. */
  timeoutMs?: number;
  /** The frame format; default JSON-RPC 2.0 ({@link jsonRpcCodec}). */
  codec?: WebSocketRpcCodec;
  /** The JSON-RPC member carrying trace headers, default `meta`; with a custom `codec`, set it there. */
  metaMember?: string;
  /** The class a URL is opened with; default `globalThis.WebSocket` (Node 20 has none: pass `ws`'s). */
  WebSocket?: WebSocketConstructor;
  /** Subprotocols for a socket the client opens. */
  protocols?: string | string[];
  /**
   * Told about each frame the client drops (not JSON-RPC, a response no call waits for, …); it
   * never throws into the app. Default: one `console.warn` per client.
   */
  onProtocolError?: (event: WebSocketProtocolErrorEvent) => void;
  /**
   * Gets what the server pushes on its own: JSON-RPC notifications (a method and no id, also in a
   * batch) and `rpc-websockets` events (`{"notification": name, "params": …}`); default: dropped.
   */
  onNotification?: (event: WebSocketNotificationEvent) => void;
}

/** What `onProtocolError` is told. */
export interface WebSocketProtocolErrorEvent {
  error: RpcProtocolError;
  /** The frame as received (`event.data`). */
  frame: unknown;
}

/** What `onNotification` is told. */
export interface WebSocketNotificationEvent {
  /** The notification's method, or the event's name (an `rpc-websockets` event frame's `notification`). */
  method: string;
  /** As sent: an `rpc-websockets` event has its emit arguments in an array, or one object. */
  params: unknown;
}

/** Per-call options of {@link WebSocketRpcClient.call}. */
export interface WebSocketCallOptions {
  /** The parent context; default: the client's `ctx`, else the active one. */
  ctx?: Context;
  /** Aborts the call: it rejects with `signal.reason` and its response, if any, is dropped. */
  signal?: AbortSignal;
  /** This call's deadline in milliseconds; default: the client's `timeoutMs`. */
  timeoutMs?: number;
}

/** Per-call options of {@link WebSocketRpcClient.notify}. */
export interface WebSocketNotifyOptions {
  /** The parent context; default: the client's `ctx`, else the active one. */
  ctx?: Context;
}

/** A JSON-RPC client over one WebSocket, every call a traced client RPC. */
export interface WebSocketRpcClient {
  /**
   * Calls `method` and resolves with the response's `result`. Rejects with {@link RpcRemoteError}
   * (the server's error), {@link RpcTimeoutError}, {@link RpcConnectionClosedError}, the signal's
   * reason on abort, or what the codec threw encoding `params`.
   */
  call<T = unknown>(method: string, params?: unknown, options?: WebSocketCallOptions): Promise<T>;
  /**
   * Sends a notification (no id, no response); resolves once the frame is handed to the socket.
   * Safe to leave unawaited: a failure is recorded on its RPC, never an unhandled rejection.
   */
  notify(method: string, params?: unknown, options?: WebSocketNotifyOptions): Promise<void>;
  /**
   * Rejects every pending call with {@link RpcConnectionClosedError}, closes the socket (also one
   * that was passed in) and resolves once it is closed. Later calls reject at once.
   */
  close(code?: number, reason?: string): Promise<void>;
  /** Calls started and not yet settled, including those waiting for the socket to open. */
  readonly pending: number;
  /** The underlying socket. */
  readonly socket: WebSocketLike;
}

/** `value` as a deadline (undefined for none); throws a TypeError naming `where` when it is not one. */
export function checkTimeout(value: unknown, where: string): number | undefined {
  if (value === undefined || value === Infinity) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw new TypeError(`isotrace: ${where} must be a positive number of milliseconds, got ${String(value)}`);
  return value;
}

/**
 * Throws a TypeError unless `close(code, reason)` is valid by the browser's rules (ws's too):
 * checked up front so close() never half-closes. Other codes are reserved for the protocol
 * itself, and a close frame leaves 123 bytes for the reason.
 */
export function checkClose(code: unknown, reason: unknown): void {
  if (code !== undefined && code !== 1000 && !(Number.isInteger(code) && (code as number) >= 3000 && (code as number) <= 4999)) {
    throw new TypeError(`isotrace: close code must be 1000 or 3000–4999, got ${String(code)}`);
  }
  if (reason !== undefined && (typeof reason !== 'string' || utf8Length(reason) > 123)) {
    throw new TypeError('isotrace: close reason must be a string of at most 123 UTF-8 bytes');
  }
}
