// One small class per failure a WebSocket RPC caller can act on. An abort is not among them: an
// aborted call rejects with the signal's own reason, as `fetch` does, so `signal.reason` checks
// and `AbortError` handling written for fetch work unchanged.

/** The JSON-RPC `error` member of a failed response. */
export interface RpcErrorObject {
  /** An integer; -32768 to -32000 are reserved by JSON-RPC 2.0 (e.g. -32601 method not found). */
  code: number;
  message: string;
  data?: unknown;
}

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

/** The server answered with a JSON-RPC error; `code`, `rawMessage` and `data` are the server's. */
export class RpcRemoteError extends Error {
  override readonly name = 'RpcRemoteError';
  /** The JSON-RPC error code. */
  readonly code: number;
  /** The server's message, without the prefix `message` adds (as Connect's `rawMessage`). */
  readonly rawMessage: string;
  /** The error's `data` member, when the server sent one. */
  readonly data: unknown;

  constructor(
    /** The method that failed. */
    readonly method: string,
    error: RpcErrorObject,
  ) {
    super(`isotrace: ${method} failed on the server: [${error.code}] ${error.message}`);
    this.code = error.code;
    this.rawMessage = error.message;
    this.data = error.data;
  }
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
