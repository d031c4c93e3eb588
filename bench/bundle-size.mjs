// Bundle sizes (min and gzip level 9): the two script-tag bundles from dist/, the tree-shaken
// browser app that traces fetch and exports OTLP (bench/apps/isotrace-fetch-otlp.mjs), and the
// OpenTelemetry web equivalent (bench/apps/otel-web-fetch-otlp.mjs: sdk-trace-web,
// BatchSpanProcessor, OTLP/HTTP exporter, context-zone, instrumentation-fetch), built the same
// way (rollup + node-resolve browser + terser), zone.js external in both (not counted).
// Deterministic, so one run. Exits 1 when a budget is missed (like bench/size-check.mjs).
//
//   node bench/bundle-size.mjs
import { BUDGETS, isotraceSizes, otelWebSizes } from './bundle.mjs';
import { emitResult, fail, kb, markdownTable } from './lib.mjs';

let iso;
let otel;
try {
  [iso, otel] = await Promise.all([isotraceSizes(), otelWebSizes()]);
} catch (e) {
  fail(e.stack ?? e);
}

const verdict = (m, budget) => (budget === undefined ? '—' : `${budget} B: ${m.gzip <= budget ? 'ok' : `**over by ${m.gzip - budget} B**`}`);
const rows = [
  ['isotrace script tag, no zone.js', iso.iife, BUDGETS.iife],
  ['isotrace script tag, zone.js inside', iso.zoneIife, undefined],
  ['isotrace app: fetch + OTLP (tree-shaken)', iso.fetchOtlpApp, BUDGETS.fetchOtlpApp],
  ['OpenTelemetry web app: fetch + OTLP (zone.js not counted)', otel, undefined],
];
console.log(
  markdownTable(
    ['bundle', 'min', 'gzip', 'budget (gzip)', 'source'],
    rows.map(([what, m, budget]) => [what, `${m.min} B (${kb(m.min)})`, `${m.gzip} B (${kb(m.gzip)})`, verdict(m, budget), m.file]),
  ),
);
const ratio = iso.fetchOtlpApp.gzip / otel.gzip;
console.log(
  `\nfetch + OTLP app, gzip: isotrace ${iso.fetchOtlpApp.gzip} B vs OpenTelemetry ${otel.gzip} B → ${(ratio * 100).toFixed(1)}% (1/${(1 / ratio).toFixed(1)})`,
);
console.log('(issue 7 quotes OpenTelemetry at 74.7 KB min / 23.2 KB gzip, measured 2026-11-24)');

const over = rows.filter(([, m, b]) => b !== undefined && m.gzip > b);
emitResult('bundle-size', [
  {
    metric: 'IIFE without zone.js, gzip',
    value: `${iso.iife.gzip} B (${kb(iso.iife.gzip)}), ${iso.iife.min} B min`,
    budget: `≤ ${BUDGETS.iife} B`,
    ok: iso.iife.gzip <= BUDGETS.iife,
  },
  { metric: 'IIFE with zone.js, gzip', value: `${iso.zoneIife.gzip} B (${kb(iso.zoneIife.gzip)}), ${iso.zoneIife.min} B min` },
  {
    metric: 'fetch + OTLP app (tree-shaken), gzip',
    value: `${iso.fetchOtlpApp.gzip} B (${kb(iso.fetchOtlpApp.gzip)}), ${iso.fetchOtlpApp.min} B min`,
    budget: `≤ ${BUDGETS.fetchOtlpApp} B`,
    ok: iso.fetchOtlpApp.gzip <= BUDGETS.fetchOtlpApp,
  },
  {
    metric: 'OpenTelemetry web fetch + OTLP app, gzip',
    value: `${otel.gzip} B (${kb(otel.gzip)}), ${otel.min} B min; isotrace app = ${(ratio * 100).toFixed(1)}%`,
  },
]);
if (over.length) process.exitCode = 1;
