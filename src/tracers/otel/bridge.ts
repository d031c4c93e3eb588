import {
  context as otelContext,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context as OtelContext,
  type HrTime,
  type Span,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type Tracer as OtelTracer,
} from '@opentelemetry/api';
import { createContextKey, type Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import type { HeaderCarrier } from '../../rpcinfo/header-carrier.js';
import { getRPCInfo, type RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import type { Tracer } from '../../tracer/tracer.js';
import { ISOTRACE_VERSION } from '../../rpcinfo/version.js';
import { eventAttributes, rpcAttributes, rpcName, rpcOutcome } from '../../rpcinfo/conventions/rpc-conventions.js';
import { toException } from './attributes.js';

/** Options of {@link createOpenTelemetryTracer}. */
export interface OpenTelemetryTracerOptions {
  /** The OpenTelemetry tracer that makes the spans; default `trace.getTracer('isotrace', version)`. */
  tracer?: OtelTracer;
  /** Injects and extracts context; default OpenTelemetry's global propagator (`propagation`). */
  propagator?: TextMapPropagator;
}

/** Lets an OpenTelemetry propagator read an isotrace {@link HeaderCarrier} such as `ri.headers`. */
export const headerCarrierGetter: TextMapGetter<HeaderCarrier> = {
  get: (carrier, key) => carrier.get(key),
  keys: (carrier) => carrier.keys(),
};

/** Lets an OpenTelemetry propagator write into an isotrace {@link HeaderCarrier} such as `ri.headers`. */
export const headerCarrierSetter: TextMapSetter<HeaderCarrier> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/** What `start` leaves on the isotrace context for `finish` and for nested calls. */
interface BridgeState {
  readonly ri: RPCInfo;
  readonly span: Span;
  /** The OpenTelemetry context holding `span`: the parent of calls nested in this one. */
  readonly context: OtelContext;
  /** OpenTelemetry's active context when this call started. */
  readonly active: OtelContext;
}

const STATE_KEY = createContextKey('isotrace.otel-bridge');

/** The bridge's state in `ctx`: only the bridge writes under `STATE_KEY`, so the cast holds. */
function bridgeState(ctx: Context): BridgeState | undefined {
  return ctx.getValue(STATE_KEY) as BridgeState | undefined;
}

/**
 * The OpenTelemetry context of the isotrace call `ctx` belongs to (the active isotrace context
 * when omitted): its span is the RPC's span. `undefined` outside a call the bridge traced. Code
 * inside a traced call can make its own OpenTelemetry spans children of the RPC span with it.
 *
 * @example
 * otelContext.with(getOpenTelemetryContext(ctx) ?? otelContext.active(), () => tracer.startActiveSpan('work', fn));
 */
export function getOpenTelemetryContext(ctx: Context = context.active()): OtelContext | undefined {
  return bridgeState(ctx)?.context;
}

/** Epoch milliseconds (fractional) as OpenTelemetry's `[seconds, nanoseconds]`, independent of its time origin. */
function toHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}

function assertOptions(options: unknown): asserts options is OpenTelemetryTracerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`isotrace: createOpenTelemetryTracer(options) takes an options object, got ${String(options)}`);
  }
  const { tracer, propagator } = options as Record<string, { startSpan?: unknown; inject?: unknown; extract?: unknown } | undefined>;
  if (tracer !== undefined && typeof tracer?.startSpan !== 'function') {
    throw new TypeError('isotrace: options.tracer must be an OpenTelemetry Tracer (with startSpan), e.g. trace.getTracer(name)');
  }
  if (propagator !== undefined && (typeof propagator?.inject !== 'function' || typeof propagator.extract !== 'function')) {
    throw new TypeError('isotrace: options.propagator must be an OpenTelemetry TextMapPropagator (with inject and extract)');
  }
}

