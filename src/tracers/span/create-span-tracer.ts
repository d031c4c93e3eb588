import type { Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import { KNOWN_FLAGS, TraceFlags, type SpanContext } from '../../propagation/span-context.js';
import { w3cTraceContextPropagator } from '../../propagation/w3c-propagator.js';
import { getRPCInfo, type RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { now } from '../../rpcinfo/rpc-stats.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { isTracingSuppressed } from '../../tracer/suppress-tracing.js';
import { assertRandomSource, generateSpanId, generateTraceId } from './id-generator.js';
import { parentBased } from './sampler.js';
import { getActiveSpan } from './active-span.js';
import { createSpanExtractor, createSpanInjector } from './propagation.js';
import { describeError, rpcSpanAttributes, rpcSpanEvents, rpcSpanName, rpcSpanStatus } from './attributes.js';
import { RecordingSpan } from './recording-span.js';
import { createResource } from './resource.js';
import { assertSpanTracerOptions, type SpanTracer, type SpanTracerOptions, type StartSpanOptions } from './span-tracer.js';
import type { SpanAttributes, SpanData, SpanHandle, SpanKind } from './span.js';

/**
 * A span tracer: a span per RPC with W3C ids, sampling, and propagation.
 *
 * Parent: on the server, the context extracted from the request headers (a remote parent), else
 * the span in `ctx`; on the client, the span in `ctx` (the call being served, or a plain span).
 * A client span injects `traceparent`/`tracestate` into `ri.headers`, sampled or not: an
 * unsampled span sends a new span id with its parent's flags as they came, so one service's
 * choice not to record never changes what the services after it decide. A new trace gets the
 * W3C Level 2 `random` flag, since all its id bits are random.
 *
 * @example
 * const spans = createSpanTracer({ serviceName: 'web', exporter: createOtlpHttpExporter() });
 * const fetch = traceFetch({ tracers: [spans], service: 'web' });
 * await fetch('/api/users/1');
 * await spans.withSpan('click checkout', () => fetch('/api/cart', { method: 'POST' }));
 */
export function createSpanTracer(options: SpanTracerOptions): SpanTracer {
  assertSpanTracerOptions(options);
  assertRandomSource();
  const { exporter, traceState: nextTraceState } = options;
  const sampler = options.sampler ?? parentBased();
  const propagator = options.propagator ?? w3cTraceContextPropagator;
  const inject = createSpanInjector(propagator);
  const extract = createSpanExtractor(propagator);
  const resource = createResource(options.serviceName, options.resource);
  const rpcSpans = new WeakMap<RPCInfo, RecordingSpan>();
  let warned = false;
  const warnOnce = (what: string, error: unknown) => {
    if (warned) return;
    warned = true;
    console.warn(`isotrace: span tracer: ${what} failed; spans go on (further errors are not logged)`, error);
  };

  const exportSpan = (span: SpanData) => {
    try {
      const result = exporter.export([span]);
      if (result && typeof result.then === 'function') result.then(undefined, (error) => warnOnce('export', error));
    } catch (error) {
      warnOnce('export', error);
    }
  };

  function begin(name: string, kind: SpanKind, parentCtx: Context, parent: SpanContext | undefined, startTime: number, attributes: SpanAttributes, rpc: boolean, suppressed = false): RecordingSpan {
    const traceId = parent?.traceId ?? generateTraceId();
    let sampled = false;
    if (!suppressed) {
      try {
        sampled = sampler.shouldSample({ ctx: parentCtx, traceId, parent, name, kind, attributes }) === true;
      } catch (error) {
        warnOnce('the sampler', error);
      }
    }
    const inherited = parent === undefined ? TraceFlags.Random : parent.traceFlags & KNOWN_FLAGS;
    let traceState = parent?.traceState;
    if (nextTraceState) {
      try {
        traceState = nextTraceState(traceState);
      } catch (error) {
        warnOnce('the traceState option', error);
      }
    }
    const spanContext: SpanContext = { traceId, spanId: generateSpanId(), traceFlags: sampled ? inherited | TraceFlags.Sampled : inherited, isRemote: false };
    if (traceState !== undefined && traceState.size > 0) spanContext.traceState = traceState;
    return new RecordingSpan({
      name,
      kind,
      spanContext: Object.freeze(spanContext),
      parentSpanId: parent?.spanId,
      parentIsRemote: parent?.isRemote === true,
      sampled,
      startTime,
      resource,
      parentCtx,
      rpc,
      onEnd: exportSpan,
    });
  }

  function extractParent(ri: RPCInfo): SpanContext | undefined {
    try {
      return extract(ri.headers);
    } catch (error) {
      warnOnce('extracting trace headers', error);
      return undefined;
    }
  }

  const startSpan = (name: string, opts: StartSpanOptions = {}): SpanHandle => {
    if (typeof name !== 'string' || name === '') throw new TypeError('isotrace: startSpan(name) needs a non-empty name');
    const ctx = opts.ctx ?? context.active();
    const parent = opts.root ? undefined : getActiveSpan(ctx)?.spanContext;
    const startTime = Number.isFinite(opts.startTime) ? (opts.startTime as number) : now();
    const attributes = { ...opts.attributes };
    const span = begin(name, opts.kind ?? 'internal', ctx, parent, startTime, attributes, false, isTracingSuppressed(ctx));
    return span.setAttributes(attributes);
  };

  return {
    resource,
    sampler,
    start(ctx) {
      const ri = getRPCInfo(ctx);
      if (ri === undefined || isTracingSuppressed(ctx)) return ctx;
      const parent = (ri.side === 'server' ? extractParent(ri) : undefined) ?? getActiveSpan(ctx)?.spanContext;
      const startTime = ri.stats.getEvent(stats.RPCStart)?.time ?? now();
      const span = begin(rpcSpanName(ri), ri.side, ctx, parent, startTime, ri.attributes, true);
      rpcSpans.set(ri, span);
      if (ri.side === 'client') {
        try {
          inject(span.spanContext, ri.headers);
        } catch (error) {
          warnOnce('injecting trace headers', error);
        }
      }
      return span.ctx;
    },
    finish(ctx) {
      const ri = getRPCInfo(ctx);
      const span = ri && rpcSpans.get(ri);
      if (ri === undefined || span === undefined) return;
      rpcSpans.delete(ri);
      const endTime = ri.stats.getEvent(stats.RPCFinish)?.time ?? now();
      if (!span.sampled) return span.finish(endTime, { attributes: {}, events: [], status: { code: 'unset' } });
      const attributes = rpcSpanAttributes(ri);
      const status = rpcSpanStatus(ri, attributes);
      const events = rpcSpanEvents(ri);
      if (ri.stats.error !== undefined) {
        const { type, message, stack } = describeError(ri.stats.error);
        const exception: SpanAttributes = { 'exception.type': type, 'exception.message': message };
        if (stack !== undefined) exception['exception.stacktrace'] = stack;
        events.push({ name: 'exception', time: endTime, attributes: exception });
      }
      span.finish(endTime, { attributes, events, status });
    },
    startSpan,
    withSpan<T>(name: string, fn: (span: SpanHandle) => T, opts?: StartSpanOptions): T {
      if (typeof fn !== 'function') throw new TypeError('isotrace: withSpan(name, fn) needs a function');
      const span = startSpan(name, opts);
      let result: T;
      try {
        result = context.with(span.ctx, fn, undefined, span);
      } catch (error) {
        span.recordError(error).end();
        throw error;
      }
      const thenable = result as unknown as PromiseLike<unknown> | null;
      if (typeof thenable?.then !== 'function') {
        span.end();
        return result;
      }
      // Watch a derived promise: the caller keeps the original, and its rejection stays theirs.
      Promise.resolve(thenable).then(
        () => span.end(),
        (error) => span.recordError(error).end(),
      );
      return result;
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
}
