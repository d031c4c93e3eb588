/**
 * Default latency bucket bounds in seconds: OpenTelemetry's advice for `rpc.client.call.duration`
 * and `rpc.server.call.duration`, so dashboards built for OpenTelemetry RPC metrics line up.
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);

/** Default message-size bucket bounds in bytes: powers of 4 from 64 B to 16 MiB. */
export const DEFAULT_SIZE_BUCKETS: readonly number[] = Object.freeze([64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216]);

/**
 * Checks bucket bounds given as an option and returns a frozen copy. Throws a `TypeError` naming
 * `option` unless `bounds` is a non-empty array of finite, strictly increasing numbers (the
 * `+Inf` bucket is always added, so it must not be listed).
 */
export function normalizeBuckets(bounds: unknown, option: string): readonly number[] {
  if (!Array.isArray(bounds) || bounds.length === 0) {
    throw new TypeError(`isotrace: ${option} must be a non-empty array of bucket upper bounds, got ${describe(bounds)}`);
  }
  bounds.forEach((bound: unknown, i) => {
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new TypeError(`isotrace: ${option}[${i}] must be a finite number (+Inf is implicit), got ${describe(bound)}`);
    }
    if (i > 0 && bound <= bounds[i - 1]) {
      throw new TypeError(`isotrace: ${option} must be strictly increasing, but [${i}] = ${bound} follows ${bounds[i - 1]}`);
    }
  });
  return Object.freeze([...(bounds as number[])]);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length === 0 ? '' : '…'}]`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * A fixed-bucket histogram. Buckets hold per-bucket (not cumulative) counts so `observe` touches
 * one slot; the cumulative view Prometheus wants is computed at export time, which is rare.
 */
export class Histogram {
  /** Per-bucket counts; the last slot is the `+Inf` bucket. */
  readonly counts: Float64Array;
  /** The sum of every observed value. */
  sum = 0;
  /** How many values were observed. */
  count = 0;

  constructor(
    /** Upper bounds (inclusive, as Prometheus's `le`), strictly increasing, without `+Inf`. */
    readonly bounds: readonly number[],
  ) {
    // Float64Array: counts stay exact up to 2^53, well past any process lifetime.
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Adds `value` to the first bucket whose bound is at least `value`; non-finite values are ignored. */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.bounds;
    // A linear scan beats a binary search for the dozen-or-so buckets histograms have here.
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.counts[i]++;
    this.sum += value;
    this.count++;
  }

  /** A plain-data copy with cumulative counts, as Prometheus exposes them. */
  snapshot(): HistogramSnapshot {
    const cumulative: number[] = [];
    let running = 0;
    for (const c of this.counts) cumulative.push((running += c));
    return { bounds: [...this.bounds], counts: cumulative, sum: this.sum, count: this.count };
  }
}

/** A histogram's state as plain data (JSON-safe: the `+Inf` bound is implied, not written). */
export interface HistogramSnapshot {
  /** Upper bounds, without `+Inf`. */
  bounds: number[];
  /** Cumulative counts: `counts[i]` values were `<= bounds[i]`; the last entry is the `+Inf` bucket. */
  counts: number[];
  /** The sum of observed values. */
  sum: number;
  /** How many values were observed (equal to the last entry of `counts`). */
  count: number;
}
