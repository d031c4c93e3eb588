import { splitAddress } from '../rpcinfo/conventions/address.js';
import type { AttributeValue, RPCInfo } from '../rpcinfo/rpcinfo.js';
import type { ServerNaming } from './naming.js';
import { recordFinish } from '../rpcinfo/conventions/rpc-conventions.js';

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
 * Records how an HTTP call ended: the status code when a response was sent, then RPCFinish and
 * `error.type` by the rule every tracer reads ({@link recordFinish}): the error when there is one
 * (`aborted`, `TypeError`, …), else what the protocol says of a server (a gRPC or Connect server
 * fault, a JSON-RPC error; else a 5xx, recorded as `error.type` `500` and info `HTTP 500`). A
 * deliberate 5xx does not set `stats.error`: the handler answered as it meant to. `message` is
 * the protocol's status message, the RPCFinish info of a failure.
 */
export function finishHttpAttributes(ri: RPCInfo, status: number | undefined, error: unknown, message = ''): void {
  if (status !== undefined) ri.attributes['http.response.status_code'] = status;
  recordFinish(ri, error, 'info', message);
}
