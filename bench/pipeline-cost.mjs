// In-process cost of one traced call without I/O, isotrace vs OpenTelemetry JS (the pipelines
// are described in bench/pipelines.mjs: start a span in the active context, inject W3C trace
// context, run the call in its context, end the span, batch it to an exporter that discards).
// Each measurement is its own child process (one AsyncLocalStorage per process); modes alternate
// across ≥ 5 rounds; medians. The loop yields to the event loop every 256 calls in both modes so
// batch timers can run. Budget: isotrace ≤ 1/5 of OpenTelemetry's time per call.
//
//   node bench/pipeline-cost.mjs [--rounds 5] [--calls 200000]
import { fileURLToPath } from 'node:url';
import { argInt, childReport, emitResult, fail, fmt, fmtRatio, markdownTable, median, rotate, runChild, spread } from './lib.mjs';

const MODES = ['isotrace', 'isotrace-spans', 'isotrace-discard', 'otel'];
const LABEL = {
  isotrace: 'isotrace (traceCall: span + metrics tracers, OTLP exporter: batching + JSON encoding, discarding fetch)',
  'isotrace-spans': 'isotrace, span tracer only (no metrics tracer), OTLP exporter as above — like for like',
  'isotrace-discard': 'isotrace, spans dropped at the exporter (no batching, no encoding) — for reference',
  otel: 'OpenTelemetry (NodeTracerProvider, BatchSpanProcessor, discarding exporter)',
};
const BUDGET = 0.2;

async function child(mode, calls) {
  const { pipelines } = await import('./pipelines.mjs');
  const p = await pipelines[mode]();
  const fn = () => 1;
  const yieldNow = () => new Promise((r) => setImmediate(r));
  const batch = async (n) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      await p.call(fn);
      if ((i & 255) === 255) await yieldNow();
    }
    return Number(process.hrtime.bigint() - t0) / n;
  };
  await batch(Math.min(30_000, calls)); // warm-up (JIT)
  const samples = [];
  for (let b = 0; b < 5; b++) samples.push(await batch(Math.ceil(calls / 5)));
  await p.flush();
  childReport({ mode, nsPerCall: median(samples), counts: p.counts() });
}

async function main() {
  const rounds = Math.max(5, argInt('rounds', 5));
  const calls = argInt('calls', 200_000);
  const self = fileURLToPath(import.meta.url);
  const results = Object.fromEntries(MODES.map((m) => [m, []]));
  let counts;
  for (let round = 0; round < rounds; round++) {
    for (const mode of rotate(MODES, round)) {
      const r = await runChild(process.execPath, [self, '--child', mode, '--calls', String(calls)], { timeoutMs: 90_000 });
      results[mode].push(r.nsPerCall);
      (counts ??= {})[mode] = r.counts;
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  const mi = median(results.isotrace);
  const md = median(results['isotrace-discard']);
  const ms = median(results['isotrace-spans']);
  const mo = median(results.otel);
  const ratio = mi / mo;
  const ok = ratio <= BUDGET;
  console.log(
    `\ntraced call without I/O, ns per call (${process.version}) — medians of ${rounds} alternating child processes, ${calls} calls each after warm-up`,
  );
  console.log(
    markdownTable(
      ['pipeline', 'ns/call', 'spread', 'export counters (last run)'],
      MODES.map((m) => [
        LABEL[m],
        fmt(results[m].length && median(results[m])),
        spread(results[m])
          .map((v) => fmt(v))
          .join('–'),
        JSON.stringify(counts[m]),
      ]),
    ),
  );
  console.log(
    `isotrace / OpenTelemetry: ${fmtRatio(ratio)} = 1/${fmt(1 / ratio, 1)} (budget ≤ 1/5: ${ok ? 'ok' : 'MISSED'}); without batching and encoding: ${fmtRatio(md / mo)}`,
  );
  const dropped = counts.isotrace.dropped ?? 0;
  const note =
    dropped > 0
      ? `; isotrace's exporter dropped ${fmt((100 * dropped) / (dropped + (counts.isotrace.exported ?? 0)), 0)}% of spans (queue full), so it encoded fewer`
      : '';
  if (note) console.log(`warning${note}`);
  emitResult('pipeline-cost', [
    {
      metric: `traced call without I/O, ${process.version}: isotrace vs OpenTelemetry`,
      value: `${fmt(mi, 0)} ns vs ${fmt(mo, 0)} ns → ${fmtRatio(ratio)} (1/${fmt(1 / ratio, 1)})${note}`,
      budget: '≤ 1/5 (0.2×)',
      ok,
    },
    {
      metric: 'same, isotrace span tracer only (no metrics tracer: what the OpenTelemetry pipeline does)',
      value: `${fmt(ms, 0)} ns → ${fmtRatio(ms / mo)} OpenTelemetry`,
    },
    { metric: 'same, isotrace spans dropped at the exporter (no batching, no OTLP encoding)', value: `${fmt(md, 0)} ns → ${fmtRatio(md / mo)} OpenTelemetry` },
  ]);
}

const ci = process.argv.indexOf('--child');
if (ci >= 0) await child(process.argv[ci + 1], argInt('calls', 200_000)).catch((e) => fail(e.stack ?? e));
else await main();
