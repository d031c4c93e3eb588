import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../../src/context/context.js';
import { createRPCInfo, withRPCInfo, type RPCSide } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { StatsLevel } from '../../../src/rpcinfo/stats-level.js';
import { Histogram } from '../../../src/tracers/metrics/histogram.js';
import { escapeHelp, escapeLabelValue, formatLabels, formatValue, isValidMetricName, writeHistogram } from '../../../src/tracers/metrics/prometheus.js';
import { createMetricsTracer, type MetricsTracer } from '../../../src/tracers/metrics/metrics-tracer.js';

const PROMTOOL = '/usr/bin/promtool';

/** `promtool check metrics` on `text`: parses it and lints names, types and help (exit 0 means clean). */
function promtool(text: string): { status: number | null; output: string } {
  if (!existsSync(PROMTOOL)) {
    throw new Error(
      `${PROMTOOL} not found: install Debian's prometheus package (apt-get install prometheus); the Prometheus output is validated with promtool and this test does not skip`,
    );
  }
  const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function call(
  m: MetricsTracer,
  side: RPCSide,
  service: string,
  method: string,
  ms: number | undefined,
  extra: { error?: unknown; send?: number; recv?: number; level?: StatsLevel } = {},
): void {
  const ri = createRPCInfo({ side, to: { serviceName: service, method }, statsLevel: extra.level });
  if (ms !== undefined) ri.stats.record(stats.RPCStart, 'info', '', 1000);
  ri.stats.error = extra.error;
  ri.stats.sendSize = extra.send ?? 0;
  ri.stats.recvSize = extra.recv ?? 0;
  if (ms !== undefined) ri.stats.record(stats.RPCFinish, extra.error === undefined ? 'info' : 'error', '', 1000 + ms);
  m.finish(m.start(withRPCInfo(ROOT_CONTEXT, ri)));
}

describe('Prometheus text format', () => {
  it('escapes label values: backslash, double quote, newline, and nothing else', () => {
    expect(escapeLabelValue('plain /path é ✓')).toBe('plain /path é ✓');
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('\\n')).toBe('\\\\n');
    expect(
      formatLabels([
        ['a', 'x"y'],
        ['b', ''],
      ]),
    ).toBe('a="x\\"y",b=""');
  });

  it('escapes HELP text: backslash and newline', () => {
    expect(escapeHelp('a\\b\nc "q"')).toBe('a\\\\b\\nc "q"');
  });

  it('formats values as Prometheus parses them', () => {
    expect([Infinity, -Infinity, NaN, 0, 0.005, 16777216, 1e-7].map(formatValue)).toEqual(['+Inf', '-Inf', 'NaN', '0', '0.005', '16777216', '1e-7']);
  });

  it('accepts only metric names without colons', () => {
    expect(['isotrace', '_x', 'a1_b2'].every(isValidMetricName)).toBe(true);
    expect(['', '1a', 'a-b', 'a:b', 'a b', 'é'].some(isValidMetricName)).toBe(false);
  });

  it('writes a histogram series as cumulative buckets, +Inf last, then _sum and _count', () => {
    const h = new Histogram([1, 2]);
    for (const v of [0.5, 1.5, 1.5, 7]) h.observe(v);
    const out: string[] = [];
    writeHistogram(out, { name: 'x_seconds', labels: 'k="v"', histogram: h, le: ['le="1"', 'le="2"', 'le="+Inf"'] });
    expect(out).toEqual([
      'x_seconds_bucket{k="v",le="1"} 1',
      'x_seconds_bucket{k="v",le="2"} 3',
      'x_seconds_bucket{k="v",le="+Inf"} 4',
      'x_seconds_sum{k="v"} 10.5',
      'x_seconds_count{k="v"} 4',
    ]);
  });

  it('declares each family once with HELP and TYPE, names ending in their unit or _total', () => {
    const m = createMetricsTracer();
    call(m, 'client', 'users', 'Get', 12);
    call(m, 'server', 'users', 'Get', 3);
    const text = m.toPrometheus();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((r) => [r[1], r[2]]);
    expect(types).toEqual([
      ['isotrace_rpc_calls_total', 'counter'],
      ['isotrace_rpc_duration_seconds', 'histogram'],
      ['isotrace_rpc_request_size_bytes', 'histogram'],
      ['isotrace_rpc_response_size_bytes', 'histogram'],
      ['isotrace_metrics_label_overflow_total', 'counter'],
    ]);
    expect(text.match(/^# HELP /gm)).toHaveLength(5);
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('promtool check metrics', () => {
  it('accepts the output of an empty tracer', () => {
    expect(promtool(createMetricsTracer().toPrometheus())).toEqual({ status: 0, output: '' });
  });

  it('accepts a realistic output: both sides, errors, untimed calls, escaped labels, overflow', () => {
    const m = createMetricsTracer({ maxLabelSets: 8 });
    call(m, 'client', 'acme.user.v1.UserService', 'GetUser', 12, { send: 120, recv: 4096 });
    call(m, 'client', 'acme.user.v1.UserService', 'GetUser', 2500, { error: new Error('timeout') });
    call(m, 'server', 'acme.user.v1.UserService', 'GetUser', 4, { send: 4096, recv: 120 });
    call(m, 'server', 'api.example.com', 'POST /v1/"quoted"\\path\nline', 0.25);
    call(m, 'client', 'ws', 'notify', undefined, { level: StatsLevel.Disabled });
    call(m, 'client', 'big', 'Upload', 30_000, { send: 64 * 1024 * 1024 });
    for (let i = 0; i < 5; i++) call(m, 'client', 'many', `m${i}`, 1);
    const text = m.toPrometheus();
    expect(m.snapshot().overflow).toBe(3);
    expect(promtool(text)).toEqual({ status: 0, output: '' });
  });

  it('accepts custom buckets and prefix', () => {
    const m = createMetricsTracer({ prefix: 'shop_frontend', buckets: [0.0001, 0.5, 60], sizeBuckets: [1, 1e9] });
    call(m, 'client', 'cart', 'Add', 0.05, { send: 3 });
    expect(promtool(m.toPrometheus())).toEqual({ status: 0, output: '' });
  });

  it('is strict enough to reject what it should (the check above means something)', () => {
    expect(promtool('# HELP bad_count x\n# TYPE bad_count counter\nbad_count 1\n').status).not.toBe(0);
    expect(promtool('x{a="b\n"} 1\n').status).not.toBe(0);
  });
});
