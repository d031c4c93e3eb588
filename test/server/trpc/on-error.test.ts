// tRPC 11 (its standalone node:http adapter) served by traceHttpHandler, as the README shows it:
// a tRPC middleware names each call by its procedure path (nameServerCall), and the server's
// onError records the exception tRPC catches and answers as a 500 (recordServerError), which
// would otherwise reach the trace as a bare "HTTP 500".
import { createServer } from 'node:http';
import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { nameServerCall } from '../../../src/server/call-name.js';
import { recordServerError } from '../../../src/server/handler-failure.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';
import { createMetricsTracer } from '../../../src/tracers/metrics/metrics-tracer.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';
import { listen } from '../../loopback.js';
import { recorder } from '../helpers.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

describe('tRPC', () => {
  it('a procedure error tRPC answers with a 500 is recorded by onError; calls are named by procedure path', async () => {
    const t = initTRPC.create();
    const named = t.procedure.use(({ path, next }) => {
      nameServerCall({ method: path });
      return next();
    });
    const router = t.router({
      user: t.router({
        byId: named.query(() => ({ id: 1 })),
        explode: named.query(() => {
          throw new RangeError('no such user');
        }),
        forbidden: named.query(() => {
          throw new TRPCError({ code: 'FORBIDDEN', message: 'not yours' });
        }),
      }),
    });
    const memory = createMemoryExporter();
    const metrics = createMetricsTracer();
    const rec = recorder();
    const trpc = createHTTPHandler({
      router,
      basePath: '/trpc/',
      // The one line: tRPC's own failures (INTERNAL_SERVER_ERROR) are the server's; the others are the caller's.
      onError: ({ error }) => error.code === 'INTERNAL_SERVER_ERROR' && recordServerError(error.cause ?? error),
    });
    const server = createServer(
      traceHttpHandler(trpc, { tracers: [createSpanTracer({ serviceName: 'users', exporter: memory }), metrics, rec.tracer], service: 'users' }),
    );
    const url = await listen(server);
    try {
      for (const [procedure, status] of [
        ['user.byId', 200],
        ['user.explode', 500],
        ['user.forbidden', 403],
      ] as const) {
        const res = await fetch(`${url}/trpc/${procedure}`);
        expect([procedure, res.status]).toEqual([procedure, status]);
        await res.text();
      }
      await rec.finishedCount(3);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const [ok, explode, forbidden] = memory.spans;
    expect(ok).toMatchObject({ name: 'users/user.byId', status: { code: 'unset' } });
    expect(explode).toMatchObject({ name: 'users/user.explode', status: { code: 'error', message: 'no such user' } });
    expect(explode.attributes).toMatchObject({ 'error.type': 'RangeError', 'rpc.method': 'user.explode', 'http.response.status_code': 500 });
    expect(explode.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
      'exception.type': 'RangeError',
      'exception.message': 'no such user',
    });
    expect(forbidden).toMatchObject({ name: 'users/user.forbidden', status: { code: 'unset' } });
    expect(metrics.snapshot().series.map((s) => [s.method, s.status])).toEqual([
      ['user.byId', 'ok'],
      ['user.explode', 'error'],
      ['user.forbidden', 'ok'],
    ]);
  });
});
