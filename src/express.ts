// `isotrace/express`: Express middleware for apps traced by traceHttpHandler (isotrace/node).
// Its own entry, so apps that do not use Express pay nothing for it.
export type { ExpressErrorMiddleware, ExpressMiddleware, ExpressRequestLike } from './server/express/middleware.js';
export { expressErrors, expressRoutes } from './server/express/middleware.js';
