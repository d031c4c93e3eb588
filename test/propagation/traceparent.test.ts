import { describe, it, expect } from 'vitest';
import { formatTraceParent, parseTraceParent } from '../../src/propagation/traceparent.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('parseTraceParent: version 00', () => {
  it('parses the spec example', () => {
    expect(parseTraceParent(VALID)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-00`)?.traceFlags).toBe(0);
  });

  it('keeps the sampled and random bits (Level 2)', () => {
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-02`)?.traceFlags).toBe(0x02);
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-03`)?.traceFlags).toBe(0x03);
  });

  it('returns the received flags byte as-is, undefined bits included', () => {
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-ff`)?.traceFlags).toBe(0xff);
    expect(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-09`)?.traceFlags).toBe(0x09);
  });

  it('ignores leading and trailing spaces and tabs (OWS)', () => {
    expect(parseTraceParent(`  ${VALID}`)?.traceId).toBe(TRACE_ID);
    expect(parseTraceParent(`${VALID} \t`)?.traceId).toBe(TRACE_ID);
    expect(parseTraceParent(`\t${VALID}\t`)?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ['upper-case trace id', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['upper-case span id', `00-${TRACE_ID}-00F067AA0BA902B7-01`],
    ['upper-case flags', `00-${TRACE_ID}-${SPAN_ID}-0A`],
    ['upper-case version', `0A-${TRACE_ID}-${SPAN_ID}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['long trace id', `00-${TRACE_ID}a-${SPAN_ID}-01`],
    ['short span id', `00-${TRACE_ID}-${SPAN_ID.slice(1)}-01`],
    ['long span id', `00-${TRACE_ID}-${SPAN_ID}a-01`],
    ['one-digit flags', `00-${TRACE_ID}-${SPAN_ID}-1`],
    ['three-digit flags', `00-${TRACE_ID}-${SPAN_ID}-011`],
    ['one-digit version', `0-${TRACE_ID}-${SPAN_ID}-01`],
    ['version 00 with an extra field', `${VALID}-extra`],
    ['version 00 with a trailing dash', `${VALID}-`],
    ['underscore separators', `00_${TRACE_ID}_${SPAN_ID}_01`],
    ['a missing separator', `00${TRACE_ID}-${SPAN_ID}-01a`],
    ['a space separator', `00-${TRACE_ID} ${SPAN_ID}-01`],
    ['non-hex in trace id', `00-${TRACE_ID.slice(0, 31)}g-${SPAN_ID}-01`],
    ['non-hex flags', `00-${TRACE_ID}-${SPAN_ID}-0g`],
    ['non-hex version', `0g-${TRACE_ID}-${SPAN_ID}-01`],
    ['inner whitespace', `00- ${TRACE_ID}-${SPAN_ID}-01`],
    ['newline padding (not OWS)', `\n${VALID}\n`],
    ['non-breaking space padding (not OWS)', `\u00a0${VALID}`],
    ['two headers folded by Node', `${VALID}, ${VALID}`],
    ['two headers folded without space', `${VALID},${VALID}`],
    ['a trailing comma', `${VALID},`],
    ['empty', ''],
    ['whitespace only', ' \t '],
  ])('rejects %s', (_name, value) => {
    expect(parseTraceParent(value)).toBeUndefined();
  });

  it('returns undefined for undefined and non-string input instead of throwing', () => {
    expect(parseTraceParent(undefined)).toBeUndefined();
    for (const v of [null, 42, {}, [VALID], Symbol('x')]) {
      expect(parseTraceParent(v as unknown as string)).toBeUndefined();
    }
  });

  it('rejects huge and unicode input without throwing', () => {
    expect(parseTraceParent(VALID + '-'.repeat(1_000_000))).toBeUndefined();
    expect(parseTraceParent(' '.repeat(1_000_000))).toBeUndefined();
    expect(parseTraceParent(`00-${TRACE_ID.slice(0, 31)}é-${SPAN_ID}-01`)).toBeUndefined();
    expect(parseTraceParent('😀'.repeat(40))).toBeUndefined();
  });
});

describe('parseTraceParent: future versions', () => {
  it('parses a higher version by its first four fields when nothing follows', () => {
    expect(parseTraceParent(`01-${TRACE_ID}-${SPAN_ID}-01`)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    expect(parseTraceParent(`fe-${TRACE_ID}-${SPAN_ID}-00`)?.traceFlags).toBe(0);
  });

  it('accepts additional fields after a dash', () => {
    expect(parseTraceParent(`cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`)).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 1,
    });
    expect(parseTraceParent(`01-${TRACE_ID}-${SPAN_ID}-01-`)?.spanId).toBe(SPAN_ID);
  });

  it('keeps only the flags it knows', () => {
    expect(parseTraceParent(`01-${TRACE_ID}-${SPAN_ID}-ff`)?.traceFlags).toBe(0x03);
    expect(parseTraceParent(`01-${TRACE_ID}-${SPAN_ID}-09-x`)?.traceFlags).toBe(0x01);
  });

  it.each([
    ['anything but a dash after the flags', `cc-${TRACE_ID}-${SPAN_ID}-01.what-the-future-will-be-like`],
    ['a longer flags field', `cc-${TRACE_ID}-${SPAN_ID}-011`],
    ['fewer than 55 characters', `cc-${TRACE_ID}-${SPAN_ID}-1`],
    ['an upper-case trace id', `cc-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['an all-zero span id', `cc-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['two folded headers', `cc-${TRACE_ID}-${SPAN_ID}-01, cc-${TRACE_ID}-${SPAN_ID}-01`],
    ['a comma in the extra fields', `cc-${TRACE_ID}-${SPAN_ID}-01-a,b`],
  ])('rejects %s', (_name, value) => {
    expect(parseTraceParent(value)).toBeUndefined();
  });
});

describe('formatTraceParent', () => {
  it('formats version 00', () => {
    expect(formatTraceParent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 })).toBe(VALID);
    expect(formatTraceParent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 })).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  it('round-trips the random flag: 03 stays 03', () => {
    const value = `00-${TRACE_ID}-${SPAN_ID}-03`;
    expect(formatTraceParent(parseTraceParent(value)!)).toBe(value);
    expect(formatTraceParent(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-02`)!)).toBe(`00-${TRACE_ID}-${SPAN_ID}-02`);
  });

  it('zeroes flag bits the spec does not define', () => {
    expect(formatTraceParent(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-ff`)!)).toBe(`00-${TRACE_ID}-${SPAN_ID}-03`);
    expect(formatTraceParent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0x08 })).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  it('downgrades a future version to 00', () => {
    const parsed = parseTraceParent(`cc-${TRACE_ID}-${SPAN_ID}-01-extra`)!;
    expect(formatTraceParent(parsed)).toBe(VALID);
  });

  it('returns an empty string for invalid ids rather than a malformed header', () => {
    expect(formatTraceParent({ traceId: 'x', spanId: SPAN_ID, traceFlags: 1 })).toBe('');
    expect(formatTraceParent({ traceId: TRACE_ID, spanId: '0'.repeat(16), traceFlags: 1 })).toBe('');
    expect(formatTraceParent(undefined as unknown as { traceId: string; spanId: string; traceFlags: number })).toBe('');
  });
});
