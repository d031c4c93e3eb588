// The WebSocket RPC client against a real loopback `ws` server: results, remote errors,
// notifications, events and sizes, trace headers in `meta`, queueing, and 1,000 concurrent calls.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { openWs, wsServer } from '../../loopback.js';
import { ROOT_CONTEXT, createContextKey, type Context } from '../../../src/context/context.js';
import { getRPCInfo, type RPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { CALLER_SERVICE_HEADER } from '../../../src/rpcinfo/header-names.js';
import { TraceFlags, type SpanContext } from '../../../src/propagation/span-context.js';
import { formatTraceParent } from '../../../src/propagation/traceparent.js';
import { w3cTraceContextPropagator } from '../../../src/propagation/w3c-propagator.js';
import type { Tracer } from '../../../src/tracer/tracer.js';
import { createWebSocketRpcClient } from '../../../src/client/websocket/client.js';
import type { RpcIncomingMessage, WebSocketRpcCodec } from '../../../src/client/websocket/codec.js';
import { RpcRemoteError } from '../../../src/rpcinfo/errors.js';
import type { WebSocketRpcClient } from '../../../src/client/websocket/options.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Reply = (frame: string | Buffer | object) => void;
type Handler = (msg: Json, reply: Reply, raw: RawData) => void;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  vi.restoreAllMocks();
});

/** The standard methods: add, echo, fail, hang, delay; anything else is "method not found". */
const rpc: Handler = (msg, reply) => {
  if (!msg || msg.id === undefined) return;
  const { id, method, params } = msg;
  if (method === 'add') reply({ jsonrpc: '2.0', id, result: params[0] + params[1] });
  else if (method === 'echo') reply({ jsonrpc: '2.0', id, result: { params, meta: msg.meta ?? null, id } });
  else if (method === 'fail') reply({ jsonrpc: '2.0', id, error: { code: -32001, message: 'nope', data: { why: 'test' } } });
  else if (method === 'delay') setTimeout(() => reply({ jsonrpc: '2.0', id, result: { params, meta: msg.meta ?? null, id } }), params.ms);
  else if (method !== 'hang') reply({ jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } });
};

async function startServer(handler: Handler = rpc) {
  const { wss, url, close } = await wsServer();
  cleanups.push(close);
  const received: { raw: Buffer; msg: Json }[] = [];
  const sentBytes = new Map<unknown, number>(); // response id → bytes on the wire
  wss.on('connection', (ws) => {
    ws.on('message', (raw: RawData) => {
      const buf = raw as Buffer;
      let msg: Json;
      try {
        msg = JSON.parse(buf.toString('utf8'));
      } catch {
        msg = undefined;
      }
      received.push({ raw: buf, msg });
      handler(
        msg,
        (frame) => {
          if (ws.readyState !== WebSocket.OPEN) return;
          const data = typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame);
          if (typeof frame === 'object' && !Buffer.isBuffer(frame)) sentBytes.set((frame as Json).id, Buffer.byteLength(data as string));
          ws.send(data);
        },
        raw,
      );
    });
  });
  return { wss, url, received, sentBytes };
}

function track(client: WebSocketRpcClient) {
  cleanups.push(() => client.close());
  return client;
}

function randomSpanContext(): SpanContext {
  return { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.Sampled };
}

/** A tracer that injects a random SpanContext in `start` and collects each finished RPCInfo. */
function injectingTracer() {
  const injected = new Map<RPCInfo, SpanContext>();
  const finished: RPCInfo[] = [];
  const contexts: Context[] = [];
  const tracer: Tracer = {
    start(ctx) {
      const ri = getRPCInfo(ctx)!;
      const sc = randomSpanContext();
      injected.set(ri, sc);
      w3cTraceContextPropagator.inject(sc, ri.headers);
      return ctx;
    },
    finish(ctx) {
      finished.push(getRPCInfo(ctx)!);
      contexts.push(ctx);
    },
  };
  return { tracer, injected, finished, contexts };
}

const names = (ri: RPCInfo) => ri.stats.events().map((r) => r.event.name);

