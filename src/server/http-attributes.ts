import { splitAddress } from '../rpcinfo/conventions/address.js';
import type { AttributeValue, RPCInfo } from '../rpcinfo/rpcinfo.js';
import type { ServerNaming } from './naming.js';
import { describeError } from '../rpcinfo/conventions/error-description.js';
import { stats } from '../rpcinfo/stats-event.js';

/** What the HTTP-based wrappers know of a request when it arrives. */
export interface HttpRequestFacts {
  method: string;
  path: string;
  scheme: 'http' | 'https';
  /** The `Host` header (or URL host): `name`, `name:port` or `[v6]:port`. */
  host: string | undefined;
  clientAddress: string | undefined;
  userAgent: string | undefined;
  protocolVersion: string | undefined;
  naming: ServerNaming;
}

/**
 * Sets `server.address` and `server.port` from a Host header (where the caller aimed, as semconv
 * asks for servers), the port falling back to `fallbackPort`. Nothing when there is no host.
 */
export function addServerAttributes(attributes: Record<string, AttributeValue>, host: string | undefined, fallbackPort: number | undefined): void {
  if (!host) return;
  const { host: name, port } = splitAddress(host)!;
  attributes['server.address'] = name;
  const serverPort = port ?? fallbackPort;
  if (serverPort !== undefined) attributes['server.port'] = serverPort;
}

/** Writes the OpenTelemetry semantic-convention attributes of an HTTP server request into `attributes`. */
export function addHttpRequestAttributes(attributes: Record<string, AttributeValue>, facts: HttpRequestFacts, fallbackPort: number | undefined): void {
  attributes['http.request.method'] = facts.method;
  attributes['url.path'] = facts.path;
  attributes['url.scheme'] = facts.scheme;
  addServerAttributes(attributes, facts.host, fallbackPort);
  if (facts.clientAddress) attributes['client.address'] = facts.clientAddress;
  if (facts.protocolVersion) attributes['network.protocol.version'] = facts.protocolVersion;
  if (facts.userAgent) attributes['user_agent.original'] = facts.userAgent;
  if (facts.naming.rpcSystem !== undefined) {
    attributes['rpc.system'] = facts.naming.rpcSystem;
    attributes['rpc.service'] = facts.naming.service;
    attributes['rpc.method'] = facts.naming.method;
  }
}

/**
 * Records how an HTTP call ended: the status code when a response was sent, and `error.type` as
 * semconv defines it for servers: the error when there is one (`aborted`, `TypeError`, …),
 * else the status code for a 5xx. A deliberate 5xx does not set `stats.error` (the handler
 * answered as it meant to) but records RPCFinish with status `error` and info `HTTP 5xx`, as the
 * fetch client does, so every tracer (spans, metrics) counts it as failed.
 */
export function finishHttpAttributes(ri: RPCInfo, status: number | undefined, error: unknown): void {
  if (status !== undefined) ri.attributes['http.response.status_code'] = status;
  if (error === undefined && status !== undefined && status >= 500) ri.stats.record(stats.RPCFinish, 'error', `HTTP ${status}`);
  if (ri.attributes['error.type'] !== undefined) return;
  if (error !== undefined) ri.attributes['error.type'] = describeError(error).type;
  else if (status !== undefined && status >= 500) ri.attributes['error.type'] = String(status);
}
