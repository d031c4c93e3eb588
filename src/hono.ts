// `isotrace/hono`: Hono middleware for apps traced by traceFetchHandler or traceHttpHandler
// (isotrace/node). Its own entry, so apps that do not use Hono pay nothing for it.
export type { HonoContextLike, HonoMiddleware } from './server/hono/middleware.js';
export { honoRoutes } from './server/hono/middleware.js';
