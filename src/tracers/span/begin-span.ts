import { KNOWN_FLAGS, TraceFlags, type SpanContext } from '../../propagation/span-context.js';
import type { TraceState } from '../../propagation/tracestate.js';
import { generateSpanId, generateTraceId } from './id-generator.js';
import { RecordingSpan, type SpanSink, type SpanStart } from './recording-span.js';
import type { Sampler } from './sampler.js';

/** What a span tracer decides each new span by; built once per tracer. */
export interface SpanPolicy extends SpanSink {
  readonly sampler: Sampler;
  /** The `traceState` option: the trace state a new span propagates, given its parent's. */
  readonly nextTraceState: ((parent: TraceState | undefined) => TraceState | undefined) | undefined;
  /** Tells of a failing sampler or hook; spans go on. */
  warn(what: string, error: unknown): void;
}

/**
 * A new span under `start.parent`: the parent's trace (or a new one, with the W3C Level 2
 * `random` flag, since all its id bits are random), a new span id, the sampler's decision, and
 * the parent's flags and trace state as they came, so one service's choice not to record never
 * changes what the services after it decide.
 */
export function beginSpan(policy: SpanPolicy, start: SpanStart): RecordingSpan {
  const { parent } = start;
  const traceId = parent?.traceId ?? generateTraceId();
  let sampled = false;
  if (!start.suppressed) {
    try {
      sampled =
        policy.sampler.shouldSample({ ctx: start.parentCtx, traceId, parent, name: start.name, kind: start.kind, attributes: start.attributes }) === true;
    } catch (error) {
      policy.warn('the sampler', error);
    }
  }
  const inherited = parent === undefined ? TraceFlags.Random : parent.traceFlags & KNOWN_FLAGS;
  let traceState = parent?.traceState;
  if (policy.nextTraceState) {
    try {
      traceState = policy.nextTraceState(traceState);
    } catch (error) {
      policy.warn('the traceState option', error);
    }
  }
  const spanContext: SpanContext = { traceId, spanId: generateSpanId(), traceFlags: sampled ? inherited | TraceFlags.Sampled : inherited, isRemote: false };
  if (traceState !== undefined && traceState.size > 0) spanContext.traceState = traceState;
  return new RecordingSpan(start, Object.freeze(spanContext), sampled, policy);
}
