// isotrace/hono on a real Hono 4 app: served by traceFetchHandler behind @hono/node-server, by
// traceHttpHandler around @hono/node-server's listener, and called directly without
// AsyncLocalStorage. The route Hono matched names the span and the metrics series, and the
// error onError answers with a 500 reaches the span with its type, message and stack.
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { StackContextManager } from '../../../src/context/stack-context-manager.js';
import type { Tracer } from '../../../src/tracer/tracer.js';
import { honoRoutes } from '../../../src/server/hono/middleware.js';
import { traceFetchHandler } from '../../../src/server/fetch/handler.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';
import { createMetricsTracer } from '../../../src/tracers/metrics/metrics-tracer.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';
import { listen } from '../../loopback.js';
import { delay, recorder } from '../helpers.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

function createApp(): Hono {
  const app = new Hono();
  app.use(honoRoutes());
  app.get('/users/:id', async (c) => {
    await delay(1);
    return c.json({ id: c.req.param('id') });
  });
  app.get('/boom/:id', async () => {
    await delay(1);
    throw new TypeError('bad input');
  });
  app.get('/teapot', () => {
    throw new HTTPException(418, { message: 'short and stout' });
  });
  app.onError((err, c) => (err instanceof HTTPException ? err.getResponse() : c.text('sorry', 500)));
  return app;
}

function tracers() {
  const memory = createMemoryExporter();
  const metrics = createMetricsTracer();
  const rec = recorder();
  const list: Tracer[] = [createSpanTracer({ serviceName: 'users', exporter: memory }), metrics, rec.tracer];
  return { list, memory, metrics, rec };
}

async function requests(url: string) {
  const expectations: Array<[string, number, string]> = [
    ['/users/42', 200, '{"id":"42"}'],
    ['/users/7', 200, '{"id":"7"}'],
    ['/boom/1', 500, 'sorry'],
    ['/teapot', 418, 'short and stout'],
    ['/nowhere', 404, '404 Not Found'],
  ];
  for (const [path, status, body] of expectations) {
    const res = await fetch(url + path);
    expect([path, res.status, await res.text()]).toEqual([path, status, body]);
  }
}

function expectTraced(t: ReturnType<typeof tracers>) {
  const spans = t.memory.spans;
  expect(spans.map((s) => s.name)).toEqual(['GET /users/:id', 'GET /users/:id', 'GET /boom/:id', 'GET /teapot', 'GET']);
  expect(spans[1].attributes).toMatchObject({ 'http.route': '/users/:id', 'url.path': '/users/7' });
  const boom = spans[2];
  expect(boom.status).toEqual({ code: 'error', message: 'bad input' });
  expect(boom.attributes).toMatchObject({ 'error.type': 'TypeError', 'http.response.status_code': 500 });
  const exception = boom.events.find((e) => e.name === 'exception')!;
  expect(exception.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad input' });
  expect(exception.attributes['exception.stacktrace']).toMatch(/TypeError: bad input\n\s+at /);
  // An HTTPException with a 4xx is the client's fault: answered, not recorded.
  expect(spans[3].status.code).toBe('unset');
  expect(spans[3].events.find((e) => e.name === 'exception')).toBeUndefined();
  expect(spans[4].attributes).not.toHaveProperty('http.route');
  expect(t.metrics.snapshot().series.map((s) => [s.method, s.status, s.calls])).toEqual([
    ['GET /users/:id', 'ok', 2],
    ['GET /boom/:id', 'error', 1],
    ['GET /teapot', 'ok', 1],
    ['GET', 'ok', 1],
  ]);
}

async function withServer(listener: Parameters<typeof createServer>[1], fn: (url: string) => Promise<void>) {
  const server = createServer(listener!);
  const url = await listen(server);
  try {
    await fn(url);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('isotrace/hono', () => {
  it('under traceFetchHandler (served by @hono/node-server): route names, one series per route, the onError exception recorded', async () => {
    const t = tracers();
    const app = createApp();
    await withServer(getRequestListener(traceFetchHandler(app.fetch, { tracers: t.list, service: 'users' })), requests);
    await t.rec.finishedCount(5);
    expectTraced(t);
  });

  it("under traceHttpHandler around @hono/node-server's listener: the same", async () => {
    const t = tracers();
    const app = createApp();
    await withServer(traceHttpHandler(getRequestListener(app.fetch), { tracers: t.list, service: 'users' }), requests);
    await t.rec.finishedCount(5);
    expectTraced(t);
  });

  it('without AsyncLocalStorage (the stack manager, as on an edge runtime): the context taken on entry still names the call', async () => {
    setContextManager(new StackContextManager());
    try {
      const t = tracers();
      const traced = traceFetchHandler(createApp().fetch, { tracers: t.list, service: 'users' });
      for (const path of ['/users/42', '/boom/1']) await (await traced(new Request(`http://x.test${path}`))).text();
      await t.rec.finishedCount(2);
      expect(t.memory.spans.map((s) => [s.name, s.attributes['error.type']])).toEqual([
        ['GET /users/:id', undefined],
        ['GET /boom/:id', 'TypeError'],
      ]);
    } finally {
      setContextManager(new AsyncLocalStorageContextManager());
    }
  });
});
