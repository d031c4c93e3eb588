// CI size check (issue 7). Two limits per browser bundle:
// - the budget the issue sets (8 KB gzip for the script tag, 5 KB for a fetch + OTLP app): a
//   target not met yet, so it is reported as the distance to go and does not fail the build;
// - a ceiling a little above today's size, which does fail it: no change may grow a bundle
//   unnoticed while the work toward the budget goes on. Lower a ceiling whenever a bundle shrinks.
// Reads the built IIFEs and builds only the small tree-shaken fetch+OTLP app (no OpenTelemetry
// build; bench/bundle-size.mjs compares with OpenTelemetry). Needs `npm run build` first.
//
//   node bench/size-check.mjs
import { BUDGETS, isotraceSizes } from './bundle.mjs';

const CEILINGS = {
  // 23,036 B on 2026-11-25: +478 B that day for the OTLP JSON writer's piece caches and
  // single-string body, which halved the encoding time per span (bench/pipeline-cost.mjs), and
  // +67 B for span ids made as flat strings. 21,314 B on 2026-12-08: the building blocks moved
  // to isotrace/protocol, so the script tag no longer exposes (nor keeps) them; 21,539 B the
  // same day: one lifecycle style (a class per call with named-options setups, the WebSocket
  // client split into dispatch/codec/call) and the shared conventions cost ~150 B; 21,698 B:
  // WebSocket batch frames, rpc-websockets events and unchanged remote messages (+83 B), server
  // spans named by route with the name read again at finish (+72 B); 21,805 B: the OTLP
  // exporter and the span tracer split into named pieces (+107 B: their state now crosses
  // object properties, which minifiers keep whole); the fetch client ending a call at the
  // response's last byte and counting responses of any Response class (~+110 B in the shared
  // call; the Node listener stays out of browser builds); ~+1,185 B for the protocol outcome
  // readers (gRPC-web grpc-status in headers and trailer frames, Connect unary and end-stream
  // errors, JSON-RPC and tRPC error bodies) and the one outcome rule over them: without them a
  // browser's gRPC-web errors are OK spans. Issue 13 decides which of these become opt-in. ~+210 B:
  // in browsers an unread fetch ends at its Resource Timing entry's responseEnd.
  iife: 23_550,
  // 16,404 B on 2026-11-25 (same changes); 16,661 B on 2026-12-08: package.json now lists
  // dist/browser.mjs among the files with side effects, so an app's bundle keeps the browser
  // entry's zone.js manager install (bundlers had dropped it, contrary to the README); 16,798 B
  // the same day with the lifecycle and conventions changes; 16,958 B with the route naming
  // (+81 B) and the exporter and span tracer split (+95 B); the fetch client's end at the last
  // byte (~+160 B); the protocol outcome readers and rule (~+1,170 B, as above); the browser end
  // from Resource Timing (~+205 B).
  fetchOtlpApp: 18_700,
};

let s;
try {
  s = await isotraceSizes();
} catch (e) {
  console.error(`size-check: could not measure: ${e.message ?? e}`);
  process.exit(2);
}

const checks = [
  ['script-tag bundle without zone.js', s.iife, BUDGETS.iife, CEILINGS.iife],
  ['tree-shaken fetch + OTLP browser app', s.fetchOtlpApp, BUDGETS.fetchOtlpApp, CEILINGS.fetchOtlpApp],
  ['script-tag bundle with zone.js (no budget)', s.zoneIife, undefined, undefined],
];
let failed = 0;
for (const [what, m, budget, ceiling] of checks) {
  const over = ceiling !== undefined && m.gzip > ceiling;
  if (over) failed++;
  const limit = ceiling === undefined ? '' : ` (limit ${ceiling} B)`;
  // The budget is a target, not yet the limit: said as a distance, not as a failure.
  const target = budget === undefined ? '' : m.gzip <= budget ? `; target ${budget} B reached` : `; target ${budget} B, ${m.gzip - budget} B to go`;
  console.log(`${over ? 'FAIL' : 'ok  '} ${what}: ${m.gzip} B gzip, ${m.min} B min${limit}${target}`);
}
if (failed) {
  console.error(
    `size-check: FAILED — ${failed} bundle(s) grew past the CI ceiling; find what grew them (bench/bundle-size.mjs) or, if it is worth its bytes, raise the ceiling in bench/size-check.mjs and say why.`,
  );
  process.exit(1);
}
console.log('size-check: no bundle past its CI ceiling');
