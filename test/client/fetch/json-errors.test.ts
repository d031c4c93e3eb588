// Errors that JSON-over-HTTP RPC protocols put in the body: a JSON-RPC 2.0 error object under
// HTTP 200 (json-rpc-2.0's client and server), and tRPC's errors (tRPC 11's client links and its
// node:http handler), read by traceFetch and traceHttpHandler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSONRPCClient, JSONRPCErrorException, JSONRPCServer } from 'json-rpc-2.0';
import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import { traceFetch } from '../../../src/client/fetch/trace-fetch.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { rpcOutcome } from '../../../src/rpcinfo/conventions/rpc-conventions.js';
import { createMetricsTracer } from '../../../src/tracers/metrics/metrics-tracer.js';
import { recorder, serve } from '../../server/helpers.js';

const t = initTRPC.create();
const appRouter = t.router({
  greet: t.procedure.query(() => 'hello'),
  user: t.router({
    get: t.procedure.query(() => {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'no such user' });
    }),
  }),
  crash: t.procedure.mutation(() => {
    throw new Error('db down');
  }),
});
type AppRouter = typeof appRouter;

const jsonRpc = new JSONRPCServer({ errorListener: () => {} });
jsonRpc.addMethod('divide', ({ a, b }: { a: number; b: number }) => {
  if (b === 0) throw new JSONRPCErrorException('division by zero', -32000);
  return a / b;
});

/** json-rpc-2.0's server over node:http: every answer is HTTP 200, errors included. */
async function jsonRpcHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of req) body += chunk;
  const answer = await jsonRpc.receive(JSON.parse(body));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(answer));
}

let trpcServer: Awaited<ReturnType<typeof serve>>;
let jsonRpcServer: Awaited<ReturnType<typeof serve>>;
const serverSide = recorder();

beforeAll(async () => {
  const trpcHandler = createHTTPHandler({ router: appRouter, basePath: '/trpc/' });
  trpcServer = await serve(traceHttpHandler((req, res) => trpcHandler(req, res), { service: 'trpc-app', tracers: [serverSide.tracer] }));
  jsonRpcServer = await serve(traceHttpHandler(jsonRpcHandler, { service: 'calc', tracers: [serverSide.tracer] }));
});
afterAll(async () => {
  await trpcServer.close();
  await jsonRpcServer.close();
});

async function lastServerCall(before: number) {
  return (await serverSide.finishedCount(before + 1))[before];
}

describe('JSON-RPC 2.0 over HTTP (json-rpc-2.0)', () => {
  it('an error object under HTTP 200 fails the client with its code', async () => {
    const clientSide = recorder();
    const metrics = createMetricsTracer();
    const fetch = traceFetch(undefined, { tracers: [clientSide.tracer, metrics] });
    const client: JSONRPCClient = new JSONRPCClient((request) =>
      fetch(jsonRpcServer.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) })
        .then((res) => res.json())
        .then((answer) => client.receive(answer)),
    );
    expect(await client.request('divide', { a: 6, b: 3 })).toBe(2);
    await expect(client.request('divide', { a: 1, b: 0 })).rejects.toMatchObject({ code: -32000, message: 'division by zero' });
    const [ok, failed] = await clientSide.finishedCount(2);
    expect(ok.attributes).toMatchObject({ 'rpc.system': 'jsonrpc', 'http.response.status_code': 200 });
    expect(ok.attributes['rpc.jsonrpc.error_code']).toBeUndefined();
    expect(rpcOutcome(ok).failed).toBe(false);

    expect(failed.invocation.method).toBe('divide');
    expect(failed.attributes).toMatchObject({
      'rpc.system': 'jsonrpc',
      'http.response.status_code': 200,
      'rpc.jsonrpc.error_code': -32000,
      'rpc.jsonrpc.error_message': 'division by zero',
      'error.type': '-32000',
    });
    expect(failed.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: 'division by zero' });
    expect(metrics.snapshot().series.map((s) => s.status)).toEqual(['ok', 'error']);
  });
});

describe('tRPC 11', () => {
  it('a NOT_FOUND: its code and procedure on both sides; an error for the client only', async () => {
    const clientSide = recorder();
    const client = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${trpcServer.url}/trpc`, fetch: traceFetch(undefined, { tracers: [clientSide.tracer] }) })],
    });
    const before = serverSide.finished.length;
    const error = await client.user.get.query().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe('NOT_FOUND');
    const [clientRi] = await clientSide.finishedCount(1);
    const serverRi = await lastServerCall(before);
    expect(clientRi.attributes).toMatchObject({
      'http.response.status_code': 404,
      'rpc.system': 'trpc',
      'rpc.method': 'user.get',
      'isotrace.trpc.error_code': 'NOT_FOUND',
      'error.type': 'NOT_FOUND',
    });
    expect(clientRi.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: 'no such user' });

    expect(serverRi.attributes).toMatchObject({ 'http.response.status_code': 404, 'rpc.method': 'user.get', 'isotrace.trpc.error_code': 'NOT_FOUND' });
    expect(rpcOutcome(serverRi).failed).toBe(false);
  });

  it('INTERNAL_SERVER_ERROR in a batch: the failing procedure batched with another; an error on both sides', async () => {
    const clientSide = recorder();
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${trpcServer.url}/trpc`, fetch: traceFetch(undefined, { tracers: [clientSide.tracer] }) })],
    });
    const before = serverSide.finished.length;
    const [greeting, user] = await Promise.allSettled([client.greet.query(), client.user.get.query()]);
    expect(greeting).toMatchObject({ status: 'fulfilled', value: 'hello' });
    expect(user.status).toBe('rejected');
    const [batch] = await clientSide.finishedCount(1);
    // Mixed results: HTTP 207 and the failing item's code; the path names every batched procedure.
    // The HTTP status decides for tRPC: a batch that partly succeeded is not a failed call.
    expect(batch.attributes).toMatchObject({ 'http.response.status_code': 207, 'rpc.method': 'greet,user.get', 'isotrace.trpc.error_code': 'NOT_FOUND' });
    expect(rpcOutcome(batch).failed).toBe(false);
    await lastServerCall(before);

    const crashSide = recorder();
    const crashClient = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${trpcServer.url}/trpc`, fetch: traceFetch(undefined, { tracers: [crashSide.tracer] }) })],
    });
    const next = serverSide.finished.length;
    await expect(crashClient.crash.mutate()).rejects.toBeInstanceOf(TRPCClientError);
    const [clientRi] = await crashSide.finishedCount(1);
    const serverRi = await lastServerCall(next);
    for (const ri of [clientRi, serverRi]) {
      expect(ri.attributes).toMatchObject({
        'http.response.status_code': 500,
        'rpc.method': 'crash',
        'isotrace.trpc.error_code': 'INTERNAL_SERVER_ERROR',
        'error.type': 'INTERNAL_SERVER_ERROR',
      });
      expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
    }
  });
});
