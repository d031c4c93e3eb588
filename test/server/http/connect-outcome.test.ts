// The Connect protocol's outcomes on both sides of the wire: a unary error is a JSON body
// (`{"code":"not_found",…}`) under an HTTP status; a server stream ends with an end-stream
// message that carries its error under HTTP 200. A Connect-ES client through traceFetch, against
// connect-node through traceHttpHandler; and a plain 4xx, which fails a client by one rule in
// spans, RPCFinish and metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, ConnectError } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { traceFetch } from '../../../src/client/fetch/trace-fetch.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { rpcOutcome } from '../../../src/rpcinfo/conventions/rpc-conventions.js';
import { createMetricsTracer } from '../../../src/tracers/metrics/metrics-tracer.js';
import { outcomeClient, outcomeHandler } from '../../connect-echo.js';
import { recorder, serve } from '../helpers.js';

let server: Awaited<ReturnType<typeof serve>>;
const serverSide = recorder();

beforeAll(async () => {
  server = await serve(traceHttpHandler(outcomeHandler, { service: 'outcome', tracers: [serverSide.tracer] }));
});
afterAll(() => server.close());

function connectClient() {
  const clientSide = recorder();
  const metrics = createMetricsTracer();
  const client = outcomeClient(createConnectTransport({ baseUrl: server.url, fetch: traceFetch(undefined, { tracers: [clientSide.tracer, metrics] }) }));
  return { client, clientSide, metrics };
}

async function lastServerCall(before: number) {
  return (await serverSide.finishedCount(before + 1))[before];
}

describe('Connect protocol outcomes through traceFetch and traceHttpHandler', () => {
  it('unary not_found: the code on both sides; an error for the client only', async () => {
    const { client, clientSide, metrics } = connectClient();
    const before = serverSide.finished.length;
    const error = await client.fail({ value: 'not_found' }).catch((e: unknown) => ConnectError.from(e));
    expect(error).toMatchObject({ code: Code.NotFound });
    const [clientRi] = await clientSide.finishedCount(1);
    const serverRi = await lastServerCall(before);

    expect(clientRi.attributes).toMatchObject({ 'http.response.status_code': 404, 'rpc.connect_rpc.error_code': 'not_found', 'error.type': 'not_found' });
    expect(clientRi.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: 'failed with not_found' });
    expect(metrics.snapshot().series[0].status).toBe('error');

    expect(serverRi.attributes).toMatchObject({ 'http.response.status_code': 404, 'rpc.connect_rpc.error_code': 'not_found' });
    expect(serverRi.attributes['error.type']).toBeUndefined();
    expect(rpcOutcome(serverRi).failed).toBe(false);
    expect(serverRi.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
  });

  it('a server stream failing after 2 messages: internal, an error on both sides', async () => {
    const { client, clientSide } = connectClient();
    const before = serverSide.finished.length;
    const received: string[] = [];
    const error = await (async () => {
      for await (const m of client.count({ value: '' })) received.push(m.value);
    })().catch((e: unknown) => ConnectError.from(e));
    expect(received).toEqual(['one', 'two']);
    expect(error).toMatchObject({ code: Code.Internal, rawMessage: 'stream broke' });
    const [clientRi] = await clientSide.finishedCount(1);
    const serverRi = await lastServerCall(before);
    // Connect-ES aborts the fetch once it has read the error: the client's stats.error is that
    // abort's reason, but the code it read names the failure.
    expect(clientRi.stats.error).toBeInstanceOf(ConnectError);
    expect(serverRi.stats.error).toBeUndefined();
    for (const ri of [clientRi, serverRi]) {
      expect(ri.attributes).toMatchObject({ 'http.response.status_code': 200, 'rpc.connect_rpc.error_code': 'internal', 'error.type': 'internal' });
      expect(rpcOutcome(ri)).toMatchObject({ failed: true, errorType: 'internal', message: expect.stringContaining('stream broke') });
      expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
    }
  });

  it('a unary success: no code on either side, neither failed', async () => {
    const { client, clientSide } = connectClient();
    const before = serverSide.finished.length;
    expect((await client.say({ value: 'hi' })).value).toBe('hi');
    const [clientRi] = await clientSide.finishedCount(1);
    const serverRi = await lastServerCall(before);
    for (const ri of [clientRi, serverRi]) {
      expect(ri.attributes['rpc.connect_rpc.error_code']).toBeUndefined();
      expect(rpcOutcome(ri).failed).toBe(false);
    }
  });

  it('a client 4xx is an error in spans, RPCFinish and metrics alike; the server side is not', async () => {
    const clientSide = recorder();
    const metrics = createMetricsTracer();
    const before = serverSide.finished.length;
    const fetch = traceFetch(undefined, { tracers: [clientSide.tracer, metrics] });
    const res = await fetch(`${server.url}/no/such/route`);
    expect(res.status).toBe(404);
    await res.text();
    const [clientRi] = await clientSide.finishedCount(1);
    const serverRi = await lastServerCall(before);
    expect(rpcOutcome(clientRi)).toMatchObject({ failed: true, errorType: '404', message: 'HTTP 404' });
    expect(clientRi.attributes['error.type']).toBe('404');
    expect(clientRi.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: 'HTTP 404' });
    expect(metrics.snapshot().series).toEqual([expect.objectContaining({ side: 'client', status: 'error', calls: 1 })]);
    expect(rpcOutcome(serverRi).failed).toBe(false);
    expect(serverRi.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
  });
});
