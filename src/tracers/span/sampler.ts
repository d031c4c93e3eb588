import type { Context } from '../../context/context.js';
import { TraceFlags, type SpanContext } from '../../propagation/span-context.js';
import type { SpanAttributes, SpanKind } from './span.js';

/** What a {@link Sampler} decides on: one state object, so new fields never break a sampler. */
export interface SamplingParams {
  /** The context the span starts in. */
  ctx: Context;
  /** The new span's trace id: the parent's, or a fresh random one for a root span. */
  traceId: string;
  /** The parent's span context (`isRemote` when extracted from a request); absent for a root span. */
  parent: SpanContext | undefined;
  /** The span's name (`service/method` for RPCs). */
  name: string;
  kind: SpanKind;
  /** What is known when the span starts (RPC spans: the transport's `ri.attributes`). */
  attributes: Readonly<SpanAttributes>;
}

/**
 * Decides whether a new span is sampled (recorded and exported). Unsampled spans still get ids
 * and still propagate, so a trace stays connected across services that sample differently.
 */
export interface Sampler {
  /** `true` to record and export the span. Must not throw; a sampler that does counts as `false`. */
  shouldSample(params: SamplingParams): boolean;
  /** A description for logs, e.g. `ParentBased{root=TraceIdRatioBased{0.1}}`. */
  readonly description: string;
}

/** Samples every span. */
export const alwaysOn: Sampler = Object.freeze({ shouldSample: () => true, description: 'AlwaysOn' });

/** Samples no span; ids are still minted and propagated. */
export const alwaysOff: Sampler = Object.freeze({ shouldSample: () => false, description: 'AlwaysOff' });

const TWO_POW_32 = 2 ** 32;

/**
 * Samples a share `ratio` (0–1) of traces, deterministically on the trace id: every process
 * with the same ratio decides the same for the same trace, and an id sampled at one ratio is
 * sampled at every higher ratio.
 *
 * The rule is OpenTelemetry's for W3C Level 2 random trace ids: the right-most 56 bits of the
 * trace id are the randomness `R`, the rejection threshold is `T = round((1 − ratio) × 2^56)`,
 * and the span is sampled when `R ≥ T`. `R` and `T` are compared as two exact integers (24 high
 * and 32 low bits), never as one float above 2^53. Trace ids without the random flag are judged
 * the same way; their right-most bytes are random in practice.
 *
 * @example
 * createSpanTracer({ serviceName: 'web', exporter, sampler: parentBased({ root: traceIdRatio(0.1) }) });
 */
export function traceIdRatio(ratio: number): Sampler {
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
    throw new TypeError(`isotrace: traceIdRatio(ratio) needs a number from 0 to 1, got ${String(ratio)}`);
  }
  // T ≤ 2^56 is an integer held exactly by a double; split it like R below.
  const threshold = Math.round((1 - ratio) * 2 ** 56);
  const thresholdHigh = Math.floor(threshold / TWO_POW_32);
  const thresholdLow = threshold - thresholdHigh * TWO_POW_32;
  return Object.freeze({
    description: `TraceIdRatioBased{${ratio}}`,
    shouldSample({ traceId }: SamplingParams): boolean {
      if (typeof traceId !== 'string' || traceId.length !== 32) return false;
      const high = parseInt(traceId.slice(18, 24), 16);
      const low = parseInt(traceId.slice(24, 32), 16);
      if (Number.isNaN(high) || Number.isNaN(low)) return false;
      return high > thresholdHigh || (high === thresholdHigh && low >= thresholdLow);
    },
  });
}

/** Options of {@link parentBased}: the sampler for each kind of parent. */
export interface ParentBasedOptions {
  /** Spans without a parent (new traces). Default: {@link alwaysOn}. */
  root?: Sampler;
  /** Parent extracted from a request, sampled. Default: {@link alwaysOn}. */
  remoteParentSampled?: Sampler;
  /** Parent extracted from a request, not sampled. Default: {@link alwaysOff}. */
  remoteParentNotSampled?: Sampler;
  /** Parent in this process, sampled. Default: {@link alwaysOn}. */
  localParentSampled?: Sampler;
  /** Parent in this process, not sampled. Default: {@link alwaysOff}. */
  localParentNotSampled?: Sampler;
}

/** Throws a `TypeError` naming `name` when `sampler` is not a {@link Sampler}. */
export function assertSampler(sampler: unknown, name: string): asserts sampler is Sampler {
  if (typeof (sampler as Sampler | null)?.shouldSample !== 'function') {
    throw new TypeError(`isotrace: ${name} must be a Sampler (an object with shouldSample(params))`);
  }
}

/**
 * Follows the parent's sampled flag, and `root` for new traces: the default sampler is
 * `parentBased({ root: alwaysOn })`, so a whole trace is kept or dropped as its first service decided.
 *
 * @example
 * const sampler = parentBased({ root: traceIdRatio(0.25) });
 */
export function parentBased(options: ParentBasedOptions = {}): Sampler {
  const root = options.root ?? alwaysOn;
  const remoteSampled = options.remoteParentSampled ?? alwaysOn;
  const remoteNotSampled = options.remoteParentNotSampled ?? alwaysOff;
  const localSampled = options.localParentSampled ?? alwaysOn;
  const localNotSampled = options.localParentNotSampled ?? alwaysOff;
  assertSampler(root, 'parentBased root');
  assertSampler(remoteSampled, 'parentBased remoteParentSampled');
  assertSampler(remoteNotSampled, 'parentBased remoteParentNotSampled');
  assertSampler(localSampled, 'parentBased localParentSampled');
  assertSampler(localNotSampled, 'parentBased localParentNotSampled');
  return Object.freeze({
    description: `ParentBased{root=${root.description},remoteParentSampled=${remoteSampled.description},remoteParentNotSampled=${remoteNotSampled.description},localParentSampled=${localSampled.description},localParentNotSampled=${localNotSampled.description}}`,
    shouldSample(params: SamplingParams): boolean {
      const parent = params.parent;
      if (parent === undefined) return root.shouldSample(params);
      const sampled = (parent.traceFlags & TraceFlags.Sampled) !== 0;
      if (parent.isRemote) return (sampled ? remoteSampled : remoteNotSampled).shouldSample(params);
      return (sampled ? localSampled : localNotSampled).shouldSample(params);
    },
  });
}
