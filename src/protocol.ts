// `isotrace/protocol`: the building blocks under the core, for people writing their own
// transport, propagator, codec or exporter: making an RPCInfo and running tracers around a call,
// header carriers, W3C trace context and baggage parsing and formatting, the JSON-RPC codec, OTLP
// JSON. Apps need none of it (`isotrace` has the API they use); it follows the core's rules: no
// Node built-in, no DOM global at load time. One export line per module, so merges stay easy.

// RPCInfo and its parts
export type { RPCInfoInit, RPCSide, Invocation, RPCConfig, AttributeValue } from './rpcinfo/rpcinfo.js';
export { createRPCInfo, withRPCInfo } from './rpcinfo/rpcinfo.js';
export type { EndpointInfo } from './rpcinfo/endpoint.js';
export type { EventRecord, EventStatus } from './rpcinfo/rpc-stats.js';
export { RPCStats } from './rpcinfo/rpc-stats.js';
export { getEvent } from './rpcinfo/stats-event.js';
export type { HeaderCarrier } from './rpcinfo/header-carrier.js';
export { MapHeaderCarrier } from './rpcinfo/header-carrier.js';
export { CALLER_SERVICE_HEADER } from './rpcinfo/header-names.js';

// Running tracers around a call
export type { TraceController, TraceControllerOptions } from './tracer/trace-controller.js';
export { createTraceController } from './tracer/trace-controller.js';
export { isTracingSuppressed } from './tracer/suppress-tracing.js';

// W3C Trace Context and Baggage
export { isValidTraceId, isValidSpanId, isSpanContextValid } from './propagation/span-context.js';
export type { TraceParent } from './propagation/traceparent.js';
export { parseTraceParent, formatTraceParent } from './propagation/traceparent.js';
export type { TraceState } from './propagation/tracestate.js';
export { createTraceState, parseTraceState } from './propagation/tracestate.js';
export type { Baggage, BaggageEntry } from './propagation/baggage.js';
export { createBaggage, parseBaggage, formatBaggage } from './propagation/baggage.js';
export type { Propagator } from './propagation/w3c-propagator.js';
export { w3cTraceContextPropagator, injectBaggage, extractBaggage } from './propagation/w3c-propagator.js';

// fetch: the default naming
export type { FetchRequestInfo, FetchNaming } from './client/fetch/naming.js';
export { describeFetchRequest } from './client/fetch/naming.js';

// JSON-RPC over WebSocket: the codec, the socket shape, the errors' inputs
export type { WebSocketRpcCodec, RpcOutgoingMessage, RpcIncomingMessage, JsonRpcCodecOptions } from './client/websocket/codec.js';
export { createJsonRpcCodec, jsonRpcCodec } from './client/websocket/codec.js';
export type { RpcConnectionClosedInit } from './rpcinfo/errors.js';
export type { JsonRpcErrorObject } from './rpcinfo/jsonrpc.js';
export type { WebSocketLike, WebSocketConstructor } from './client/websocket/socket.js';

// Spans and exporters: the parts of SpanData, the console line, OTLP JSON
export type { SpanEvent, Resource, InstrumentationScope } from './tracers/span/span.js';
export type { DropReason } from './tracers/exporters/exporter.js';
export { formatSpanLine } from './tracers/exporters/console-exporter.js';
export type { OtlpTraceRequest, OtlpSpan, OtlpKeyValue, OtlpAnyValue } from './tracers/otlp/json.js';
export { toOtlpJson } from './tracers/otlp/json.js';
export type { FetchFunction } from './tracers/otlp/send.js';
