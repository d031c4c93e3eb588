// A third-party JSON-RPC client (`json-rpc-2.0`'s JSONRPCClient over a `ws` socket) joins the
// trace of a traced server by sending W3C trace context in `params._meta`, as the Model Context
// Protocol does: the server span continues the client's trace, its parent the client's span.
import { randomBytes } from 'node:crypto';
import { JSONRPCClient } from 'json-rpc-2.0';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { traceWebSocketRpcServer } from '../../../src/server/websocket/handler.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';
import { getSpanContext } from '../../../src/tracers/span/active-span.js';
import { openWs, wsServer } from '../../loopback.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function tracedServer() {
  const memory = createMemoryExporter();
  const seen: unknown[] = [];
  const { wss, url, close } = await wsServer();
  cleanups.push(close);
  traceWebSocketRpcServer(
    wss,
    {
      add(params: { a: number; b: number }) {
        seen.push({ params, traceId: getSpanContext()?.traceId });
        return params.a + params.b;
      },
    },
    { service: 'calc', tracers: [createSpanTracer({ serviceName: 'calc', exporter: memory })] },
  );
  return { url, memory, seen };
}

/** json-rpc-2.0's client, sending and receiving over one `ws` socket. */
async function jsonRpc2Client(url: string) {
  const ws = await openWs(url);
  cleanups.push(() => ws.close());
  const client = new JSONRPCClient((request) => ws.send(JSON.stringify(request)));
  ws.on('message', (data) => client.receive(JSON.parse(String(data))));
  return client;
}

describe('a third-party JSON-RPC client joins the trace through params._meta', () => {
  it('json-rpc-2.0 client: the server span has its trace id, its span as parent, its tracestate', async () => {
    const server = await tracedServer();
    const client = await jsonRpc2Client(server.url);
    // What the client's own tracing (OpenTelemetry, say) would send for its span.
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const _meta = { traceparent: `00-${traceId}-${clientSpanId}-01`, tracestate: 'vendor=1', progressToken: 7 };
    expect(await client.request('add', { a: 1, b: 2, _meta })).toBe(3);
    const [span] = server.memory.spans;
    expect(span).toMatchObject({ name: 'calc/add', kind: 'server', traceId, parentSpanId: clientSpanId, parentIsRemote: true, traceState: 'vendor=1' });
    // The method sees params as sent and runs in the joined trace.
    expect(server.seen).toEqual([{ params: { a: 1, b: 2, _meta }, traceId }]);
  });

  it('without _meta the call is traced as a new trace', async () => {
    const server = await tracedServer();
    const client = await jsonRpc2Client(server.url);
    expect(await client.request('add', { a: 2, b: 2 })).toBe(4);
    const [span] = server.memory.spans;
    expect(span.parentSpanId).toBeUndefined();
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
