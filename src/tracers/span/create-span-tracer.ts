import { context } from '../../context/context-api.js';
import { w3cTraceContextPropagator } from '../../propagation/w3c-propagator.js';
import { getRPCInfo, type RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { now } from '../../rpcinfo/rpc-stats.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { isTracingSuppressed } from '../../tracer/suppress-tracing.js';
import { assertRandomSource } from './id-generator.js';
import { parentBased } from './sampler.js';
import { getActiveSpan } from './active-span.js';
import { createSpanExtractor, createSpanInjector } from './propagation.js';
import { rpcSpanName } from './attributes.js';
import { beginSpan, type SpanPolicy } from './begin-span.js';
import { NO_OUTCOME, type RecordingSpan } from './recording-span.js';
import { createResource } from './resource.js';
import { rpcOutcome } from './rpc-outcome.js';
import { assertSpanTracerOptions, type SpanTracer, type SpanTracerOptions, type StartSpanOptions } from './span-tracer.js';
import type { SpanContext } from '../../propagation/span-context.js';
import type { SpanHandle } from './span.js';

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
  const { exporter } = options;
  const propagator = options.propagator ?? w3cTraceContextPropagator;
  const inject = createSpanInjector(propagator);
  const extract = createSpanExtractor(propagator);
  const rpcSpans = new WeakMap<RPCInfo, RecordingSpan>();
  let warned = false;
  const warn = (what: string, error: unknown) => {
    if (warned) return;
    warned = true;
    console.warn(`isotrace: span tracer: ${what} failed; spans go on (further errors are not logged)`, error);
  };
  const policy: SpanPolicy = {
    sampler: options.sampler ?? parentBased(),
    nextTraceState: options.traceState,
    resource: createResource(options.serviceName, options.resource),
    warn,
    onEnd(span) {
      try {
        const result = exporter.export([span]);
        if (result && typeof result.then === 'function') result.then(undefined, (error) => warn('export', error));
      } catch (error) {
        warn('export', error);
      }
    },
  };

  function extractParent(ri: RPCInfo): SpanContext | undefined {
    try {
      return extract(ri.headers);
    } catch (error) {
      warn('extracting trace headers', error);
      return undefined;
    }
  }

  const startSpan = (name: string, opts: StartSpanOptions = {}): SpanHandle => {
    if (typeof name !== 'string' || name === '') throw new TypeError('isotrace: startSpan(name) needs a non-empty name');
    const ctx = opts.ctx ?? context.active();
    const parent = opts.root ? undefined : getActiveSpan(ctx)?.spanContext;
    const startTime = Number.isFinite(opts.startTime) ? (opts.startTime as number) : now();
    const attributes = { ...opts.attributes };
    const span = beginSpan(policy, {
      name,
      kind: opts.kind ?? 'internal',
      parentCtx: ctx,
      parent,
      startTime,
      attributes,
      rpc: false,
      suppressed: isTracingSuppressed(ctx),
    });
    return span.setAttributes(attributes);
  };

  return {
    resource: policy.resource,
    sampler: policy.sampler,
    start(ctx) {
      const ri = getRPCInfo(ctx);
      if (ri === undefined || isTracingSuppressed(ctx)) return ctx;
      const parent = (ri.side === 'server' ? extractParent(ri) : undefined) ?? getActiveSpan(ctx)?.spanContext;
      const startTime = ri.stats.getEvent(stats.RPCStart)?.time ?? now();
      const span = beginSpan(policy, {
        name: rpcSpanName(ri),
        kind: ri.side,
        parentCtx: ctx,
        parent,
        startTime,
        attributes: ri.attributes,
        rpc: true,
        suppressed: false,
      });
      rpcSpans.set(ri, span);
      if (ri.side === 'client') {
        try {
          inject(span.spanContext, ri.headers);
        } catch (error) {
          warn('injecting trace headers', error);
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
      // An unsampled span exports nothing: its outcome is never read.
      span.finish(endTime, span.sampled ? rpcOutcome(ri, endTime) : NO_OUTCOME);
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
