/**
 * The header (HTTP) or `meta` member (WebSocket frame) in which a client names its own service,
 * so the server's `ri.from.serviceName` can name the caller. Sent only where trace headers are.
 */
export const CALLER_SERVICE_HEADER = 'x-isotrace-caller';
