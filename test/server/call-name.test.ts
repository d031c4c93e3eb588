// Naming a served call from inside its handler (server/call-name.ts) and recording an error a
// framework would swallow (server/handler-failure.ts), on a plain node:http server: the span
// tracer, the OpenTelemetry bridge and the metrics tracer all see the route, not the raw path.
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../src/context/context.js';
import { getContextManager, setContextManager } from '../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../src/context/async-local-storage-context-manager.js';
import { createRPCInfo, getRPCInfo, withRPCInfo } from '../../src/rpcinfo/rpcinfo.js';
import { nameServerCall, setRoute } from '../../src/server/call-name.js';
import { recordServerError } from '../../src/server/handler-failure.js';
import { traceHttpHandler } from '../../src/server/http/handler.js';
import { traceCall } from '../../src/client/trace-call.js';
import { createMemoryExporter } from '../../src/tracers/exporters/memory-exporter.js';
import { createMetricsTracer } from '../../src/tracers/metrics/metrics-tracer.js';
import { createOpenTelemetryTracer } from '../../src/tracers/otel/bridge.js';
import { createSpanTracer } from '../../src/tracers/span/create-span-tracer.js';
import { delay, recorder, serve } from './helpers.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

function tracers() {
  const memory = createMemoryExporter();
  const otelExporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(otelExporter)] });
  const metrics = createMetricsTracer();
  const rec = recorder();
  const list = [
    createSpanTracer({ serviceName: 'users', exporter: memory }),
    createOpenTelemetryTracer({ tracer: provider.getTracer('t') }),
    metrics,
    rec.tracer,
  ];
  return { list, memory, otelExporter, metrics, rec };
}

describe('setRoute, nameServerCall, recordServerError', () => {
  it('setRoute from a plain node:http handler: /users/42 and /users/7 are one span name and one metrics series', async () => {
    const t = tracers();
    const srv = await serve(
      traceHttpHandler(
        async (req, res) => {
          const match = /^\/users\/(\d+)$/.exec(req.url ?? '');
          await delay(1); // the route is set after an await, from the active context
          if (match) expect(setRoute('/users/:id')).toBe(true);
          res.end(match ? match[1] : 'no');
        },
        { tracers: t.list, service: 'users' },
      ),
    );
    try {
      for (const path of ['/users/42', '/users/7', '/other']) await (await fetch(srv.url + path)).text();
      await t.rec.finishedCount(3);
    } finally {
      await srv.close();
    }
    expect(t.memory.spans.map((s) => s.name)).toEqual(['GET /users/:id', 'GET /users/:id', 'GET']);
    expect(t.otelExporter.getFinishedSpans().map((s) => s.name)).toEqual(['GET /users/:id', 'GET /users/:id', 'GET']);
    expect(t.memory.spans[1].attributes).toMatchObject({ 'http.route': '/users/:id', 'url.path': '/users/7' });
    expect(t.memory.spans[2].attributes).not.toHaveProperty('http.route');
    expect(t.metrics.snapshot().series.map((s) => [s.service, s.method, s.calls])).toEqual([
      ['users', 'GET /users/:id', 2],
      ['users', 'GET', 1],
    ]);
  });

  it('nameServerCall names the call from inside its handler; recordServerError records what the handler answered itself', async () => {
    const t = tracers();
    const srv = await serve(
      traceHttpHandler(
        (_req, res) => {
          nameServerCall({ method: 'user.byId', service: 7 as never });
          recordServerError(new RangeError('no such user'));
          recordServerError(new Error('second')); // the first recorded error wins
          res.statusCode = 500;
          res.end('sorry');
        },
        { tracers: t.list, service: 'users' },
      ),
    );
    try {
      const res = await fetch(`${srv.url}/trpc/user.byId?input=1`);
      expect([res.status, await res.text()]).toEqual([500, 'sorry']);
      await t.rec.finishedCount(1);
    } finally {
      await srv.close();
    }
    const [span] = t.memory.spans;
    expect(span.name).toBe('users/user.byId');
    expect(span.status).toEqual({ code: 'error', message: 'no such user' });
    expect(span.attributes).toMatchObject({ 'error.type': 'RangeError', 'http.response.status_code': 500, 'rpc.method': 'user.byId' });
    const exception = span.events.find((e) => e.name === 'exception')!;
    expect(exception.attributes).toMatchObject({ 'exception.type': 'RangeError', 'exception.message': 'no such user' });
    expect(exception.attributes['exception.stacktrace']).toMatch(/RangeError: no such user/);
    const [otel] = t.otelExporter.getFinishedSpans();
    expect(otel.name).toBe('users/user.byId');
    expect(otel.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({ 'exception.type': 'RangeError', 'exception.message': 'no such user' });
    expect(t.metrics.snapshot().series).toMatchObject([{ service: 'users', method: 'user.byId', status: 'error' }]);
  });

  it('outside a served call they do nothing and say so; bad arguments are TypeErrors naming the function', async () => {
    expect(setRoute('/x')).toBe(false);
    expect(nameServerCall({ method: 'm' })).toBe(false);
    expect(recordServerError(new Error('x'))).toBe(false);
    // A client call is not a served one.
    const client = createRPCInfo({ side: 'client', to: { serviceName: 's', method: 'm' } });
    expect(setRoute('/x', withRPCInfo(ROOT_CONTEXT, client))).toBe(false);
    expect(client.attributes).toEqual({});
    await traceCall({ method: 'm' }, () => {
      expect(recordServerError(new Error('x'))).toBe(false);
      expect(getRPCInfo()?.stats.error).toBeUndefined();
    });
    // An explicit ctx is used, not the active one.
    const served = createRPCInfo({ side: 'server' });
    expect(setRoute('/a/:b', withRPCInfo(ROOT_CONTEXT, served))).toBe(true);
    expect(served.attributes['http.route']).toBe('/a/:b');
    expect(() => setRoute('' as string)).toThrow(/setRoute\(route\)/);
    expect(() => setRoute(7 as never)).toThrow(TypeError);
    expect(() => setRoute('/x', {} as never)).toThrow(/setRoute\(…, ctx\) needs a Context/);
    expect(() => nameServerCall(null as never)).toThrow(/nameServerCall/);
    expect(() => recordServerError(new Error('x'), null as never)).toThrow(/recordServerError/);
  });
});
