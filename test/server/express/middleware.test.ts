// isotrace/express on a real Express 5 app served by traceHttpHandler on loopback: the route
// template names the span and the metrics series, and the error a custom error handler answers
// with a 500 reaches the span with its type, message and stack.
import { createServer } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { expressErrors, expressRoutes } from '../../../src/server/express/middleware.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';
import { createMetricsTracer } from '../../../src/tracers/metrics/metrics-tracer.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';
import { listen } from '../../loopback.js';
import { delay, recorder } from '../helpers.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

/** Serves `app` through traceHttpHandler, runs `requests`, and returns what the tracers saw. */
async function run(app: express.Express, requests: (url: string) => Promise<void>) {
  const memory = createMemoryExporter();
  const metrics = createMetricsTracer();
  const rec = recorder();
  const server = createServer(
    traceHttpHandler(app, { tracers: [createSpanTracer({ serviceName: 'users', exporter: memory }), metrics, rec.tracer], service: 'users' }),
  );
  const url = await listen(server);
  try {
    await requests(url);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return { spans: memory.spans, series: metrics.snapshot().series, finished: rec.finished };
}

const get = async (url: string, expected: number, body?: string) => {
  const res = await fetch(url);
  expect(res.status).toBe(expected);
  const text = await res.text();
  if (body !== undefined) expect(text).toBe(body);
};

describe('isotrace/express', () => {
  it('/users/42 and /users/7 give one span name GET /users/:id and one metrics series; a mounted router adds its mount path', async () => {
    const app = express();
    app.use(expressRoutes());
    app.get('/users/:id', async (req, res) => {
      await delay(1);
      res.json({ id: req.params.id });
    });
    const api = express.Router();
    api.get('/orders/:orderId', (req, res) => {
      res.send(req.params.orderId);
    });
    api.get('/', (_req, res) => {
      res.send('index');
    });
    app.use('/api', api);

    const { spans, series } = await run(app, async (url) => {
      await get(`${url}/users/42`, 200, '{"id":"42"}');
      await get(`${url}/users/7?x=1`, 200, '{"id":"7"}');
      await get(`${url}/api/orders/9`, 200, '9');
      await get(`${url}/api`, 200, 'index');
      await get(`${url}/nowhere/1`, 404);
    });
    expect(spans.map((s) => s.name)).toEqual(['GET /users/:id', 'GET /users/:id', 'GET /api/orders/:orderId', 'GET /api', 'GET']);
    expect(spans[1].attributes).toMatchObject({ 'http.route': '/users/:id', 'url.path': '/users/7', 'http.response.status_code': 200 });
    expect(spans[4].attributes).not.toHaveProperty('http.route');
    expect(spans.map((s) => s.status.code)).toEqual(['unset', 'unset', 'unset', 'unset', 'unset']);
    expect(series.map((s) => [s.method, s.calls])).toEqual([
      ['GET /users/:id', 2],
      ['GET /api/orders/:orderId', 1],
      ['GET /api', 1],
      ['GET', 1],
    ]);
  });

  it('a thrown error in a route with a custom error handler (which answers 500) gives a span with the exception, the response unchanged', async () => {
    const app = express();
    app.use(expressRoutes());
    app.get('/boom/:id', () => {
      throw new TypeError('bad input');
    });
    app.get('/reject', async () => {
      await delay(1);
      throw new RangeError('too far');
    });
    app.get('/missing', () => {
      throw Object.assign(new Error('no such thing'), { status: 404 }); // as http-errors makes it
    });
    app.use(expressErrors());
    app.use((err: Error & { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(err.status ?? 500).send('sorry');
    });

    const { spans, series, finished } = await run(app, async (url) => {
      await get(`${url}/boom/1`, 500, 'sorry');
      await get(`${url}/reject`, 500, 'sorry');
      await get(`${url}/missing`, 404, 'sorry');
    });
    const [boom, reject, missing] = spans;
    expect(boom).toMatchObject({ name: 'GET /boom/:id', status: { code: 'error', message: 'bad input' } });
    expect(boom.attributes).toMatchObject({ 'error.type': 'TypeError', 'http.route': '/boom/:id', 'http.response.status_code': 500 });
    const exception = boom.events.find((e) => e.name === 'exception')!;
    expect(exception.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad input' });
    expect(exception.attributes['exception.stacktrace']).toMatch(/TypeError: bad input\n\s+at /);
    expect(finished[0].stats.error).toBeInstanceOf(TypeError);
    expect(reject).toMatchObject({ name: 'GET /reject', status: { code: 'error', message: 'too far' } });
    expect(reject.attributes['error.type']).toBe('RangeError');
    // A 4xx error is the client's: answered, not the server's failure, not recorded.
    expect(missing).toMatchObject({ name: 'GET /missing', status: { code: 'unset' } });
    expect(missing.events.find((e) => e.name === 'exception')).toBeUndefined();
    expect(series.map((s) => [s.method, s.status])).toEqual([
      ['GET /boom/:id', 'error'],
      ['GET /reject', 'error'],
      ['GET /missing', 'ok'],
    ]);
  });

  it('does nothing on a request nobody traces', async () => {
    const app = express();
    app.use(expressRoutes());
    app.get('/x/:id', () => {
      throw new Error('x');
    });
    app.use(expressErrors());
    app.use((_err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('handled');
    });
    const server = createServer(app);
    const url = await listen(server);
    try {
      await get(`${url}/x/1`, 500, 'handled');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
