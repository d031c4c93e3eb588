// Memory over a long run: 1,000,000 traced calls without I/O (the pipelines of
// bench/pipelines.mjs: spans exported through the batching exporter to a discarding sink), for
// isotrace and for OpenTelemetry JS, each in its own `node --expose-gc` process. Heap used after
// a flush and a full GC at the 100,000th call and at the last; the growth between them must stay
// ≤ 1 MB for isotrace, and its heap below OpenTelemetry's.
//
//   node bench/memory.mjs [--calls 1000000] [--mark 100000]
import { fileURLToPath } from 'node:url';
import { argInt, childReport, emitResult, fail, fmt, markdownTable, runChild } from './lib.mjs';

const MB = 1024 * 1024;
const GROWTH_BUDGET = 1 * MB;

async function child(mode, calls, mark) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  const { pipelines } = await import('./pipelines.mjs');
  const p = await pipelines[mode]();
  const fn = () => 1;
  const settle = async () => {
    await p.flush();
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      globalThis.gc();
    }
    return process.memoryUsage();
  };
  let atMark;
  const t0 = performance.now();
  for (let i = 1; i <= calls; i++) {
    await p.call(fn);
    if ((i & 255) === 0) await new Promise((r) => setImmediate(r));
    if (i === mark) atMark = await settle();
  }
  const atEnd = await settle();
  childReport({ mode, calls, mark, seconds: (performance.now() - t0) / 1000, atMark, atEnd, counts: p.counts() });
}

async function main() {
  const calls = argInt('calls', 1_000_000);
  const mark = argInt('mark', 100_000);
  const self = fileURLToPath(import.meta.url);
  const r = {};
  for (const mode of ['isotrace', 'otel']) {
    r[mode] = await runChild(process.execPath, ['--expose-gc', self, '--child', mode, '--calls', String(calls), '--mark', String(mark)], {
      timeoutMs: 240_000,
    });
    process.stderr.write(`${mode} done in ${fmt(r[mode].seconds)} s\n`);
  }
  const mb = (b) => fmt(b / MB, 2);
  const growth = (m) => r[m].atEnd.heapUsed - r[m].atMark.heapUsed;
  console.log(`\nheap used after flush + GC (${process.version}), ${calls.toLocaleString('en')} traced calls, MB`);
  console.log(
    markdownTable(
      [
        'pipeline',
        `heap at call ${mark.toLocaleString('en')}`,
        `heap at call ${calls.toLocaleString('en')}`,
        'growth',
        'RSS at end',
        'run time',
        'export counters',
      ],
      ['isotrace', 'otel'].map((m) => [
        m === 'otel' ? 'OpenTelemetry' : 'isotrace',
        mb(r[m].atMark.heapUsed),
        mb(r[m].atEnd.heapUsed),
        mb(growth(m)),
        mb(r[m].atEnd.rss),
        `${fmt(r[m].seconds)} s`,
        JSON.stringify(r[m].counts),
      ]),
    ),
  );
  const okGrowth = growth('isotrace') <= GROWTH_BUDGET;
  const okBelow = r.isotrace.atEnd.heapUsed < r.otel.atEnd.heapUsed;
  const dropped = r.isotrace.counts.dropped ?? 0;
  const note = dropped > 0 ? `; isotrace's exporter dropped ${dropped.toLocaleString('en')} of ${calls.toLocaleString('en')} spans (queue full)` : '';
  if (note) console.log(`warning${note}`);
  console.log(
    `isotrace growth ${mb(growth('isotrace'))} MB (budget ≤ 1 MB: ${okGrowth ? 'ok' : 'MISSED'}); heap below OpenTelemetry's: ${okBelow ? 'yes' : 'NO'}`,
  );
  emitResult('memory', [
    {
      metric: `heap after GC, ${calls.toLocaleString('en')} traced calls, ${process.version}: isotrace (growth from call ${mark.toLocaleString('en')})`,
      value: `${mb(r.isotrace.atEnd.heapUsed)} MB (${mb(growth('isotrace'))} MB)${note}`,
      budget: 'growth ≤ 1 MB, heap < OTel',
      ok: okGrowth && okBelow,
    },
    { metric: 'heap after GC, same work: OpenTelemetry (growth)', value: `${mb(r.otel.atEnd.heapUsed)} MB (${mb(growth('otel'))} MB)` },
  ]);
}

const ci = process.argv.indexOf('--child');
if (ci >= 0) await child(process.argv[ci + 1], argInt('calls', 1_000_000), argInt('mark', 100_000)).catch((e) => fail(e.stack ?? e));
else await main();
