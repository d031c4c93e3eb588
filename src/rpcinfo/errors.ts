// Every error class isotrace throws or records, in one module low enough for every thrower to
// import. Each has a guard that also accepts an instance from another realm or another copy of
// isotrace (an iframe, a second bundle), where `instanceof` fails: ky's `isHTTPError` rule,
// `instanceof`, or an object whose `name` is the class's name. Names are string literals, not
// `Class.name`, which minifiers rename.
import { JsonRpcErrorCode, standardErrorMessage, type JsonRpcErrorObject } from './jsonrpc.js';

/** `instanceof Ctor`, or an object named `name`: the test every guard below makes. */
function isErrorNamed(value: unknown, Ctor: abstract new (...args: never[]) => unknown, name: string): boolean {
  return value instanceof Ctor || (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === name);
}

// WebSocket RPC client. An abort is not among these: an aborted call rejects with the signal's
// own reason, as `fetch` does, so `AbortError` handling written for fetch works unchanged.

/** A call got no response within its `timeoutMs`; its response, should it come, is dropped. */
export class RpcTimeoutError extends Error {
  override readonly name = 'RpcTimeoutError';

  constructor(
    /** The method that timed out. */
    readonly method: string,
    /** The deadline the call had, in milliseconds (it counts the wait for the socket to open). */
    readonly timeoutMs: number,
  ) {
    super(`isotrace: ${method} got no response within ${timeoutMs} ms; raise timeoutMs or check the server`);
  }
}

/** Whether `value` is an {@link RpcTimeoutError} (a WebSocket RPC call that got no response in time), from this realm or another. */
export function isRpcTimeoutError(value: unknown): value is RpcTimeoutError {
  return isErrorNamed(value, RpcTimeoutError, 'RpcTimeoutError');
}

/** What {@link RpcConnectionClosedError} is built from. */
export interface RpcConnectionClosedInit {
  /** The method of the call that failed; empty when not about one call. */
  method?: string;
  /** The WebSocket close code: 1000 normal, 1006 abnormal (no close frame, e.g. a network error). */
  code: number;
  /** The close reason the peer (or `client.close`) gave; often empty. */
  reason: string;
  /** Whether the closing handshake completed. */
  wasClean?: boolean;
  /** True when `client.close()` closed the connection, false when the peer or the network did. */
  byClient?: boolean;
  /** The socket's `error` event's error, when one preceded the close. */
  cause?: unknown;
}

/** The connection closed (or was already closed) before a call got its response. */
export class RpcConnectionClosedError extends Error {
  override readonly name = 'RpcConnectionClosedError';
  /** The WebSocket close code. */
  readonly code: number;
  /** The close reason; often empty. */
  readonly reason: string;
  readonly wasClean: boolean;
  readonly byClient: boolean;

  constructor(init: RpcConnectionClosedInit) {
    const what = init.method ? `${init.method} failed: ` : '';
    const who = init.byClient ? 'client.close() closed the connection' : 'the WebSocket connection closed';
    const reason = init.reason ? `, reason "${init.reason}"` : '';
    super(`isotrace: ${what}${who} (code ${init.code}${reason}); create a new client to reconnect`, { cause: init.cause });
    this.code = init.code;
    this.reason = init.reason;
    this.wasClean = init.wasClean ?? false;
    this.byClient = init.byClient ?? false;
  }
}

/** Whether `value` is an {@link RpcConnectionClosedError} (a WebSocket RPC call whose connection closed first), from this realm or another. */
export function isRpcConnectionClosedError(value: unknown): value is RpcConnectionClosedError {
  return isErrorNamed(value, RpcConnectionClosedError, 'RpcConnectionClosedError');
}

/**
 * The server answered with a JSON-RPC error. `message` is the server's message unchanged, so code
 * that checks it works as with any other JSON-RPC client; `method`, `code` and `data` say the rest.
 */
export class RpcRemoteError extends Error {
  override readonly name = 'RpcRemoteError';
  /** The JSON-RPC error code. */
  readonly code: number;
  /** The server's message: the same as `message` (kept from when `message` had a prefix). */
  readonly rawMessage: string;
  /** The error's `data` member, when the server sent one. */
  readonly data: unknown;

  constructor(
    /** The method that failed. */
    readonly method: string,
    error: JsonRpcErrorObject,
  ) {
    super(error.message);
    this.code = error.code;
    this.rawMessage = error.message;
    this.data = error.data;
  }
}

