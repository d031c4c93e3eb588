// From an RPCInfo to span attributes, status and events, after the OpenTelemetry semantic
// conventions for RPC and HTTP. What the transport put in `ri.attributes` wins over what is
// derived here: the transport saw the wire.
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import type { SpanAttributes, SpanEvent, SpanStatus } from './span.js';

/** What a span says about an error: `error.type`, the status message, the stack when there is one. */
export interface ErrorDescription {
  type: string;
  message: string;
  stack?: string;
}

/** Describes anything thrown; `_OTHER` is semconv's `error.type` when no type is known. */
export function describeError(error: unknown): ErrorDescription {
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; message?: unknown; stack?: unknown; constructor?: { name?: unknown } };
    // `name` first: DOMExceptions (AbortError, TimeoutError) are told apart only by it.
    const type = typeof e.name === 'string' && e.name !== '' ? e.name : typeof e.constructor?.name === 'string' && e.constructor.name !== '' ? e.constructor.name : '_OTHER';
    const message = typeof e.message === 'string' ? e.message : safeString(error);
    return typeof e.stack === 'string' ? { type, message, stack: e.stack } : { type, message };
  }
  return { type: '_OTHER', message: safeString(error) };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '';
  }
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

/** Splits a URL origin, `host:port`, `[v6]:port` or bare host into semconv's address and port. */
export function splitAddress(address: string): { host: string; port?: number } | undefined {
  if (address === '') return undefined;
  if (address.includes('://')) {
    try {
      const url = new URL(address);
      const port = url.port !== '' ? Number(url.port) : DEFAULT_PORTS[url.protocol];
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      return port === undefined ? { host } : { host, port };
    } catch {
      return { host: address };
    }
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return bracketed[2] ? { host: bracketed[1], port: Number(bracketed[2]) } : { host: bracketed[1] };
  const colon = address.lastIndexOf(':');
  // More than one colon without brackets is a bare IPv6 address, not host:port.
  if (colon > 0 && address.indexOf(':') === colon && /^\d+$/.test(address.slice(colon + 1))) {
    return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
  }
  return { host: address };
}

function isHttp(ri: RPCInfo): boolean {
  const transport = ri.config.transport;
  return 'http.request.method' in ri.attributes || transport === 'fetch' || transport === 'http';
}

/** The span name of an RPC: `service/method`, or whichever of the two is known. */
export function rpcSpanName(ri: RPCInfo): string {
  const service = ri.invocation.service || ri.to.serviceName;
  const method = ri.invocation.method || ri.to.method;
  if (service && method) return `${service}/${method}`;
  return service || method || `${ri.config.transport} ${ri.side}`;
}

/** The attributes of an RPC span: derived ones, then every entry of `ri.attributes`. */
export function rpcSpanAttributes(ri: RPCInfo): SpanAttributes {
  const attributes: SpanAttributes = {};
  const service = ri.invocation.service || ri.to.serviceName;
  const method = ri.invocation.method || ri.to.method;
  if (service) attributes['rpc.service'] = service;
  if (method) attributes['rpc.method'] = method;
  const peer = ri.side === 'client' ? ri.to.serviceName : ri.from.serviceName;
  if (peer) attributes['peer.service'] = peer;
  // Transports usually set these themselves (copied below); parse the address only when not.
  const server = ri.attributes['server.address'] === undefined ? splitAddress(ri.to.address) : undefined;
  if (server) {
    attributes['server.address'] = server.host;
    if (server.port !== undefined) attributes['server.port'] = server.port;
  }
  if (ri.side === 'server' && ri.attributes['client.address'] === undefined) {
    const client = splitAddress(ri.from.address);
    if (client) attributes['client.address'] = client.host;
  }
  attributes['isotrace.transport'] = ri.config.transport;
  // Request and response are named from the call's point of view, so both sides agree.
  const requestSize = ri.side === 'client' ? ri.stats.sendSize : ri.stats.recvSize;
  const responseSize = ri.side === 'client' ? ri.stats.recvSize : ri.stats.sendSize;
  const [requestKey, responseKey] = isHttp(ri)
    ? ['http.request.body.size', 'http.response.body.size']
    : ['rpc.request.size', 'rpc.response.size'];
  if (requestSize > 0) attributes[requestKey] = requestSize;
  if (responseSize > 0) attributes[responseKey] = responseSize;
  Object.assign(attributes, ri.attributes);
  return attributes;
}

/**
 * The status of an RPC span; sets `error.type` in `attributes` when the call failed and the
 * transport named no type. Error when the call threw, when RPCFinish was recorded as an error,
 * or per the HTTP conventions: a status code ≥ 500, or ≥ 400 on the client side.
 */
export function rpcSpanStatus(ri: RPCInfo, attributes: SpanAttributes): SpanStatus {
  if (ri.stats.error !== undefined) {
    const { type, message } = describeError(ri.stats.error);
    if (attributes['error.type'] === undefined) attributes['error.type'] = type;
    return message ? { code: 'error', message } : { code: 'error' };
  }
  const code = Number(attributes['http.response.status_code']);
  const httpFailed = Number.isInteger(code) && (code >= 500 || (ri.side === 'client' && code >= 400));
  if (httpFailed && attributes['error.type'] === undefined) attributes['error.type'] = String(code);
  const finish = ri.stats.getEvent(stats.RPCFinish);
  if (finish?.status === 'error' || httpFailed) {
    if (attributes['error.type'] === undefined) attributes['error.type'] = '_OTHER';
    // The transport's RPCFinish info (e.g. `HTTP 503`) is the message; semconv wants none when
    // only the status code says it failed.
    return finish?.status === 'error' && finish.info ? { code: 'error', message: finish.info } : { code: 'error' };
  }
  return { code: 'unset' };
}

/** The call's stats events as span events. */
export function rpcSpanEvents(ri: RPCInfo): SpanEvent[] {
  return ri.stats.events().map((record) => {
    const attributes: SpanAttributes = {};
    if (record.status !== 'info') attributes['isotrace.status'] = record.status;
    if (record.info !== '') attributes['isotrace.info'] = record.info;
    return { name: record.event.name, time: record.time, attributes };
  });
}
