// The bridge against the real OpenTelemetry SDK: a BasicTracerProvider with an in-memory
// exporter, OpenTelemetry's own AsyncLocalStorage context manager and W3C propagator.
import { context as otelContext, propagation, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager as OtelAsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, type Context } from '../../../src/context/context.js';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { MapHeaderCarrier } from '../../../src/rpcinfo/header-carrier.js';
import { createRPCInfo, getRPCInfo, withRPCInfo, type RPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { StatsLevel } from '../../../src/rpcinfo/stats-level.js';
import { createTraceController } from '../../../src/tracer/trace-controller.js';
import { traceCall } from '../../../src/client/trace-call.js';
import { createOpenTelemetryTracer, getOpenTelemetryContext } from '../../../src/tracers/otel/bridge.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const otelManager = new OtelAsyncLocalStorageContextManager();
const previous = getContextManager();

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  otelContext.setGlobalContextManager(otelManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  setContextManager(new AsyncLocalStorageContextManager());
});
afterAll(() => {
  trace.disable();
  otelContext.disable();
  propagation.disable();
  setContextManager(previous.enable());
});
beforeEach(() => exporter.reset());

const ms = (t: HrTime) => t[0] * 1e3 + t[1] / 1e6;
const spans = () => exporter.getFinishedSpans();
const byName = (name: string): ReadableSpan => {
  const found = spans().filter((s) => s.name === name);
  expect(found, `one span named ${name}`).toHaveLength(1);
  return found[0];
};

/** A server call traced by `tracers`, as a server transport would run it, with `headers` from the wire. */
function serverCall(tracers: ReturnType<typeof createOpenTelemetryTracer>[], headers: Record<string, string>, error?: unknown): RPCInfo {
  const ri = createRPCInfo({
    side: 'server',
    from: { serviceName: 'web' },
    to: { serviceName: 'users', method: 'Get', address: '127.0.0.1:8080' },
    headers: new MapHeaderCarrier(headers),
  });
  const controller = createTraceController({ tracers });
  const ctx = controller.start(withRPCInfo(ROOT_CONTEXT, ri));
  ri.stats.recvSize = 12;
  ri.stats.sendSize = 34;
  controller.finish(ctx, error);
  return ri;
}

describe('createOpenTelemetryTracer: client calls', () => {
  it('makes a CLIENT span named service/method with the RPC attributes, times and stats events', async () => {
    const otel = createOpenTelemetryTracer();
    let ri!: RPCInfo;
    await traceCall({ tracers: [otel], service: 'web', callee: 'acme.user.v1.UserService', method: 'GetUser' }, async (ctx) => {
      ri = getRPCInfo(ctx)!;
      ri.attributes['rpc.system'] = 'connect_rpc';
      ri.stats.record(stats.WriteStart);
      ri.stats.sendSize = 120;
      ri.stats.record(stats.WriteFinish, 'warn', 'slow write');
      ri.stats.recvSize = 4096;
    });
    const span = byName('acme.user.v1.UserService/GetUser');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.instrumentationScope.name).toBe('isotrace');
    expect(span.attributes).toMatchObject({
      'rpc.system': 'connect_rpc',
      'rpc.service': 'acme.user.v1.UserService',
      'rpc.method': 'GetUser',
      'peer.service': 'acme.user.v1.UserService',
      'isotrace.transport': 'call',
      'rpc.request.size': 120,
      'rpc.response.size': 4096,
    });
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events.map((e) => e.name)).toEqual(['RPCStart', 'WriteStart', 'WriteFinish', 'RPCFinish']);
    expect(span.events[2].attributes).toEqual({ 'isotrace.status': 'warn', 'isotrace.info': 'slow write' });
    // Start and end are the RPCStart and RPCFinish records, to well under a microsecond.
    expect(ms(span.startTime)).toBeCloseTo(ri.stats.getEvent(stats.RPCStart)!.time, 3);
    expect(ms(span.endTime)).toBeCloseTo(ri.stats.getEvent(stats.RPCFinish)!.time, 3);
    for (const [i, e] of span.events.entries()) expect(ms(e.time)).toBeCloseTo(ri.stats.events()[i].time, 3);
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('injects a traceparent into ri.headers that names the OpenTelemetry span', async () => {
    const otel = createOpenTelemetryTracer();
    let headers!: MapHeaderCarrier;
    await traceCall({ tracers: [otel], callee: 'users', method: 'Get' }, (ctx) => {
      headers = getRPCInfo(ctx)!.headers as MapHeaderCarrier;
    });
    const sc = byName('users/Get').spanContext();
    expect(headers.get('traceparent')).toBe(`00-${sc.traceId}-${sc.spanId}-01`);
  });

  it("makes the span active in OpenTelemetry's context the parent", async () => {
    const otel = createOpenTelemetryTracer();
    await trace.getTracer('app').startActiveSpan('page', async (page) => {
      await traceCall({ tracers: [otel], callee: 'users', method: 'Get' }, async () => undefined);
      page.end();
    });
    const page = byName('page').spanContext();
    const rpc = byName('users/Get');
    expect(rpc.spanContext().traceId).toBe(page.traceId);
    expect(rpc.parentSpanContext?.spanId).toBe(page.spanId);
  });

  it('records a failed call: status ERROR, error.type and an exception event', async () => {
    const otel = createOpenTelemetryTracer();
    class QuotaError extends Error {
      override name = 'QuotaError';
    }
    await expect(
      traceCall({ tracers: [otel], callee: 'users', method: 'Get' }, async () => {
        throw new QuotaError('over quota');
      }),
    ).rejects.toThrow('over quota');
    const span = byName('users/Get');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'over quota' });
    expect(span.attributes['error.type']).toBe('QuotaError');
    const exception = span.events.find((e) => e.name === 'exception');
    expect(exception?.attributes).toMatchObject({ 'exception.type': 'QuotaError', 'exception.message': 'over quota' });
    expect(String(exception?.attributes?.['exception.stacktrace'])).toContain('over quota');
    expect(span.events.map((e) => e.name)).toEqual(['RPCStart', 'RPCFinish', 'exception']);
  });

  it('still makes and ends a span at StatsLevel.Disabled, timed by the clock', async () => {
    const otel = createOpenTelemetryTracer();
    const before = Date.now();
    await traceCall({ tracers: [otel], callee: 'users', method: 'Get', statsLevel: StatsLevel.Disabled }, async () => undefined);
    const span = byName('users/Get');
    expect(span.events).toEqual([]);
    expect(ms(span.startTime)).toBeGreaterThanOrEqual(before - 1);
    expect(ms(span.endTime)).toBeGreaterThanOrEqual(ms(span.startTime));
  });
});

