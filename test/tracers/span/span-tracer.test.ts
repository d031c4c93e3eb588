import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT_CONTEXT, type Context } from '../../../src/context/context.js';
import { context, getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { traceCall } from '../../../src/client/trace-call.js';
import { traceFetch } from '../../../src/client/fetch/trace-fetch.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { MapHeaderCarrier } from '../../../src/rpcinfo/header-carrier.js';
import { createRPCInfo, getRPCInfo, withRPCInfo, type RPCInfoInit } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { createTraceController } from '../../../src/tracer/trace-controller.js';
import { suppressTracing } from '../../../src/tracer/suppress-tracing.js';
import { TraceFlags } from '../../../src/propagation/span-context.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';
import type { SpanTracer } from '../../../src/tracers/span/span-tracer.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';
import { getActiveSpan, getSpanContext } from '../../../src/tracers/span/active-span.js';
import type { SpanData } from '../../../src/tracers/span/span.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

function headersOf(ctx: Context): Record<string, string> {
  const h = getRPCInfo(ctx)!.headers;
  return Object.fromEntries(h.keys().map((k) => [k, h.get(k)!]));
}

/** Serves one call by hand, as a server transport would: RPCInfo from headers, controller, handler under ctx. */
async function serve<T>(tracer: SpanTracer, init: Omit<RPCInfoInit, 'side'>, handler: (ctx: Context) => Promise<T>): Promise<T> {
  const ri = createRPCInfo({ side: 'server', ...init });
  const controller = createTraceController({ tracers: [tracer] });
  const ctx = controller.start(withRPCInfo(ROOT_CONTEXT, ri));
  ri.stats.record(stats.ServerHandleStart);
  try {
    return await context.with(ctx, handler, undefined, ctx);
  } finally {
    ri.stats.record(stats.ServerHandleFinish);
    controller.finish(ctx);
  }
}

const byName = (spans: readonly SpanData[], name: string) => spans.find((s) => s.name === name)!;

describe('span tracer: parent and child across client → server → nested client', () => {
  it('keeps one trace id, links each span to its caller, and records kinds, names, attributes and events', async () => {
    const memory = createMemoryExporter();
    const gateway = createSpanTracer({ serviceName: 'gateway', exporter: memory });
    const users = createSpanTracer({ serviceName: 'users', exporter: memory });
    let sent: Record<string, string> = {};
    let nestedSent: Record<string, string> = {};

    await traceCall({ tracers: [gateway], service: 'gateway', callee: 'users', method: 'GetUser' }, async (ctx) => {
      sent = headersOf(ctx);
      getRPCInfo(ctx)!.stats.sendSize = 12;
      getRPCInfo(ctx)!.stats.recvSize = 34;
      await serve(
        users,
        {
          from: { serviceName: 'gateway' },
          to: { serviceName: 'users', method: 'GetUser', address: '10.0.0.7:8080' },
          headers: new MapHeaderCarrier(sent),
          attributes: { 'rpc.system': 'jsonrpc' },
        },
        async () => {
          getActiveSpan()!.setAttribute('app.user_id', 42);
          await traceCall({ tracers: [users], service: 'users', callee: 'db', method: 'Query' }, async (inner) => {
            nestedSent = headersOf(inner);
          });
        },
      );
    });

    expect(memory.spans.map((s) => s.name)).toEqual(['db/Query', 'users/GetUser', 'users/GetUser']);
    const client = memory.spans.find((s) => s.kind === 'client' && s.name === 'users/GetUser')!;
    const server = memory.spans.find((s) => s.kind === 'server')!;
    const nested = byName(memory.spans, 'db/Query');

    expect(new Set(memory.spans.map((s) => s.traceId)).size).toBe(1);
    expect(client.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(client.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(client.parentSpanId).toBeUndefined();
    expect(server.parentSpanId).toBe(client.spanId);
    expect(server.parentIsRemote).toBe(true);
    expect(nested.parentSpanId).toBe(server.spanId);
    expect(nested.parentIsRemote).toBe(false);
    expect([client.kind, server.kind, nested.kind]).toEqual(['client', 'server', 'client']);
    // A new trace: sampled, and its ids are random (W3C Level 2).
    expect(client.traceFlags).toBe(TraceFlags.Sampled | TraceFlags.Random);
    expect(sent.traceparent).toBe(`00-${client.traceId}-${client.spanId}-03`);
    expect(nestedSent.traceparent).toBe(`00-${client.traceId}-${nested.spanId}-03`);
    expect(sent.tracestate).toBeUndefined();

    expect(client.attributes).toMatchObject({
      'rpc.service': 'users',
      'rpc.method': 'GetUser',
      'peer.service': 'users',
      'isotrace.transport': 'call',
      'rpc.request.size': 12,
      'rpc.response.size': 34,
    });
    expect(server.attributes).toMatchObject({
      'rpc.system': 'jsonrpc',
      'rpc.service': 'users',
      'rpc.method': 'GetUser',
      'peer.service': 'gateway',
      'server.address': '10.0.0.7',
      'server.port': 8080,
      'app.user_id': 42,
    });
    expect(server.resource).toMatchObject({ 'service.name': 'users', 'telemetry.sdk.name': 'isotrace', 'telemetry.sdk.language': 'nodejs' });
    expect(server.scope).toEqual({ name: 'isotrace', version: expect.any(String) });
    expect(server.events.map((e) => e.name)).toEqual(['RPCStart', 'ServerHandleStart', 'ServerHandleFinish', 'RPCFinish']);
    expect(client.status).toEqual({ code: 'unset' });
    // Times come from RPCStart/RPCFinish; the server ran inside the client call.
    const rec = (s: SpanData, n: string) => s.events.find((e) => e.name === n)!.time;
    expect(client.startTime).toBe(rec(client, 'RPCStart'));
    expect(client.endTime).toBe(rec(client, 'RPCFinish'));
    expect(server.startTime).toBeGreaterThanOrEqual(client.startTime);
    expect(server.endTime).toBeLessThanOrEqual(client.endTime);
  });

  it('records a failed call as an error with its message, error.type and an exception event', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'web', exporter: memory });
    await expect(traceCall({ tracers: [tracer], callee: 'users', method: 'Get' }, () => Promise.reject(new TypeError('no such user')))).rejects.toThrow(
      'no such user',
    );
    const [span] = memory.spans;
    expect(span.status).toEqual({ code: 'error', message: 'no such user' });
    expect(span.attributes['error.type']).toBe('TypeError');
    const exception = span.events.find((e) => e.name === 'exception')!;
    expect(exception.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'no such user' });
    expect(span.events.find((e) => e.name === 'RPCFinish')!.attributes).toEqual({ 'isotrace.status': 'error' });
  });

  it('treats RPCFinish status error (an HTTP 5xx) and a client 4xx as errors, a server 4xx not', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'web', exporter: memory });
    const call = async (side: 'client' | 'server', code: number, finish?: { status: 'error'; info: string }) => {
      const ri = createRPCInfo({ side, to: { serviceName: 's', method: `m${code}${side}` } });
      const controller = createTraceController({ tracers: [tracer] });
      const ctx = controller.start(withRPCInfo(ROOT_CONTEXT, ri));
      ri.attributes['http.response.status_code'] = code;
      if (finish) ri.stats.record(stats.RPCFinish, finish.status, finish.info);
      controller.finish(ctx);
      return memory.spans.at(-1)!;
    };
    expect((await call('client', 503, { status: 'error', info: 'HTTP 503' })).status).toEqual({ code: 'error', message: 'HTTP 503' });
    expect(memory.spans.at(-1)!.attributes['error.type']).toBe('503');
    expect((await call('client', 404)).status.code).toBe('error');
    expect((await call('server', 404)).status.code).toBe('unset');
    expect((await call('server', 500)).attributes['error.type']).toBe('500');
  });

  it('does nothing under suppressTracing: no span, no header', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'web', exporter: memory });
    // traceCall makes no RPCInfo there; a controller given a suppressed context runs no tracer.
    const seen = await traceCall({ tracers: [tracer], method: 'M', ctx: suppressTracing(ROOT_CONTEXT) }, (ctx) => [getActiveSpan(ctx), getRPCInfo(ctx)]);
    expect(seen).toEqual([undefined, undefined]);
    const controller = createTraceController({ tracers: [tracer] });
    const ctx = controller.start(suppressTracing(withRPCInfo(ROOT_CONTEXT, createRPCInfo({ side: 'client' }))));
    controller.finish(ctx);
    expect(headersOf(ctx)).toEqual({});
    expect(memory.spans).toHaveLength(0);
  });
});

