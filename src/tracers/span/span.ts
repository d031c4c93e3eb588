import type { Context } from '../../context/context.js';
import type { SpanContext } from '../../propagation/span-context.js';
import type { AttributeValue } from '../../rpcinfo/rpcinfo.js';
import { ISOTRACE_VERSION } from '../../rpcinfo/version.js';

/**
 * What a span describes, as OpenTelemetry names it: `client` and `server` for the two sides of
 * an RPC, `internal` for work inside one process (a click handler, a render), `producer` and
 * `consumer` for messages whose sender does not wait for the receiver.
 */
export type SpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** A span's outcome: `unset` (the default, also for successful RPCs), `ok` (set by the app), `error`. */
export interface SpanStatus {
  code: 'unset' | 'ok' | 'error';
  /** What went wrong; only with `error`. */
  message?: string;
}

/** Attributes of a span, an event or a resource: OpenTelemetry semantic-convention keys where one exists. */
export type SpanAttributes = Record<string, AttributeValue>;

/** A timed annotation of a span: a stats event (`RPCStart`, `WriteFinish`, …), `exception`, or one the app added. */
export interface SpanEvent {
  readonly name: string;
  /** Epoch milliseconds with sub-millisecond precision. */
  readonly time: number;
  readonly attributes: Readonly<SpanAttributes>;
}

/** Who recorded the span (OpenTelemetry's instrumentation scope). */
export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
}

/** The process or page that recorded the span: `service.name`, `telemetry.sdk.*` and what the app adds. */
export type Resource = Readonly<SpanAttributes>;

/**
 * A finished span as exporters receive it: plain, immutable data, ready to print, store or
 * encode as OTLP. Only sampled spans are exported.
 *
 * RPC spans are named `service/method` and carry these attributes (besides every entry of
 * `ri.attributes`, which the transport fills with what it knows and which win over ours):
 * `rpc.service`, `rpc.method`, `peer.service` (the other side's service name),
 * `server.address`/`server.port` (from `ri.to.address` when the transport gave none),
 * `isotrace.transport` (`ri.config.transport`), `error.type`, and body sizes in bytes:
 * `http.request.body.size`/`http.response.body.size` on HTTP transports, otherwise
 * `rpc.request.size`/`rpc.response.size` (request = what the client sent, on both sides).
 * Sizes are left off when zero, since a zero often means "not measured". Stats events become
 * span events with `isotrace.status` (when not `info`) and `isotrace.info` (when not empty).
 */
export interface SpanData {
  /** `service/method` for RPC spans, the given name for plain spans. */
  readonly name: string;
  readonly kind: SpanKind;
  /** 32 lower-case hex characters. */
  readonly traceId: string;
  /** 16 lower-case hex characters. */
  readonly spanId: string;
  /** The parent's span id; absent on a root span. */
  readonly parentSpanId?: string;
  /** Whether the parent came from another process (an extracted `traceparent`). */
  readonly parentIsRemote: boolean;
  /** The W3C trace flags sent with this span: `Sampled` (0x01), `Random` (0x02). */
  readonly traceFlags: number;
  /** The `tracestate` header value propagated with this span, when not empty. */
  readonly traceState?: string;
  /** Epoch milliseconds with sub-millisecond precision; for RPCs, the RPCStart event. */
  readonly startTime: number;
  /** Epoch milliseconds; for RPCs, the RPCFinish event. */
  readonly endTime: number;
  readonly attributes: Readonly<SpanAttributes>;
  /** Ordered by time. */
  readonly events: readonly SpanEvent[];
  readonly status: SpanStatus;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

/**
 * A live span: the one a span tracer put on an RPC's context, or one started with
 * `spanTracer.startSpan`. Find the current one with `getActiveSpan()`. An unsampled span keeps
 * its ids (its children and outgoing headers need them) but records nothing.
 */
export interface SpanHandle {
  readonly name: string;
  readonly kind: SpanKind;
  /** Trace id, span id, flags and trace state, as propagated to children. */
  readonly spanContext: SpanContext;
  readonly parentSpanId: string | undefined;
  /** Epoch milliseconds with sub-millisecond precision; for RPC spans, the RPCStart event. */
  readonly startTime: number;
  /** Whether the span is sampled, hence recorded and exported. */
  readonly sampled: boolean;
  /** Whether `end` ran (for RPC spans: whether the call finished). */
  readonly ended: boolean;
  /**
   * A context with this span active: run work under it with `context.with(span.ctx, fn)`, or
   * pass it as the `ctx` option of `traceCall`/`traceFetch`, and the RPCs made there are its children.
   */
  readonly ctx: Context;
  /** Sets one attribute; ignored once ended or when not sampled. */
  setAttribute(key: string, value: AttributeValue): this;
  /** Sets several attributes. */
  setAttributes(attributes: SpanAttributes): this;
  /** Adds an event at `time` (default: now); at most 128 events are kept per span. */
  addEvent(name: string, attributes?: SpanAttributes, time?: number): this;
  /** Sets the status; it wins over what an RPC's outcome would set. */
  setStatus(status: SpanStatus): this;
  /** Records `error`: status `error` with its message, `error.type`, and an `exception` event. */
  recordError(error: unknown): this;
  /**
   * Ends a plain span at `endTime` (default: now) and exports it when sampled. Only the first
   * call counts. An RPC span ends when its call finishes, so `end` is ignored on it.
   */
  end(endTime?: number): void;
}

/** The instrumentation scope of every span isotrace records. */
export const ISOTRACE_SCOPE: InstrumentationScope = Object.freeze({ name: 'isotrace', version: ISOTRACE_VERSION });
