import type { IncomingMessage } from 'node:http';
import { MapHeaderCarrier } from '../../rpcinfo/header-carrier.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { addHttpRequestAttributes } from '../http-attributes.js';
import { applyDescribe, nameHttpRequest, requestPath, type ServerCallName } from '../naming.js';
import { addIncomingHeader, createServerRPCInfo, formatAddress, type ServerSetup } from '../rpcinfo.js';

/**
 * The RPCInfo of one `node:http` request. Headers come from `rawHeaders` rather than `headers`:
 * Node builds the `headers` object lazily, and a handler that never reads it would pay for it.
 */
export function createHttpRPCInfo<Req extends IncomingMessage>(
  setup: ServerSetup,
  req: Req,
  describe: ((req: Req) => ServerCallName | undefined) | undefined,
): RPCInfo {
  const headers = new MapHeaderCarrier();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) addIncomingHeader(headers, raw[i], raw[i + 1], setup.trustIncoming);

  const method = req.method ?? 'GET';
  const path = requestPath(req.url ?? '/');
  const naming = applyDescribe(nameHttpRequest(path, headers.get('content-type')), describe, req);
  const socket = req.socket;
  const host = headers.get('host');
  const ri = createServerRPCInfo(setup, {
    transport: 'http',
    headers,
    clientAddress: formatAddress(socket.remoteAddress, socket.remotePort),
    serverAddress: host ?? formatAddress(socket.localAddress, socket.localPort),
    service: naming.service,
    method: naming.method,
    package: naming.package,
  });
  addHttpRequestAttributes(
    ri.attributes,
    {
      method,
      path,
      // A TLSSocket says so; a plain socket has no such property.
      scheme: 'encrypted' in socket && socket.encrypted ? 'https' : 'http',
      host,
      clientAddress: socket.remoteAddress,
      userAgent: headers.get('user-agent'),
      protocolVersion: req.httpVersion,
      naming,
    },
    socket.localPort,
  );
  return ri;
}
