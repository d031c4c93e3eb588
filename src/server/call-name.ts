// Naming a served call from inside its handler, once the app knows what the request was: the
// route template a framework matched, or the procedure it dispatched to. The server wrappers
// name a call when the request arrives; these add what only the app learns later. The tracers
// read names again when the call finishes (rpcName), so the span is renamed, not duplicated.
import { context } from '../context/context-api.js';
import type { Context } from '../context/context.js';
import { getRPCInfo, type RPCInfo } from '../rpcinfo/rpcinfo.js';
import type { ServerCallName } from './naming.js';

/** The served call of `ctx`, or `undefined` outside one (a client call, no call at all); `fn` names the caller in the `TypeError` a bad `ctx` gets. */
export function servedCall(ctx: Context, fn: string): RPCInfo | undefined {
  if (typeof ctx?.getValue !== 'function') throw new TypeError(`isotrace: ${fn}(…, ctx) needs a Context`);
  const ri = getRPCInfo(ctx);
  return ri?.side === 'server' ? ri : undefined;
}

/**
 * Sets the route template of the HTTP request `ctx` serves (the active context when omitted):
 * `http.route`, so a plain HTTP call's span is named `GET /users/:id` and its metrics `method`
 * label is the route, while `url.path` keeps the raw path. Give the template, never the path
 * itself: `/users/42` and `/users/7` must share one name. A call named by its RPC path, by
 * `describe` or by {@link nameServerCall} keeps that name and only gains the attribute. Returns
 * whether there was a served call to name; outside one it does nothing.
 *
 * @example
 * import { setRoute } from 'isotrace/node';
 * if (match) setRoute('/users/:id'); // inside a handler traced by traceHttpHandler
 */
export function setRoute(route: string, ctx: Context = context.active()): boolean {
  if (typeof route !== 'string' || route === '') throw new TypeError(`isotrace: setRoute(route) needs a non-empty string, got ${JSON.stringify(route)}`);
  const ri = servedCall(ctx, 'setRoute');
  if (ri === undefined) return false;
  ri.attributes['http.route'] = route;
  return true;
}

/**
 * Names the call `ctx` serves (the active context when omitted) from inside its handler, as a
 * wrapper's `describe` option would when the request arrives: string fields replace the
 * service, method and package (`ri.invocation`, and `ri.to` for service and method); others
 * are left as they are. For dispatchers whose procedure is known only once they run (a tRPC
 * procedure path, a GraphQL operation); keep the names bounded, as they are metrics labels.
 * Returns whether there was a served call to name.
 *
 * @example
 * import { nameServerCall } from 'isotrace/node';
 * nameServerCall({ method: 'user.byId' });
 */
export function nameServerCall(name: ServerCallName, ctx: Context = context.active()): boolean {
  if (typeof name !== 'object' || name === null) throw new TypeError('isotrace: nameServerCall(name) needs an object { service?, method?, package? }');
  const ri = servedCall(ctx, 'nameServerCall');
  if (ri === undefined) return false;
  if (typeof name.service === 'string') ri.invocation.service = ri.to.serviceName = name.service;
  if (typeof name.method === 'string') ri.invocation.method = ri.to.method = name.method;
  if (typeof name.package === 'string') ri.invocation.package = name.package;
  return true;
}
