// An Express 5 app served through traceHttpHandler on a loopback server: the app is the handler
// as users pass it (`createServer(traceHttpHandler(app, …))`, which must type-check with
// @types/express), its routes see the call's RPCInfo, and the span tracer records the call.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { getRPCInfo, type RPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { CALLER_SERVICE_HEADER } from '../../../src/rpcinfo/header-names.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';
import { getActiveSpan } from '../../../src/tracers/span/active-span.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';
import { listen } from '../../loopback.js';
import { delay, recorder } from '../helpers.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

describe('traceHttpHandler with an Express 5 app', () => {
  it('serves the app as a plain node:http listener and traces each request, the route seeing its RPCInfo', async () => {
    const rec = recorder();
    const memory = createMemoryExporter();
    const spans = createSpanTracer({ serviceName: 'users', exporter: memory });
    const seen: Array<{ ri: RPCInfo | undefined; spanId: string | undefined }> = [];

    const app = express();
    app.use(express.json());
    app.post('/users/:id', async (req, res) => {
      await delay(2);
      seen.push({ ri: getRPCInfo(), spanId: getActiveSpan()?.spanContext.spanId });
      res.status(201).json({ id: req.params.id, name: req.body.name });
    });
    app.get('/fail', async () => {
      await delay(1);
      throw new Error('boom');
    });

    // What users write: the wrapped app is a node:http listener, by type too.
    const listener = traceHttpHandler(app, { tracers: [spans, rec.tracer], service: 'users' });
    expectTypeOf(listener).toEqualTypeOf<(req: IncomingMessage, res: ServerResponse) => void>();
    const server = createServer(listener);
    const url = await listen(server);
    try {
      const res = await fetch(`${url}/users/42?x=1`, {
        method: 'POST',
        body: JSON.stringify({ name: 'Ada' }),
        headers: { 'content-type': 'application/json', [CALLER_SERVICE_HEADER]: 'gateway' },
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ id: '42', name: 'Ada' });
      const [ri] = await rec.finishedCount(1);

      expect(seen).toEqual([{ ri, spanId: expect.stringMatching(/^[0-9a-f]{16}$/) }]);
      expect(ri.side).toBe('server');
      expect(ri.from.serviceName).toBe('gateway');
      expect(ri.to.serviceName).toBe('users');
      // Without the isotrace/express middleware nothing tells the route: named by the HTTP method alone.
      expect(ri.to.method).toBe('');
      expect(ri.config.transport).toBe('http');
      expect(ri.stats.recvSize).toBe(14);
      expect(ri.stats.error).toBeUndefined();
      expect(ri.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 201, 'url.path': '/users/42' });
      for (const e of [stats.RPCStart, stats.ServerHandleStart, stats.ServerHandleFinish, stats.RPCFinish]) {
        expect(ri.stats.getEvent(e), e.name).toBeDefined();
      }

      // A rejected async route: Express 5 answers it with its own 500; the call is an error.
      const failed = await fetch(`${url}/fail`);
      expect(failed.status).toBe(500);
      await failed.text();
      const [, failedRi] = await rec.finishedCount(2);
      expect(failedRi.attributes).toMatchObject({ 'http.response.status_code': 500, 'error.type': '500' });
      expect(failedRi.stats.getEvent(stats.RPCFinish)?.status).toBe('error');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    const [ok, fail] = memory.spans;
    expect(memory.spans).toHaveLength(2);
    expect(ok).toMatchObject({ kind: 'server', name: 'POST', status: { code: 'unset' } });
    expect(ok.spanId).toBe(seen[0].spanId);
    expect(ok.resource).toMatchObject({ 'service.name': 'users' });
    expect(ok.attributes).toMatchObject({ 'http.response.status_code': 201 });
    expect(fail).toMatchObject({ kind: 'server', name: 'GET', status: { code: 'error' } });
  });
});
