// OpenTelemetry's semantic conventions for RPC and HTTP as isotrace applies them: the one rule
// for a call's span name, attributes and outcome. The span tracer, the OpenTelemetry bridge and
// the metrics tracer all read an RPCInfo through these functions, so they never disagree.
import { splitAddress } from './address.js';
import { describeError, type ErrorDescription } from './error-description.js';
import type { EventRecord, EventStatus } from '../rpc-stats.js';
import { protocolFailure } from './protocol-status.js';
import type { AttributeValue, RPCInfo } from '../rpcinfo.js';
import { stats } from '../stats-event.js';

/**
 * The method a call is known by: the invocation's (else the callee's); for an HTTP call that
 * names none (a REST request a server serves), `{http.request.method} {http.route}` when the
 * route is known (`GET /users/:id`), else the HTTP method alone (`GET`), as OpenTelemetry names
 * HTTP server spans: never the raw path, so ids do not multiply span names and label sets.
 * `''` when nothing names it. The metrics tracer's `method` label.
 */
export function rpcMethod(ri: RPCInfo): string {
  const method = ri.invocation.method || ri.to.method;
  if (method !== '') return method;
  const httpMethod = ri.attributes['http.request.method'];
  if (typeof httpMethod !== 'string' || httpMethod === '') return '';
  const route = ri.attributes['http.route'];
  return typeof route === 'string' && route !== '' ? `${httpMethod} ${route}` : httpMethod;
}

/**
 * The name of a call's span: `service/method`, or whichever of the two is known. An HTTP call
 * whose method is named by HTTP's rule ({@link rpcMethod}: `GET /users/:id`, `GET`) is named
 * that alone, as OpenTelemetry names HTTP spans; a call with no name at all is named by its
 * transport (`fetch`, `websocket`, `call`). Read again when the call finishes, so a route set
 * while it runs renames its span.
 */
export function rpcName(ri: RPCInfo): string {
  const service = ri.invocation.service || ri.to.serviceName;
  const method = rpcMethod(ri);
  if (method !== '' && (ri.invocation.method || ri.to.method) === '') return method;
  if (service !== '' && method !== '') return `${service}/${method}`;
  return service || method || ri.config.transport;
}

/**
 * The attributes of a call: `rpc.service`, `rpc.method`, `peer.service` (the callee on the client
 * side, the caller on the server side: the other side's `service.name`, so not a callee named
 * only by its address, as a fetch to a plain URL is by default, `host:port`: `server.address`
 * and `server.port` say where it is, on both sides), `server.address`/`server.port` (from `ri.to.address`),
 * `client.address` (server side, from `ri.from.address`), `isotrace.transport`, and the body
 * sizes when not 0 (`http.request.body.size`/`http.response.body.size` for the `fetch` and `http`
 * transports, `rpc.request.size`/`rpc.response.size` for others; the request is what the client
 * sent, on both sides); then every entry of `ri.attributes`, which wins: the transport saw the
 * wire. `rpc.system` is there only when the transport set it. A new object on every call.
 */
export function rpcAttributes(ri: RPCInfo): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  const service = ri.invocation.service || ri.to.serviceName;
  const method = ri.invocation.method || ri.to.method;
  if (service !== '') attributes['rpc.service'] = service;
  if (method !== '') attributes['rpc.method'] = method;
  const client = ri.side === 'client';
  const peer = client ? ri.to.serviceName : ri.from.serviceName;
  if (peer !== '' && !(client && ri.to.address.endsWith(`//${peer}`))) attributes['peer.service'] = peer;
  // Transports usually set these themselves (copied below); the address is parsed only when not.
  const server = ri.attributes['server.address'] === undefined ? splitAddress(ri.to.address) : undefined;
  if (server !== undefined) {
    attributes['server.address'] = server.host;
    if (server.port !== undefined) attributes['server.port'] = server.port;
  }
  if (!client && ri.attributes['client.address'] === undefined) {
    const caller = splitAddress(ri.from.address);
    if (caller !== undefined) attributes['client.address'] = caller.host;
  }
  attributes['isotrace.transport'] = ri.config.transport;
  const request = client ? ri.stats.sendSize : ri.stats.recvSize;
  const response = client ? ri.stats.recvSize : ri.stats.sendSize;
  const http = ri.config.transport === 'fetch' || ri.config.transport === 'http';
  // 0 means "empty or not measured" (a plain function call measures nothing): left out, not guessed.
  if (request > 0) attributes[http ? 'http.request.body.size' : 'rpc.request.size'] = request;
  if (response > 0) attributes[http ? 'http.response.body.size' : 'rpc.response.size'] = response;
  return Object.assign(attributes, ri.attributes);
}

