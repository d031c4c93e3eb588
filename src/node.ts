// The Node entry: the core, plus the AsyncLocalStorage manager, installed on load.
import { setContextManager } from './context/context-api.js';
import { AsyncLocalStorageContextManager } from './context/async-local-storage-context-manager.js';

export * from './index.js';
export { AsyncLocalStorageContextManager };
// Metrics: Prometheus scrapes a server, so the tracer lives in the Node entry and stays out of
// the browser bundles.
export type { MetricsTracer, MetricsTracerOptions, MetricsSnapshot, MetricsSeriesSnapshot, MetricsStatus } from './tracers/metrics/metrics-tracer.js';
export type { HistogramSnapshot } from './tracers/metrics/histogram.js';
export { createMetricsTracer } from './tracers/metrics/metrics-tracer.js';
export { DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS } from './tracers/metrics/histogram.js';
export type { PrometheusSource, MetricsRequestHandler } from './tracers/metrics/prometheus-handler.js';
export { metricsHandler, PROMETHEUS_CONTENT_TYPE } from './tracers/metrics/prometheus-handler.js';

// Server wrappers (Node-only: they use node:http and ws types).
export type { ServerTraceOptions } from './server/rpcinfo.js';
export type { ServerCallName } from './server/naming.js';
export { RequestAbortedError, isRequestAbortedError } from './rpcinfo/errors.js';
export type { HttpHandler, HttpHandlerErrorEvent, TraceHttpHandlerOptions } from './server/http/handler.js';
export { traceHttpHandler } from './server/http/handler.js';
export type { FetchHandler, FetchHandlerErrorEvent, TraceFetchHandlerOptions } from './server/fetch/handler.js';
export { traceFetchHandler } from './server/fetch/handler.js';
export type { JsonRpcId, JsonRpcRequest } from './server/websocket/jsonrpc.js';
export { JsonRpcError, isJsonRpcError } from './rpcinfo/errors.js';
export { JsonRpcErrorCode } from './rpcinfo/jsonrpc.js';
export type { JsonRpcMethod, JsonRpcMethods } from './server/websocket/call.js';
export type {
  ServerWebSocketLike,
  TraceWebSocketRpcServerOptions,
  WebSocketRpcErrorEvent,
  WebSocketRpcServer,
  WebSocketServerLike,
} from './server/websocket/handler.js';
export { traceWebSocketRpcServer } from './server/websocket/handler.js';

setContextManager(new AsyncLocalStorageContextManager());
