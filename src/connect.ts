// `isotrace/connect`: Connect-ES interceptors, for clients (any Connect transport) and for
// servers traced by traceHttpHandler (isotrace/node). Its own entry, so apps that do not use
// Connect pay nothing for it; it imports only types from @connectrpc/connect.
export type { ConnectClientTracingOptions } from './client/connect/interceptor.js';
export { connectClientInterceptor } from './client/connect/interceptor.js';
export { connectServerInterceptor } from './server/connect/interceptor.js';
