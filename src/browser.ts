// The browser entry, `isotrace/browser` (and `isotrace` under the `browser` condition, and the
// script-tag bundle): the core, plus the zone.js manager, installed on load when zone.js is on
// the page. Without zone.js the stack manager stays: pass `ctx`.
import { setContextManager } from './context/context-api.js';
import { ZoneContextManager } from './context/zone-context-manager.js';

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

// Browser only
export { ZoneContextManager };

if (typeof (globalThis as { Zone?: unknown }).Zone !== 'undefined') setContextManager(new ZoneContextManager());
