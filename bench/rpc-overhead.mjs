// RPC overhead (issue 7): a loopback fetch RPC — node:http server answering small JSON, global
// fetch client, Connect-style POST /bench.v1.EchoService/Echo — in three modes, each in its own
// process (client and server share that process: one thread does both sides of every call):
//   untraced   nothing
//   isotrace   span tracer → createOtlpHttpExporter (batching, OTLP/JSON encoding) whose fetch
//              discards without I/O; metrics tracer; traceFetch on the client, traceHttpHandler on the
//              server; W3C trace context propagated (the server continues the client's trace)
//   otel       @opentelemetry/sdk-trace-node NodeTracerProvider + BatchSpanProcessor to a
//              discarding exporter; instrumentation-http and instrumentation-undici registered
//              via registerInstrumentations from a --import preload, before http is loaded
// (bench/rpc/preload-<mode>.mjs, bench/rpc/child.mjs). Modes alternate over ≥ 5 rounds; the
// script reports the median µs per call (timed loop after warm-up; also the process's CPU µs per
// call over that loop, steadier on a shared machine) and the median whole-process wall time, each
// as a ratio to untraced. Two reference modes: isotrace-discard drops spans at the exporter (no
// batching, no OTLP encoding), to tell the tracers' cost from the exporter's; als-only enters one
// AsyncLocalStorage per call on each side and nothing else (bench/rpc/preload-als.mjs): on Node 20
// that alone turns on promise hooks for the process, a floor under any context-propagating tracer.
// --node <path> runs the children on another Node (e.g. node_modules/node/bin/node, Node 24).
// Budget: isotrace ≤ 1.05× untraced per call.
//
//   node bench/rpc-overhead.mjs [--rounds 7] [--calls 2000] [--node node_modules/node/bin/node]
import path from 'node:path';
import { argInt, argValue, benchDir, emitResult, fmt, fmtRatio, markdownTable, median, rotate, runChild, spread } from './lib.mjs';

const MODES = ['untraced', 'als-only', 'isotrace', 'isotrace-discard', 'otel'];
const LABEL = {
  untraced: 'untraced',
  'als-only': 'untraced + one AsyncLocalStorage.run per call on each side — for reference',
  isotrace: 'isotrace (span + metrics, client + server, OTLP exporter: batching + JSON encoding)',
  'isotrace-discard': 'isotrace, spans dropped at the exporter (no batching, no encoding) — for reference',
  otel: 'OpenTelemetry JS (sdk-trace-node, http + undici instrumentations)',
};
const PRELOAD = { untraced: 'untraced', 'als-only': 'als', isotrace: 'isotrace', 'isotrace-discard': 'isotrace', otel: 'otel' };
const ENV = { 'isotrace-discard': { ISOTRACE_BENCH_EXPORTER: 'discard' } };
const BUDGET = 1.05;

const rounds = Math.max(5, argInt('rounds', 7));
const calls = argInt('calls', 2000);
const nodeBin = argValue('node', process.execPath);
const child = path.join(benchDir, 'rpc/child.mjs');

const perCall = Object.fromEntries(MODES.map((m) => [m, []]));
const cpuPerCall = Object.fromEntries(MODES.map((m) => [m, []]));
const wall = Object.fromEntries(MODES.map((m) => [m, []]));
const last = {};
let childVersion = process.version;
for (let round = 0; round < rounds; round++) {
  for (const mode of rotate(MODES, round)) {
    const t0 = performance.now();
    const r = await runChild(nodeBin, ['--import', path.join(benchDir, `rpc/preload-${PRELOAD[mode]}.mjs`), child, '--calls', String(calls)], {
      timeoutMs: 120_000,
      env: ENV[mode],
    });
    wall[mode].push(performance.now() - t0);
    perCall[mode].push(r.usPerCall);
    cpuPerCall[mode].push(r.cpuUsPerCall);
    last[mode] = r;
    childVersion = r.node ?? childVersion;
  }
  process.stderr.write(`round ${round + 1}/${rounds} done\n`);
}

for (const mode of ['isotrace', 'otel']) {
  if (last[mode].traceparentShare !== 1) console.warn(`warning: ${mode}: only ${fmt(last[mode].traceparentShare * 100)}% of requests carried traceparent`);
}
const m = Object.fromEntries(MODES.map((mode) => [mode, median(perCall[mode])]));
const w = Object.fromEntries(MODES.map((mode) => [mode, median(wall[mode])]));
const c = Object.fromEntries(MODES.map((mode) => [mode, median(cpuPerCall[mode])]));
console.log(
  `\nloopback fetch RPC, client + server in one process (Node ${childVersion}) — medians of ${rounds} alternating processes, ${calls} sequential calls each after warm-up`,
);
console.log(
  markdownTable(
    [
      'mode',
      'µs/call',
      'per call vs untraced',
      'spread µs/call',
      'CPU µs/call',
      'CPU vs untraced',
      'process wall ms',
      'wall vs untraced',
      'traceparent at server',
      'export counters (last run)',
    ],
    MODES.map((mode) => [
      LABEL[mode],
      fmt(m[mode]),
      fmtRatio(m[mode] / m.untraced),
      spread(perCall[mode])
        .map((v) => fmt(v))
        .join('–'),
      fmt(c[mode]),
      fmtRatio(c[mode] / c.untraced),
      fmt(w[mode], 0),
      fmtRatio(w[mode] / w.untraced),
      `${fmt(last[mode].traceparentShare * 100, 0)}%`,
      JSON.stringify(last[mode].counts),
    ]),
  ),
);
const ratio = m.isotrace / m.untraced;
const ok = ratio <= BUDGET;
console.log(
  `isotrace per call: ${fmtRatio(ratio)} untraced (budget ≤ ${BUDGET}×: ${ok ? 'ok' : 'MISSED'}); spans dropped at the exporter: ${fmtRatio(m['isotrace-discard'] / m.untraced)}; OpenTelemetry: ${fmtRatio(m.otel / m.untraced)}`,
);
emitResult('rpc-overhead', [
  {
    metric: `loopback fetch RPC (Node ${childVersion}), per call: isotrace vs untraced`,
    value: `${fmt(m.isotrace)} µs vs ${fmt(m.untraced)} µs → ${fmtRatio(ratio)} (CPU ${fmtRatio(c.isotrace / c.untraced)})`,
    budget: `≤ ${BUDGET}×`,
    ok,
  },
  {
    metric: 'same, isotrace spans dropped at the exporter (no batching, no OTLP encoding)',
    value: `${fmt(m['isotrace-discard'])} µs → ${fmtRatio(m['isotrace-discard'] / m.untraced)} (CPU ${fmtRatio(c['isotrace-discard'] / c.untraced)})`,
  },
  {
    metric: 'same, untraced + one AsyncLocalStorage.run per call on each side (the floor of any context propagation)',
    value: `${fmt(m['als-only'])} µs → ${fmtRatio(m['als-only'] / m.untraced)} (CPU ${fmtRatio(c['als-only'] / c.untraced)})`,
  },
  {
    metric: 'loopback fetch RPC, per call: OpenTelemetry JS vs untraced',
    value: `${fmt(m.otel)} µs → ${fmtRatio(m.otel / m.untraced)} (CPU ${fmtRatio(c.otel / c.untraced)})`,
  },
  {
    metric: 'loopback fetch RPC, whole process wall time vs untraced: isotrace, OpenTelemetry',
    value: `${fmtRatio(w.isotrace / w.untraced)}, ${fmtRatio(w.otel / w.untraced)}`,
  },
]);
