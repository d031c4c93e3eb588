// Express (4 and 5) on a server traced by traceHttpHandler: the route template Express matched
// as `http.route` (so `/users/42` and `/users/7` are one span name and one metrics series), and
// the exception an error handler would answer and swallow, recorded before it does. Nothing here
// imports express: the shapes below are what Express's request and middleware signatures give.
import type { ServerResponse } from 'node:http';
import { context } from '../../context/context-api.js';
import { getRPCInfo } from '../../rpcinfo/rpcinfo.js';
import { setRoute } from '../call-name.js';
import { isClientError, recordServerError } from '../handler-failure.js';

/** What the adapter reads of an Express request: the matched route and where its router is mounted. */
export interface ExpressRequestLike {
  /** The route that matched, once one did; its `path` is the template (`/users/:id`). */
  route?: { path?: unknown };
  /** The path the router is mounted at (`/api`). */
  baseUrl?: string;
}

/** An Express middleware, as `app.use` takes it. */
export type ExpressMiddleware = (req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void) => void;

/** An Express error middleware (four parameters), as `app.use` takes it. */
export type ExpressErrorMiddleware = (error: unknown, req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void) => void;

/** `baseUrl` + the route's template; `undefined` when no route matched (a 404) or the template is not a string. */
function routeOf(req: ExpressRequestLike): string | undefined {
  const path = req.route?.path;
  if (typeof path !== 'string') return undefined;
  const base = req.baseUrl ?? '';
  return base === '' ? path : path === '/' ? base : base + path;
}

/**
 * Express middleware that names each request traced by `traceHttpHandler` by the route Express
 * matched: `http.route` is `req.baseUrl` + `req.route.path` (`/api/users/:id`), read when the
 * response is about to finish, so the span is `GET /api/users/:id` and the metrics `method`
 * label the route. A request no route matched keeps its HTTP method alone. A router mounted at
 * a path with parameters appears as matched (Express keeps no template for it): name such
 * requests with `setRoute` in the handler. Use it first, before the routes.
 *
 * @example
 * import express from 'express';
 * import { expressRoutes } from 'isotrace/express';
 * const app = express();
 * app.use(expressRoutes());
 */
export function expressRoutes(): ExpressMiddleware {
  return (req, res, next) => {
    const ctx = context.active();
    // Untraced requests pay for nothing more.
    if (getRPCInfo(ctx) !== undefined) {
      // `prefinish` comes before the `finish` that ends the call, after every handler has run.
      res.once('prefinish', () => {
        const route = routeOf(req);
        if (route !== undefined) setRoute(route, ctx);
      });
    }
    next();
  };
}

/**
 * Express error middleware that records the error on the call before your error handler answers
 * it (`recordServerError`: its type, message and stack on the span, the call failed), then
 * passes it on unchanged; the response is yours. An error that says it is the client's fault
 * (`status` 4xx, as http-errors makes) is not the server's failure and is not recorded. Use it
 * after the routes, before your error handler; without one, Express's own answers.
 *
 * @example
 * import express from 'express';
 * import { expressErrors } from 'isotrace/express';
 * const app = express();
 * app.use(expressErrors());
 * app.use((err: Error, req: express.Request, res: express.Response, next: express.NextFunction) => {
 *   res.status(500).send('sorry');
 * });
 */
export function expressErrors(): ExpressErrorMiddleware {
  return (error, _req, _res, next) => {
    if (!isClientError(error)) recordServerError(error);
    next(error);
  };
}
