import type { Attributes, Exception } from '@opentelemetry/api';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';

/** `service/method` as OpenTelemetry's RPC conventions name spans; one part alone when the other is unknown. */
export function rpcSpanName(ri: RPCInfo): string {
  const service = ri.invocation.service || ri.to.serviceName;
  const method = ri.invocation.method || ri.to.method;
  if (service !== '' && method !== '') return `${service}/${method}`;
  return service || method || ri.config.transport;
}

/**
 * A span's attributes from an {@link RPCInfo}, the same set isotrace's own span tracer records:
 * everything the transport put in `ri.attributes` (OpenTelemetry semantic-convention keys, and
 * they win: the transport knows the protocol), then, where missing, `rpc.system` (falling back
 * to the transport's name, since OpenTelemetry requires it on RPC spans), `rpc.service`,
 * `rpc.method`, `peer.service`, `server.address`/`server.port` (from `ri.to.address`) and
 * `isotrace.transport`; with `final`, also the body sizes and `error.type`.
 */
export function rpcAttributes(ri: RPCInfo, final: boolean): Attributes {
  const attributes: Attributes = { ...ri.attributes };
  const service = ri.invocation.service || ri.to.serviceName;
  const method = ri.invocation.method || ri.to.method;
  const peer = ri.side === 'client' ? ri.to.serviceName : ri.from.serviceName;
  attributes['rpc.system'] ??= ri.config.transport;
  if (service !== '') attributes['rpc.service'] ??= service;
  if (method !== '') attributes['rpc.method'] ??= method;
  if (peer !== '') attributes['peer.service'] ??= peer;
  if (attributes['server.address'] === undefined) addServerAddress(attributes, ri.to.address);
  attributes['isotrace.transport'] ??= ri.config.transport;
  if (!final) return attributes;
  const client = ri.side === 'client';
  // Request is what the client sent, on both sides.
  const request = client ? ri.stats.sendSize : ri.stats.recvSize;
  const response = client ? ri.stats.recvSize : ri.stats.sendSize;
  const http = ri.config.transport === 'fetch' || ri.config.transport === 'http';
  // 0 means "empty or not measured" (a plain function call measures nothing): left out, not guessed.
  if (request > 0) attributes[http ? 'http.request.body.size' : 'rpc.request.size'] ??= request;
  if (response > 0) attributes[http ? 'http.response.body.size' : 'rpc.response.size'] ??= response;
  if (callFailed(ri)) attributes['error.type'] ??= errorType(ri.stats.error);
  return attributes;
}

const HOST_PORT = /^(\[[^\]]*\]|[^:/[\]]+)(?::(\d{1,5}))?$/;

/** `server.address`/`server.port` from an endpoint address: a URL origin or `host[:port]`. */
function addServerAddress(attributes: Attributes, address: string): void {
  if (address === '') return;
  let host: string;
  let port: string | undefined;
  if (address.includes('://')) {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      return;
    }
    host = url.hostname;
    port = url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? '443' : url.protocol === 'http:' || url.protocol === 'ws:' ? '80' : undefined);
  } else {
    const m = HOST_PORT.exec(address);
    if (m === null) return;
    [, host, port] = m;
  }
  // OpenTelemetry writes IPv6 addresses without brackets.
  attributes['server.address'] = host.startsWith('[') ? host.slice(1, -1) : host;
  if (port !== undefined && attributes['server.port'] === undefined) attributes['server.port'] = Number(port);
}

/** Whether the call failed: an error was recorded, or RPCFinish was recorded with status `error`. */
export function callFailed(ri: RPCInfo): boolean {
  return ri.stats.error !== undefined || ri.stats.getEvent(stats.RPCFinish)?.status === 'error';
}

/** OpenTelemetry's `error.type`: the error's class name, or `_OTHER` when it has none. */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
    // A subclass that sets `name` (e.g. 'AbortError' on a DOMException) says more than `Error`.
    return error.name && error.name !== 'Error' ? error.name : typeof ctor === 'string' && ctor !== '' ? ctor : 'Error';
  }
  return '_OTHER';
}

/** What to hand `span.recordException`: an Error as is, anything else as a message. */
export function toException(error: unknown): Exception {
  if (error instanceof Error || typeof error === 'string') return error;
  return { name: errorType(error), message: safeString(error) };
}

/** A short description of `error` for the span status message. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'the call failed' : safeString(error);
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    // Objects without a prototype (or with a throwing toString) cannot be stringified.
    return Object.prototype.toString.call(value);
  }
}
