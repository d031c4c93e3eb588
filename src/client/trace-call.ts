import type { Context } from '../context/context.js';
import { context } from '../context/context-api.js';
import { assembleRPCInfo, withRPCInfo, type RPCInfo } from '../rpcinfo/rpcinfo.js';
import { MapHeaderCarrier } from '../rpcinfo/header-carrier.js';
import { assertStatsLevel, defaultStatsLevel, type StatsLevel } from '../rpcinfo/stats-level.js';
import { createTraceController, type TraceController, type TraceControllerOptions } from '../tracer/trace-controller.js';
import type { Tracer } from '../tracer/tracer.js';
import { isTracingSuppressed } from '../tracer/suppress-tracing.js';

/** Options of {@link traceCall}. */
export interface TraceCallOptions extends TraceControllerOptions {
  /** This (the calling) service's name. */
  service?: string;
  /** The called service's name. */
  callee?: string;
  /** The method called. */
  method: string;
  /** Default: Detailed with tracers, Disabled without. */
  statsLevel?: StatsLevel;
  /** The parent context; default: the active one. */
  ctx?: Context;
  /** The transport name recorded in `ri.config.transport`; default `call`. */
  transport?: string;
  /** `ri.config.timeoutMs`, for tracers to report; traceCall does not enforce it. */
  timeoutMs?: number;
}

// Calls usually pass the same tracers array every time: reuse its controller rather than
// validate and copy the list per call. A changed array (or error hook) gets a new one.
const controllers = new WeakMap<readonly Tracer[], TraceController>();
const NO_TRACERS: readonly Tracer[] = [];

function controllerFor(options: TraceCallOptions): TraceController {
  const tracers = options.tracers ?? NO_TRACERS;
  const cached = controllers.get(tracers);
  if (cached !== undefined && cached.onTracerError === options.onTracerError && sameTracers(cached.tracers, tracers)) return cached;
  const controller = createTraceController(options);
  controllers.set(tracers, controller);
  return controller;
}

function sameTracers(a: readonly Tracer[], b: readonly Tracer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Runs `fn` as a traced client RPC: creates an {@link RPCInfo}, runs the tracers' `start`,
 * calls `fn(ctx)` with the call's context active, records the error and RPCFinish, runs the
 * tracers' `finish`, and returns (or rejects with) exactly what `fn` returned (or threw).
 *
 * @example
 * const user = await traceCall({ tracers, callee: 'users', method: 'GetUser' }, (ctx) => db.getUser(id));
 */
export async function traceCall<T>(options: TraceCallOptions, fn: (ctx: Context) => T | PromiseLike<T>): Promise<T> {
  if (typeof fn !== 'function') throw new TypeError('isotrace: traceCall(options, fn) needs a function');
  if (typeof options?.method !== 'string') throw new TypeError('isotrace: traceCall needs options.method (a string)');
  const parent = options.ctx ?? context.active();
  // An exporter's own work: run it untraced, or sending spans would make spans without end.
  if (isTracingSuppressed(parent)) return fn(parent);
  const controller = controllerFor(options);
  const statsLevel = options.statsLevel ?? defaultStatsLevel(controller.tracers.length);
  assertStatsLevel(statsLevel);
  // As createRPCInfo would fill it from these options, without the init object it would copy.
  const callee = options.callee ?? '';
  const ri = assembleRPCInfo(
    'client',
    { serviceName: options.service ?? '', method: '', address: '', tags: {} },
    { serviceName: callee, method: options.method, address: '', tags: {} },
    { service: callee, method: options.method, package: '', seqId: 0 },
    { transport: options.transport ?? 'call', timeoutMs: options.timeoutMs, codec: undefined },
    statsLevel,
    new MapHeaderCarrier(),
  );
  const ctx = controller.start(withRPCInfo(parent, ri));
  try {
    const result = await context.with(ctx, fn, undefined, ctx);
    controller.finish(ctx);
    return result;
  } catch (error) {
    controller.finish(ctx, error);
    throw error;
  }
}
