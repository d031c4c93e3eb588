// Batch frames (JSON-RPC 2.0 §6) reaching the WebSocket RPC client: a `ws` server that gathers
// requests and answers them with `json-rpc-2.0`'s JSONRPCServer as one batch, each response routed
// to its own call with its own size; a batch may also carry notifications.
import { JSONRPCServer, type JSONRPCRequest } from 'json-rpc-2.0';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { openWs, wsServer } from '../../loopback.js';
import { createWebSocketRpcClient } from '../../../src/client/websocket/client.js';
import type { WebSocketNotificationEvent, WebSocketProtocolErrorEvent } from '../../../src/client/websocket/options.js';
import { RpcRemoteError } from '../../../src/rpcinfo/errors.js';
import { getRPCInfo, type RPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import type { Tracer } from '../../../src/tracer/tracer.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A server that answers every `size` requests together, as the batch JSONRPCServer makes of them. */
async function batchingServer(size: number, extra: (ws: WebSocket) => unknown[] = () => []) {
  const rpc = new JSONRPCServer();
  rpc.addMethod('add', ([a, b]: number[]) => a + b);
  rpc.addMethod('upper', ({ s }: { s: string }) => s.toUpperCase());
  const { wss, url, close } = await wsServer();
  cleanups.push(close);
  const frames: string[] = [];
  wss.on('connection', (ws) => {
    let gathered: JSONRPCRequest[] = [];
    ws.on('message', async (data) => {
      gathered.push(JSON.parse(String(data)));
      if (gathered.length < size) return;
      const batch = gathered;
      gathered = [];
      // json-rpc-2.0 answers a batch with one response as that response alone.
      const responses = [await rpc.receive(batch)].flat();
      const frame = JSON.stringify([...responses, ...extra(ws)]);
      frames.push(frame);
      ws.send(frame);
    });
  });
  return { url, frames };
}

function collector() {
  const finished: RPCInfo[] = [];
  const tracer: Tracer = { start: (ctx) => ctx, finish: (ctx) => void finished.push(getRPCInfo(ctx)!) };
  return { tracer, finished };
}

describe('createWebSocketRpcClient with batch responses', () => {
  it('routes each response of a batch to its call, with that response’s own size', async () => {
    const server = await batchingServer(3);
    const { tracer, finished } = collector();
    const protocolErrors: WebSocketProtocolErrorEvent[] = [];
    const client = createWebSocketRpcClient(await openWs(server.url), { tracers: [tracer], onProtocolError: (e) => void protocolErrors.push(e) });
    cleanups.push(() => client.close());
    const [sum, upper, missing] = await Promise.allSettled([client.call('add', [1, 2]), client.call('upper', { s: 'ab' }), client.call('nope')]);
    expect(sum).toEqual({ status: 'fulfilled', value: 3 });
    expect(upper).toEqual({ status: 'fulfilled', value: 'AB' });
    expect(missing.status).toBe('rejected');
    const error = (missing as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(RpcRemoteError);
    expect(error).toMatchObject({ method: 'nope', code: -32601, message: 'Method not found' });
    expect(protocolErrors).toEqual([]);
    expect(server.frames).toHaveLength(1);
    // Each call read its own member of the shared frame, not the whole frame.
    const members = (JSON.parse(server.frames[0]) as { id: number }[]).map((m) => JSON.stringify(m));
    const byMethod = new Map(finished.map((ri) => [ri.invocation.method, ri]));
    expect(byMethod.get('add')!.stats.recvSize).toBe(Buffer.byteLength(members[0]));
    expect(byMethod.get('upper')!.stats.recvSize).toBe(Buffer.byteLength(members[1]));
    expect(byMethod.get('nope')!.stats.recvSize).toBe(Buffer.byteLength(members[2]));
    expect(client.pending).toBe(0);
  });

  it('delivers notifications inside a batch and reports what cannot be routed', async () => {
    const server = await batchingServer(1, () => [{ jsonrpc: '2.0', method: 'progress', params: [50] }, { jsonrpc: '2.0', id: 999, result: 1 }, [1]]);
    const notifications: WebSocketNotificationEvent[] = [];
    const protocolErrors: WebSocketProtocolErrorEvent[] = [];
    const client = createWebSocketRpcClient(await openWs(server.url), {
      onNotification: (e) => void notifications.push(e),
      onProtocolError: (e) => void protocolErrors.push(e),
    });
    cleanups.push(() => client.close());
    expect(await client.call('add', [2, 2])).toBe(4);
    await vi.waitFor(() => expect(protocolErrors).toHaveLength(2));
    expect(notifications).toEqual([{ method: 'progress', params: [50] }]);
    expect(protocolErrors.map((e) => e.error.reason)).toEqual(['a response to id 999, which no call is waiting for', 'a batch inside a batch']);
    expect(protocolErrors[0].frame).toBe(server.frames[0]);
  });
});
