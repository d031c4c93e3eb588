// The naming rule both sides of a call share, so a client span and its server span agree on the
// service and method: a `/pkg.Service/Method` path (Connect, gRPC, gRPC-web) names them.

/** The service, method and package an RPC-shaped path names. */
export interface RpcPathName {
  service: string;
  method: string;
  package: string;
}

// A service path segment is a dotted, fully-qualified protobuf name; a method is an identifier.
const SERVICE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const METHOD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The names in a `/pkg.Service/Method` path (any prefix before it, a trailing slash allowed):
 * service `pkg.Service`, package `pkg`, method `Method`; `undefined` for any other path.
 */
export function parseRpcPath(pathname: string): RpcPathName | undefined {
  const end = pathname.endsWith('/') ? pathname.length - 1 : pathname.length;
  const slash = pathname.lastIndexOf('/', end - 1);
  if (slash <= 0) return undefined;
  const method = pathname.slice(slash + 1, end);
  const service = pathname.slice(pathname.lastIndexOf('/', slash - 1) + 1, slash);
  if (!SERVICE.test(service) || !METHOD.test(method)) return undefined;
  return { service, method, package: service.slice(0, service.lastIndexOf('.')) };
}

/** The media type without parameters, lower-cased (`application/json`), or `''`. */
export function mediaTypeEssence(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** OpenTelemetry's `rpc.system` for a call on an RPC-shaped path, from its media type essence. */
export function rpcSystemOf(mediaType: string): string {
  if (mediaType.startsWith('application/grpc-web')) return 'grpc_web';
  if (mediaType === 'application/grpc' || mediaType.startsWith('application/grpc+')) return 'grpc';
  // Connect unary uses application/json or application/proto; streaming application/connect+…;
  // GET puts `connect=v1` in the query. Anything else on an RPC-shaped path is still most
  // likely Connect, the only protocol with such paths that browsers speak without a framing.
  return 'connect_rpc';
}