describe('plain spans', () => {
  it('startSpan: RPCs under span.ctx are its children; end exports it once', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'web', exporter: memory });
    const click = tracer.startSpan('click checkout', { attributes: { 'ui.button': 'checkout' } });
    expect(getActiveSpan(click.ctx)).toBe(click);
    expect(getSpanContext(click.ctx)).toBe(click.spanContext);
    await traceCall({ tracers: [tracer], callee: 'cart', method: 'Checkout', ctx: click.ctx }, () => 1);
    await context.with(click.ctx, () => traceCall({ tracers: [tracer], callee: 'cart', method: 'Total' }, () => 2));
    click.addEvent('validated', { items: 3 }).setStatus({ code: 'ok' });
    click.end();
    click.end();
    click.setAttribute('late', true);

    expect(memory.spans.map((s) => s.name)).toEqual(['cart/Checkout', 'cart/Total', 'click checkout']);
    const [checkout, total, span] = memory.spans;
    expect(span).not.toHaveProperty('parentSpanId');
    expect(span).toMatchObject({ kind: 'internal', attributes: { 'ui.button': 'checkout' }, status: { code: 'ok' } });
    expect(span.attributes).not.toHaveProperty('late');
    expect(span.events).toEqual([{ name: 'validated', time: expect.any(Number), attributes: { items: 3 } }]);
    expect(checkout.parentSpanId).toBe(span.spanId);
    expect(total.parentSpanId).toBe(span.spanId);
    expect(checkout.traceId).toBe(span.traceId);
    expect(click.ended).toBe(true);
  });

  it('withSpan: makes the span active, ends it when the promise settles, records a rejection and passes it on', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'web', exporter: memory });
    const value = await tracer.withSpan('load page', async (span) => {
      expect(getActiveSpan()).toBe(span);
      await new Promise((r) => setTimeout(r, 1));
      expect(getActiveSpan()).toBe(span);
      return traceCall({ tracers: [tracer], callee: 'api', method: 'Init' }, () => 'ready');
    });
    expect(value).toBe('ready');
    const boom = new RangeError('bad');
    await expect(
      tracer.withSpan('fail', async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(() =>
      tracer.withSpan('sync fail', () => {
        throw boom;
      }),
    ).toThrow(boom);
    await new Promise((r) => setTimeout(r, 1));
    const names = memory.spans.map((s) => s.name);
    expect(names.slice(0, 2)).toEqual(['api/Init', 'load page']);
    expect(names.slice(2).sort()).toEqual(['fail', 'sync fail']);
    expect(memory.spans[0].parentSpanId).toBe(memory.spans[1].spanId);
    const failed = byName(memory.spans, 'fail');
    expect(failed.status).toEqual({ code: 'error', message: 'bad' });
    expect(failed.attributes['error.type']).toBe('RangeError');
  });

  it('an app attribute on the active RPC span is exported with it', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'web', exporter: memory });
    await traceCall({ tracers: [tracer], method: 'M' }, () => {
      getActiveSpan()!.setAttributes({ 'app.cart_items': 3, 'app.premium': true });
      getActiveSpan()!.end(); // ignored: the RPC ends the span
    });
    expect(memory.spans).toHaveLength(1);
    expect(memory.spans[0].attributes).toMatchObject({ 'app.cart_items': 3, 'app.premium': true });
  });
});

