import type { Histogram } from './histogram.js';

// Colons are valid in metric names but reserved for recording rules, so names here never use them.
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NEEDS_ESCAPE = /[\\"\n]/;

/** Whether `name` is a valid Prometheus metric name (without the colons reserved for recording rules). */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** A label value escaped for the text format: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  // Most values need nothing; testing first skips three replace passes.
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `# HELP` text escaped for the text format: backslash and line feed. */
export function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as the text format writes it: `+Inf`, `-Inf`, `NaN`, or a Go-parsable float. */
export function formatValue(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  // String(n) gives `1e-7` / `1e+21` forms for extremes, which Prometheus's float parser accepts.
  return Number.isNaN(value) ? 'NaN' : String(value);
}

/** `name="value",…` for the given pairs, values escaped; computed once per label set, not per call. */
export function formatLabels(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
}

/** The `le="…"` label of each bucket bound, plus the final `le="+Inf"`. */
export function formatLeLabels(bounds: readonly number[]): string[] {
  return [...bounds.map((b) => `le="${formatValue(b)}"`), 'le="+Inf"'];
}

/** Appends the `# HELP` and `# TYPE` lines that open a metric family. */
export function writeFamilyHeader(out: string[], name: string, type: 'counter' | 'histogram', help: string): void {
  out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
}

/** Appends one sample line; `labels` is the output of {@link formatLabels} (may be empty). */
export function writeSample(out: string[], name: string, labels: string, value: number): void {
  out.push(labels === '' ? `${name} ${formatValue(value)}` : `${name}{${labels}} ${formatValue(value)}`);
}

/** One histogram series, for {@link writeHistogram}. */
export interface HistogramSeries {
  /** The metric family's name. */
  name: string;
  /** The output of {@link formatLabels} (may be empty). */
  labels: string;
  histogram: Histogram;
  /** {@link formatLeLabels} of the histogram's bounds. */
  le: readonly string[];
}

/** Appends one histogram series: cumulative `_bucket` lines ending with `le="+Inf"`, then `_sum` and `_count`. */
export function writeHistogram(out: string[], series: HistogramSeries): void {
  const { name, labels, histogram, le } = series;
  const prefix = labels === '' ? `${name}_bucket{` : `${name}_bucket{${labels},`;
  let cumulative = 0;
  for (let i = 0; i < histogram.counts.length; i++) {
    cumulative += histogram.counts[i];
    out.push(`${prefix}${le[i]}} ${formatValue(cumulative)}`);
  }
  writeSample(out, `${name}_sum`, labels, histogram.sum);
  writeSample(out, `${name}_count`, labels, histogram.count);
}
