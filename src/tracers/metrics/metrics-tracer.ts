import type { Context } from '../../context/context.js';
import { getRPCInfo, type RPCSide } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { rpcMethod, rpcOutcome } from '../../rpcinfo/conventions/rpc-conventions.js';
import type { Tracer } from '../../tracer/tracer.js';
import { DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS, Histogram, normalizeBuckets, type HistogramSnapshot } from './histogram.js';
import { formatLeLabels, isValidMetricName, writeFamilyHeader, writeHistogram, writeSample } from './prometheus.js';
import { createSeriesStore, type MetricsStatus, type Series } from './series.js';

export type { MetricsStatus } from './series.js';

/** Options of {@link createMetricsTracer}. */
export interface MetricsTracerOptions {
  /** Latency bucket bounds in seconds; default {@link DEFAULT_DURATION_BUCKETS} (5 ms … 10 s). */
  buckets?: readonly number[];
  /** Request and response size bucket bounds in bytes; default {@link DEFAULT_SIZE_BUCKETS} (64 B … 16 MiB). */
  sizeBuckets?: readonly number[];
  /** The most distinct label sets kept; calls beyond are only counted as overflow. Default 1000. */
  maxLabelSets?: number;
  /** Prefix of every metric name, joined with `_`; `''` for none. Default `isotrace`. */
  prefix?: string;
}

/** One label set's metrics, as plain data. */
export interface MetricsSeriesSnapshot {
  side: RPCSide;
  service: string;
  method: string;
  status: MetricsStatus;
  /** Calls finished. */
  calls: number;
  /** Latency in seconds; empty for calls made at `StatsLevel.Disabled`. */
  duration: HistogramSnapshot;
  /** Request body bytes: sent by a client, received by a server. */
  requestSize: HistogramSnapshot;
  /** Response body bytes: received by a client, sent by a server. */
  responseSize: HistogramSnapshot;
}

/** Everything a {@link MetricsTracer} holds, as plain data (for tests and JSON endpoints). */
export interface MetricsSnapshot {
  /** One entry per label set, in the order the label sets first appeared. */
  series: MetricsSeriesSnapshot[];
  /** Calls not counted per label set because `maxLabelSets` was reached. */
  overflow: number;
}

/** A {@link Tracer} that counts RPCs and records their latency and sizes for Prometheus. */
export interface MetricsTracer extends Tracer {
  /** Every metric in Prometheus text exposition format 0.0.4. */
  toPrometheus(): string;
  /** Every metric as plain data. */
  snapshot(): MetricsSnapshot;
  /** Forgets every label set and zeroes the overflow count. */
  reset(): void;
}

function assertOptions(options: unknown): asserts options is MetricsTracerOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`isotrace: createMetricsTracer(options) takes an options object, got ${String(options)}`);
  }
  const { maxLabelSets, prefix }: { maxLabelSets?: unknown; prefix?: unknown } = options ?? {};
  if (maxLabelSets !== undefined && !(Number.isSafeInteger(maxLabelSets) && (maxLabelSets as number) >= 1)) {
    throw new TypeError(`isotrace: maxLabelSets must be a positive integer, got ${String(maxLabelSets)}`);
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || (prefix !== '' && !isValidMetricName(prefix)))) {
    throw new TypeError(`isotrace: prefix must be '' or a metric name ([a-zA-Z_][a-zA-Z0-9_]*), got ${JSON.stringify(prefix)}`);
  }
}

const identity = (ctx: Context): Context => ctx;

/**
 * A tracer that keeps, per label set (`side`, `service`, `method`, `status`), a call counter, a
 * latency histogram (RPCStart → RPCFinish, in seconds) and request and response size histograms
 * (bytes), and renders them as Prometheus text.
 *
 * Labels: `side` is `client` or `server`; `service` and `method` are `ri.invocation`'s (falling
 * back to `ri.to`'s): the callee's on the client side, this service's own on the server side; a
 * REST request a server serves is `GET /users/:id` when its route is known, else `GET` (`rpcMethod`);
 * `status` is `ok` or `error`, by the rule spans follow too (`rpcOutcome`: a gRPC or Connect status,
 * a JSON-RPC error, a client 4xx, any 5xx). The caller is deliberately not a label: it would multiply the
 * series of every server method by its number of clients. Sizes are `ri.stats.sendSize` and
 * `recvSize`, mapped to request/response by side; a transport that measures nothing reports 0.
 *
 * All work happens in `finish`; `start` returns `ctx` unchanged. At `StatsLevel.Disabled` no
 * RPCStart/RPCFinish is recorded, so the call is counted but not timed. Memory is bounded: at
 * most `maxLabelSets` label sets are kept; calls that would add one more are counted only in
 * `<prefix>_metrics_label_overflow_total`. Method names must therefore be bounded: a fetch to a
 * non-RPC path is named `GET /users/42` by default, so name such routes with `traceFetch`'s
 * `describe` option, or the cap fills with one label set per URL (servers name them by route).
 *
 * @example
 * const metrics = createMetricsTracer();
 * await traceCall({ tracers: [metrics], callee: 'users', method: 'Get' }, () => getUser(1));
 * http.createServer(metricsHandler(metrics)).listen(9464); // from the Node entry
 */
