import { mediaTypeEssence, parseRpcPath, rpcSystemOf } from '../../rpcinfo/conventions/rpc-path.js';

/** What naming (the default and a `describe` option) sees of one fetch call. */
export interface FetchRequestInfo {
  /** The absolute request URL. */
  readonly url: URL;
  /** The request method, upper-cased as fetch normalises it (`GET`, `POST`, …; `PATCH` as given). */
  readonly method: string;
  /** `init.body` as the caller passed it; `undefined` for a `Request` input, whose body is never read. */
  readonly body: unknown;
  /** The request's `Content-Type` header, when the caller set one. */
  readonly contentType: string | undefined;
  /** The caller's first fetch argument, untouched. */
  readonly input: RequestInfo | URL;
  /** The caller's second fetch argument, untouched. */
  readonly init: RequestInit | undefined;
}

/** A callee's name as `describe` returns it; a field left out keeps the default. */
export interface FetchCallName {
  /** The called service, e.g. `acme.user.v1.UserService`. */
  service?: string;
  /** The method, e.g. `GetUser`. */
  method?: string;
  /** The service's package, e.g. `acme.user.v1`. */
  package?: string;
}

/** The default naming of a call, plus the protocol facts it found on the way. */
export interface FetchNaming {
  service: string;
  method: string;
  package: string;
  /** OpenTelemetry `rpc.system`: `connect_rpc`, `grpc_web`, `grpc`, `jsonrpc`, or `undefined`. */
  rpcSystem: string | undefined;
  /** `ri.config.codec`, e.g. `json`, `proto`, `connect+json`, `grpc-web+proto`. */
  codec: string | undefined;
  /** The JSON-RPC request id, when there is one. */
  seqId: number | string | undefined;
}

/** Larger bodies are not parsed for a JSON-RPC method: naming must stay cheap next to the call. */
const MAX_JSONRPC_SNIFF = 256 * 1024;

function codecOf(mediaType: string, url: URL): string | undefined {
  if (mediaType.startsWith('application/')) return mediaType.slice('application/'.length);
  if (mediaType !== '') return mediaType;
  // A Connect GET carries its codec in the query instead of a body content type. (Checking
  // `search` first spares the URLSearchParams a `searchParams` access allocates.)
  return url.search !== '' ? (url.searchParams.get('encoding') ?? undefined) : undefined;
}

interface JsonRpcName {
  method: string;
  id: number | string | undefined;
}

function jsonRpcCall(message: unknown): JsonRpcName | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as { jsonrpc?: unknown; method?: unknown; id?: unknown };
  if (m.jsonrpc !== '2.0' || typeof m.method !== 'string') return undefined;
  return { method: m.method, id: typeof m.id === 'number' || typeof m.id === 'string' ? m.id : undefined };
}

/** The JSON-RPC 2.0 method of a string body; a batch is named by its distinct methods, joined by `,`. */
function jsonRpcOf(body: unknown): JsonRpcName | undefined {
  if (typeof body !== 'string' || body.length > MAX_JSONRPC_SNIFF || !body.includes('"jsonrpc"')) return undefined;
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(message)) return jsonRpcCall(message);
  const calls = message.map(jsonRpcCall);
  if (calls.length === 0 || calls.some((c) => c === undefined)) return undefined;
  return { method: [...new Set(calls.map((c) => c!.method))].join(','), id: undefined };
}

/**
 * The default name of a fetch call:
 * - a `/pkg.Service/Method` path (Connect, gRPC-web; any prefix before it) → service
 *   `pkg.Service`, package `pkg`, method `Method`;
 * - a JSON-RPC 2.0 string body (`{"jsonrpc":"2.0","method":…}`) → the URL's host as the service,
 *   that method, and its id as `seqId`;
 * - anything else → the host as the service and `METHOD /path` as the method.
 *
 * Only a string body is inspected (parsed when it mentions `"jsonrpc"` and is at most 256 KiB);
 * streams, blobs and `Request` bodies are never read.
 */
export function describeFetchRequest(info: FetchRequestInfo): FetchNaming {
  const { url } = info;
  const mediaType = mediaTypeEssence(info.contentType);
  const rpc = parseRpcPath(url.pathname);
  // Object literals, not spreads: V8 builds a spread with trailing members on a slow path (~2 µs).
  if (rpc !== undefined) {
    return {
      service: rpc.service,
      method: rpc.method,
      package: rpc.package,
      rpcSystem: rpcSystemOf(mediaType),
      codec: codecOf(mediaType, url),
      seqId: undefined,
    };
  }
  const jsonRpc = jsonRpcOf(info.body);
  if (jsonRpc !== undefined) {
    return { service: url.host, method: jsonRpc.method, package: '', rpcSystem: 'jsonrpc', codec: codecOf(mediaType, url) ?? 'json', seqId: jsonRpc.id };
  }
  return { service: url.host, method: `${info.method} ${url.pathname}`, package: '', rpcSystem: undefined, codec: codecOf(mediaType, url), seqId: undefined };
}

/**
 * Applies a `describe` result over the default naming: string fields replace the defaults,
 * anything else is ignored.
 */
export function applyCallName(naming: FetchNaming, name: FetchCallName | undefined): FetchNaming {
  if (typeof name !== 'object' || name === null) return naming;
  return {
    service: typeof name.service === 'string' ? name.service : naming.service,
    method: typeof name.method === 'string' ? name.method : naming.method,
    package: typeof name.package === 'string' ? name.package : naming.package,
    rpcSystem: naming.rpcSystem,
    codec: naming.codec,
    seqId: naming.seqId,
  };
}
