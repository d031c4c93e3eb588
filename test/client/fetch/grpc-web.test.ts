// gRPC-web errors arrive with HTTP 200: the status is in the trailer frame ending the body (or,
// trailers-only, in the headers). A Connect-ES gRPC-web client through traceFetch, against
// connect-node through traceHttpHandler: both sides read grpc-status and judge it by
// OpenTelemetry's rule (a client fails on any status but OK, a server only on its own faults).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, ConnectError } from '@connectrpc/connect';
import { createGrpcWebTransport } from '@connectrpc/connect-web';
import { traceFetch } from '../../../src/client/fetch/trace-fetch.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { rpcOutcome } from '../../../src/rpcinfo/conventions/rpc-conventions.js';
import { createMetricsTracer } from '../../../src/tracers/metrics/metrics-tracer.js';
import { outcomeClient, outcomeHandler } from '../../connect-echo.js';
import { recorder, serve } from '../../server/helpers.js';

let server: Awaited<ReturnType<typeof serve>>;
const serverSide = recorder();
const serverMetrics = createMetricsTracer();

beforeAll(async () => {
  server = await serve(traceHttpHandler(outcomeHandler, { service: 'outcome', tracers: [serverSide.tracer, serverMetrics] }));
});
afterAll(() => server.close());

async function call(method: 'say' | 'fail', value: string) {
  const clientSide = recorder();
  const metrics = createMetricsTracer();
  const before = serverSide.finished.length;
  const client = outcomeClient(createGrpcWebTransport({ baseUrl: server.url, fetch: traceFetch(undefined, { tracers: [clientSide.tracer, metrics] }) }));
  const result = await client[method]({ value }).catch((e: unknown) => ConnectError.from(e));
  const [clientRi] = await clientSide.finishedCount(1);
  const serverRi = (await serverSide.finishedCount(before + 1))[before];
  return { result, clientRi, serverRi, metrics };
}

describe('gRPC-web status through traceFetch and traceHttpHandler', () => {
  it('OK: grpc-status 0 on both sides, neither failed', async () => {
    const { result, clientRi, serverRi } = await call('say', 'hi');
    expect(result).toEqual(expect.objectContaining({ value: 'hi' }));
    for (const ri of [clientRi, serverRi]) {
      expect(ri.attributes).toMatchObject({ 'rpc.system': 'grpc_web', 'rpc.grpc.status_code': 0, 'http.response.status_code': 200 });
      expect(rpcOutcome(ri).failed).toBe(false);
      expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
    }
  });

  it("NOT_FOUND: an error on the client, the caller's fault on the server", async () => {
    const { result, clientRi, serverRi, metrics } = await call('fail', 'not_found');
    expect(result).toMatchObject({ code: Code.NotFound });
    expect(clientRi.attributes).toMatchObject({ 'http.response.status_code': 200, 'rpc.grpc.status_code': 5, 'error.type': 'NOT_FOUND' });
    expect(rpcOutcome(clientRi)).toMatchObject({ failed: true, errorType: 'NOT_FOUND', message: 'failed with not_found' });
    expect(clientRi.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: 'failed with not_found' });
    expect(metrics.snapshot().series[0].status).toBe('error');

    expect(serverRi.attributes).toMatchObject({ 'http.response.status_code': 200, 'rpc.grpc.status_code': 5 });
    expect(serverRi.attributes['error.type']).toBeUndefined();
    expect(rpcOutcome(serverRi).failed).toBe(false);
    expect(serverRi.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
  });

  it('INTERNAL: an error on both sides', async () => {
    const { result, clientRi, serverRi } = await call('fail', 'internal');
    expect(result).toMatchObject({ code: Code.Internal });
    for (const ri of [clientRi, serverRi]) {
      expect(ri.attributes).toMatchObject({ 'http.response.status_code': 200, 'rpc.grpc.status_code': 13, 'error.type': 'INTERNAL' });
      expect(rpcOutcome(ri)).toMatchObject({ failed: true, errorType: 'INTERNAL', message: 'failed with internal' });
      expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
    }
    const series = serverMetrics.snapshot().series.find((s) => s.method === 'Fail' && s.status === 'error');
    expect(series?.calls).toBeGreaterThanOrEqual(1);
  });

  it('a trailers-only response (grpc-status in the headers, as Envoy answers errors): read on both sides', async () => {
    // connect-node always sends a trailer frame; this server answers as a gRPC-web proxy may.
    const trailersOnly = recorder();
    const proxy = await serve(
      traceHttpHandler(
        (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/grpc-web+proto', 'grpc-status': '14', 'grpc-message': 'backend%20down' });
          res.end();
        },
        { tracers: [trailersOnly.tracer] },
      ),
    );
    try {
      const clientSide = recorder();
      const client = outcomeClient(createGrpcWebTransport({ baseUrl: proxy.url, fetch: traceFetch(undefined, { tracers: [clientSide.tracer] }) }));
      expect(await client.say({ value: 'x' }).catch((e: unknown) => ConnectError.from(e))).toMatchObject({
        code: Code.Unavailable,
        rawMessage: 'backend down',
      });
      const [clientRi] = await clientSide.finishedCount(1);
      const [serverRi] = await trailersOnly.finishedCount(1);
      for (const ri of [clientRi, serverRi]) {
        expect(ri.attributes).toMatchObject({ 'rpc.grpc.status_code': 14, 'error.type': 'UNAVAILABLE' });
        expect(ri.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: 'backend down' });
      }
    } finally {
      await proxy.close();
    }
  });
});
