// bench/bundle-size.mjs and bench/size-check.mjs: an app that only traces fetch and exports
// OTLP, built from the browser entry (tree-shaken) with rollup + node-resolve (browser) + terser.
import { traceFetch, createSpanTracer, createOtlpHttpExporter } from '../../dist/browser.mjs';

const tracer = createSpanTracer({ service: 'web', exporter: createOtlpHttpExporter({ url: '/v1/traces' }) });

globalThis.app = { fetch: traceFetch(fetch, { tracers: [tracer], service: 'web' }) };
