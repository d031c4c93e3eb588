import { context } from '../../context/context-api.js';
import { w3cTraceContextPropagator } from '../../propagation/w3c-propagator.js';
import { now } from '../../rpcinfo/rpc-stats.js';
import { isTracingSuppressed } from '../../tracer/suppress-tracing.js';
import { assertRandomSource } from './id-generator.js';
import { parentBased } from './sampler.js';
import { getActiveSpan } from './active-span.js';
import { beginSpan, type SpanPolicy } from './begin-span.js';
import { createResource } from './resource.js';
import { createRpcSpanHooks } from './rpc-span-hooks.js';
import { assertSpanTracerOptions, type SpanTracer, type SpanTracerOptions, type StartSpanOptions } from './span-tracer.js';
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
    ...createRpcSpanHooks(policy, options.propagator ?? w3cTraceContextPropagator),
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
