// The Node entry, `isotrace/node` (and `isotrace` under the `node` condition): the core, plus
// the AsyncLocalStorage manager, installed on load, the server wrappers and the metrics tracer.
import { setContextManager } from './context/context-api.js';
import { AsyncLocalStorageContextManager } from './context/async-local-storage-context-manager.js';
import { observeUndiciFetch } from './client/fetch/undici-wire.js';
import { installFetchWireOnFirstUse } from './client/fetch/call.js';

// The core's API, name by name (keep in step with src/index.ts; test/package checks it).
// Core: Context
export type {
  Context,
  ContextManager,
} from './index.js';
export {
  ROOT_CONTEXT,
  createContextKey,
  StackContextManager,
  context,
  setContextManager,
  getContextManager,
} from './index.js';
// Core: The tracer model: Tracer hooks, the RPCInfo they read, its stats events
export type {
  Tracer,
  TracerErrorEvent,
  RPCInfo,
  StatsEvent,
} from './index.js';
export {
  getRPCInfo,
  stats,
  defineEvent,
  StatsLevel,
  suppressTracing,
} from './index.js';
// Core: Clients: any async function, fetch, JSON-RPC over WebSocket
export type {
  TraceCallOptions,
  TraceFetchOptions,
  FetchCallName,
  PropagateTo,
  WebSocketRpcClient,
  WebSocketRpcClientOptions,
  WebSocketCallOptions,
  WebSocketNotifyOptions,
  WebSocketProtocolErrorEvent,
  WebSocketNotificationEvent,
} from './index.js';
export {
  traceCall,
  traceFetch,
  createWebSocketRpcClient,
  RpcTimeoutError,
  RpcConnectionClosedError,
  RpcRemoteError,
  RpcProtocolError,
  isRpcTimeoutError,
  isRpcConnectionClosedError,
  isRpcRemoteError,
  isRpcProtocolError,
} from './index.js';
// Core: Trace context
export type { SpanContext } from './index.js';
export { TraceFlags } from './index.js';
// Core: Spans: the span tracer, samplers, exporters
export type {
  SpanData,
  SpanHandle,
  SpanKind,
  SpanStatus,
  SpanAttributes,
  SpanTracer,
  SpanTracerOptions,
  StartSpanOptions,
  Sampler,
  SamplingParams,
  ParentBasedOptions,
  SpanExporter,
  ExporterStats,
  DropEvent,
  ExportErrorEvent,
  ConsoleExporterOptions,
  MemoryExporter,
  OtlpHttpExporter,
  OtlpHttpExporterOptions,
} from './index.js';
export {
  createSpanTracer,
  getActiveSpan,
  getSpanContext,
  alwaysOn,
  alwaysOff,
  traceIdRatio,
  parentBased,
  createConsoleExporter,
  createMemoryExporter,
  createOtlpHttpExporter,
  OtlpExportError,
  isOtlpExportError,
} from './index.js';

// Node only
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
export { setRoute, nameServerCall } from './server/call-name.js';
export { recordServerError } from './server/handler-failure.js';
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
// traceFetch then ends a call at its response's last byte, read or not (undici's diagnostics
// channels), subscribed when the first traced fetch is made: until then undici publishes nothing for us.
installFetchWireOnFirstUse(observeUndiciFetch);