describe('options', () => {
  it('rejects bad options with a TypeError naming them', () => {
    const exporter = createMemoryExporter();
    expect(() => createSpanTracer({ serviceName: '', exporter })).toThrow(/serviceName/);
    expect(() => createSpanTracer({ serviceName: 's', exporter: {} as never })).toThrow(/SpanExporter/);
    expect(() => createSpanTracer({ serviceName: 's', exporter, sampler: {} as never })).toThrow(/Sampler/);
    expect(() => createSpanTracer({ serviceName: 's', exporter, resource: { bad: {} as never } })).toThrow(/resource attribute bad/);
    expect(() => createSpanTracer({ serviceName: 's', exporter, traceState: 'x' as never })).toThrow(/traceState/);
    const tracer = createSpanTracer({ serviceName: 's', exporter });
    expect(() => tracer.startSpan('')).toThrow(TypeError);
  });

  it('a throwing exporter or sampler never breaks the call', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const broken = {
      export: () => {
        throw new Error('x');
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const tracer = createSpanTracer({
      serviceName: 's',
      exporter: broken,
      sampler: {
        description: 'bad',
        shouldSample: () => {
          throw new Error('s');
        },
      },
    });
    expect(await traceCall({ tracers: [tracer], method: 'M' }, () => 7)).toBe(7);
    const tracer2 = createSpanTracer({ serviceName: 's', exporter: broken });
    expect(await traceCall({ tracers: [tracer2], method: 'M' }, () => 8)).toBe(8);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('mints distinct, valid ids', () => {
    const tracer = createSpanTracer({ serviceName: 's', exporter: createMemoryExporter() });
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const span = tracer.startSpan('x', { root: true });
      expect(span.spanContext.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
      expect(span.spanContext.spanId).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
      ids.add(span.spanContext.traceId).add(span.spanContext.spanId);
    }
    expect(ids.size).toBe(4000);
  });
});

describe('over real loopback HTTP (traceFetch → traceHttpHandler → nested traceFetch)', () => {
  let server: Server;
  let base = '';
  const memory = createMemoryExporter();
  const web = createSpanTracer({ serviceName: 'web', exporter: memory });
  const users = createSpanTracer({ serviceName: 'users', exporter: memory });

  beforeAll(async () => {
    const nestedFetch = traceFetch(undefined, { tracers: [users], service: 'users' });
    server = createServer(
      traceHttpHandler(
        async (req, res) => {
          if (req.url === '/acme.db.v1.Db/Query') {
            res.end('{"row":1}');
            return;
          }
          const row = await (await nestedFetch(`${base}/acme.db.v1.Db/Query`, { method: 'POST', body: '{}' })).text();
          res.setHeader('content-type', 'application/json');
          res.end(row);
        },
        { service: 'users', tracers: [users] },
      ),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('one trace, each parent the caller, HTTP attributes on both sides', async () => {
    const fetch = traceFetch(undefined, { tracers: [web], service: 'web' });
    const res = await fetch(`${base}/acme.user.v1.UserService/GetUser`, { method: 'POST', body: '{"id":1}' });
    expect(await res.text()).toBe('{"row":1}');
    for (let i = 0; i < 100 && memory.spans.length < 4; i++) await new Promise((r) => setTimeout(r, 5));
    expect(memory.spans).toHaveLength(4);

    const client = memory.spans.find((s) => s.kind === 'client' && s.resource['service.name'] === 'web')!;
    const server1 = memory.spans.find((s) => s.kind === 'server' && s.parentSpanId === client.spanId)!;
    const nested = memory.spans.find((s) => s.kind === 'client' && s.resource['service.name'] === 'users')!;
    const server2 = memory.spans.find((s) => s.kind === 'server' && s !== server1)!;
    expect(new Set(memory.spans.map((s) => s.traceId)).size).toBe(1);
    expect(server1.parentIsRemote).toBe(true);
    expect(nested.parentSpanId).toBe(server1.spanId);
    expect(server2.parentSpanId).toBe(nested.spanId);
    expect(client.name).toMatch(/GetUser$/);
    expect(client.attributes).toMatchObject({
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'isotrace.transport': 'fetch',
      'http.request.body.size': 8,
    });
    expect(server1.attributes).toMatchObject({ 'http.response.status_code': 200, 'peer.service': 'web' });
    expect(server1.attributes['http.response.body.size']).toBe(9);
  });
});