/** Whether `value` is an {@link RpcRemoteError} (a JSON-RPC error response), from this realm or another. */
export function isRpcRemoteError(value: unknown): value is RpcRemoteError {
  return isErrorNamed(value, RpcRemoteError, 'RpcRemoteError');
}

/** A frame the client could not use: unparseable, not JSON-RPC 2.0, or matching no call. */
export class RpcProtocolError extends Error {
  override readonly name = 'RpcProtocolError';

  constructor(
    /** What was wrong with the frame. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`isotrace: the WebSocket RPC client dropped a frame: ${reason}`, options);
  }
}

/** Whether `value` is an {@link RpcProtocolError} (a frame the WebSocket RPC client could not use), from this realm or another. */
export function isRpcProtocolError(value: unknown): value is RpcProtocolError {
  return isErrorNamed(value, RpcProtocolError, 'RpcProtocolError');
}

// Servers.

/**
 * The caller went away before the response was complete: the connection closed, the response
 * body was cancelled, or the request's signal aborted. A served RPC that ends this way finishes
 * with this error (`error.type` attribute `aborted`); nothing is thrown into the handler.
 */
export class RequestAbortedError extends Error {
  override readonly name = 'RequestAbortedError';

  constructor(message = 'isotrace: request aborted: the client closed the connection before the response was complete', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Whether `value` is a {@link RequestAbortedError} (a served call whose client went away), from this realm or another. */
export function isRequestAbortedError(value: unknown): value is RequestAbortedError {
  return isErrorNamed(value, RequestAbortedError, 'RequestAbortedError');
}

/**
 * An error a JSON-RPC method throws on purpose: its `code`, `message` and `data` are sent to the
 * caller as they are. Anything else a method throws is answered with a bare -32603 "Internal
 * error", so no message or stack of an unexpected failure leaks to clients.
 *
 * @example
 * if (typeof params?.id !== 'string') throw JsonRpcError.invalidParams('id must be a string');
 * throw new JsonRpcError(-32004, 'User not found', { data: { id } });
 */
export class JsonRpcError extends Error {
  override readonly name = 'JsonRpcError';
  /** The JSON-RPC error code (an integer). */
  readonly code: number;
  /** Sent as the error's `data` member when defined (and serialisable). */
  readonly data: unknown;

  constructor(code: number, message?: string, options?: { data?: unknown; cause?: unknown }) {
    if (!Number.isInteger(code)) throw new TypeError(`isotrace: a JSON-RPC error code must be an integer, got ${String(code)}`);
    super(message ?? standardErrorMessage(code), options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.data = options?.data;
  }

  /** A -32602 "Invalid params" error, for a method whose params do not fit. */
  static invalidParams(message = 'Invalid params', data?: unknown): JsonRpcError {
    return new JsonRpcError(JsonRpcErrorCode.InvalidParams, message, { data });
  }
}

/** Whether `value` is a {@link JsonRpcError} (an error a JSON-RPC method threw on purpose), from this realm or another. */
export function isJsonRpcError(value: unknown): value is JsonRpcError {
  return isErrorNamed(value, JsonRpcError, 'JsonRpcError');
}

// Exporters.

/**
 * A batch of spans the collector did not take: an HTTP status other than 2xx (after retries for
 * 429 and 5xx), or a 2xx whose `partialSuccess` rejected some spans. `status` is the last HTTP
 * status (0 when no response came); `cause` keeps what `fetch` threw, if anything.
 */
export class OtlpExportError extends Error {
  override readonly name = 'OtlpExportError';
  /** The last HTTP status, or 0 when no response came (network error, timeout). */
  readonly status: number;
  /** Requests made for this batch, retries included. */
  readonly attempts: number;
  /** The start of the collector's response body, when it sent one: it often says what was wrong. */
  readonly responseText: string;

  constructor(message: string, init: { status: number; attempts: number; responseText?: string; cause?: unknown }) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.attempts = init.attempts;
    this.responseText = init.responseText ?? '';
  }
}

/** Whether `value` is an {@link OtlpExportError} (a batch the collector did not take), from this realm or another. */
export function isOtlpExportError(value: unknown): value is OtlpExportError {
  return isErrorNamed(value, OtlpExportError, 'OtlpExportError');
}
