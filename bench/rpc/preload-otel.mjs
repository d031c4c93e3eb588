// `node --import bench/rpc/preload-otel.mjs bench/rpc/child.mjs`: OpenTelemetry JS set up before
// node:http and undici are used, as its docs ask: NodeTracerProvider with a BatchSpanProcessor
// to an exporter that discards, and the http and undici (global fetch) instrumentations.
import { createRequire } from 'node:module';
import { NodeTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ExportResultCode } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

let exported = 0;
const exporter = {
  export(spans, done) {
    exported += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: async () => {},
  forceFlush: async () => {},
};
const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
provider.register();
registerInstrumentations({ instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation()] });
// The http instrumentation patches node:http when it is first required (require-in-the-middle);
// the child takes the module through require, so it gets the patched one.
createRequire(import.meta.url)('node:http');

globalThis.__bench = {
  mode: 'otel',
  wrapHandler: (handler) => handler,
  fetch: globalThis.fetch,
  flush: () => provider.forceFlush(),
  counts: () => ({ exportedSpans: exported }),
};
