// @ts-check
// From collected spans to a waterfall: one row per span, depth-first from the root, children by
// start time, with offsets and durations relative to the trace. Shared by the collector's
// /api/traces endpoint (the demo page draws these rows), the terminal renderer and the tests.

/**
 * @typedef {import('./collector.mjs').CollectedSpan} CollectedSpan
 * @typedef {object} WaterfallRow
 * @property {number} depth
 * @property {string} spanId
 * @property {string | undefined} parentSpanId
 * @property {boolean} orphan        its parent is not in the trace (yet)
 * @property {string} service
 * @property {string} name
 * @property {string} kind
 * @property {string} transport      `isotrace.transport` (fetch, http, websocket, …) or ''
 * @property {number} offsetMs       start, from the trace's start
 * @property {number} durationMs
 * @property {boolean} error
 * @property {string} errorText      status message, else `error.type`
 * @property {number | undefined} httpStatus
 * @property {number | undefined} requestBytes
 * @property {number | undefined} responseBytes
 * @property {{ name: string, offsetMs: number }[]} events
 * @typedef {object} TraceView
 * @property {string} traceId
 * @property {string} rootName
 * @property {string} rootService
 * @property {number} start          epoch ms
 * @property {number} durationMs
 * @property {number} spanCount
 * @property {boolean} error
 * @property {string[]} services     in order of first appearance in the rows
 * @property {WaterfallRow[]} rows
 */

/** @param {CollectedSpan} span */
function errorText(span) {
  if (span.status.code !== 'error') return '';
  const status = span.attributes['http.response.status_code'];
  const type = String(span.attributes['error.type'] ?? '');
  const text = span.status.message || (typeof status === 'number' && status >= 400 ? `HTTP ${status}` : type || 'error');
  // A system error code says more than "fetch failed": keep it.
  return /^E[A-Z0-9_]+$/.test(type) && !text.includes(type) ? `${text} (${type})` : text;
}

/** @param {unknown} value */
const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * @param {readonly CollectedSpan[]} spans  the spans of one trace
 * @returns {TraceView}
 */
export function buildTraceView(spans) {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  /** @type {Map<string, CollectedSpan[]>} */
  const children = new Map();
  /** @type {CollectedSpan[]} */
  const roots = [];
  for (const span of spans) {
    if (span.parentSpanId !== undefined && byId.has(span.parentSpanId)) {
      let list = children.get(span.parentSpanId);
      if (!list) children.set(span.parentSpanId, (list = []));
      list.push(span);
    } else {
      roots.push(span);
    }
  }
  const byStart = (/** @type {CollectedSpan} */ a, /** @type {CollectedSpan} */ b) => a.startTime - b.startTime || a.endTime - b.endTime;
  // The true root first (no parent at all), then orphans whose parent has not arrived.
  roots.sort((a, b) => Number(a.parentSpanId !== undefined) - Number(b.parentSpanId !== undefined) || byStart(a, b));
  const start = Math.min(...spans.map((s) => s.startTime));
  const end = Math.max(...spans.map((s) => s.endTime));

  /** @type {WaterfallRow[]} */
  const rows = [];
  const seen = new Set();
  /** @param {CollectedSpan} span @param {number} depth */
  const visit = (span, depth) => {
    if (seen.has(span.spanId)) return; // a cycle would be a bug elsewhere; never loop on it
    seen.add(span.spanId);
    const a = span.attributes;
    rows.push({
      depth,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      orphan: span.parentSpanId !== undefined && !byId.has(span.parentSpanId),
      service: span.service,
      name: span.name,
      kind: span.kind,
      transport: String(a['isotrace.transport'] ?? ''),
      offsetMs: span.startTime - start,
      durationMs: span.durationMs,
      error: span.status.code === 'error',
      errorText: errorText(span),
      httpStatus: num(a['http.response.status_code']),
      requestBytes: num(a['http.request.body.size'] ?? a['rpc.request.size']),
      responseBytes: num(a['http.response.body.size'] ?? a['rpc.response.size']),
      events: span.events.map((e) => ({ name: e.name, offsetMs: e.time - start })),
    });
    for (const child of (children.get(span.spanId) ?? []).sort(byStart)) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);

  const root = roots[0];
  return {
    traceId: spans[0]?.traceId ?? '',
    rootName: root?.name ?? '',
    rootService: root?.service ?? '',
    start,
    durationMs: end - start,
    spanCount: spans.length,
    error: spans.some((s) => s.status.code === 'error'),
    services: [...new Set(rows.map((r) => r.service))],
    rows,
  };
}
