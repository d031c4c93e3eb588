// How WebSocket RPC calls fail, against a real loopback `ws` server: timeouts, aborts, the socket
// closing, frames the client cannot use, and client.close(). After each, nothing is left pending.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { openWs, wsServer } from '../../loopback.js';
import { getRPCInfo, type RPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import type { Tracer } from '../../../src/tracer/tracer.js';
import { createWebSocketRpcClient } from '../../../src/client/websocket/client.js';
import { RpcConnectionClosedError, RpcProtocolError, RpcTimeoutError } from '../../../src/rpcinfo/errors.js';
import type { WebSocketProtocolErrorEvent, WebSocketRpcClient } from '../../../src/client/websocket/options.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Handler = (msg: Json, ws: WebSocket) => void;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  vi.restoreAllMocks();
});

const send = (ws: WebSocket, frame: string | object) => {
  if (ws.readyState === WebSocket.OPEN) ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
};

/** add answers at once, late answers after 60 ms, hang never; `handler` runs first. */
async function startServer(handler?: Handler) {
  const { wss, url, close } = await wsServer();
  cleanups.push(close);
  const received: Json[] = [];
  wss.on('connection', (ws) => {
    ws.on('message', (raw: RawData) => {
      const msg = JSON.parse(raw.toString());
      received.push(msg);
      handler?.(msg, ws);
      if (msg.method === 'add') send(ws, { jsonrpc: '2.0', id: msg.id, result: msg.params[0] + msg.params[1] });
      if (msg.method === 'late') setTimeout(() => send(ws, { jsonrpc: '2.0', id: msg.id, result: 'late' }), 60);
    });
  });
  return { wss, url, received };
}

function track(client: WebSocketRpcClient) {
  cleanups.push(() => client.close());
  return client;
}

