import type { Context } from '../context/context.js';

/**
 * Kitex's `stats.Tracer`: `start` runs before an RPC and may return a new context (e.g. with a
 * span on it), `finish` runs once after it. Everything about the call is on the context:
 * `getRPCInfo(ctx)`.
 *
 * @example
 * const logTracer: Tracer = {
 *   start: (ctx) => ctx,
 *   finish(ctx) {
 *     const ri = getRPCInfo(ctx)!;
 *     console.log(ri.to.method, ri.stats.duration(stats.RPCStart, stats.RPCFinish), 'ms');
 *   },
 * };
 */
export interface Tracer {
  start(ctx: Context): Context;
  finish(ctx: Context): void;
}

/** What the `onTracerError` hook is told. */
export interface TracerErrorEvent {
  /** What the tracer threw. */
  error: unknown;
  tracer: Tracer;
  phase: 'start' | 'finish';
  ctx: Context;
}
