import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../../src/context/context.js';
import { createRPCInfo, withRPCInfo, type RPCSide } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { StatsLevel } from '../../../src/rpcinfo/stats-level.js';
import { traceCall } from '../../../src/client/trace-call.js';
import { createMetricsTracer, type MetricsTracer } from '../../../src/tracers/metrics/metrics-tracer.js';

const T0 = 1_700_000_000_000;

interface Call {
  side?: RPCSide;
  service?: string;
  method?: string;
  /** Milliseconds from RPCStart to RPCFinish; no events when omitted. */
  ms?: number;
  error?: unknown;
  finishStatus?: 'info' | 'error';
  send?: number;
  recv?: number;
  statsLevel?: StatsLevel;
}

/** Runs one hand-built call through `tracer`, with explicit event times: no clock in these tests. */
function call(tracer: MetricsTracer, c: Call = {}): void {
  const ri = createRPCInfo({ side: c.side ?? 'client', to: { serviceName: c.service ?? 'users', method: c.method ?? 'Get' }, statsLevel: c.statsLevel });
  const ctx = withRPCInfo(ROOT_CONTEXT, ri);
  if (c.ms !== undefined) ri.stats.record(stats.RPCStart, 'info', '', T0);
  const returned = tracer.start(ctx);
  expect(returned).toBe(ctx);
  ri.stats.sendSize = c.send ?? 0;
  ri.stats.recvSize = c.recv ?? 0;
  ri.stats.error = c.error;
  if (c.ms !== undefined) ri.stats.record(stats.RPCFinish, c.finishStatus ?? (c.error === undefined ? 'info' : 'error'), '', T0 + c.ms);
  tracer.finish(returned);
}

