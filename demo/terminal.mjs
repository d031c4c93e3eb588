// @ts-check
// Terminal rendering for the demo: a trace as a waterfall (one line per span, indented by depth,
// with a duration bar scaled to the trace) and the metrics tracer's snapshot as a table.

/** @typedef {import('../e2e/waterfall.mjs').TraceView} TraceView */
/** @typedef {import('isotrace').MetricsSnapshot} MetricsSnapshot */

const ESC = '\u001b[';
const SERVICE_COLORS = { web: 34, gateway: 35, realtime: 36, backend: 33 }; // blue, magenta, cyan, yellow

/** @param {boolean} on */
function painter(on) {
  /** @param {number | string} code @param {string} text */
  return (code, text) => (on ? `${ESC}${code}m${text}${ESC}0m` : text);
}

/** Whether to color: a TTY without NO_COLOR, or FORCE_COLOR. */
export function colorByDefault(stream = process.stdout) {
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

/** @param {number} ms */
export function formatMs(ms) {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/** @param {string} text @param {number} width */
function fit(text, width) {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/**
 * One trace as a waterfall.
 * @param {TraceView} view
 * @param {{ width?: number, color?: boolean, title?: string }} [options]  width: bar cells (default 40)
 */
export function renderWaterfall(view, options = {}) {
  const width = options.width ?? 40;
  const paint = painter(options.color ?? false);
  const total = Math.max(view.durationMs, 0.001);
  const serviceWidth = Math.max(7, ...view.rows.map((r) => r.service.length));
  const nameWidth = Math.min(52, Math.max(...view.rows.map((r) => r.depth * 2 + r.name.length)));
  const lines = [];
  const errors = view.rows.filter((r) => r.error).length;
  const status = errors ? paint(31, `✗ ${errors} error span${errors > 1 ? 's' : ''}`) : paint(32, '✓ ok');
  lines.push(
    `${paint(1, options.title ?? view.rootName)}  trace ${view.traceId.slice(0, 8)}…${view.traceId.slice(-4)}  ${view.spanCount} spans  ${formatMs(view.durationMs)} ms  ${status}`,
  );
  const scale = `0 ms${' '.repeat(Math.max(1, width - 4 - `${formatMs(view.durationMs)} ms`.length))}${formatMs(view.durationMs)} ms`;
  lines.push(paint(2, `  ${'service'.padEnd(serviceWidth)}  ${'span'.padEnd(nameWidth)}  ${'kind'.padEnd(8)}  ${scale}`));
  for (const row of view.rows) {
    let from = Math.floor((row.offsetMs / total) * width);
    let to = Math.ceil(((row.offsetMs + row.durationMs) / total) * width);
    from = Math.min(Math.max(from, 0), width - 1);
    to = Math.min(Math.max(to, from + 1), width);
    const bar = `${'·'.repeat(from)}${'█'.repeat(to - from)}${'·'.repeat(width - to)}`;
    const code = row.error ? 31 : (SERVICE_COLORS[/** @type {keyof typeof SERVICE_COLORS} */ (row.service)] ?? 37);
    const name = fit(`${'  '.repeat(row.depth)}${row.name}`, nameWidth);
    const error = row.error ? `  ${paint(31, `✗ ${fit(row.errorText.replace(/^isotrace: /, ''), 72).trimEnd()}`)}` : '';
    lines.push(
      `  ${paint(code, row.service.padEnd(serviceWidth))}  ${name}  ${row.kind.padEnd(8)}  ${paint(2, '│')}${paint(code, bar)}${paint(2, '│')} ${formatMs(row.durationMs).padStart(6)} ms${error}`,
    );
  }
  return lines.join('\n');
}

/**
 * The upper bound of the bucket holding the `q` quantile, as Prometheus's histogram_quantile
 * would bound it; `Infinity` when it is the +Inf bucket.
 * @param {{ bounds: number[], counts: number[], count: number }} histogram  cumulative counts
 * @param {number} q
 */
export function quantileBound(histogram, q) {
  if (histogram.count === 0) return NaN;
  const rank = q * histogram.count;
  const i = histogram.counts.findIndex((c) => c >= rank);
  return i < 0 || i >= histogram.bounds.length ? Infinity : histogram.bounds[i];
}

/**
 * The metrics tracer's snapshot as a table: one line per label set.
 * @param {MetricsSnapshot} snapshot
 * @param {{ color?: boolean }} [options]
 */
export function renderMetrics(snapshot, options = {}) {
  const paint = painter(options.color ?? false);
  const header = ['side', 'service', 'method', 'status', 'calls', 'avg ms', 'p95 ≤', 'req B', 'resp B'];
  const series = [...snapshot.series].sort(
    (a, b) => a.service.localeCompare(b.service) || a.method.localeCompare(b.method) || a.side.localeCompare(b.side) || a.status.localeCompare(b.status),
  );
  const rows = series.map((s) => {
    const d = s.duration;
    const p95 = quantileBound(d, 0.95);
    const avgBytes = (/** @type {{ sum: number, count: number }} */ h) => (h.count ? String(Math.round(h.sum / h.count)) : '-');
    return [
      s.side,
      s.service,
      s.method,
      s.status,
      String(s.calls),
      d.count ? formatMs((d.sum / d.count) * 1000) : '-',
      Number.isNaN(p95) ? '-' : p95 === Infinity ? '+Inf' : `${Number((p95 * 1000).toFixed(1))} ms`,
      avgBytes(s.requestSize),
      avgBytes(s.responseSize),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([4, 5, 6, 7, 8]);
  const line = (/** @type {string[]} */ cells) => `  ${cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')}`;
  const out = [paint(2, line(header))];
  for (const r of rows) out.push(r[3] === 'error' ? paint(31, line(r)) : line(r));
  if (snapshot.overflow) out.push(`  (+${snapshot.overflow} calls over the label-set limit)`);
  return out.join('\n');
}
