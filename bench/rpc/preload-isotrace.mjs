// `node --import bench/rpc/preload-isotrace.mjs bench/rpc/child.mjs`: isotrace set up the way a
// Node service would: one span tracer (W3C propagation) exporting through createOtlpHttpExporter
// (its batching queue and OTLP/JSON encoding) whose `fetch` discards each request and answers 200
// without I/O — the counterpart of OpenTelemetry's BatchSpanProcessor to a discarding exporter —
// plus a metrics tracer; the client is traceFetch, the server handler traceHttpHandler.
import { importDist } from '../lib.mjs';

const iso = await importDist('node.mjs', ['traceFetch', 'traceHttpHandler', 'createSpanTracer', 'createMetricsTracer', 'createOtlpHttpExporter']);

let exportRequests = 0;
const discard = async () => {
  exportRequests++;
  return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
};
// ISOTRACE_BENCH_EXPORTER=discard (bench/rpc-overhead.mjs's `isotrace-discard` mode): spans go
// straight to a SpanExporter that drops them — no queue, no OTLP encoding — to tell the tracers'
// cost from the exporter's.
const dropAtExporter = process.env.ISOTRACE_BENCH_EXPORTER === 'discard';
let discarded = 0;
const exporter = dropAtExporter
  ? {
      export: (s) => void (discarded += s.length),
      forceFlush: async () => {},
      shutdown: async () => {},
      get stats() {
        return { discarded };
      },
    }
  : iso.createOtlpHttpExporter({ url: 'http://127.0.0.1:4318/v1/traces', fetch: discard });
const spans = iso.createSpanTracer({ serviceName: 'bench', exporter });
const metrics = iso.createMetricsTracer();
const tracers = [spans, metrics];

globalThis.__bench = {
  mode: dropAtExporter ? 'isotrace-discard' : 'isotrace',
  wrapHandler: (handler) => iso.traceHttpHandler(handler, { service: 'bench.v1.EchoService', tracers }),
  fetch: iso.traceFetch(globalThis.fetch, { service: 'bench-client', tracers }),
  flush: () => exporter.forceFlush(),
  counts: () => (dropAtExporter ? { ...exporter.stats } : { exportRequests, ...exporter.stats }),
};