/**
 * A tracer that turns each RPC into an OpenTelemetry span, so an app that already runs the
 * OpenTelemetry SDK sees isotrace's RPCs in its traces, through its own processors and exporters.
 *
 * The span is named `service/method`, of kind CLIENT or SERVER, starts at RPCStart and ends at
 * RPCFinish, carries the attributes, name and status isotrace's span tracer would record (one rule,
 * `rpcinfo/conventions/rpc-conventions.ts`), the stats events as span events, and status ERROR with an exception event
 * when the call failed. Parent: the span of an enclosing isotrace call (read from the isotrace
 * context, so it works whatever OpenTelemetry context manager is installed), unless OpenTelemetry's
 * active context changed since that call started (your own span inside it), then the active one;
 * on the server side, the context the propagator extracts from `ri.headers` wins. On the client
 * side the propagator injects into `ri.headers`. Use it instead of isotrace's span tracer, not
 * beside it: both would write `traceparent`.
 *
 * @example
 * import { createOpenTelemetryTracer } from 'isotrace/otel';
 * const otel = createOpenTelemetryTracer(); // uses the globally registered TracerProvider
 * await traceCall({ tracers: [otel], callee: 'users', method: 'Get' }, () => getUser(1));
 */
export function createOpenTelemetryTracer(options: OpenTelemetryTracerOptions = {}): Tracer {
  assertOptions(options);
  // A ProxyTracer from the API: spans go to whichever provider is registered, even a later one.
  const tracer = options.tracer ?? trace.getTracer('isotrace', ISOTRACE_VERSION);
  const propagator: Pick<TextMapPropagator, 'inject' | 'extract'> = options.propagator ?? propagation;

  return {
    start(ctx) {
      const ri = getRPCInfo(ctx);
      if (ri === undefined) return ctx;
      const active = otelContext.active();
      const outer = bridgeState(ctx);
      let parent = outer !== undefined && outer.active === active ? outer.context : active;
      if (ri.side === 'server') parent = propagator.extract(parent, ri.headers, headerCarrierGetter);
      const startTime = ri.stats.getEvent(stats.RPCStart)?.time;
      const span = tracer.startSpan(
        rpcName(ri),
        {
          kind: ri.side === 'server' ? SpanKind.SERVER : SpanKind.CLIENT,
          startTime: startTime === undefined ? undefined : toHrTime(startTime),
          // Given at start so samplers see them; what the call learns later is added in finish.
          attributes: rpcAttributes(ri),
        },
        parent,
      );
      const withSpan = trace.setSpan(parent, span);
      if (ri.side === 'client') propagator.inject(withSpan, ri.headers, headerCarrierSetter);
      const state: BridgeState = { ri, span, context: withSpan, active };
      return ctx.setValue(STATE_KEY, state);
    },

    finish(ctx) {
      const ri = getRPCInfo(ctx);
      const state = bridgeState(ctx);
      // A state of another RPCInfo is an enclosing call's: this call's start did not run or threw.
      if (ri === undefined || state === undefined || state.ri !== ri) return;
      const { span } = state;
      const finishTime = ri.stats.getEvent(stats.RPCFinish)?.time;
      const endTime = finishTime === undefined ? undefined : toHrTime(finishTime);
      if (span.isRecording()) {
        const attributes = rpcAttributes(ri);
        const outcome = rpcOutcome(ri);
        if (outcome.failed) attributes['error.type'] = outcome.errorType!;
        span.setAttributes(attributes);
        // A route set while the call ran renames it, as OpenTelemetry's HTTP instrumentations do.
        span.updateName(rpcName(ri));
        // Every recorded event, RPCStart and RPCFinish included, as isotrace's span tracer does.
        for (const record of ri.stats.events()) span.addEvent(record.event.name, eventAttributes(record), toHrTime(record.time));
        if (outcome.failed) {
          if (outcome.error !== undefined) span.recordException(toException(outcome.error), endTime);
          span.setStatus(outcome.message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message: outcome.message });
        }
      }
      span.end(endTime);
    },
  };
}
