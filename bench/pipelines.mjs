// The traced-call pipelines bench/pipeline-cost.mjs and bench/memory.mjs measure, without I/O.
// Each setup returns `{ call(fn), flush(), counts() }`; `call` runs `fn` as one traced client
// call and returns its promise. Use one pipeline per process: each installs a global
// AsyncLocalStorage, and on Node 20 a second store slows the first.
//
// isotrace: traceCall with the span tracer (W3C ids, parent-based sampling, traceparent injected
//   into ri.headers) and the metrics tracer; context entered once (AsyncLocalStorage); the span
//   ends at finish and goes to createOtlpHttpExporter (its batching queue and OTLP/JSON encoding)
//   whose `fetch` discards the request and answers 200 without I/O (with a minimal response
//   object, not a `Response`). `isotrace-discard`: the same, but spans go straight to a
//   SpanExporter that drops them (no queue, no OTLP encoding) — for telling the tracers' cost
//   from the exporter's. `isotrace-spans`: the span tracer alone (no metrics tracer), the
//   like-for-like counterpart of the OpenTelemetry pipeline.
// OpenTelemetry: NodeTracerProvider (registers its AsyncLocalStorage context manager and the
//   W3C propagators) with a BatchSpanProcessor to an exporter that discards; per call:
//   tracer.startSpan in the active context, trace.setSpan, propagation.inject into a carrier
//   object, context.with, span.end(). No metrics (OpenTelemetry's metrics SDK is not part of
//   the comparison), so the isotrace side does strictly more work.
import { importDist } from './lib.mjs';

export const CALLEE = 'bench.v1.EchoService';
export const METHOD = 'Echo';

export async function isotracePipeline({ batching = true, metrics: withMetrics = true } = {}) {
  const iso = await importDist('node.mjs', ['traceCall', 'createSpanTracer', 'createMetricsTracer', 'createOtlpHttpExporter']);
  let requests = 0;
  let sentBytes = 0;
  let discarded = 0;
  // Answers with the three members the exporter reads, not a `Response`: the first `Response`
  // a process makes loads Node's whole fetch implementation (undici, about 2 MB of heap), which
  // OpenTelemetry's discarding exporter never loads, and bench/memory.mjs compares heaps.
  const ok = { status: 200, headers: { get: () => null }, text: async () => '{}' };
  const discard = async (_url, init) => {
    requests++;
    sentBytes += typeof init?.body === 'string' ? init.body.length : 0;
    return ok;
  };
  // Without batching: a SpanExporter that drops each span as it ends (no queue, no encoding).
  const exporter = batching
    ? iso.createOtlpHttpExporter({ url: 'http://127.0.0.1:4318/v1/traces', fetch: discard })
    : {
        export: (spans) => void (discarded += spans.length),
        forceFlush: async () => {},
        shutdown: async () => {},
        stats: {
          get discarded() {
            return discarded;
          },
        },
      };
  const spans = iso.createSpanTracer({ serviceName: 'bench', exporter });
  const options = { tracers: withMetrics ? [spans, iso.createMetricsTracer()] : [spans], service: 'bench', callee: CALLEE, method: METHOD };
  let checked = false;
  return {
    call(fn) {
      if (!checked) {
        checked = true;
        return iso.traceCall(options, (ctx) => {
          const ri = iso.getRPCInfo(ctx);
          if (!ri?.headers.get('traceparent')) throw new Error('isotrace pipeline: no traceparent injected');
          return fn(ctx);
        });
      }
      return iso.traceCall(options, fn);
    },
    flush: () => exporter.forceFlush(),
    counts: () => (batching ? { exportRequests: requests, exportedBytes: sentBytes, ...exporter.stats } : { discarded }),
  };
}

export async function otelPipeline() {
  const api = await import('@opentelemetry/api');
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { ExportResultCode } = await import('@opentelemetry/core');
  let exported = 0;
  const exporter = {
    export(batch, done) {
      exported += batch.length;
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  const processor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ spanProcessors: [processor] });
  provider.register(); // AsyncLocalStorageContextManager + W3C trace context and baggage propagators
  const tracer = api.trace.getTracer('bench');
  const { context, propagation, trace, SpanKind, SpanStatusCode } = api;
  const name = `${CALLEE}/${METHOD}`;
  const attributes = { 'rpc.system': 'bench', 'rpc.service': CALLEE, 'rpc.method': METHOD };
  let checked = false;

  async function call(fn) {
    const parent = context.active();
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    const ctx = trace.setSpan(parent, span);
    const carrier = {};
    propagation.inject(ctx, carrier);
    if (!checked) {
      checked = true;
      if (!carrier.traceparent) throw new Error('otel pipeline: no traceparent injected');
    }
    try {
      const result = await context.with(ctx, fn, undefined, ctx);
      span.end();
      return result;
    } catch (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw error;
    }
  }
  return { call, flush: () => provider.forceFlush(), counts: () => ({ exported }) };
}

export const pipelines = {
  isotrace: () => isotracePipeline(),
  'isotrace-discard': () => isotracePipeline({ batching: false }),
  'isotrace-spans': () => isotracePipeline({ metrics: false }),
  otel: otelPipeline,
};
