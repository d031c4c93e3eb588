import type { Context } from '../../context/context.js';
import { assertStatsLevel, defaultStatsLevel, type StatsLevel } from '../../rpcinfo/stats-level.js';
import type { TraceControllerOptions } from '../../tracer/trace-controller.js';
import { compilePropagateTo, type PropagateTo, type PropagateToMatcher } from './propagate-to.js';
import type { FetchCallName, FetchRequestInfo } from './naming.js';

/** Options of {@link traceFetch}. */
export interface TraceFetchOptions extends TraceControllerOptions {
  /** This (the calling) service's name: `ri.from.serviceName`, and sent as the caller header where trace headers go. */
  service?: string;
  /**
   * Names the callee; fields it leaves out (or a throw) keep the default naming: `/pkg.Service/Method`
   * paths, JSON-RPC 2.0 string bodies, else the host and `METHOD /path`.
   */
  describe?: (request: FetchRequestInfo) => FetchCallName | undefined;
  /** Where trace headers may go; default: same origin in browsers, everywhere in Node. */
  propagateTo?: PropagateTo;
  /** Default: Detailed with tracers, Disabled without. */
  statsLevel?: StatsLevel;
  /** A fixed parent context for every call; default: the context active when fetch is called. */
  ctx?: Context;
  /** Keep the query string in `url.full` (default: left out; it may hold tokens, or a whole Connect GET message). */
  keepUrlQuery?: boolean;
  /**
   * Finish a call whose response body nobody reads after this many milliseconds without a pending
   * read (RPCFinish status `warn`; the body is left as it is). Default 30 000; `0` disables.
   */
  idleTimeoutMs?: number;
}

/** {@link TraceFetchOptions}, validated, with defaults applied. */
export interface NormalizedFetchOptions {
  service: string | undefined;
  describe: TraceFetchOptions['describe'];
  propagateTo: PropagateToMatcher;
  statsLevel: StatsLevel;
  ctx: Context | undefined;
  idleTimeoutMs: number;
  keepUrlQuery: boolean;
}

/** The default {@link TraceFetchOptions.idleTimeoutMs}. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** setTimeout's ceiling; a longer delay would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function fail(what: string, value: unknown): never {
  throw new TypeError(`isotrace: traceFetch option ${what}, got ${value === null ? 'null' : typeof value}`);
}

function idleTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_IDLE_TIMEOUT_MS;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError(`isotrace: traceFetch option idleTimeoutMs must be a number >= 0 (0 disables the limit), got ${String(value)}`);
  }
  return value === Infinity ? 0 : Math.min(value, MAX_TIMER_MS);
}

/** Validates `options` once, when the traced fetch is created; throws a `TypeError` naming the bad option. */
export function normalizeFetchOptions(options: TraceFetchOptions, tracerCount: number): NormalizedFetchOptions {
  if (options.service !== undefined && typeof options.service !== 'string') fail('service must be a string', options.service);
  if (options.describe !== undefined && typeof options.describe !== 'function')
    fail('describe must be a function (request) => ({ service?, method?, package? })', options.describe);
  if (options.onTracerError !== undefined && typeof options.onTracerError !== 'function') fail('onTracerError must be a function', options.onTracerError);
  const ctx = options.ctx as { getValue?: unknown } | undefined;
  if (ctx !== undefined && typeof ctx?.getValue !== 'function') fail('ctx must be a Context', ctx);
  if (options.statsLevel !== undefined) assertStatsLevel(options.statsLevel);
  return {
    service: options.service === '' ? undefined : options.service,
    describe: options.describe,
    propagateTo: compilePropagateTo(options.propagateTo),
    statsLevel: options.statsLevel ?? defaultStatsLevel(tracerCount),
    ctx: options.ctx,
    idleTimeoutMs: idleTimeout(options.idleTimeoutMs),
    keepUrlQuery: options.keepUrlQuery === true,
  };
}
