import type { Context } from '../../context/context.js';
import type { TraceState } from '../../propagation/tracestate.js';
import type { Propagator } from '../../propagation/w3c-propagator.js';
import type { Tracer } from '../../tracer/tracer.js';
import { assertSpanExporter, type SpanExporter } from '../exporters/exporter.js';
import { assertSampler, type Sampler } from './sampler.js';
import type { Resource, SpanAttributes, SpanHandle, SpanKind } from './span.js';

/** Options of {@link createSpanTracer}. */
export interface SpanTracerOptions {
  /** This service's name: the resource's `service.name`. */
  serviceName: string;
  /** Where sampled spans go when they end. */
  exporter: SpanExporter;
  /** Default: `parentBased({ root: alwaysOn })`. */
  sampler?: Sampler;
  /** More resource attributes (`service.version`, `deployment.environment.name`, …). */
  resource?: SpanAttributes;
  /** Default: W3C Trace Context (`traceparent`, `tracestate`). */
  propagator?: Propagator;
  /**
   * The trace state a new span propagates, given its parent's. Default: the parent's, unchanged:
   * isotrace adds no `tracestate` member of its own unless this says so.
   */
  traceState?: (parent: TraceState | undefined) => TraceState | undefined;
}

/** Options of {@link SpanTracer.startSpan}. */
export interface StartSpanOptions {
  /** The context to start in; its span, if any, is the parent. Default: the active context. */
  ctx?: Context;
  /** Default: `internal`. */
  kind?: SpanKind;
  attributes?: SpanAttributes;
  /** Epoch milliseconds; default: now. */
  startTime?: number;
  /** Start a new trace even when `ctx` holds a span. */
  root?: boolean;
}

/** A {@link Tracer} that records a span per RPC, and starts plain spans for other work. */
export interface SpanTracer extends Tracer {
  readonly resource: Resource;
  readonly sampler: Sampler;
  /** Starts a plain span (a click, a render, a job); end it with `end()`. RPCs under `span.ctx` are its children. */
  startSpan(name: string, options?: StartSpanOptions): SpanHandle;
  /**
   * Runs `fn` inside a new plain span, made active, and ends it when `fn` returns or its promise
   * settles; a throw or rejection is recorded on the span and reaches the caller unchanged.
   */
  withSpan<T>(name: string, fn: (span: SpanHandle) => T, options?: StartSpanOptions): T;
  /** The exporter's `forceFlush`. */
  forceFlush(): Promise<void>;
  /** The exporter's `shutdown`. */
  shutdown(): Promise<void>;
}

/** Throws a `TypeError` naming the first bad option. */
export function assertSpanTracerOptions(options: SpanTracerOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('isotrace: createSpanTracer(options) needs an options object');
  if (typeof options.serviceName !== 'string' || options.serviceName === '') {
    throw new TypeError("isotrace: createSpanTracer needs serviceName, a non-empty string (the resource's service.name)");
  }
  assertSpanExporter(options.exporter, 'createSpanTracer exporter');
  if (options.sampler !== undefined) assertSampler(options.sampler, 'createSpanTracer sampler');
  // Widened, not cast: a JavaScript caller may pass half a propagator.
  const p: Partial<Propagator> | undefined = options.propagator;
  if (p !== undefined && (typeof p?.inject !== 'function' || typeof p.extract !== 'function')) {
    throw new TypeError('isotrace: createSpanTracer propagator must have inject(sc, carrier) and extract(carrier)');
  }
  if (options.traceState !== undefined && typeof options.traceState !== 'function') {
    throw new TypeError('isotrace: createSpanTracer traceState must be a function (parentTraceState) => TraceState');
  }
}
