// `npm run bench`: runs every benchmark in turn (each prints its own details), then prints one
// markdown table of the figures with the command that produced each, and writes it to
// bench/RESULTS.md, which the README links (not with --only). Needs `npm run build` first (the scripts
// measure dist/). About 10 minutes on 2 cores.
//
//   node bench/run-all.mjs [--only client-overhead,bundle-size]
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { argValue, benchDir, markdownTable, parseResults, rootDir } from './lib.mjs';

// The SDK supports Node 20 and 24 (the npm `node` package, a dev dependency): the scripts whose
// figures differ most between them run again on Node 24. Their child processes use the Node
// that runs the script.
const NODE_24 = 'node_modules/node/bin/node';

/** [script, what it measures, the Node that runs it (default: this one)] */
const SCRIPTS = [
  ['bundle-size', 'bundle sizes vs OpenTelemetry web'],
  ['client-overhead', 'traceFetch, no-op tracer'],
  ['server-overhead', 'traceHttpHandler, no-op tracer (autocannon)'],
  ['rpc-overhead', 'loopback RPC, three processes'],
  ['rpc-overhead', 'loopback RPC on Node 24', NODE_24],
  ['pipeline-cost', 'traced call without I/O'],
  ['pipeline-cost', 'traced call without I/O on Node 24', NODE_24],
  ['memory', '1,000,000 traced calls'],
  ['memory', '1,000,000 traced calls on Node 24', NODE_24],
  ['context-managers', 'AsyncLocalStorage managers, Node 20 and 24'],
  ['context-zone', 'zone.js managers in Chromium'],
];

const only = argValue('only', '').split(',').filter(Boolean);
const selected = only.length ? SCRIPTS.filter(([s]) => only.includes(s)) : SCRIPTS;

// bench/server-overhead.mjs (issue 4's script) prints plain lines, not a BENCH_RESULT: read them.
const ADAPTERS = {
  'server-overhead'(out) {
    const rps = (mode) => new RegExp(`median(?::)? ${mode}:? (\\d+) req\\/s`).exec(out)?.[1];
    const ratio = /ratio traced\/untraced: ([\d.]+)[^\n]*?target >= ([\d.]+)/.exec(out);
    const cpu = /CPU per request ([\d.]+)x/.exec(out);
    const [untraced, traced] = [rps('untraced'), rps('traced')];
    if (!untraced || !traced || !ratio) return [];
    const ok = Number(ratio[1]) >= Number(ratio[2]);
    const cpuNote = cpu ? `; server CPU per request ${cpu[1]}×` : '';
    return [
      {
        script: 'server-overhead',
        rows: [
          {
            metric: 'traceHttpHandler (no-op tracer) vs untraced node:http, requests/s',
            value: `${traced} vs ${untraced} req/s → ${ratio[1]}×${cpuNote}`,
            budget: `≥ ${ratio[2]}×`,
            ok,
          },
        ],
      },
    ];
  },
};

function run(script, node) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(node ? path.join(rootDir, node) : process.execPath, [path.join(benchDir, `${script}.mjs`)], {
      cwd: rootDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      err += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code, out, err, seconds: (performance.now() - t0) / 1000 }));
  });
}

const rows = [];
let failed = 0;
for (const [script, what, node] of selected) {
  const command = `${node ?? 'node'} bench/${script}.mjs`;
  console.log(`\n=== ${command} — ${what}`);
  const r = await run(script, node);
  const results = parseResults(r.out);
  if (results.length === 0 && ADAPTERS[script]) results.push(...ADAPTERS[script](r.out));
  if (results.length === 0) {
    failed++;
    const lastErr = r.err.trim().split('\n').filter(Boolean);
    const reason = (lastErr.find((l) => l.startsWith('bench:')) ?? lastErr.pop() ?? (r.code === 0 ? 'its output was not recognised' : `exit ${r.code}`)).slice(
      0,
      160,
    );
    rows.push([what, 'not measured', '—', `failed: ${reason.replaceAll('|', '\\|')}`, `\`${command}\``]);
    continue;
  }
  for (const { rows: figures } of results) {
    for (const f of figures) {
      const status = f.ok === undefined ? '' : f.ok ? 'ok' : '**missed**';
      rows.push([f.metric, f.value, f.budget ?? '', status, `\`${command}\``]);
    }
  }
}

const cpus = os.cpus();
const header = `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, Node ${process.version} (Node 24 where stated), a shared machine: every ratio compares modes measured alternately in the same run.`;
const table = markdownTable(['figure', 'value', 'budget', 'status', 'command'], rows);
const md = `<!-- Written by \`npm run bench\` (bench/run-all.mjs); do not edit by hand. -->\n\n${header}\n\n${table}\n`;
console.log(`\n${md}`);
if (only.length === 0) {
  writeFileSync(path.join(benchDir, 'RESULTS.md'), md);
  console.log('written to bench/RESULTS.md');
} else {
  console.log('(--only: bench/RESULTS.md left as it was)');
}
if (failed) {
  console.error(`${failed} benchmark(s) did not run to the end`);
  process.exitCode = 1;
}