describe('createWebSocketRpcClient', () => {
  it('resolves with the result and records the RPC', async () => {
    const server = await startServer();
    const { tracer, finished } = injectingTracer();
    const client = track(createWebSocketRpcClient(await openWs(`${server.url}/rpc?token=secret`), { tracers: [tracer], service: 'web' }));
    expect(await client.call('add', [1, 2])).toBe(3);
    expect(client.pending).toBe(0);
    expect(finished).toHaveLength(1);
    const ri = finished[0];
    const port = Number(new URL(server.url).port);
    expect(ri).toMatchObject({
      side: 'client',
      from: { serviceName: 'web' },
      to: { serviceName: `127.0.0.1:${port}`, method: 'add', address: `ws://127.0.0.1:${port}/rpc` },
      invocation: { method: 'add', seqId: 1 },
      config: { transport: 'websocket', codec: 'jsonrpc' },
    });
    expect(ri.attributes).toEqual({
      'rpc.system': 'jsonrpc',
      'rpc.method': 'add',
      'rpc.jsonrpc.version': '2.0',
      'rpc.jsonrpc.request_id': '1',
      'server.address': '127.0.0.1',
      'server.port': port,
    });
    expect(ri.stats.error).toBeUndefined();
  });

  it('rejects with RpcRemoteError carrying code, message and data, and records it', async () => {
    const server = await startServer();
    const { tracer, finished } = injectingTracer();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer], remoteService: 'calc' }));
    const error = await client.call('fail', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcRemoteError);
    expect(error).toMatchObject({ code: -32001, rawMessage: 'nope', data: { why: 'test' }, method: 'fail' });
    // The server's message unchanged, as any JSON-RPC client shows it; method and code are fields.
    expect((error as Error).message).toBe('nope');
    const ri = finished[0];
    expect(ri.stats.error).toBe(error);
    expect(ri.stats.getEvent(stats.RPCFinish)?.status).toBe('error');
    expect(ri.to.serviceName).toBe('calc');
    expect(ri.attributes).toMatchObject({
      'rpc.service': 'calc',
      'rpc.jsonrpc.error_code': -32001,
      'rpc.jsonrpc.error_message': 'nope',
      'error.type': 'RpcRemoteError',
    });
    // A remote error still completed the exchange: every phase finished normally.
    expect(names(ri)).toContain('ReadFinish');
  });

  it('notify sends a frame without id, keeps no pending entry, and is traced', async () => {
    const server = await startServer();
    const { tracer, finished, injected } = injectingTracer();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer], service: 'web' }));
    const sent = client.notify('log', { line: 'hi' });
    expect(client.pending).toBe(0);
    await sent;
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    const { msg } = server.received[0];
    expect(msg).toEqual({ jsonrpc: '2.0', method: 'log', params: { line: 'hi' }, meta: expect.any(Object) });
    expect('id' in msg).toBe(false);
    const ri = finished[0];
    expect(msg.meta.traceparent).toBe(formatTraceParent(injected.get(ri)!));
    expect(names(ri)).toEqual(['RPCStart', 'ClientConnStart', 'ClientConnFinish', 'WriteStart', 'WriteFinish', 'RPCFinish']);
    expect(ri.attributes['rpc.jsonrpc.request_id']).toBeUndefined();
    expect(ri.stats.sendSize).toBe(server.received[0].raw.length);
  });

  it("records every phase in order, and sizes equal the frames' UTF-8 byte counts", async () => {
    const server = await startServer();
    const { tracer, finished } = injectingTracer();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer], service: 'wéb' }));
    const text = 'héllo wörld, 日本語, emoji 🌍🚀, ß∂ƒ';
    const result = await client.call<Json>('echo', [text]);
    expect(result.params).toEqual([text]);
    const ri = finished[0];
    expect(names(ri)).toEqual([
      'RPCStart',
      'ClientConnStart',
      'ClientConnFinish',
      'WriteStart',
      'WriteFinish',
      'WaitReadStart',
      'WaitReadFinish',
      'ReadStart',
      'ReadFinish',
      'RPCFinish',
    ]);
    const times = ri.stats.events().map((r) => r.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The socket was open: the connection phase has zero length.
    expect(ri.stats.duration(stats.ClientConnStart, stats.ClientConnFinish)).toBe(0);
    const raw = server.received[0].raw;
    expect(raw.length).toBeGreaterThan(raw.toString('utf8').length); // really multi-byte
    expect(ri.stats.sendSize).toBe(raw.length);
    expect(ri.stats.recvSize).toBe(server.sentBytes.get(1));
  });

  it('carries the injected traceparent and the caller name in meta (member name configurable)', async () => {
    const server = await startServer();
    const { tracer, finished, injected } = injectingTracer();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer], service: 'web', metaMember: 'trace' }));
    await client.call('echo', { a: 1 });
    const ri = finished[0];
    const { msg } = server.received[0];
    expect(msg.meta).toBeUndefined();
    expect(msg.trace).toEqual({ traceparent: formatTraceParent(injected.get(ri)!), [CALLER_SERVICE_HEADER]: 'web' });
  });

  it('sends no meta member when there is nothing to carry', async () => {
    const server = await startServer();
    const client = track(createWebSocketRpcClient(await openWs(server.url)));
    expect(await client.call('add', [2, 2])).toBe(4);
    expect(server.received[0].msg).toEqual({ jsonrpc: '2.0', id: 1, method: 'add', params: [2, 2] });
  });

  it('queues calls made before the socket opens, recording the wait as the connection phase', async () => {
    const server = await startServer();
    const { tracer, finished } = injectingTracer();
    const client = track(createWebSocketRpcClient(server.url, { tracers: [tracer], WebSocket }));
    expect(client.socket.readyState).toBe(WebSocket.CONNECTING);
    const calls = [client.call('add', [1, 1]), client.call('add', [2, 2]), client.notify('log', ['queued'])];
    expect(client.pending).toBe(2);
    expect(await Promise.all(calls)).toEqual([2, 4, undefined]);
    expect(server.received.map((r) => r.msg.method)).toEqual(['add', 'add', 'log']);
    for (const ri of finished) {
      const conn = ri.stats.getEvent(stats.ClientConnFinish)!.time;
      expect(conn).toBeGreaterThan(ri.stats.getEvent(stats.ClientConnStart)!.time);
      expect(conn).toBeLessThanOrEqual(ri.stats.getEvent(stats.WriteStart)!.time);
    }
  });

  it('works with an already-created ws socket that is still connecting', async () => {
    const server = await startServer();
    const client = track(createWebSocketRpcClient(new WebSocket(server.url)));
    expect(await client.call('add', [20, 22])).toBe(42);
  });

  it.runIf(typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function')(
    "uses Node's global WebSocket where there is one (Node >= 22), binary frames included",
    async () => {
      const server = await startServer((msg, reply) => reply(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: 'bin' }))));
      const { tracer, finished } = injectingTracer();
      const client = track(createWebSocketRpcClient(server.url, { tracers: [tracer] }));
      expect(client.socket).toBeInstanceOf((globalThis as unknown as { WebSocket: typeof Function }).WebSocket);
      expect(client.socket.binaryType).toBe('arraybuffer');
      expect(await client.call('x', [])).toBe('bin');
      expect(finished[0].stats.recvSize).toBe(Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id: 1, result: 'bin' })));
    },
  );

  it('uses the per-call ctx, then the client ctx, as the parent', async () => {
    const server = await startServer();
    const K = createContextKey('k');
    const { tracer, contexts } = injectingTracer();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer], ctx: ROOT_CONTEXT.setValue(K, 'client') }));
    await client.call('add', [1, 1]);
    await client.call('add', [1, 1], { ctx: ROOT_CONTEXT.setValue(K, 'call') });
    expect(contexts.map((c) => c.getValue(K))).toEqual(['client', 'call']);
  });

  it('a throwing tracer changes nothing the caller sees', async () => {
    const server = await startServer();
    const { tracer, finished, injected } = injectingTracer();
    const bad: Tracer = {
      start: () => {
        throw new Error('bad start');
      },
      finish: () => {
        throw new Error('bad finish');
      },
    };
    const onTracerError = vi.fn();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [bad, tracer, bad], onTracerError }));
    const result = await client.call<Json>('echo', [1]);
    expect(result.params).toEqual([1]);
    expect(result.meta.traceparent).toBe(formatTraceParent(injected.get(finished[0])!));
    expect(onTracerError).toHaveBeenCalledTimes(4);
    expect(finished).toHaveLength(1);
  });

  it('delivers server notifications to onNotification', async () => {
    const server = await startServer((msg, reply) => {
      reply({ jsonrpc: '2.0', method: 'tick', params: { n: 1 } });
      rpc(msg, reply, Buffer.alloc(0));
    });
    const onNotification = vi.fn();
    const client = track(
      createWebSocketRpcClient(await openWs(server.url), {
        onNotification,
        onProtocolError: () => {
          throw new Error('unexpected');
        },
      }),
    );
    expect(await client.call('add', [1, 2])).toBe(3);
    expect(onNotification).toHaveBeenCalledWith({ method: 'tick', params: { n: 1 } });
  });

  it('speaks a custom codec, with binary frames', async () => {
    // Envelope: [kind, id, method|result, params, meta] as UTF-8 JSON in binary frames.
    const server = await startServer((_msg, reply, raw) => {
      const [, id, method, params] = JSON.parse((raw as Buffer).toString('utf8'));
      reply(Buffer.from(JSON.stringify(['res', id, method === 'add' ? params[0] + params[1] : null])));
    });
    const codec: WebSocketRpcCodec = {
      name: 'tuple',
      encode: (m) => new TextEncoder().encode(JSON.stringify(['req', m.id, m.method, m.params, m.meta])),
      decode(frame): RpcIncomingMessage {
        const [kind, id, result] = JSON.parse(typeof frame === 'string' ? frame : new TextDecoder().decode(frame));
        return kind === 'res' ? { kind: 'response', id, result } : { kind: 'invalid', reason: 'not res' };
      },
    };
    const { tracer, finished } = injectingTracer();
    const client = track(createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer], codec }));
    expect(await client.call('add', [3, 4])).toBe(7);
    const ri = finished[0];
    expect(ri.config.codec).toBe('tuple');
    expect(ri.attributes['rpc.system']).toBe('tuple');
    expect(ri.attributes['rpc.jsonrpc.version']).toBeUndefined();
    expect(ri.stats.sendSize).toBe(server.received[0].raw.length);
    expect(ri.stats.recvSize).toBe(Buffer.byteLength(JSON.stringify(['res', 1, 7])));
  });

  it('1,000 concurrent calls with random server delays never cross-talk', async () => {
    const server = await startServer();
    const { tracer, injected } = injectingTracer();
    const I = createContextKey('i');
    const byIndex: RPCInfo[] = [];
    const indexer: Tracer = {
      start: (ctx) => ctx,
      finish: (ctx) => {
        byIndex[ctx.getValue(I) as number] = getRPCInfo(ctx)!;
      },
    };
    const client = track(createWebSocketRpcClient(server.url, { tracers: [tracer, indexer], WebSocket, service: 'web' }));
    let seed = 42; // a fixed LCG: random-looking delays, the same on every run
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => client.call<Json>('delay', { i, ms: Math.floor(rand() * 20) }, { ctx: ROOT_CONTEXT.setValue(I, i) })),
    );
    expect(client.pending).toBe(0);
    results.forEach((result, i) => {
      const ri = byIndex[i];
      expect(result.params.i).toBe(i);
      expect(result.id).toBe(ri.invocation.seqId);
      expect(result.meta).toEqual({ traceparent: formatTraceParent(injected.get(ri)!), [CALLER_SERVICE_HEADER]: 'web' });
      expect(ri.stats.recvSize).toBe(server.sentBytes.get(result.id));
      expect(ri.stats.error).toBeUndefined();
    });
    expect(new Set(byIndex.map((ri) => ri.invocation.seqId)).size).toBe(1000);
  });
});
