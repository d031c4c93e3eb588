// JSON-RPC 2.0's vocabulary, shared by the WebSocket RPC client and server so both read and
// write the same error objects and reserve the same member names.

/** The `error` member of a JSON-RPC response. */
export interface JsonRpcErrorObject {
  /** An integer; -32768 to -32000 are reserved by JSON-RPC 2.0 (e.g. -32601 method not found). */
  code: number;
  message: string;
  data?: unknown;
}

/** The error codes JSON-RPC 2.0 defines; -32000 to -32099 are left to servers, others to applications. */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

const STANDARD_MESSAGES: Record<number, string> = {
  [JsonRpcErrorCode.ParseError]: 'Parse error',
  [JsonRpcErrorCode.InvalidRequest]: 'Invalid Request',
  [JsonRpcErrorCode.MethodNotFound]: 'Method not found',
  [JsonRpcErrorCode.InvalidParams]: 'Invalid params',
  [JsonRpcErrorCode.InternalError]: 'Internal error',
};

/** The spec's message for `code` (`Method not found`, …), `Server error` for any other code. */
export function standardErrorMessage(code: number): string {
  return STANDARD_MESSAGES[code] ?? 'Server error';
}

/**
 * The members JSON-RPC 2.0 gives a request or a response: a trace-header member (`meta`) may
 * take none of these names, on the client or the server.
 */
export const JSON_RPC_MEMBERS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'method', 'params', 'result', 'error']);

/**
 * The member of a request's `params` object in which a JSON-RPC client that is not isotrace's
 * sends trace context, as the Model Context Protocol reserves it:
 * `"params": { …, "_meta": { "traceparent": "00-…", "tracestate": "…" } }`. Servers read it when
 * the request has no `meta` member of its own.
 */
export const PARAMS_META_MEMBER = '_meta';
