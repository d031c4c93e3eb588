// The isomorphic core, `isotrace`: what an app needs to trace its RPCs. No Node built-in, no DOM
// global at load time. The Node-only API is in `isotrace/node` (src/node.ts), the zone.js
// manager in `isotrace/browser` (src/browser.ts), the building blocks of transports and
// exporters in `isotrace/protocol` (src/protocol.ts). One export line per module, so merges stay easy.

// Context
export type { Context } from './context/context.js';
export { ROOT_CONTEXT, createContextKey } from './context/context.js';
export type { ContextManager } from './context/context-manager.js';
export { StackContextManager } from './context/stack-context-manager.js';
export { context, setContextManager, getContextManager } from './context/context-api.js';

// The tracer model: Tracer hooks, the RPCInfo they read, its stats events
export type { Tracer, TracerErrorEvent } from './tracer/tracer.js';
export type { RPCInfo } from './rpcinfo/rpcinfo.js';
export { getRPCInfo } from './rpcinfo/rpcinfo.js';
export type { StatsEvent } from './rpcinfo/stats-event.js';
export { stats, defineEvent } from './rpcinfo/stats-event.js';
export { StatsLevel } from './rpcinfo/stats-level.js';
export { suppressTracing } from './tracer/suppress-tracing.js';

// Clients: any async function, fetch, JSON-RPC over WebSocket
export type { TraceCallOptions } from './client/trace-call.js';
export { traceCall } from './client/trace-call.js';
export type { TraceFetchOptions } from './client/fetch/options.js';
export type { FetchCallName } from './client/fetch/naming.js';
export type { PropagateTo } from './client/fetch/propagate-to.js';
export { traceFetch } from './client/fetch/trace-fetch.js';
export type {
  WebSocketRpcClient,
  WebSocketRpcClientOptions,
  WebSocketCallOptions,
  WebSocketNotifyOptions,
  WebSocketProtocolErrorEvent,
  WebSocketNotificationEvent,
} from './client/websocket/options.js';
export { createWebSocketRpcClient } from './client/websocket/client.js';
export { RpcTimeoutError, RpcConnectionClosedError, RpcRemoteError, RpcProtocolError } from './rpcinfo/errors.js';
export { isRpcTimeoutError, isRpcConnectionClosedError, isRpcRemoteError, isRpcProtocolError } from './rpcinfo/errors.js';

// Trace context
export type { SpanContext } from './propagation/span-context.js';
export { TraceFlags } from './propagation/span-context.js';

// Spans: the span tracer, samplers, exporters
export type { SpanData, SpanHandle, SpanKind, SpanStatus, SpanAttributes } from './tracers/span/span.js';
export type { SpanTracer, SpanTracerOptions, StartSpanOptions } from './tracers/span/span-tracer.js';
export { createSpanTracer } from './tracers/span/create-span-tracer.js';
export { getActiveSpan, getSpanContext } from './tracers/span/active-span.js';
export type { Sampler, SamplingParams, ParentBasedOptions } from './tracers/span/sampler.js';
export { alwaysOn, alwaysOff, traceIdRatio, parentBased } from './tracers/span/sampler.js';
export type { SpanExporter, ExporterStats, DropEvent, ExportErrorEvent } from './tracers/exporters/exporter.js';
export type { ConsoleExporterOptions } from './tracers/exporters/console-exporter.js';
export { createConsoleExporter } from './tracers/exporters/console-exporter.js';
export type { MemoryExporter } from './tracers/exporters/memory-exporter.js';
export { createMemoryExporter } from './tracers/exporters/memory-exporter.js';
export type { OtlpHttpExporter } from './tracers/otlp/http-exporter.js';
export type { OtlpHttpExporterOptions } from './tracers/otlp/http-exporter-options.js';
export { createOtlpHttpExporter } from './tracers/otlp/http-exporter.js';
export { OtlpExportError, isOtlpExportError } from './rpcinfo/errors.js';