export function createMetricsTracer(options?: MetricsTracerOptions): MetricsTracer {
  assertOptions(options);
  const durationBounds = options?.buckets === undefined ? DEFAULT_DURATION_BUCKETS : normalizeBuckets(options.buckets, 'buckets');
  const sizeBounds = options?.sizeBuckets === undefined ? DEFAULT_SIZE_BUCKETS : normalizeBuckets(options.sizeBuckets, 'sizeBuckets');
  const store = createSeriesStore({
    maxLabelSets: options?.maxLabelSets ?? 1000,
    newSeries: () => ({
      calls: 0,
      duration: new Histogram(durationBounds),
      requestSize: new Histogram(sizeBounds),
      responseSize: new Histogram(sizeBounds),
    }),
  });
  const prefix = options?.prefix ?? 'isotrace';
  const name = (suffix: string) => (prefix === '' ? suffix : `${prefix}_${suffix}`);
  const names = {
    calls: name('rpc_calls_total'),
    duration: name('rpc_duration_seconds'),
    requestSize: name('rpc_request_size_bytes'),
    responseSize: name('rpc_response_size_bytes'),
    overflow: name('metrics_label_overflow_total'),
  };
  const durationLe = formatLeLabels(durationBounds);
  const sizeLe = formatLeLabels(sizeBounds);

  function finish(ctx: Context): void {
    const ri = getRPCInfo(ctx);
    if (ri === undefined) return;
    const s = ri.stats;
    const end = s.getEvent(stats.RPCFinish);
    // The rule every tracer shares (protocol statuses, a client 4xx, any 5xx), as spans say.
    const failed = rpcOutcome(ri).failed;
    const series = store.get(ri.side, ri.invocation.service || ri.to.serviceName, rpcMethod(ri), failed);
    if (series === undefined) return; // counted as overflow by the store
    series.calls++;
    const start = s.getEvent(stats.RPCStart);
    if (start !== undefined && end !== undefined) series.duration.observe((end.time - start.time) / 1000);
    const client = ri.side === 'client';
    series.requestSize.observe(client ? s.sendSize : s.recvSize);
    series.responseSize.observe(client ? s.recvSize : s.sendSize);
  }

  function toPrometheus(): string {
    const all = store.all();
    const out: string[] = [];
    writeFamilyHeader(out, names.calls, 'counter', 'RPCs finished, by side (client or server), service, method and status (ok or error).');
    for (const s of all) writeSample(out, names.calls, s.labels, s.calls);
    writeFamilyHeader(out, names.duration, 'histogram', 'RPC latency from RPCStart to RPCFinish in seconds; calls at StatsLevel.Disabled are not timed.');
    // An untimed label set (only StatsLevel.Disabled calls) is left out rather than shown as zeros.
    for (const s of all) if (s.duration.count > 0) writeHistogram(out, { name: names.duration, labels: s.labels, histogram: s.duration, le: durationLe });
    writeFamilyHeader(out, names.requestSize, 'histogram', 'RPC request body size in bytes: sent by a client, received by a server.');
    for (const s of all) writeHistogram(out, { name: names.requestSize, labels: s.labels, histogram: s.requestSize, le: sizeLe });
    writeFamilyHeader(out, names.responseSize, 'histogram', 'RPC response body size in bytes: received by a client, sent by a server.');
    for (const s of all) writeHistogram(out, { name: names.responseSize, labels: s.labels, histogram: s.responseSize, le: sizeLe });
    writeFamilyHeader(out, names.overflow, 'counter', 'RPCs left out of the per-label metrics because maxLabelSets label sets were already kept.');
    writeSample(out, names.overflow, '', store.overflow());
    out.push('');
    return out.join('\n');
  }

  function snapshot(): MetricsSnapshot {
    return {
      series: store.all().map((s: Series) => ({
        side: s.side,
        service: s.service,
        method: s.method,
        status: s.status,
        calls: s.calls,
        duration: s.duration.snapshot(),
        requestSize: s.requestSize.snapshot(),
        responseSize: s.responseSize.snapshot(),
      })),
      overflow: store.overflow(),
    };
  }

  return { start: identity, finish, toPrometheus, snapshot, reset: store.reset };
}
