import type { Context } from '../context/context.js';
import { getRPCInfo } from '../rpcinfo/rpcinfo.js';
import { stats } from '../rpcinfo/stats-event.js';
import { FINISHED } from '../rpcinfo/rpc-stats.js';
import type { Tracer, TracerErrorEvent } from './tracer.js';
import { isTracingSuppressed } from './suppress-tracing.js';

/** Options of {@link createTraceController}. */
export interface TraceControllerOptions {
  tracers?: readonly Tracer[];
  /**
   * Called when a tracer throws; the call goes on regardless. Default: one `console.warn` per
   * tracer (the first error of each), so a broken tracer is noticed but never floods the log.
   */
  onTracerError?: (event: TracerErrorEvent) => void;
}

/** Runs a call's tracers: start in order, finish in reverse order, exactly once. */
export interface TraceController {
  readonly tracers: readonly Tracer[];
  /** The `onTracerError` option it was made with (`undefined`: the default warning). */
  readonly onTracerError: ((event: TracerErrorEvent) => void) | undefined;
  /** Records RPCStart and runs every tracer's `start`, threading the context each returns. */
  start(ctx: Context): Context;
  /**
   * Records the error and RPCFinish, then runs every tracer's `finish` in reverse order. Only the
   * first call per RPCInfo has an effect; later ones return at once.
   */
  finish(ctx: Context, error?: unknown): void;
}

const warned = new WeakSet<Tracer>();

function warnOnce({ error, tracer, phase }: TracerErrorEvent): void {
  if (warned.has(tracer)) return;
  warned.add(tracer);
  console.warn(`isotrace: a tracer threw in ${phase}; the call goes on (further errors of this tracer are not logged)`, error);
}

function assertTracer(tracer: unknown, index: number): void {
  const t = tracer as Partial<Tracer> | null;
  if (typeof t?.start !== 'function' || typeof t.finish !== 'function') {
    throw new TypeError(`isotrace: tracers[${index}] is not a Tracer (it needs start(ctx) and finish(ctx) methods)`);
  }
}

/**
 * A {@link TraceController} over `tracers`. Unlike Kitex, where one panicking tracer skips the
 * rest, each tracer is isolated: a throwing `start` keeps the context it was given, and every
 * other tracer still runs.
 */
export function createTraceController(options: TraceControllerOptions = {}): TraceController {
  const tracers = Object.freeze([...(options.tracers ?? [])]);
  tracers.forEach(assertTracer);
  const onTracerError = options.onTracerError ?? warnOnce;
  const report = (event: TracerErrorEvent) => {
    try {
      onTracerError(event);
    } catch {
      // The error hook itself must not break the call either.
    }
  };

  return {
    tracers,
    onTracerError: options.onTracerError,
    start(ctx) {
      // Under suppressTracing (an exporter's own call) no tracer runs, so none can recurse.
      if (isTracingSuppressed(ctx)) return ctx;
      getRPCInfo(ctx)?.stats.record(stats.RPCStart);
      for (const tracer of tracers) {
        try {
          const next = tracer.start(ctx);
          if (next) ctx = next;
        } catch (error) {
          report({ error, tracer, phase: 'start', ctx });
        }
      }
      return ctx;
    },
    finish(ctx, error) {
      if (isTracingSuppressed(ctx)) return;
      const ri = getRPCInfo(ctx);
      if (ri) {
        if (ri.stats[FINISHED]) return;
        ri.stats[FINISHED] = true;
        if (error !== undefined && ri.stats.error === undefined) ri.stats.error = error;
        ri.stats.record(stats.RPCFinish, ri.stats.error === undefined ? 'info' : 'error');
      }
      for (let i = tracers.length - 1; i >= 0; i--) {
        try {
          tracers[i].finish(ctx);
        } catch (thrown) {
          report({ error: thrown, tracer: tracers[i], phase: 'finish', ctx });
        }
      }
    },
  };
}
