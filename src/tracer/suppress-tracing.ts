import { createContextKey, type Context } from '../context/context.js';

const SUPPRESS_TRACING_KEY = createContextKey('isotrace.suppress-tracing');

/**
 * A context under which nothing is traced: transports and tracers that see it make no RPCInfo,
 * no span and inject no header. Exporters run their own requests under it, so sending spans
 * never produces spans about sending spans (which would recurse without end).
 *
 * @example
 * context.with(suppressTracing(ROOT_CONTEXT), () => fetch(collectorUrl, init));
 */
export function suppressTracing(ctx: Context): Context {
  return ctx.setValue(SUPPRESS_TRACING_KEY, true);
}

/** Whether `ctx` was made by {@link suppressTracing}: if so, a transport or tracer should do nothing. */
export function isTracingSuppressed(ctx: Context): boolean {
  return ctx.getValue(SUPPRESS_TRACING_KEY) === true;
}
