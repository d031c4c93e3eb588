import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import type { Context } from '../../../src/context/context.js';
import { getRPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { CALLER_SERVICE_HEADER } from '../../../src/rpcinfo/header-names.js';
import { traceWebSocketRpcServer, type WebSocketRpcErrorEvent } from '../../../src/server/websocket/handler.js';
import { JsonRpcError } from '../../../src/rpcinfo/errors.js';
import { RequestAbortedError } from '../../../src/rpcinfo/errors.js';
import { delay, eventNames, inOrder, recorder } from '../helpers.js';
import { TestClient, wsServer } from './helpers.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

const req = (id: unknown, method: string, params?: unknown, extra: object = {}) => ({
  jsonrpc: '2.0',
  id,
  method,
  ...(params === undefined ? {} : { params }),
  ...extra,
});

function calculator(seen: unknown[] = []) {
  return {
    add: ([a, b]: [number, number]) => a + b,
    echo: (params: unknown) => params,
    nothing: () => undefined,
    async slow(params: { ms: number }, ctx: Context) {
      const ri = getRPCInfo();
      await delay(params.ms);
      seen.push(ri === getRPCInfo() && ri === getRPCInfo(ctx));
      return params.ms;
    },
    invalid: () => {
      throw JsonRpcError.invalidParams('need two numbers', { got: 1 });
    },
    custom: () => {
      throw new JsonRpcError(-32004, 'Not found here');
    },
    broken: () => {
      throw new Error('secret detail at /srv/app.js:12');
    },
    bigint: () => 10n,
  };
}

describe('traceWebSocketRpcServer', () => {
  it('serves a call as a traced RPC: caller from meta, events in order, frame sizes, its own context', async () => {
    const server = await wsServer();
    const rec = recorder();
    const seen: unknown[] = [];
    traceWebSocketRpcServer(server.wss, calculator(seen), { tracers: [rec.tracer], service: 'calc' });
    const client = await TestClient.connect(server.url);
    const frame = JSON.stringify(req(7, 'slow', { ms: 5 }, { meta: { [CALLER_SERVICE_HEADER]: 'web', traceparent: 'x' } }));
    client.send(frame);
    const answer = await client.next();
    expect(answer).toEqual({ jsonrpc: '2.0', id: 7, result: 5 });
    const [ri] = await rec.finishedCount(1);
    expect(ri.stats.error).toBeUndefined();
    client.close();
    await server.close();
    expect(seen).toEqual([true]);
    expect(ri.from).toMatchObject({ serviceName: 'web' });
    expect(ri.from.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(ri.to).toMatchObject({ serviceName: 'calc', method: 'slow' });
    expect(ri.invocation).toMatchObject({ service: 'calc', method: 'slow', seqId: 7 });
    expect(ri.config).toMatchObject({ transport: 'websocket', codec: 'json' });
    expect(ri.headers.get('traceparent')).toBe('x');
    expect(ri.stats.recvSize).toBe(Buffer.byteLength(frame));
    expect(ri.stats.sendSize).toBe(Buffer.byteLength(JSON.stringify(answer)));
    expect(eventNames(ri)).toEqual([
      'RPCStart',
      'ReadStart',
      'ReadFinish',
      'ServerHandleStart',
      'ServerHandleFinish',
      'WriteStart',
      'WriteFinish',
      'RPCFinish',
    ]);
    expect(
      inOrder(
        ri,
        stats.RPCStart,
        stats.ReadStart,
        stats.ReadFinish,
        stats.ServerHandleStart,
        stats.ServerHandleFinish,
        stats.WriteStart,
        stats.WriteFinish,
        stats.RPCFinish,
      ),
    ).toBe(true);
    expect(ri.attributes).toMatchObject({
      'rpc.system': 'jsonrpc',
      'rpc.method': 'slow',
      'rpc.jsonrpc.request_id': '7',
      'client.address': '127.0.0.1',
      'server.address': '127.0.0.1',
    });
  });

  it('notifications get no response; batches one array; an all-notification batch nothing', async () => {
    const server = await wsServer();
    const rec = recorder();
    traceWebSocketRpcServer(server.wss, calculator(), { tracers: [rec.tracer] });
    const client = await TestClient.connect(server.url);
    client.send({ jsonrpc: '2.0', method: 'add', params: [1, 2] });
    expect(await client.silentFor(50)).toBe(true);
    const batch = [
      req(1, 'add', [1, 2]),
      { jsonrpc: '2.0', method: 'echo', params: ['n'] },
      req('b', 'nothing'),
      42,
      req(3, 'missing'),
      [req(4, 'add', [1, 1])],
    ];
    expect(await client.call(batch)).toEqual([
      { jsonrpc: '2.0', id: 1, result: 3 },
      { jsonrpc: '2.0', id: 'b', result: null },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } },
      { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'Method not found' } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } },
    ]);
    client.send([
      { jsonrpc: '2.0', method: 'add', params: [1, 2] },
      { jsonrpc: '2.0', method: 'echo' },
    ]);
    expect(await client.silentFor(50)).toBe(true);
    expect(await client.call([])).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } });
    // Traced: the first notification, 4 valid batch members, 2 notifications.
    const calls = await rec.finishedCount(7);
    client.close();
    await server.close();
    const notification = calls[0];
    expect(notification.stats.getEvent(stats.WriteStart)).toBeUndefined();
    expect(notification.attributes['rpc.jsonrpc.request_id']).toBeUndefined();
    const batched = calls.filter((c) => c.stats.getEvent(stats.WriteFinish) !== undefined);
    expect(batched).toHaveLength(3);
    for (const ri of batched) expect(ri.stats.sendSize).toBeGreaterThan(20);
    expect(calls.find((c) => c.to.method === 'missing')!.attributes).toMatchObject({ 'rpc.jsonrpc.error_code': -32601, 'error.type': '-32601' });
  });

  it('maps errors to JSON-RPC error objects without leaking internals, and keeps the connection', async () => {
    const server = await wsServer();
    const rec = recorder();
    const events: WebSocketRpcErrorEvent[] = [];
    traceWebSocketRpcServer(server.wss, calculator(), { tracers: [rec.tracer], onHandlerError: (e) => events.push(e) });
    const client = await TestClient.connect(server.url);
    const errorOf = async (frame: unknown) => (await client.call(frame)).error;
    expect(await client.call('{"jsonrpc":"2.0","method":')).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    expect(await client.call(new Uint8Array([0xff, 0xfe, 0x00]))).toMatchObject({ error: { code: -32700 } });
    expect(await client.call({ jsonrpc: '1.0', id: 5, method: 'add' })).toMatchObject({ id: 5, error: { code: -32600 } });
    expect(await client.call({ jsonrpc: '2.0', id: { x: 1 }, method: 'add' })).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await client.call({ jsonrpc: '2.0', id: 6, method: 'add', params: 'no' })).toMatchObject({ id: 6, error: { code: -32600 } });
    expect(await client.call('{"jsonrpc":"2.0","id":1e400,"method":"add"}')).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await errorOf(req(8, 'toString'))).toEqual({ code: -32601, message: 'Method not found' });
    expect(await errorOf(req(9, '__proto__'))).toEqual({ code: -32601, message: 'Method not found' });
    expect(await errorOf(req(10, 'invalid', [1]))).toEqual({ code: -32602, message: 'need two numbers', data: { got: 1 } });
    expect(await errorOf(req(11, 'custom'))).toEqual({ code: -32004, message: 'Not found here' });
    expect(await errorOf(req(12, 'broken'))).toEqual({ code: -32603, message: 'Internal error' });
    expect(await errorOf(req(13, 'bigint'))).toEqual({ code: -32603, message: 'Internal error' });
    expect(await client.call(req(14, 'add', [2, 3]))).toEqual({ jsonrpc: '2.0', id: 14, result: 5 });
    const calls = await rec.finishedCount(7);
    client.close();
    await server.close();
    const byId = (id: number) => calls.find((c) => c.invocation.seqId === id)!;
    expect(byId(10).stats.error).toBeInstanceOf(JsonRpcError);
    expect(byId(10).attributes).toMatchObject({ 'rpc.jsonrpc.error_code': -32602, 'error.type': '-32602' });
    expect(byId(12).attributes).toMatchObject({ 'rpc.jsonrpc.error_code': -32603, 'error.type': 'Error' });
    expect((byId(12).stats.error as Error).message).toMatch(/secret/);
    expect(byId(12).stats.getEvent(stats.RPCFinish)!.status).toBe('error');
    expect(byId(13).attributes['error.type']).toBe('TypeError');
    expect(byId(14).stats.error).toBeUndefined();
    expect(events.map((e) => e.request.method)).toEqual(['invalid', 'custom', 'broken', 'bigint']);
    expect(events.every((e) => getRPCInfo(e.ctx)!.to.method === e.request.method)).toBe(true);
  });

  it('logs only unexpected errors by default (a JsonRpcError is an answer)', async () => {
    const server = await wsServer();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    traceWebSocketRpcServer(server.wss, calculator());
    const client = await TestClient.connect(server.url);
    await client.call(req(1, 'invalid'));
    await client.call(req(2, 'broken'));
    client.close();
    await server.close();
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][1]).toEqual(new Error('secret detail at /srv/app.js:12'));
    log.mockRestore();
  });

  it('an oversized frame closes only its own connection (1009); the others carry on', async () => {
    const server = await wsServer({ maxPayload: 1024 });
    const rec = recorder();
    const connectionErrors: unknown[] = [];
    traceWebSocketRpcServer(server.wss, calculator(), { tracers: [rec.tracer], onConnectionError: ({ error }) => connectionErrors.push(error) });
    const [big, other] = await Promise.all([TestClient.connect(server.url), TestClient.connect(server.url)]);
    other.send(req(1, 'slow', { ms: 50 }));
    big.send(req(2, 'echo', ['x'.repeat(2000)]));
    expect((await big.closed).code).toBe(1009);
    expect(await other.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 50 });
    expect(await other.call(req(3, 'add', [1, 1]))).toMatchObject({ result: 2 });
    other.close();
    await server.close();
    expect(connectionErrors).toHaveLength(1);
    expect(String(connectionErrors[0])).toMatch(/payload/i);
  });

  it('a connection that closes with calls pending finishes them as aborted, and nothing else', async () => {
    const server = await wsServer();
    const rec = recorder();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    traceWebSocketRpcServer(server.wss, { wait: () => gate, ...calculator() }, { tracers: [rec.tracer] });
    const [a, b] = await Promise.all([TestClient.connect(server.url), TestClient.connect(server.url)]);
    a.send(req(1, 'wait'));
    b.send(req(2, 'slow', { ms: 30 }));
    await delay(10);
    a.ws.terminate();
    const [aborted] = await rec.finishedCount(1);
    expect(aborted.stats.error).toBeInstanceOf(RequestAbortedError);
    expect(aborted.attributes['error.type']).toBe('aborted');
    expect(await b.next()).toMatchObject({ id: 2, result: 30 });
    release();
    await delay(10);
    const calls = await rec.finishedCount(2);
    expect(calls).toHaveLength(2);
    b.close();
    await server.close();
  });

  it('1,000 concurrent calls over 10 connections each run in their own context', async () => {
    const server = await wsServer();
    const rec = recorder();
    traceWebSocketRpcServer(
      server.wss,
      {
        async check([n]: [number], ctx: Context) {
          const ri = getRPCInfo();
          for (let i = 0; i < 3; i++) {
            await delay(n % 3);
            if (getRPCInfo() !== ri || getRPCInfo(ctx) !== ri || ri!.invocation.seqId !== n) return -1;
          }
          return n;
        },
      },
      { tracers: [rec.tracer] },
    );
    const clients = await Promise.all(Array.from({ length: 10 }, () => TestClient.connect(server.url)));
    for (let n = 0; n < 1000; n++) clients[n % 10].send(req(n, 'check', [n]));
    const answers = (await Promise.all(clients.map((c) => Promise.all(Array.from({ length: 100 }, () => c.next()))))).flat();
    await rec.finishedCount(1000);
    for (const c of clients) c.close();
    await server.close();
    expect(answers.every((a) => a.result === a.id)).toBe(true);
    expect(new Set(answers.map((a) => a.id)).size).toBe(1000);
  });

  it('close() detaches every listener it added; the meta member name is configurable', async () => {
    const server = await wsServer();
    const rec = recorder();
    const before = server.wss.listenerCount('connection');
    const rpc = traceWebSocketRpcServer(server.wss, calculator(), { tracers: [rec.tracer], metaMember: '_m' });
    const client = await TestClient.connect(server.url);
    expect(await client.call(req(1, 'add', [1, 2], { _m: { [CALLER_SERVICE_HEADER]: 'cli' }, meta: { [CALLER_SERVICE_HEADER]: 'wrong' } }))).toMatchObject({
      result: 3,
    });
    const [ri] = await rec.finishedCount(1);
    expect(ri.from.serviceName).toBe('cli');
    const [serverSide] = [...server.wss.clients];
    const listening = serverSide.listenerCount('message');
    rpc.close();
    expect(server.wss.listenerCount('connection')).toBe(before);
    expect(serverSide.listenerCount('message')).toBe(listening - 1);
    client.send(req(2, 'add', [1, 2]));
    expect(await client.silentFor(50)).toBe(true);
    client.close();
    await server.close();
    expect(() => traceWebSocketRpcServer(server.wss, calculator(), { metaMember: 'id' })).toThrow(/metaMember/);
    expect(() => traceWebSocketRpcServer({} as never, calculator())).toThrow(/WebSocketServer/);
  });
});
