import { describe, it, expect } from 'vitest';
import { isSpanContextValid, isValidSpanId, isValidTraceId, TraceFlags } from '../../src/propagation/span-context.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

describe('TraceFlags', () => {
  it('has the Level 2 bit values', () => {
    expect(TraceFlags).toEqual({ None: 0, Sampled: 1, Random: 2 });
  });
});

describe('isValidTraceId', () => {
  it('accepts 32 lower-case hex characters', () => {
    expect(isValidTraceId(TRACE_ID)).toBe(true);
  });

  it.each([
    ['all zero', '0'.repeat(32)],
    ['upper-case', TRACE_ID.toUpperCase()],
    ['31 chars', TRACE_ID.slice(1)],
    ['33 chars', TRACE_ID + 'a'],
    ['non-hex', 'g' + TRACE_ID.slice(1)],
    ['empty', ''],
  ])('rejects %s', (_name, id) => {
    expect(isValidTraceId(id)).toBe(false);
  });

  it('rejects non-strings without throwing', () => {
    expect(isValidTraceId(42 as unknown as string)).toBe(false);
    expect(isValidTraceId(undefined as unknown as string)).toBe(false);
  });
});

describe('isValidSpanId', () => {
  it('accepts 16 lower-case hex characters', () => {
    expect(isValidSpanId(SPAN_ID)).toBe(true);
  });

  it.each([
    ['all zero', '0'.repeat(16)],
    ['upper-case', 'ABCDEF0123456789'],
    ['15 chars', SPAN_ID.slice(1)],
    ['17 chars', SPAN_ID + '1'],
  ])('rejects %s', (_name, id) => {
    expect(isValidSpanId(id)).toBe(false);
  });
});

describe('isSpanContextValid', () => {
  it('accepts valid ids with an 8-bit flags byte', () => {
    expect(isSpanContextValid({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 })).toBe(true);
    expect(isSpanContextValid({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0xff })).toBe(true);
  });

  it('rejects bad ids, out-of-range flags and non-objects', () => {
    expect(isSpanContextValid({ traceId: '0'.repeat(32), spanId: SPAN_ID, traceFlags: 1 })).toBe(false);
    expect(isSpanContextValid({ traceId: TRACE_ID, spanId: '0'.repeat(16), traceFlags: 1 })).toBe(false);
    expect(isSpanContextValid({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 256 })).toBe(false);
    expect(isSpanContextValid({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: -1 })).toBe(false);
    expect(isSpanContextValid({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1.5 })).toBe(false);
    expect(isSpanContextValid(undefined)).toBe(false);
    expect(isSpanContextValid(null as unknown as undefined)).toBe(false);
  });
});
