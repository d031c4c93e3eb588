// Cost of `with(ctx, fn)` + one `await` inside fn, for isotrace's AsyncLocalStorageContextManager
// vs OpenTelemetry's (@opentelemetry/context-async-hooks), on Node 20 (this process's node) and
// Node 24 (npm's `node` package). Each measurement runs in its own child process, so only one
// AsyncLocalStorage is live at a time (on Node 20 every extra store slows every async resource);
// modes alternate across rounds and the script reports medians.
//
//   node bench/context-managers.mjs [--rounds 9] [--iterations 200000]
import { argInt, childReport, distUrl, emitResult, fail, fmt, fmtRatio, markdownTable, median, node24, rotate, runChild, spread } from './lib.mjs';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MODES = ['baseline', 'isotrace', 'otel'];

async function child(mode, iterations) {
  let mgr;
  let ctx;
  if (mode === 'isotrace') {
    const iso = await import(distUrl('node.mjs'));
    mgr = iso.getContextManager(); // the Node entry installs its AsyncLocalStorage manager on load
    if (mgr.constructor.name !== 'AsyncLocalStorageContextManager') throw new Error(`unexpected manager ${mgr.constructor.name}`);
    ctx = iso.ROOT_CONTEXT.setValue(iso.createContextKey('bench'), 1);
  } else if (mode === 'otel') {
    const api = await import('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    mgr = new AsyncLocalStorageContextManager().enable();
    ctx = api.ROOT_CONTEXT.setValue(api.createContextKey('bench'), 1);
  } else {
    // No manager: the same async function with its one await, called directly.
    mgr = { with: (_ctx, fn) => fn(), active: () => ctx };
    ctx = {};
  }
  const fn = async () => {
    await null;
    return mgr.active();
  };
  if ((await mgr.with(ctx, fn)) !== ctx) throw new Error(`${mode}: the context was lost after await`);

  const batch = async (n) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await mgr.with(ctx, fn);
    return Number(process.hrtime.bigint() - t0) / n;
  };
  await batch(Math.min(50_000, iterations)); // warm-up (JIT)
  const samples = [];
  for (let b = 0; b < 5; b++) samples.push(await batch(Math.ceil(iterations / 5)));
  childReport({ mode, nsPerOp: median(samples), node: process.version });
}

async function main() {
  const rounds = Math.max(5, argInt('rounds', 9));
  const iterations = argInt('iterations', 200_000);
  const self = fileURLToPath(import.meta.url);
  // Labelled by the version that runs, not the one expected: run on Node 24, this would
  // otherwise report two Node 24 rows as "Node 20" and "Node 24".
  const thisNode = `Node ${process.versions.node.split('.')[0]}`;
  const runtimes = [[thisNode, process.execPath]];
  if (!existsSync(node24)) console.warn('bench: node_modules/node/bin/node missing: Node 24 skipped');
  else if (thisNode !== 'Node 24') runtimes.push(['Node 24', node24]);

  const results = {}; // runtime → mode → [ns]
  const versions = {};
  for (let round = 0; round < rounds; round++) {
    for (const [label, exec] of rotate(runtimes, round)) {
      for (const mode of rotate(MODES, round)) {
        const r = await runChild(exec, [self, '--child', mode, '--iterations', String(iterations)]);
        versions[label] = r.node;
        ((results[label] ??= {})[mode] ??= []).push(r.nsPerOp);
      }
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }

  const rows = [];
  const table = [];
  for (const [label] of runtimes) {
    const m = Object.fromEntries(MODES.map((mode) => [mode, median(results[label][mode])]));
    const ratio = m.isotrace / m.otel;
    const isoAdded = m.isotrace - m.baseline;
    const otelAdded = m.otel - m.baseline;
    table.push([
      `${label} (${versions[label]})`,
      fmt(m.baseline),
      `${fmt(m.isotrace)} (+${fmt(isoAdded)})`,
      `${fmt(m.otel)} (+${fmt(otelAdded)})`,
      fmtRatio(ratio),
      `${spread(results[label].isotrace)
        .map((v) => fmt(v))
        .join('–')} / ${spread(results[label].otel)
        .map((v) => fmt(v))
        .join('–')}`,
    ]);
    rows.push({ metric: `with + await, ${label}: isotrace ns/op (OTel ns/op)`, value: `${fmt(m.isotrace)} (${fmt(m.otel)}) → ${fmtRatio(ratio)}` });
  }
  console.log(`\nwith(ctx, async fn { await; active() }) per op, ns — medians of ${rounds} alternating child processes, ${iterations} ops each`);
  console.log(markdownTable(['runtime', 'no manager', 'isotrace ALS (+added)', 'OTel ALS (+added)', 'isotrace / OTel', 'spread iso / otel'], table));
  emitResult('context-managers', rows);
}

const ci = process.argv.indexOf('--child');
if (ci >= 0) await child(process.argv[ci + 1], argInt('iterations', 200_000)).catch((e) => fail(e.stack ?? e));
else await main();
