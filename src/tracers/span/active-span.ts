import { createContextKey, type Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import type { SpanContext } from '../../propagation/span-context.js';
import type { SpanHandle } from './span.js';

// One key for every span tracer, so a client call finds the span a server tracer (or a plain
// span) of another tracer instance left on the context, and uses it as parent.
const SPAN_KEY = createContextKey('isotrace.span');

/**
 * The span of the code running now (in `ctx`, default: the active context): the RPC span of the
 * call being served or made, or a plain span started with `spanTracer.startSpan`.
 *
 * @example
 * getActiveSpan()?.setAttribute('app.user_id', userId);
 */
export function getActiveSpan(ctx: Context = context.active()): SpanHandle | undefined {
  return ctx.getValue(SPAN_KEY) as SpanHandle | undefined;
}

/**
 * The trace id, span id and flags of the active span, e.g. to put in log lines; `undefined`
 * outside a span.
 *
 * @example
 * const sc = getSpanContext();
 * logger.info({ trace_id: sc?.traceId, span_id: sc?.spanId }, 'user loaded');
 */
export function getSpanContext(ctx: Context = context.active()): SpanContext | undefined {
  return getActiveSpan(ctx)?.spanContext;
}

/** A context with `span` active. */
export function setActiveSpan(ctx: Context, span: SpanHandle): Context {
  return ctx.setValue(SPAN_KEY, span);
}