describe('createOpenTelemetryTracer: parents across calls', () => {
  it("gives a server span whose headers carry the client's traceparent the client span as parent", async () => {
    const otel = createOpenTelemetryTracer();
    let traceparent = '';
    await traceCall({ tracers: [otel], service: 'web', callee: 'users', method: 'Get' }, (ctx) => {
      traceparent = getRPCInfo(ctx)!.headers.get('traceparent')!;
    });
    const client = byName('users/Get');
    exporter.reset();
    serverCall([otel], { traceparent });
    const server = byName('users/Get');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
    expect(server.parentSpanContext).toMatchObject({ spanId: client.spanContext().spanId, isRemote: true });
    expect(server.attributes).toMatchObject({
      'peer.service': 'web',
      'server.address': '127.0.0.1',
      'server.port': 8080,
      'rpc.request.size': 12,
      'rpc.response.size': 34,
    });
  });

  it('starts a new trace on a server call without a traceparent, and ignores a malformed one', () => {
    const otel = createOpenTelemetryTracer();
    serverCall([otel], {});
    serverCall([otel], { traceparent: '00-zz-nothex-01' });
    expect(spans()).toHaveLength(2);
    for (const s of spans()) expect(s.parentSpanContext).toBeUndefined();
  });

  it('records a failed server call as ERROR', () => {
    serverCall([createOpenTelemetryTracer()], {}, new TypeError('bad input'));
    const span = byName('users/Get');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('TypeError');
  });

  it('parents client calls made while serving to the server span, and nested calls to the outer span', async () => {
    const otel = createOpenTelemetryTracer();
    const sri = createRPCInfo({ side: 'server', to: { serviceName: 'gateway', method: 'Handle' } });
    const controller = createTraceController({ tracers: [otel] });
    const sctx = controller.start(withRPCInfo(ROOT_CONTEXT, sri));
    let innerHeader = '';
    await traceCall({ tracers: [otel], callee: 'users', method: 'Outer', ctx: sctx }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      // No ctx passed: the isotrace context active inside the outer call carries the parent.
      await traceCall({ tracers: [otel], callee: 'users', method: 'Inner' }, (ctx) => {
        innerHeader = getRPCInfo(ctx)!.headers.get('traceparent')!;
      });
    });
    controller.finish(sctx);
    const [server, outer, inner] = ['gateway/Handle', 'users/Outer', 'users/Inner'].map(byName);
    expect(outer.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(new Set([server, outer, inner].map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(innerHeader).toBe(`00-${inner.spanContext().traceId}-${inner.spanContext().spanId}-01`);
  });

  it('parents nested calls through the isotrace context even with no OpenTelemetry context manager', async () => {
    otelContext.disable();
    try {
      const otel = createOpenTelemetryTracer();
      await traceCall({ tracers: [otel], callee: 'a', method: 'Outer' }, async () => {
        await new Promise((r) => setTimeout(r, 1));
        await traceCall({ tracers: [otel], callee: 'a', method: 'Inner' }, async () => undefined);
      });
    } finally {
      otelContext.setGlobalContextManager(otelManager.enable());
    }
    expect(byName('a/Inner').parentSpanContext?.spanId).toBe(byName('a/Outer').spanContext().spanId);
  });

  it('parents a nested call to an OpenTelemetry span the app activated inside the call', async () => {
    const otel = createOpenTelemetryTracer();
    await traceCall({ tracers: [otel], callee: 'a', method: 'Outer' }, async (ctx: Context) => {
      const rpcContext = getOpenTelemetryContext(ctx)!;
      expect(trace.getSpan(rpcContext)).toBeDefined();
      await otelContext.with(rpcContext, () =>
        trace.getTracer('app').startActiveSpan('work', async (work) => {
          await traceCall({ tracers: [otel], callee: 'a', method: 'Inner' }, async () => undefined);
          work.end();
        }),
      );
    });
    expect(byName('work').parentSpanContext?.spanId).toBe(byName('a/Outer').spanContext().spanId);
    expect(byName('a/Inner').parentSpanContext?.spanId).toBe(byName('work').spanContext().spanId);
  });

  it("does not end an enclosing call's span when finish gets a context whose start never ran", async () => {
    const otel = createOpenTelemetryTracer();
    await traceCall({ tracers: [otel], callee: 'a', method: 'Outer' }, (ctx) => {
      otel.finish(withRPCInfo(ctx, createRPCInfo({ side: 'client', to: { serviceName: 'a', method: 'Skipped' } })));
      expect(spans()).toHaveLength(0);
    });
    expect(spans().map((s) => s.name)).toEqual(['a/Outer']);
  });
});

describe('createOpenTelemetryTracer: options', () => {
  it('uses the given tracer, and still propagates when that tracer samples nothing', async () => {
    const offExporter = new InMemorySpanExporter();
    const off = new BasicTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [new SimpleSpanProcessor(offExporter)] });
    const otel = createOpenTelemetryTracer({ tracer: off.getTracer('mine') });
    let traceparent = '';
    await traceCall({ tracers: [otel], callee: 'a', method: 'M' }, (ctx) => {
      traceparent = getRPCInfo(ctx)!.headers.get('traceparent') ?? '';
    });
    expect(offExporter.getFinishedSpans()).toHaveLength(0);
    expect(spans()).toHaveLength(0);
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  it('uses the given propagator instead of the global one', async () => {
    propagation.disable(); // the global one is now a no-op
    try {
      const otel = createOpenTelemetryTracer({ propagator: new W3CTraceContextPropagator() });
      let traceparent: string | undefined;
      await traceCall({ tracers: [otel], callee: 'a', method: 'M' }, (ctx) => {
        traceparent = getRPCInfo(ctx)!.headers.get('traceparent');
      });
      expect(traceparent).toBe(`00-${byName('a/M').spanContext().traceId}-${byName('a/M').spanContext().spanId}-01`);
      const withGlobal = createOpenTelemetryTracer();
      await traceCall({ tracers: [withGlobal], callee: 'a', method: 'N' }, (ctx) => {
        traceparent = getRPCInfo(ctx)!.headers.get('traceparent');
      });
      expect(traceparent).toBeUndefined();
    } finally {
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    }
  });

  it.each([
    ['null options', null, /takes an options object/],
    ['a tracer without startSpan', { tracer: {} }, /options\.tracer must be an OpenTelemetry Tracer/],
    ['a propagator without extract', { propagator: { inject() {} } }, /options\.propagator must be an OpenTelemetry TextMapPropagator/],
  ])('throws a TypeError for %s', (_, options, message) => {
    expect(() => createOpenTelemetryTracer(options as never)).toThrow(TypeError);
    expect(() => createOpenTelemetryTracer(options as never)).toThrow(message);
  });

  it('leaves a context without an RPCInfo alone', () => {
    const otel = createOpenTelemetryTracer();
    expect(otel.start(ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    otel.finish(ROOT_CONTEXT);
    expect(getOpenTelemetryContext(ROOT_CONTEXT)).toBeUndefined();
    expect(spans()).toHaveLength(0);
  });
});
