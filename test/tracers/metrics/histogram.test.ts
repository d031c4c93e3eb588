import { describe, expect, it } from 'vitest';
import { DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS, Histogram, normalizeBuckets } from '../../../src/tracers/metrics/histogram.js';

describe('Histogram', () => {
  it('puts a value in the first bucket whose bound is at least the value (bounds are inclusive)', () => {
    const h = new Histogram([1, 2, 5]);
    for (const v of [0, 1, 1.5, 2, 5, 5.0001, 100]) h.observe(v);
    expect([...h.counts]).toEqual([2, 2, 1, 2]);
    expect(h.count).toBe(7);
    expect(h.sum).toBeCloseTo(114.5001, 10);
  });

  it('snapshots cumulative counts, the last one being the +Inf bucket', () => {
    const h = new Histogram([1, 2, 5]);
    for (const v of [0.5, 3, 3, 9]) h.observe(v);
    expect(h.snapshot()).toEqual({ bounds: [1, 2, 5], counts: [1, 1, 3, 4], sum: 15.5, count: 4 });
    // Plain data: JSON round-trips it unchanged (no Infinity to turn into null).
    expect(JSON.parse(JSON.stringify(h.snapshot()))).toEqual(h.snapshot());
  });

  it('ignores values that are not finite', () => {
    const h = new Histogram([1]);
    h.observe(NaN);
    h.observe(Infinity);
    expect(h.count).toBe(0);
    expect(h.sum).toBe(0);
  });
});

describe('default buckets', () => {
  it('latency follows OpenTelemetry RPC duration advice, 5 ms to 10 s', () => {
    expect(DEFAULT_DURATION_BUCKETS).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
  });

  it('sizes are powers of 4 from 64 B to 16 MiB', () => {
    expect(DEFAULT_SIZE_BUCKETS).toEqual(Array.from({ length: 10 }, (_, i) => 64 * 4 ** i));
    expect(DEFAULT_SIZE_BUCKETS.at(-1)).toBe(16 * 1024 * 1024);
  });

  it("are frozen, so one tracer cannot change another one's buckets", () => {
    expect(Object.isFrozen(DEFAULT_DURATION_BUCKETS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SIZE_BUCKETS)).toBe(true);
  });
});

describe('normalizeBuckets', () => {
  it('returns a frozen copy of valid bounds', () => {
    const given = [0.1, 1, 10];
    const bounds = normalizeBuckets(given, 'buckets');
    expect(bounds).toEqual(given);
    expect(bounds).not.toBe(given);
    expect(Object.isFrozen(bounds)).toBe(true);
  });

  it.each([
    ['not an array', 5, /buckets must be a non-empty array/],
    ['empty', [], /buckets must be a non-empty array/],
    ['a string bound', [1, '2'], /buckets\[1\] must be a finite number/],
    ['NaN', [NaN], /buckets\[0\] must be a finite number/],
    ['+Inf listed', [1, Infinity], /\+Inf is implicit/],
    ['unsorted', [1, 3, 2], /strictly increasing, but \[2\] = 2 follows 3/],
    ['a duplicate', [1, 1], /strictly increasing/],
  ])('throws a TypeError for %s', (_, value, message) => {
    expect(() => normalizeBuckets(value, 'buckets')).toThrow(TypeError);
    expect(() => normalizeBuckets(value, 'buckets')).toThrow(message);
  });
});
