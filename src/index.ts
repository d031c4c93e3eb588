// The isomorphic core: no Node built-in, no DOM global at load time.
export type { Context } from './context/context.js';
export { ROOT_CONTEXT, createContextKey } from './context/context.js';
export type { ContextManager } from './context/context-manager.js';
export { StackContextManager } from './context/stack-context-manager.js';
export { context, setContextManager, getContextManager } from './context/context-api.js';

export type { HeaderCarrier } from './rpcinfo/header-carrier.js';
export { MapHeaderCarrier } from './rpcinfo/header-carrier.js';
export type { EndpointInfo } from './rpcinfo/endpoint.js';
export type { RPCInfo, RPCInfoInit, RPCSide, Invocation, RPCConfig, AttributeValue } from './rpcinfo/rpcinfo.js';
export { CALLER_SERVICE_HEADER } from './rpcinfo/header-names.js';
export { createRPCInfo, getRPCInfo, withRPCInfo } from './rpcinfo/rpcinfo.js';
export type { StatsEvent } from './rpcinfo/stats-event.js';
export { stats, defineEvent, getEvent } from './rpcinfo/stats-event.js';
export { StatsLevel } from './rpcinfo/stats-level.js';
export type { EventRecord, EventStatus } from './rpcinfo/rpc-stats.js';
export { RPCStats } from './rpcinfo/rpc-stats.js';

export type { Tracer, TracerErrorEvent } from './tracer/tracer.js';
export type { TraceController, TraceControllerOptions } from './tracer/trace-controller.js';
export { createTraceController } from './tracer/trace-controller.js';

export type { TraceCallOptions } from './client/trace-call.js';
export { traceCall } from './client/trace-call.js';

export type { WebSocketRpcClient, WebSocketRpcClientOptions, WebSocketCallOptions, WebSocketNotifyOptions, WebSocketProtocolErrorEvent, WebSocketNotificationEvent } from './client/websocket/options.js';
export { createWebSocketRpcClient } from './client/websocket/client.js';
export type { WebSocketRpcCodec, RpcOutgoingMessage, RpcIncomingMessage, JsonRpcCodecOptions } from './client/websocket/codec.js';
export { createJsonRpcCodec, jsonRpcCodec } from './client/websocket/codec.js';
export type { RpcConnectionClosedInit } from './rpcinfo/errors.js';
export type { JsonRpcErrorObject } from './rpcinfo/jsonrpc.js';
export { RpcTimeoutError, RpcConnectionClosedError, RpcRemoteError, RpcProtocolError, isRpcTimeoutError, isRpcConnectionClosedError, isRpcRemoteError, isRpcProtocolError } from './rpcinfo/errors.js';
export type { WebSocketLike, WebSocketConstructor } from './client/websocket/socket.js';

export type { SpanContext } from './propagation/span-context.js';
export { TraceFlags, isValidTraceId, isValidSpanId, isSpanContextValid } from './propagation/span-context.js';
export type { TraceParent } from './propagation/traceparent.js';
export { parseTraceParent, formatTraceParent } from './propagation/traceparent.js';
export type { TraceState } from './propagation/tracestate.js';
export { createTraceState, parseTraceState } from './propagation/tracestate.js';
export type { Baggage, BaggageEntry } from './propagation/baggage.js';
export { createBaggage, parseBaggage, formatBaggage } from './propagation/baggage.js';
export type { Propagator } from './propagation/w3c-propagator.js';
export { w3cTraceContextPropagator, injectBaggage, extractBaggage } from './propagation/w3c-propagator.js';

export type { TraceFetchOptions } from './client/fetch/options.js';
export type { FetchRequestInfo, FetchCallName, FetchNaming } from './client/fetch/naming.js';
export type { PropagateTo } from './client/fetch/propagate-to.js';
export { traceFetch } from './client/fetch/trace-fetch.js';
export { describeFetchRequest } from './client/fetch/naming.js';


export { suppressTracing, isTracingSuppressed } from './tracer/suppress-tracing.js';
export type { SpanData, SpanHandle, SpanKind, SpanStatus, SpanEvent, SpanAttributes, Resource, InstrumentationScope } from './tracers/span/span.js';
export type { SpanTracer, SpanTracerOptions, StartSpanOptions } from './tracers/span/span-tracer.js';
export { createSpanTracer } from './tracers/span/create-span-tracer.js';
export { getActiveSpan, getSpanContext } from './tracers/span/active-span.js';
export type { Sampler, SamplingParams, ParentBasedOptions } from './tracers/span/sampler.js';
export { alwaysOn, alwaysOff, traceIdRatio, parentBased } from './tracers/span/sampler.js';
export type { SpanExporter, ExporterStats, DropEvent, DropReason, ExportErrorEvent } from './tracers/exporters/exporter.js';
export type { ConsoleExporterOptions } from './tracers/exporters/console-exporter.js';
export { createConsoleExporter, formatSpanLine } from './tracers/exporters/console-exporter.js';
export type { MemoryExporter } from './tracers/exporters/memory-exporter.js';
export { createMemoryExporter } from './tracers/exporters/memory-exporter.js';
export type { OtlpHttpExporter } from './tracers/otlp/http-exporter.js';
export type { OtlpHttpExporterOptions } from './tracers/otlp/http-exporter-options.js';
export { createOtlpHttpExporter } from './tracers/otlp/http-exporter.js';
export type { OtlpTraceRequest, OtlpSpan, OtlpKeyValue, OtlpAnyValue } from './tracers/otlp/json.js';
export { toOtlpJson } from './tracers/otlp/json.js';
export type { FetchFunction } from './tracers/otlp/send.js';
export { OtlpExportError, isOtlpExportError } from './rpcinfo/errors.js';
