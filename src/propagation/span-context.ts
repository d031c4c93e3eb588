import type { TraceState } from './tracestate.js';

/** The identity of a span as it crosses process boundaries (W3C Trace Context). */
export interface SpanContext {
  /** 32 lower-case hex characters, not all zero. */
  traceId: string;
  /** 16 lower-case hex characters, not all zero. */
  spanId: string;
  /** The 8-bit `trace-flags` field; test bits with {@link TraceFlags}, never compare the whole byte. */
  traceFlags: number;
  /** Vendor-specific entries from the `tracestate` header. */
  traceState?: TraceState;
  /** True when the context was extracted from an incoming request rather than created here. */
  isRemote?: boolean;
}

/** The `trace-flags` bits W3C Trace Context Level 2 defines. */
export const TraceFlags = {
  /** No flag set. */
  None: 0,
  /** The caller may have recorded trace data. */
  Sampled: 0x01,
  /** The right-most 7 bytes of the trace id are random (Level 2). */
  Random: 0x02,
} as const;

/** The flags this implementation understands; W3C Level 2 says every other bit MUST be zeroed when sent. */
export const KNOWN_FLAGS = TraceFlags.Sampled | TraceFlags.Random;

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** Whether `traceId` is 32 lower-case hex characters and not all zero. */
export function isValidTraceId(traceId: string): boolean {
  // The typeof guard matters: ids often arrive from untyped JSON or foreign SDKs.
  return typeof traceId === 'string' && TRACE_ID.test(traceId) && traceId !== ZERO_TRACE_ID;
}

/** Whether `spanId` is 16 lower-case hex characters and not all zero. */
export function isValidSpanId(spanId: string): boolean {
  return typeof spanId === 'string' && SPAN_ID.test(spanId) && spanId !== ZERO_SPAN_ID;
}

/** Whether `sc` has a valid trace id, span id and an 8-bit integer `traceFlags`. */
export function isSpanContextValid(sc: SpanContext | undefined): boolean {
  if (typeof sc !== 'object' || sc === null) return false;
  const flags = sc.traceFlags;
  return isValidTraceId(sc.traceId) && isValidSpanId(sc.spanId) && Number.isInteger(flags) && flags >= 0 && flags <= 0xff;
}
