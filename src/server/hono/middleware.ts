// Hono on a server traced by traceFetchHandler (or traceHttpHandler under @hono/node-server):
// the route Hono matched as `http.route`, and the exception `onError` answered, recorded before
// it becomes a bare 500. Nothing here imports hono: the shapes below are what its Context gives.
import { context } from '../../context/context-api.js';
import { getRPCInfo } from '../../rpcinfo/rpcinfo.js';
import { setRoute } from '../call-name.js';
import { isClientError, recordServerError } from '../handler-failure.js';

/** What the adapter reads of a Hono `Context`. */
export interface HonoContextLike {
  /** `routePath`: the path the handler that answered was registered with (`/users/:id`). */
  req: { readonly routePath: string };
  /** What a handler threw, once `onError` answered it. */
  error?: unknown;
}

/** A Hono middleware, as `app.use` takes it. */
export type HonoMiddleware = (c: HonoContextLike, next: () => Promise<void>) => Promise<void>;

/**
 * Hono middleware that, once the handlers have run, sets `http.route` to the path the answering
 * handler was registered with (`c.req.routePath`: `/users/:id`), so the span is
 * `GET /users/:id` and the metrics `method` label the route, and records the error `onError`
 * answered (`c.error`: its type, message and stack on the span, the call failed) unless it says
 * it is the client's fault (an `HTTPException` with a 4xx status). A request only a catch-all
 * (`*`, `/*`) matched keeps its HTTP method alone. The response is not touched. Use it first.
 *
 * @example
 * import { Hono } from 'hono';
 * import { honoRoutes } from 'isotrace/hono';
 * const app = new Hono();
 * app.use(honoRoutes());
 */
export function honoRoutes(): HonoMiddleware {
  return async (c, next) => {
    // Taken now, while the wrapper's context is active: after an await it may not be (no AsyncLocalStorage).
    const ctx = context.active();
    await next();
    if (getRPCInfo(ctx) === undefined) return;
    let route: unknown;
    try {
      route = c.req.routePath;
    } catch {
      // Tracing never fails a request: a Hono whose routePath cannot say leaves the method alone.
    }
    if (typeof route === 'string' && route !== '' && route !== '*' && route !== '/*') setRoute(route, ctx);
    if (c.error !== undefined && !isClientError(c.error)) recordServerError(c.error, ctx);
  };
}
