import type { Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import { MapHeaderCarrier } from '../../rpcinfo/header-carrier.js';
import type { AttributeValue, RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { asRecordedError } from '../errors.js';
import { describeError } from '../../rpcinfo/conventions/error-description.js';
import { isJsonRpcError, JsonRpcError } from '../../rpcinfo/errors.js';
import { JsonRpcErrorCode } from '../../rpcinfo/jsonrpc.js';
import { errorFrame, resultFrame, toErrorObject, type JsonRpcRequest } from './jsonrpc.js';
import { addIncomingHeader, createServerRPCInfo, startServerCall, type ServerSetup } from '../rpcinfo.js';

/**
 * A JSON-RPC method: `params` as sent (an array, an object or `undefined`), and the call's
 * context. `params` is `any` so a method can declare what it expects; the method validates it
 * (throw {@link JsonRpcError.invalidParams} when it does not fit).
 */
export type JsonRpcMethod = (params: any, ctx: Context) => unknown;

/** The methods a WebSocket RPC server serves, by name. */
export type JsonRpcMethods = Record<string, JsonRpcMethod>;

/** What the connection knows that every call on it shares. */
export interface ConnectionFacts {
  /** `ri.from.address`: the peer's `host:port`. */
  readonly clientAddress: string;
  /** `ri.to.address`: the Host the client connected to. */
  readonly serverAddress: string;
  /** Writes the connection's `client.address`, `server.address` and `server.port` into a call's attributes. */
  addAttributes(attributes: Record<string, AttributeValue>): void;
}

/** When a frame arrived and when it was parsed. */
export interface FrameTimes {
  readonly receivedAt: number;
  readonly parsedAt: number;
}

/** One traced JSON-RPC request. */
export interface WebSocketCall {
  readonly ri: RPCInfo;
  readonly ctx: Context;
  readonly request: JsonRpcRequest;
  done: boolean;
}

/**
 * Creates and starts the call for `request`. RPCStart and ReadStart take the time the frame
 * arrived, as Kitex records RPCStart when the server starts reading; the tracers' `start` runs
 * after parsing, once there is a method and meta to describe the call.
 */
export function startWebSocketCall(
  setup: ServerSetup,
  connection: ConnectionFacts,
  request: JsonRpcRequest,
  frame: FrameTimes,
  recvSize: number,
): WebSocketCall {
  const headers = new MapHeaderCarrier();
  const meta = request.meta;
  if (meta !== undefined) for (const key of Object.keys(meta)) addIncomingHeader(headers, key, meta[key], setup.trustIncoming);
  const ri = createServerRPCInfo(setup, {
    transport: 'websocket',
    headers,
    clientAddress: connection.clientAddress,
    serverAddress: connection.serverAddress,
    service: '',
    method: request.method,
    seqId: request.id ?? undefined,
    codec: 'json',
  });
  const attributes = ri.attributes;
  connection.addAttributes(attributes);
  attributes['rpc.system'] = 'jsonrpc';
  attributes['rpc.method'] = request.method;
  attributes['rpc.jsonrpc.version'] = '2.0';
  if (request.id !== undefined) attributes['rpc.jsonrpc.request_id'] = request.id === null ? '' : String(request.id);
  ri.stats.record(stats.RPCStart, 'info', '', frame.receivedAt);
  ri.stats.record(stats.ReadStart, 'info', '', frame.receivedAt);
  ri.stats.record(stats.ReadFinish, 'info', '', frame.parsedAt);
  ri.stats.recvSize = recvSize;
  return { ri, ctx: startServerCall(setup, ri), request, done: false };
}

/** Records a failed call: the error, and its JSON-RPC code and semconv `error.type`. */
function recordError(call: WebSocketCall, error: unknown): void {
  if (call.done) return;
  const { ri } = call;
  const sent = toErrorObject(error);
  if (ri.stats.error === undefined) ri.stats.error = asRecordedError(error);
  ri.attributes['rpc.jsonrpc.error_code'] = sent.code;
  ri.attributes['rpc.jsonrpc.error_message'] = sent.message;
  ri.attributes['error.type'] = isJsonRpcError(error) ? String(error.code) : describeError(error).type;
}

/**
 * Runs the method of `call` in the call's context and returns the response frame, or
 * `undefined` for a notification. Never rejects: every failure becomes an error response.
 * `onError` hears what a method threw.
 */
export async function invokeWebSocketCall(
  call: WebSocketCall,
  methods: JsonRpcMethods,
  onError: (call: WebSocketCall, error: unknown) => void,
): Promise<string | undefined> {
  const { ri, ctx, request } = call;
  const id = request.id;
  // Own properties only: `toString` or `__proto__` are not methods a client may call.
  const method = Object.hasOwn(methods, request.method) ? methods[request.method] : undefined;
  if (typeof method !== 'function') {
    const error = new JsonRpcError(JsonRpcErrorCode.MethodNotFound);
    recordError(call, error);
    return id === undefined ? undefined : errorFrame(id, toErrorObject(error));
  }
  ri.stats.record(stats.ServerHandleStart);
  let result: unknown;
  try {
    result = await context.with(ctx, method, undefined, request.params, ctx);
  } catch (error) {
    if (!call.done) ri.stats.record(stats.ServerHandleFinish, 'error');
    recordError(call, error);
    onError(call, error);
    return id === undefined ? undefined : errorFrame(id, toErrorObject(error));
  }
  if (!call.done) ri.stats.record(stats.ServerHandleFinish);
  if (id === undefined) return undefined;
  try {
    return resultFrame(id, result);
  } catch (error) {
    // A result JSON cannot carry (BigInt, a cycle) is the method's bug, reported like a throw.
    recordError(call, error);
    onError(call, error);
    return errorFrame(id, toErrorObject(error));
  }
}