/** How a call ended, as {@link rpcOutcome} tells it. */
export interface RpcOutcome {
  /** Whether the call failed. */
  failed: boolean;
  /** `error.type` when it failed: the transport's, else the RPC status's ({@link protocolFailure}), else the error's type, else the HTTP status, else `_OTHER`. */
  errorType?: string;
  /** The status message when it failed: the error's message, else RPCFinish's info; absent when neither says anything. */
  message?: string;
  /** The recorded error, described, when there is one. */
  error?: ErrorDescription;
}

const SUCCEEDED: RpcOutcome = Object.freeze({ failed: false });

/**
 * How a call ended: the one rule spans, the OpenTelemetry bridge and metrics follow. It failed
 * when an error was recorded (`ri.stats.error`), when RPCFinish was recorded with status
 * `error`, or when its protocol says so for this side ({@link protocolFailure}: a gRPC or
 * Connect status, a JSON-RPC error, else the HTTP status: 500 or more, or 400 or more on the
 * client side). A success allocates nothing.
 */
export function rpcOutcome(ri: RPCInfo): RpcOutcome {
  const recorded = ri.stats.error;
  const finish = ri.stats.getEvent(stats.RPCFinish);
  const finishFailed = finish !== undefined && finish.status === 'error';
  const failure = protocolFailure(ri);
  if (recorded === undefined && !finishFailed && failure === undefined) return SUCCEEDED;
  const error = recorded === undefined ? undefined : describeError(recorded);
  const named = ri.attributes['error.type'];
  const errorType = named !== undefined ? String(named) : failureType(failure, error?.type);
  const message = error !== undefined && error.message !== '' ? error.message : finishFailed && finish.info !== '' ? finish.info : undefined;
  const outcome: RpcOutcome = { failed: true, errorType };
  if (message !== undefined) outcome.message = message;
  if (error !== undefined) outcome.error = error;
  return outcome;
}

/**
 * Records the end of a call by the rule {@link rpcOutcome} reads, so RPCFinish's status and
 * `error.type` say what every tracer says: with `error` (thrown or rejected) it becomes
 * `stats.error` (unless one is there); either that or a failure by {@link protocolFailure} names
 * `error.type` (unless the transport did; an RPC status wins over the error, the error over an
 * HTTP status). RPCFinish is `error` for either, with `info` or else the protocol's (`HTTP 404`,
 * `NOT_FOUND`); else `status`. RPCFinish is recorded at `time` when given (the response's last byte), else now.
 */
export function recordFinish(ri: RPCInfo, error?: unknown, status: EventStatus = 'info', info = '', time?: number): void {
  const failure = protocolFailure(ri);
  if (error !== undefined && ri.stats.error === undefined) ri.stats.error = error;
  if (error !== undefined || failure !== undefined) {
    ri.attributes['error.type'] ??= failureType(failure, error === undefined ? undefined : describeError(error).type);
    status = 'error';
    if (error === undefined && info === '') info = failure === String(ri.attributes['http.response.status_code']) ? `HTTP ${failure}` : failure!;
  }
  ri.stats.record(stats.RPCFinish, status, info, time);
}

/**
 * The `error.type` of a failed call: the RPC status the protocol reported, even with an error
 * (an abort or error after it, a client library cancelling a failed stream, is its consequence);
 * else the error's type, which names a failure better than the HTTP status that went with it;
 * else that status; else `_OTHER`.
 */
function failureType(failure: string | undefined, errorType: string | undefined): string {
  return errorType !== undefined && (failure === undefined || /^\d+$/.test(failure)) ? errorType : (failure ?? '_OTHER');
}

/** The attributes a stats event carries as a span event: `isotrace.status` unless `info`, `isotrace.info` when not empty. */
export function eventAttributes(record: EventRecord): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (record.status !== 'info') attributes['isotrace.status'] = record.status;
  if (record.info !== '') attributes['isotrace.info'] = record.info;
  return attributes;
}
