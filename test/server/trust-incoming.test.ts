// A traced client calling a traced server carries the trace context: the span context a client
// tracer injected is the one the server's tracer extracts from its RPCInfo carrier — and with
// `trustIncoming: false`, none is. Over HTTP (traceFetch → traceHttpHandler), fetch-style
// handlers, and WebSocket JSON-RPC (createWebSocketRpcClient → traceWebSocketRpcServer).
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContextManager, setContextManager } from '../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../src/context/async-local-storage-context-manager.js';
import { getRPCInfo } from '../../src/rpcinfo/rpcinfo.js';
import { CALLER_SERVICE_HEADER } from '../../src/rpcinfo/header-names.js';
import { parseTraceState } from '../../src/propagation/tracestate.js';
import type { SpanContext } from '../../src/propagation/span-context.js';
import { traceFetch } from '../../src/client/fetch/trace-fetch.js';
import { createWebSocketRpcClient } from '../../src/client/websocket/client.js';
import { traceHttpHandler } from '../../src/server/http/handler.js';
import { traceFetchHandler } from '../../src/server/fetch/handler.js';
import { traceWebSocketRpcServer } from '../../src/server/websocket/handler.js';
import { extractingTracer, injectingTracer, recorder, REMOTE_PARENT, serve } from './helpers.js';
import { wsServer } from './websocket/helpers.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

const sent: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: 1,
  traceState: parseTraceState('vendor=v1,other=2'),
};

describe.each([true, false])('trustIncoming: %s', (trustIncoming) => {
  const expected = trustIncoming ? { ...sent, isRemote: true } : undefined;

  it('HTTP: traceFetch → traceHttpHandler', async () => {
    const extractor = extractingTracer();
    const rec = recorder();
    let inHandler: unknown;
    const srv = await serve(
      traceHttpHandler(
        (_req, res) => {
          inHandler = getContextManager().active().getValue(REMOTE_PARENT);
          res.end('ok');
        },
        { tracers: [extractor, rec.tracer], trustIncoming },
      ),
    );
    const tracedFetch = traceFetch(globalThis.fetch, { tracers: [injectingTracer(sent)], service: 'web' });
    await (await tracedFetch(`${srv.url}/a`, { headers: { baggage: 'k=v' } })).text();
    const [ri] = await rec.finishedCount(1);
    await srv.close();
    expect(extractor.extracted).toEqual([expected]);
    expect(inHandler).toEqual(expected);
    expect(ri.from.serviceName).toBe('web');
    expect(ri.headers.get('baggage')).toBe(trustIncoming ? 'k=v' : undefined);
    expect(ri.headers.get('traceparent') !== undefined).toBe(trustIncoming);
  });

  it('HTTP: hand-made headers, malformed ones extract nothing and break nothing', async () => {
    const extractor = extractingTracer();
    const srv = await serve(traceHttpHandler((_req, res) => res.end('ok'), { tracers: [extractor], trustIncoming }));
    const good = { traceparent: `00-${sent.traceId}-${sent.spanId}-01`, tracestate: 'vendor=v1,other=2', [CALLER_SERVICE_HEADER]: 'hand' };
    expect((await fetch(srv.url, { headers: good })).status).toBe(200);
    expect((await fetch(srv.url, { headers: { traceparent: '00-zz-00f067aa0ba902b7-01' } })).status).toBe(200);
    await srv.close();
    expect(extractor.extracted).toEqual([expected, undefined]);
  });

  it('fetch-style handler', async () => {
    const extractor = extractingTracer();
    const handler = traceFetchHandler(() => new Response('ok'), { tracers: [extractor], trustIncoming });
    const headers = { traceparent: `00-${sent.traceId}-${sent.spanId}-01`, tracestate: 'vendor=v1,other=2' };
    await (await handler(new Request('http://x.test/', { headers }))).text();
    expect(extractor.extracted).toEqual([expected]);
  });

  it('WebSocket: createWebSocketRpcClient → traceWebSocketRpcServer', async () => {
    const server = await wsServer();
    const extractor = extractingTracer();
    const rec = recorder();
    traceWebSocketRpcServer(server.wss, { who: () => getRPCInfo()!.from.serviceName }, { tracers: [extractor, rec.tracer], trustIncoming });
    const client = createWebSocketRpcClient(server.url, { WebSocket: WebSocket as never, tracers: [injectingTracer(sent)], service: 'web' });
    expect(await client.call('who')).toBe('web');
    await rec.finishedCount(1);
    await client.close();
    await server.close();
    expect(extractor.extracted).toEqual([expected]);
  });
});
