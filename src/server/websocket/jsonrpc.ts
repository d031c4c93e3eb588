import { isJsonRpcError } from '../../rpcinfo/errors.js';
import { CALLER_SERVICE_HEADER } from '../../rpcinfo/header-names.js';
import { JsonRpcErrorCode, PARAMS_META_MEMBER, standardErrorMessage, type JsonRpcErrorObject } from '../../rpcinfo/jsonrpc.js';
import { BAGGAGE_HEADER, TRACEPARENT_HEADER, TRACESTATE_HEADER } from '../../propagation/w3c-propagator.js';

/** A JSON-RPC id: a string, a finite number, or null. */
export type JsonRpcId = string | number | null;

/** A valid request; `id` is `undefined` for a notification (no `id` member at all). */
export interface JsonRpcRequest {
  method: string;
  /** An array or an object, or `undefined` when the request has none. */
  params: unknown;
  id: JsonRpcId | undefined;
  /**
   * The trace headers: the request's trace-header member (default `meta`) when it is an object,
   * else what of `params._meta` joins a trace (see {@link PARAMS_META_MEMBER}).
   */
  meta: Record<string, unknown> | undefined;
}

/** What one message of a frame turned out to be. */
export type ParsedMessage = { ok: true; request: JsonRpcRequest } | { ok: false; id: JsonRpcId };

/** Whether `value` is a usable id. A non-finite number (a `1e400` literal) would serialise as null, so it is not. */
export function isJsonRpcId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// What `params._meta` may give a call: the rest of `_meta` is the application's (MCP's
// `progressToken`, …), not trace headers.
const PARAMS_META_KEYS = [TRACEPARENT_HEADER, TRACESTATE_HEADER, BAGGAGE_HEADER, CALLER_SERVICE_HEADER];

/** The trace headers in `params._meta`, for clients that cannot add a member of their own. */
function paramsMeta(params: unknown): Record<string, unknown> | undefined {
  const meta = isObject(params) ? params[PARAMS_META_MEMBER] : undefined;
  if (!isObject(meta)) return undefined;
  const picked: Record<string, unknown> = {};
  for (const key of PARAMS_META_KEYS) if (Object.hasOwn(meta, key)) picked[key] = meta[key];
  return picked;
}

/**
 * Validates one parsed message as a JSON-RPC 2.0 request. An invalid one keeps its id when the
 * id itself is valid, so the error response can name it; a missing or malformed meta member is
 * ignored rather than failing a call over its tracing. `params` goes to the method as sent,
 * `_meta` included.
 */
export function parseJsonRpcRequest(message: unknown, metaMember: string): ParsedMessage {
  if (!isObject(message)) return { ok: false, id: null };
  const hasId = Object.hasOwn(message, 'id');
  const id = message.id;
  if (hasId && !isJsonRpcId(id)) return { ok: false, id: null };
  const invalid: ParsedMessage = { ok: false, id: hasId ? (id as JsonRpcId) : null };
  if (message.jsonrpc !== '2.0' || typeof message.method !== 'string') return invalid;
  const params = message.params;
  if (params !== undefined && (typeof params !== 'object' || params === null)) return invalid;
  // The request's own member wins: an isotrace client never sends `_meta`, so both come only from
  // an app that put its own `_meta` in params, which is then left to the app.
  const meta = message[metaMember];
  return {
    ok: true,
    request: { method: message.method, params, id: hasId ? (id as JsonRpcId) : undefined, meta: isObject(meta) ? meta : paramsMeta(params) },
  };
}

/**
 * The error object sent for `error`: a {@link JsonRpcError}'s own code, message and data;
 * -32603 "Internal error" and nothing else for any other error.
 */
export function toErrorObject(error: unknown): JsonRpcErrorObject {
  if (isJsonRpcError(error)) return { code: error.code, message: error.message, data: error.data };
  return { code: JsonRpcErrorCode.InternalError, message: standardErrorMessage(JsonRpcErrorCode.InternalError) };
}

/** The error object for one of the codes the spec defines, with its standard message. */
export function standardError(code: number): JsonRpcErrorObject {
  return { code, message: standardErrorMessage(code) };
}

/** An error response. `data` that cannot be serialised is left out rather than losing the response. */
export function errorFrame(id: JsonRpcId, error: JsonRpcErrorObject): string {
  let data = '';
  if (error.data !== undefined) {
    try {
      const json = JSON.stringify(error.data);
      if (json !== undefined) data = `,"data":${json}`;
    } catch {
      // BigInt, a cycle, a throwing toJSON: the code and message still go out.
    }
  }
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":{"code":${error.code},"message":${JSON.stringify(error.message)}${data}}}`;
}

/**
 * A result response; `undefined` (or a function) as a result is sent as `null`, since a response
 * must have a `result` member. Throws when the result cannot be serialised (BigInt, a cycle).
 */
export function resultFrame(id: JsonRpcId, result: unknown): string {
  const json = JSON.stringify(result) ?? 'null';
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${json}}`;
}
