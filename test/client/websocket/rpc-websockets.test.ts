// The WebSocket RPC client against a real `rpc-websockets` 10 Server: calls, its event frames
// (`{"notification": name, "params": …}`, no "jsonrpc") delivered to onNotification, and a remote
// error whose message reaches the app unchanged.
import type { AddressInfo } from 'node:net';
import { Server } from 'rpc-websockets';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openWs } from '../../loopback.js';
import { createWebSocketRpcClient } from '../../../src/client/websocket/client.js';
import type { WebSocketNotificationEvent, WebSocketProtocolErrorEvent } from '../../../src/client/websocket/options.js';
import { isRpcRemoteError, RpcRemoteError } from '../../../src/rpcinfo/errors.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function startServer(): Promise<{ server: Server; url: string }> {
  const server = new Server({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  cleanups.push(() => server.close());
  server.register('sum', (params) => (params as number[]).reduce((a, b) => a + b, 0));
  server.register('widget', (params) => {
    // rpc-websockets sends a thrown non-Error as the error object, unchanged.
    throw { code: -32001, message: 'no such widget', data: { id: (params as { id: number }).id } };
  });
  server.event('tick');
  server.event('moved');
  return { server, url: `ws://127.0.0.1:${(server.wss.address() as AddressInfo).port}` };
}

async function connect(url: string, options: Parameters<typeof createWebSocketRpcClient>[1] = {}) {
  const protocolErrors: WebSocketProtocolErrorEvent[] = [];
  const client = createWebSocketRpcClient(await openWs(url), { onProtocolError: (e) => void protocolErrors.push(e), ...options });
  cleanups.push(() => client.close());
  return { client, protocolErrors };
}

describe('createWebSocketRpcClient with an rpc-websockets server', () => {
  it('calls a method (the meta member does not bother the server)', async () => {
    const { url } = await startServer();
    const memory = createMemoryExporter();
    const { client, protocolErrors } = await connect(url, { tracers: [createSpanTracer({ serviceName: 'web', exporter: memory })] });
    expect(await client.call('sum', [1, 2, 3])).toBe(6);
    expect(memory.spans).toHaveLength(1);
    expect(memory.spans[0].status.code).not.toBe('error');
    expect(protocolErrors).toEqual([]);
  });

  it("delivers the server's events to onNotification with the event name, not as protocol errors", async () => {
    const { server, url } = await startServer();
    const events: WebSocketNotificationEvent[] = [];
    const { client, protocolErrors } = await connect(url, { onNotification: (e) => void events.push(e) });
    // Subscribing is an ordinary call of rpc-websockets' own method.
    expect(await client.call('rpc.on', ['tick', 'moved'])).toEqual({ tick: 'ok', moved: 'ok' });
    server.emit('tick', { n: 1 });
    server.emit('moved', 3, 4);
    await vi.waitFor(() => expect(events).toHaveLength(2));
    expect(events).toEqual([
      { method: 'tick', params: { n: 1 } },
      { method: 'moved', params: [3, 4] },
    ]);
    expect(protocolErrors).toEqual([]);
  });

  it("rejects with the server's message unchanged, method, code and data in fields, and records them", async () => {
    const { url } = await startServer();
    const memory = createMemoryExporter();
    const { client } = await connect(url, { tracers: [createSpanTracer({ serviceName: 'web', exporter: memory })] });
    const error = await client.call('widget', { id: 7 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcRemoteError);
    expect(isRpcRemoteError(error)).toBe(true);
    expect((error as Error).message).toBe('no such widget');
    expect(error).toMatchObject({ name: 'RpcRemoteError', method: 'widget', code: -32001, data: { id: 7 }, rawMessage: 'no such widget' });
    const [span] = memory.spans;
    expect(span.status).toEqual({ code: 'error', message: 'no such widget' });
    expect(span.attributes).toMatchObject({ 'rpc.jsonrpc.error_code': -32001, 'rpc.jsonrpc.error_message': 'no such widget', 'error.type': 'RpcRemoteError' });
  });
});