function collector() {
  const finished: RPCInfo[] = [];
  const tracer: Tracer = { start: (ctx) => ctx, finish: (ctx) => void finished.push(getRPCInfo(ctx)!) };
  return { tracer, finished };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WebSocket RPC client failures', () => {
  it('times out (client default and per call), finishes the RPC, and drops the late response quietly', async () => {
    const server = await startServer();
    const { tracer, finished } = collector();
    const onProtocolError = vi.fn();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer], timeoutMs: 15, onProtocolError }));
    const [a, b] = await Promise.allSettled([client.call('late'), client.call('late', [], { timeoutMs: 25 })]);
    expect(a).toMatchObject({ status: 'rejected', reason: { name: 'RpcTimeoutError', method: 'late', timeoutMs: 15 } });
    expect(b).toMatchObject({ status: 'rejected', reason: { timeoutMs: 25 } });
    expect((a as PromiseRejectedResult).reason).toBeInstanceOf(RpcTimeoutError);
    expect(client.pending).toBe(0);
    expect(finished.map((ri) => ri.stats.error)).toEqual([(a as PromiseRejectedResult).reason, (b as PromiseRejectedResult).reason]);
    expect(finished[0].config.timeoutMs).toBe(15);
    expect(finished[0].attributes['error.type']).toBe('RpcTimeoutError');
    expect(finished[0].stats.getEvent(stats.WaitReadFinish)).toMatchObject({ status: 'error', info: 'RpcTimeoutError' });
    await sleep(80); // the late responses arrive
    expect(onProtocolError).not.toHaveBeenCalled();
    expect(await client.call('add', [1, 2])).toBe(3);
  });

  it('an already-aborted signal rejects with its reason and sends nothing', async () => {
    const server = await startServer();
    const { tracer, finished } = collector();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer] }));
    const reason = new Error('user left');
    await expect(client.call('add', [1, 1], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(client.pending).toBe(0);
    expect(await client.call('add', [2, 2])).toBe(4);
    expect(server.received.map((m) => m.params)).toEqual([[2, 2]]);
    expect(finished[0].stats.error).toBe(reason);
  });

  it('aborting while queued for open rejects with the reason and never sends', async () => {
    const server = await startServer();
    const client = track(createWebSocketRpcClient(server.url, { WebSocket }));
    const ac = new AbortController();
    const aborted = client.call('add', [1, 1], { signal: ac.signal });
    const kept = client.call('add', [2, 2]);
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(client.pending).toBe(1);
    expect(await kept).toBe(4);
    expect(server.received.map((m) => m.params)).toEqual([[2, 2]]);
  });

  it('aborting while waiting for the response rejects with the reason and drops the response', async () => {
    const server = await startServer();
    const { tracer, finished } = collector();
    const onProtocolError = vi.fn();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer], onProtocolError }));
    const ac = new AbortController();
    const call = client.call('late', [], { signal: ac.signal });
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    ac.abort('stop');
    await expect(call).rejects.toBe('stop');
    expect(client.pending).toBe(0);
    expect(finished[0].stats.error).toBe('stop');
    expect(finished[0].attributes['error.type']).toBe('_OTHER');
    await sleep(80);
    expect(onProtocolError).not.toHaveBeenCalled();
  });

  it('the server closing mid-call rejects every pending call with its code and reason', async () => {
    const server = await startServer((msg, ws) => {
      if (msg.params?.[0] === 3) ws.close(4001, 'bye');
    });
    const { tracer, finished } = collector();
    const socket = await openWs(server.url);
    const client = createWebSocketRpcClient(socket, { tracers: [tracer] });
    const calls = [1, 2, 3].map((n) => client.call('hang', [n]));
    const results = await Promise.allSettled(calls);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const e = (r as PromiseRejectedResult).reason;
      expect(e).toBeInstanceOf(RpcConnectionClosedError);
      expect(e).toMatchObject({ code: 4001, reason: 'bye', byClient: false, wasClean: true });
      expect(e.message).toContain('4001');
    }
    expect(client.pending).toBe(0);
    expect(finished.map((ri) => ri.stats.error)).toEqual(results.map((r) => (r as PromiseRejectedResult).reason));
    // Listeners are removed, and later calls reject at once.
    for (const type of ['open', 'message', 'error', 'close']) expect(socket.listenerCount(type)).toBe(0);
    await expect(client.call('add', [1, 1])).rejects.toMatchObject({ name: 'RpcConnectionClosedError', code: 4001 });
    await client.close();
  });

  it('reports garbage, unmatched ids and id-less responses, and keeps working', async () => {
    const server = await startServer((msg, ws) => {
      if (msg.method !== 'add') return;
      send(ws, 'not json {');
      send(ws, { jsonrpc: '2.0', id: 9999, result: 1 });
      send(ws, { jsonrpc: '2.0', result: 1 });
      send(ws, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      send(ws, []);
      ws.send(Buffer.from([0xff, 0xfe]));
    });
    const events: WebSocketProtocolErrorEvent[] = [];
    const client = track(createWebSocketRpcClient(await openWs(server.url), { onProtocolError: (e) => void events.push(e) }));
    expect(await Promise.all([client.call('add', [1, 2]), client.call('add', [3, 4])])).toEqual([3, 7]);
    await vi.waitFor(() => expect(events).toHaveLength(12));
    expect(events.every((e) => e.error instanceof RpcProtocolError)).toBe(true);
    expect(events.slice(0, 6).map((e) => e.error.reason)).toEqual([
      'the frame is not JSON (UTF-8)',
      'a response to id 9999, which no call is waiting for',
      'a response without an id',
      'an error response with id null (the server could not read a request): [-32700] Parse error',
      'an empty batch',
      'the frame is not JSON (UTF-8)',
    ]);
    expect(events[0].frame).toBe('not json {');
    expect(client.pending).toBe(0);
  });

  it('a frame that names a waiting call but is malformed fails that call', async () => {
    const server = await startServer((msg, ws) => send(ws, { jsonrpc: '2.0', id: msg.id, error: 'oops' }));
    const onProtocolError = vi.fn();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { onProtocolError }));
    await expect(client.call('x')).rejects.toBeInstanceOf(RpcProtocolError);
    expect(onProtocolError).toHaveBeenCalledTimes(1);
    expect(client.pending).toBe(0);
  });

  it('warns once per client by default, and a throwing onProtocolError breaks nothing', async () => {
    const server = await startServer((_msg, ws) => send(ws, 'garbage'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const quiet = track(createWebSocketRpcClient(await openWs(server.url)));
    expect(await quiet.call('add', [1, 1])).toBe(2);
    expect(await quiet.call('add', [1, 1])).toBe(2);
    await sleep(10);
    expect(warn).toHaveBeenCalledTimes(1);
    const throwing = track(
      createWebSocketRpcClient(await openWs(server.url), {
        onProtocolError: () => {
          throw new Error('hook');
        },
      }),
    );
    expect(await throwing.call('add', [2, 2])).toBe(4);
  });

  it('client.close() rejects pending calls, closes the socket, and later calls and notifies fail at once', async () => {
    const server = await startServer();
    const { tracer, finished } = collector();
    const client = createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer] });
    const pending = client.call('hang');
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    const rejected = expect(pending).rejects.toMatchObject({ name: 'RpcConnectionClosedError', code: 4000, reason: 'done', byClient: true });
    await client.close(4000, 'done');
    await rejected;
    expect(client.socket.readyState).toBe(WebSocket.CLOSED);
    expect(client.pending).toBe(0);
    await expect(client.call('add', [1, 1])).rejects.toBeInstanceOf(RpcConnectionClosedError);
    client.notify('log'); // unawaited: must not be an unhandled rejection
    await expect(client.notify('log')).rejects.toBeInstanceOf(RpcConnectionClosedError);
    expect(finished).toHaveLength(4);
    await client.close(); // idempotent
  });

  it('close() while connecting fails queued calls and resolves', async () => {
    const server = await startServer();
    const client = createWebSocketRpcClient(server.url, { WebSocket });
    const queued = expect(client.call('add', [1, 1])).rejects.toMatchObject({ name: 'RpcConnectionClosedError', code: 1000, byClient: true });
    await client.close();
    await queued;
    expect(server.received).toHaveLength(0);
  });

  it('rejects bad close codes and reasons without closing', async () => {
    const server = await startServer();
    const client = track(createWebSocketRpcClient(await openWs(server.url)));
    await expect(client.close(1001)).rejects.toBeInstanceOf(TypeError);
    await expect(client.close(1000, 'x'.repeat(124))).rejects.toBeInstanceOf(TypeError);
    expect(await client.call('add', [1, 1])).toBe(2);
  });

  it('a refused connection fails queued calls with code 1006 and the socket error as cause', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as { port: number };
    await new Promise((r) => probe.close(r));
    const client = createWebSocketRpcClient(`ws://127.0.0.1:${port}`, { WebSocket });
    const error = await client.call('add', [1, 1]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcConnectionClosedError);
    expect(error).toMatchObject({ code: 1006 });
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(client.pending).toBe(0);
  });

  it('a params value the codec cannot encode rejects that call only', async () => {
    const server = await startServer();
    const { tracer, finished } = collector();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer] }));
    await expect(client.call('add', [1n, 2n])).rejects.toBeInstanceOf(TypeError);
    await expect(client.call('add', 5)).rejects.toThrow(/must be an array or an object/);
    expect(client.pending).toBe(0);
    expect(finished[0].stats.getEvent(stats.WriteFinish)?.status).toBe('error');
    expect(await client.call('add', [1, 2])).toBe(3);
  });

  it('rejects bad arguments clearly', async () => {
    const server = await startServer();
    const ws = await openWs(server.url);
    expect(() => createWebSocketRpcClient({} as never)).toThrow(TypeError);
    expect(() => createWebSocketRpcClient(ws, { timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => createWebSocketRpcClient(ws, { metaMember: 'id' })).toThrow(/metaMember/);
    const client = track(createWebSocketRpcClient(ws));
    await expect(client.call('')).rejects.toBeInstanceOf(TypeError);
    await expect(client.call('add', [1, 1], { timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });

  it.runIf(typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined')(
    'without a global WebSocket (Node 20), a URL needs the WebSocket option and says so',
    () => {
      expect(() => createWebSocketRpcClient('ws://127.0.0.1:1')).toThrow(/from 'ws'/);
    },
  );
});
