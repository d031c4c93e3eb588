// Cost of `with(ctx, fn)` where fn returns `Promise.resolve().then(() => active())`, for isotrace's
// ZoneContextManager vs OpenTelemetry's (@opentelemetry/context-zone), in Debian's Chromium
// (never downloaded). Each page script is bundled with rollup (node-resolve, browser) from
// bench/apps/zone-*.mjs and served from a loopback server; each measurement gets a fresh browser
// context and page; modes alternate across rounds; medians are reported.
//
//   node bench/context-zone.mjs [--rounds 5] [--iterations 100000]
import { createServer } from 'node:http';
import path from 'node:path';
import { argInt, benchDir, emitResult, fail, fmt, fmtRatio, importDist, markdownTable, median, rotate, spread } from './lib.mjs';
import { bundle } from './bundle.mjs';

const MODES = ['baseline', 'isotrace', 'otel'];
const LABEL = { baseline: 'zone.js, no manager', isotrace: 'isotrace ZoneContextManager', otel: 'OTel ZoneContextManager' };
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const rounds = Math.max(5, argInt('rounds', 5));
const iterations = argInt('iterations', 100_000);

await importDist('browser.mjs', ['ZoneContextManager']);
const scripts = {};
for (const mode of MODES) scripts[mode] = await bundle(path.join(benchDir, 'apps', `zone-${mode}.mjs`), { minify: true, format: 'iife' });

const server = createServer((req, res) => {
  const m = /^\/(\w+)\.(html|js)$/.exec(req.url ?? '');
  if (!m || !scripts[m[1]]) return res.writeHead(404).end();
  if (m[2] === 'html') res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>${m[1]}</title><script src="/${m[1]}.js"></script>`);
  else res.writeHead(200, { 'content-type': 'text/javascript' }).end(scripts[m[1]]);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const watchdog = setTimeout(() => {
  console.error('bench: context-zone timed out');
  process.exit(3);
}, 240_000);

// Runs in the page: warm-up, a correctness check, then 5 timed batches; returns their median ns/op.
async function pageBench(n) {
  const { mgr, ctx } = globalThis.__bench;
  const fn = () => Promise.resolve().then(() => mgr.active());
  if ((await mgr.with(ctx, fn)) !== ctx) throw new Error('context lost in .then');
  const batch = async (k) => {
    const t0 = performance.now();
    for (let i = 0; i < k; i++) await mgr.with(ctx, fn);
    return ((performance.now() - t0) * 1e6) / k;
  };
  await batch(Math.min(20_000, n));
  const samples = [];
  for (let b = 0; b < 5; b++) samples.push(await batch(Math.ceil(n / 5)));
  samples.sort((a, b) => a - b);
  return samples[2];
}

const results = Object.fromEntries(MODES.map((m) => [m, []]));
let version;
try {
  version = browser.version();
  for (let round = 0; round < rounds; round++) {
    for (const mode of rotate(MODES, round)) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`page error (${mode}):`, e));
      await page.goto(`${origin}/${mode}.html`);
      results[mode].push(await page.evaluate(pageBench, iterations));
      await context.close();
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
} catch (e) {
  fail(e.stack ?? e);
} finally {
  clearTimeout(watchdog);
  await browser.close();
  server.close();
}

const m = Object.fromEntries(MODES.map((mode) => [mode, median(results[mode])]));
const ratio = m.isotrace / m.otel;
console.log(
  `\nChromium ${version}: with(ctx, () => Promise.resolve().then(active)) per op, ns — medians of ${rounds} alternating pages, ${iterations} ops each`,
);
console.log(
  markdownTable(
    ['mode', 'ns/op', 'added over no manager', 'spread'],
    MODES.map((mode) => [
      LABEL[mode],
      fmt(m[mode]),
      mode === 'baseline' ? '—' : fmt(m[mode] - m.baseline),
      spread(results[mode])
        .map((v) => fmt(v))
        .join('–'),
    ]),
  ),
);
console.log(`isotrace / OTel: ${fmtRatio(ratio)}`);
emitResult('context-zone', [
  {
    metric: `zone with + .then, Chromium ${version.split('.')[0]}: isotrace ns/op (OTel ns/op)`,
    value: `${fmt(m.isotrace)} (${fmt(m.otel)}) → ${fmtRatio(ratio)}`,
  },
]);
