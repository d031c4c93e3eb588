import { mediaTypeEssence, parseRpcPath, rpcSystemOf } from '../rpcinfo/conventions/rpc-path.js';

/** A served call's name as a `describe` option returns it; a field left out keeps the default. */
export interface ServerCallName {
  /** The service, e.g. `acme.user.v1.UserService`. */
  service?: string;
  /** The method, e.g. `GetUser`; a plain HTTP request has none by default and is named by its route (`setRoute`). */
  method?: string;
  /** The service's package, e.g. `acme.user.v1`. */
  package?: string;
}

/** The default name of a served HTTP call, plus the protocol it recognised. */
export interface ServerNaming {
  /** The RPC service from the path; `''` for plain HTTP (the wrapper's `service` option names it then). */
  service: string;
  /** The RPC method from the path; `''` for plain HTTP, named `{method} {http.route}` or `{method}` by `rpcName`. */
  method: string;
  package: string;
  /** OpenTelemetry `rpc.system` for a `/pkg.Service/Method` path; `undefined` for plain HTTP. */
  rpcSystem: string | undefined;
}

/** The path of a request target without its query: `/a/b?x=1` → `/a/b`; absolute-form targets keep only their path. */
export function requestPath(target: string): string {
  if (target.charCodeAt(0) !== 0x2f /* '/' */) {
    // Absolute-form (a proxy request) or `*` (OPTIONS): take the URL's path when it parses.
    try {
      return new URL(target).pathname;
    } catch {
      return target;
    }
  }
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/**
 * The default name of a served HTTP request, by the client's rules: a `/pkg.Service/Method` path
 * (any prefix before it) → service `pkg.Service`, package `pkg`, method `Method`; anything else
 * is plain HTTP and names no method: the shared rule (`rpcName`, `rpcMethod`) names it
 * `METHOD route` once a route is set, else `METHOD` alone, never by its raw path (which
 * `url.path` keeps), so ids in paths do not multiply span names and metrics label sets. The
 * body is never read for naming: the handler owns it.
 */
export function nameHttpRequest(path: string, contentType: string | undefined): ServerNaming {
  const rpc = parseRpcPath(path);
  if (rpc !== undefined) return { service: rpc.service, method: rpc.method, package: rpc.package, rpcSystem: rpcSystemOf(mediaTypeEssence(contentType)) };
  return { service: '', method: '', package: '', rpcSystem: undefined };
}

/**
 * `describe(request)` over the default naming: string fields replace the defaults. A `describe`
 * that throws or returns something else leaves the default: naming never fails a request.
 */
export function applyDescribe<R>(naming: ServerNaming, describe: ((request: R) => ServerCallName | undefined) | undefined, request: R): ServerNaming {
  if (describe === undefined) return naming;
  let name: ServerCallName | undefined;
  try {
    name = describe(request);
  } catch {
    return naming;
  }
  if (typeof name !== 'object' || name === null) return naming;
  return {
    ...naming,
    service: typeof name.service === 'string' ? name.service : naming.service,
    method: typeof name.method === 'string' ? name.method : naming.method,
    package: typeof name.package === 'string' ? name.package : naming.package,
  };
}