describe('createMetricsTracer', () => {
  it('counts calls per side, service, method and status', () => {
    const m = createMetricsTracer();
    call(m, { ms: 1 });
    call(m, { ms: 1 });
    call(m, { ms: 1, method: 'List' });
    call(m, { ms: 1, side: 'server' });
    const counts = m.snapshot().series.map((s) => [s.side, s.service, s.method, s.status, s.calls]);
    expect(counts).toEqual([
      ['client', 'users', 'Get', 'ok', 2],
      ['client', 'users', 'List', 'ok', 1],
      ['server', 'users', 'Get', 'ok', 1],
    ]);
    expect(m.toPrometheus()).toContain('isotrace_rpc_calls_total{side="client",service="users",method="Get",status="ok"} 2\n');
  });

  it('names the service and method after ri.invocation, falling back to ri.to', () => {
    const m = createMetricsTracer();
    const ri = createRPCInfo({
      side: 'client',
      to: { serviceName: 'host:8080', method: 'POST /rpc' },
      invocation: { service: 'acme.v1.Users', method: 'Get' },
    });
    m.finish(withRPCInfo(ROOT_CONTEXT, ri));
    expect(m.snapshot().series[0]).toMatchObject({ service: 'acme.v1.Users', method: 'Get' });
  });

  it('fills latency buckets cumulatively, with inclusive bounds, in seconds', () => {
    const m = createMetricsTracer();
    for (const ms of [3, 10, 60, 20_000]) call(m, { ms });
    const { duration } = m.snapshot().series[0];
    // Bounds 0.005, 0.01, 0.025, 0.05, 0.075, …, 10: 3 ms → 0.005, 10 ms → 0.01 (le is inclusive), 60 ms → 0.075, 20 s → +Inf.
    expect(duration.counts).toEqual([1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4]);
    expect(duration.count).toBe(4);
    expect(duration.sum).toBeCloseTo(20.073, 9);
    const text = m.toPrometheus();
    const labels = 'side="client",service="users",method="Get",status="ok"';
    expect(text).toContain(`isotrace_rpc_duration_seconds_bucket{${labels},le="0.01"} 2\n`);
    expect(text).toContain(`isotrace_rpc_duration_seconds_bucket{${labels},le="10"} 3\n`);
    expect(text).toContain(`isotrace_rpc_duration_seconds_bucket{${labels},le="+Inf"} 4\n`);
    expect(text).toContain(`isotrace_rpc_duration_seconds_count{${labels}} 4\n`);
    expect(text).toMatch(new RegExp(`isotrace_rpc_duration_seconds_sum\\{${labels}\\} 20\\.07\\d*\\n`));
  });

  it('maps sendSize and recvSize to request and response by side', () => {
    const m = createMetricsTracer();
    call(m, { ms: 1, side: 'client', send: 100, recv: 5000 });
    call(m, { ms: 1, side: 'server', send: 5000, recv: 100 });
    for (const s of m.snapshot().series) {
      expect(s.requestSize).toMatchObject({ sum: 100, count: 1 });
      expect(s.responseSize).toMatchObject({ sum: 5000, count: 1 });
      // 100 B is over 64 and within 256; 5000 B within 16 KiB.
      expect(s.requestSize.counts.slice(0, 2)).toEqual([0, 1]);
      expect(s.responseSize.counts.slice(0, 5)).toEqual([0, 0, 0, 0, 1]);
    }
  });

  it('labels a call error when ri.stats.error is set or RPCFinish was recorded as an error', () => {
    const m = createMetricsTracer();
    call(m, { ms: 1 });
    call(m, { ms: 1, error: new Error('boom') });
    call(m, { ms: 1, finishStatus: 'error' });
    call(m, { error: 'no events at all' });
    expect(m.snapshot().series.map((s) => [s.status, s.calls])).toEqual([
      ['ok', 1],
      ['error', 3],
    ]);
    expect(m.toPrometheus()).toContain('isotrace_rpc_calls_total{side="client",service="users",method="Get",status="error"} 3\n');
  });

  it('at StatsLevel.Disabled counts the call and its sizes but does not time it', () => {
    const m = createMetricsTracer();
    call(m, { ms: 5, statsLevel: StatsLevel.Disabled, send: 10 });
    const [s] = m.snapshot().series;
    expect(s.calls).toBe(1);
    expect(s.duration.count).toBe(0);
    expect(s.requestSize.count).toBe(1);
    const text = m.toPrometheus();
    expect(text).toContain('# TYPE isotrace_rpc_duration_seconds histogram\n');
    expect(text).not.toContain('isotrace_rpc_duration_seconds_bucket');
  });

  it('keeps at most maxLabelSets label sets and counts the calls turned away', () => {
    const m = createMetricsTracer({ maxLabelSets: 2 });
    call(m, { method: 'A' });
    call(m, { method: 'B' });
    call(m, { method: 'C' });
    call(m, { method: 'C', error: new Error('x') });
    call(m, { method: 'A' }); // an existing label set is still counted
    const snap = m.snapshot();
    expect(snap.series.map((s) => [s.method, s.calls])).toEqual([
      ['A', 2],
      ['B', 1],
    ]);
    expect(snap.overflow).toBe(2);
    expect(m.toPrometheus()).toContain('\nisotrace_metrics_label_overflow_total 2\n');
  });

  it('does not grow with distinct label sets past the cap', () => {
    const m = createMetricsTracer({ maxLabelSets: 10 });
    for (let i = 0; i < 5000; i++) call(m, { service: `svc-${i}`, method: `m-${i}` });
    expect(m.snapshot().series).toHaveLength(10);
    expect(m.snapshot().overflow).toBe(4990);
  });

  it('escapes backslash, double quote and newline in label values', () => {
    const m = createMetricsTracer();
    call(m, { service: 'a\\b"c\nd', method: 'M' });
    expect(m.toPrometheus()).toContain('isotrace_rpc_calls_total{side="client",service="a\\\\b\\"c\\nd",method="M",status="ok"} 1\n');
    expect(m.snapshot().series[0].service).toBe('a\\b"c\nd');
  });

  it('takes custom buckets and a prefix', () => {
    const m = createMetricsTracer({ buckets: [0.1, 1], sizeBuckets: [10], prefix: 'app' });
    call(m, { ms: 500, send: 20 });
    const text = m.toPrometheus();
    expect(text).toContain('app_rpc_duration_seconds_bucket{side="client",service="users",method="Get",status="ok",le="1"} 1\n');
    expect(text).toContain('app_rpc_request_size_bytes_bucket{side="client",service="users",method="Get",status="ok",le="10"} 0\n');
    expect(text).not.toContain('isotrace_');
    expect(createMetricsTracer({ prefix: '' }).toPrometheus()).toMatch(/^# HELP rpc_calls_total /);
  });

  it('reset() forgets every label set and the overflow count', () => {
    const m = createMetricsTracer({ maxLabelSets: 1 });
    call(m, { method: 'A' });
    call(m, { method: 'B' });
    m.reset();
    expect(m.snapshot()).toEqual({ series: [], overflow: 0 });
    call(m, { method: 'B' });
    expect(m.snapshot().series.map((s) => s.method)).toEqual(['B']);
  });

  it('ignores a context without an RPCInfo', () => {
    const m = createMetricsTracer();
    m.finish(m.start(ROOT_CONTEXT));
    expect(m.snapshot().series).toEqual([]);
  });

  it('counts a real traceCall once, timed from its own RPCStart and RPCFinish', async () => {
    const m = createMetricsTracer();
    await traceCall({ tracers: [m], callee: 'users', method: 'Get' }, async () => 1);
    await expect(traceCall({ tracers: [m], callee: 'users', method: 'Get' }, async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(m.snapshot().series.map((s) => [s.status, s.calls, s.duration.count])).toEqual([
      ['ok', 1, 1],
      ['error', 1, 1],
    ]);
  });

  it.each([
    ['a non-object', 'fast', /takes an options object/],
    ['maxLabelSets 0', { maxLabelSets: 0 }, /maxLabelSets must be a positive integer, got 0/],
    ['maxLabelSets 1.5', { maxLabelSets: 1.5 }, /maxLabelSets must be a positive integer/],
    ['a prefix with a dash', { prefix: 'my-app' }, /prefix must be '' or a metric name/],
    ['a prefix with a colon', { prefix: 'a:b' }, /prefix must be/],
    ['bad buckets', { buckets: [2, 1] }, /buckets must be strictly increasing/],
    ['bad sizeBuckets', { sizeBuckets: [] }, /sizeBuckets must be a non-empty array/],
  ])('throws a TypeError for %s', (_, options, message) => {
    expect(() => createMetricsTracer(options as never)).toThrow(TypeError);
    expect(() => createMetricsTracer(options as never)).toThrow(message);
  });
});
