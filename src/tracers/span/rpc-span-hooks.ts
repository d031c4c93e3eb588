// The span tracer's RPC half: a span per RPC, begun in `start` under the right parent, ended in
// `finish` with what the call's conventions say about it.
import type { Context } from '../../context/context.js';
import type { Propagator } from '../../propagation/w3c-propagator.js';
import type { SpanContext } from '../../propagation/span-context.js';
import { eventAttributes, rpcAttributes, rpcName, rpcOutcome as callOutcome } from '../../rpcinfo/conventions/rpc-conventions.js';
import { getRPCInfo, type RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { now } from '../../rpcinfo/rpc-stats.js';
import { stats } from '../../rpcinfo/stats-event.js';
import type { Tracer } from '../../tracer/tracer.js';
import { isTracingSuppressed } from '../../tracer/suppress-tracing.js';
import { getActiveSpan } from './active-span.js';
import { beginSpan, type SpanPolicy } from './begin-span.js';
import { createSpanExtractor, createSpanInjector } from './propagation.js';
import { NO_OUTCOME, type RecordingSpan, type SpanOutcome } from './recording-span.js';
import type { SpanAttributes, SpanEvent, SpanStatus } from './span.js';

/**
 * What a sampled RPC span ends with, by the rules every tracer shares: the call's name (a route
 * set while it ran renames it), attributes, its stats events, and, when it failed, status error
 * with `error.type` and an `exception` event for `stats.error`.
 */
export function rpcOutcome(ri: RPCInfo, endTime: number): SpanOutcome {
  const attributes: SpanAttributes = rpcAttributes(ri);
  const events: SpanEvent[] = ri.stats.events().map((record) => ({ name: record.event.name, time: record.time, attributes: eventAttributes(record) }));
  const outcome = callOutcome(ri);
  let status: SpanStatus = { code: 'unset' };
  if (outcome.failed) {
    attributes['error.type'] = outcome.errorType!;
    status = outcome.message !== undefined ? { code: 'error', message: outcome.message } : { code: 'error' };
    const error = outcome.error;
    if (error !== undefined) {
      const exception: SpanAttributes = { 'exception.type': error.type, 'exception.message': error.message };
      if (error.stack !== undefined) exception['exception.stacktrace'] = error.stack;
      events.push({ name: 'exception', time: endTime, attributes: exception });
    }
  }
  return { name: rpcName(ri), attributes, events, status };
}

/**
 * The `start` and `finish` of a span tracer. Parent: on the server, the context extracted from
 * the request headers (a remote parent), else the span in `ctx`; on the client, the span in
 * `ctx`. A client span injects `traceparent`/`tracestate` into `ri.headers`, sampled or not.
 */
export function createRpcSpanHooks(policy: SpanPolicy, propagator: Propagator): Tracer {
  const inject = createSpanInjector(propagator);
  const extract = createSpanExtractor(propagator);
  const rpcSpans = new WeakMap<RPCInfo, RecordingSpan>();

  function extractParent(ri: RPCInfo): SpanContext | undefined {
    try {
      return extract(ri.headers);
    } catch (error) {
      policy.warn('extracting trace headers', error);
      return undefined;
    }
  }

  return {
    start(ctx: Context): Context {
      const ri = getRPCInfo(ctx);
      if (ri === undefined || isTracingSuppressed(ctx)) return ctx;
      const parent = (ri.side === 'server' ? extractParent(ri) : undefined) ?? getActiveSpan(ctx)?.spanContext;
      const startTime = ri.stats.getEvent(stats.RPCStart)?.time ?? now();
      const span = beginSpan(policy, {
        name: rpcName(ri),
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
          policy.warn('injecting trace headers', error);
        }
      }
      return span.ctx;
    },
    finish(ctx: Context): void {
      const ri = getRPCInfo(ctx);
      const span = ri && rpcSpans.get(ri);
      if (ri === undefined || span === undefined) return;
      rpcSpans.delete(ri);
      const endTime = ri.stats.getEvent(stats.RPCFinish)?.time ?? now();
      // An unsampled span exports nothing: its outcome is never read.
      span.finish(endTime, span.sampled ? rpcOutcome(ri, endTime) : NO_OUTCOME);
    },
  };
}
