// connectClientInterceptor with the real Connect-ES transports (connect-web's Connect and
// gRPC-web, connect-node's Connect) against connect-node served through traceHttpHandler on
// loopback: names, codes on failure, a stream failing partway, and one RPC per call when the
// transport's fetch is traced too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, ConnectError } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-web';
import { createConnectTransport as createNodeConnectTransport } from '@connectrpc/connect-node';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { connectClientInterceptor } from '../../../src/client/connect/interceptor.js';
import { traceFetch } from '../../../src/client/fetch/trace-fetch.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { rpcOutcome } from '../../../src/rpcinfo/conventions/rpc-conventions.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { outcomeClient, outcomeHandler } from '../../connect-echo.js';
import { recorder, serve } from '../../server/helpers.js';
import { injectingTracer } from '../injecting-tracer.js';

let server: Awaited<ReturnType<typeof serve>>;
const serverSide = recorder();
const previous = getContextManager();

beforeAll(async () => {
  // As isotrace/node installs it: the context follows the transport's awaits to its fetch.
  setContextManager(new AsyncLocalStorageContextManager());
  server = await serve(traceHttpHandler(outcomeHandler, { service: 'outcome', tracers: [serverSide.tracer] }));
});
afterAll(async () => {
  await server.close();
  setContextManager(previous.enable());
});

async function lastServerCall(before: number) {
  return (await serverSide.finishedCount(before + 1))[before];
}

/** Reads a server stream to its end or its error; the messages that came, and the error. */
async function readAll(stream: AsyncIterable<{ value: string }>) {
  const received: string[] = [];
  const error = await (async () => {
    for await (const m of stream) received.push(m.value);
  })().then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  return { received, error };
}

describe('connectClientInterceptor', () => {
  it('a unary success: one client RPC named by the method descriptor, its trace headers sent', async () => {
    const { t, finished, settled } = injectingTracer();
    const before = serverSide.finished.length;
    const client = outcomeClient(createConnectTransport({ baseUrl: server.url, interceptors: [connectClientInterceptor({ tracers: [t], service: 'web' })] }));
    expect(await client.say({ value: 'hi' })).toMatchObject({ value: 'hi' });
    const ri = await settled(1);
    const serverRi = await lastServerCall(before);
    expect(finished).toHaveLength(1);
    expect(ri).toMatchObject({
      side: 'client',
      from: { serviceName: 'web' },
      to: { serviceName: 'test.v1.OutcomeService', method: 'Say', address: server.url },
      invocation: { service: 'test.v1.OutcomeService', method: 'Say', package: 'test.v1' },
      config: { transport: 'connect', codec: 'json' },
      attributes: { 'rpc.system': 'connect_rpc', 'server.address': '127.0.0.1' },
    });
    expect(rpcOutcome(ri).failed).toBe(false);
    expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
    expect(ri.stats.events().map((r) => r.event)).toEqual([stats.RPCStart, stats.WriteStart, stats.WaitReadFinish, stats.RPCFinish]);
    // The server is the client's child: it got the trace headers the client's tracer injected.
    expect(serverRi.headers.get('traceparent')).toBe(ri.headers.get('traceparent'));
    expect(serverRi.from.serviceName).toBe('web');
  });

  it('unary not_found over Connect: the ConnectError reaches the caller; the call fails with its code', async () => {
    const { t, settled } = injectingTracer();
    const client = outcomeClient(createConnectTransport({ baseUrl: server.url, interceptors: [connectClientInterceptor({ tracers: [t] })] }));
    const error = await client.fail({ value: 'not_found' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: Code.NotFound, rawMessage: 'failed with not_found' });
    const ri = await settled(1);
    expect(ri.stats.error).toBe(error);
    expect(ri.attributes).toMatchObject({ 'rpc.connect_rpc.error_code': 'not_found', 'error.type': 'not_found' });
    expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
    expect(rpcOutcome(ri)).toMatchObject({ failed: true, errorType: 'not_found', message: '[not_found] failed with not_found' });
  });

  it('unary not_found over gRPC-web: the gRPC status code', async () => {
    const { t, settled } = injectingTracer();
    const client = outcomeClient(createGrpcWebTransport({ baseUrl: server.url, interceptors: [connectClientInterceptor({ tracers: [t] })] }));
    await expect(client.fail({ value: 'not_found' })).rejects.toMatchObject({ code: Code.NotFound });
    const ri = await settled(1);
    expect(ri.config.codec).toBe('grpc-web+proto');
    expect(ri.attributes).toMatchObject({ 'rpc.system': 'grpc_web', 'rpc.grpc.status_code': 5, 'error.type': 'NOT_FOUND' });
    expect(ri.attributes['rpc.connect_rpc.error_code']).toBeUndefined();
    expect(rpcOutcome(ri)).toMatchObject({ failed: true, errorType: 'NOT_FOUND' });
  });

  it("with connect-node's transport too", async () => {
    const { t, settled } = injectingTracer();
    const transport = createNodeConnectTransport({ baseUrl: server.url, httpVersion: '1.1', interceptors: [connectClientInterceptor({ tracers: [t] })] });
    expect(await outcomeClient(transport).say({ value: 'node' })).toMatchObject({ value: 'node' });
    const ri = await settled(1);
    expect(ri).toMatchObject({ invocation: { service: 'test.v1.OutcomeService', method: 'Say' }, attributes: { 'rpc.system': 'connect_rpc' } });
    expect(rpcOutcome(ri).failed).toBe(false);
  });

  it('a server stream failing after 2 messages: the messages, then an error with its code; the call ends with the stream', async () => {
    for (const make of [createConnectTransport, createGrpcWebTransport]) {
      const { t, finished, settled } = injectingTracer();
      const client = outcomeClient(make({ baseUrl: server.url, interceptors: [connectClientInterceptor({ tracers: [t] })] }));
      const stream = client.count({ value: '' });
      const { received, error } = await readAll(stream);
      expect(received).toEqual(['one', 'two']);
      expect(error).toMatchObject({ code: Code.Internal, rawMessage: 'stream broke' });
      const ri = await settled(1);
      expect(finished).toHaveLength(1);
      expect(ri.stats.error).toBeInstanceOf(ConnectError);
      expect(ri.stats.getEvent(stats.ReadStart)).toBeDefined();
      expect(ri.stats.getEvent(stats.ReadFinish)).toBeUndefined();
      expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
      const grpc = make === createGrpcWebTransport;
      expect(ri.attributes).toMatchObject(
        grpc ? { 'rpc.grpc.status_code': 13, 'error.type': 'INTERNAL' } : { 'rpc.connect_rpc.error_code': 'internal', 'error.type': 'internal' },
      );
      expect(rpcOutcome(ri)).toMatchObject({ failed: true, message: expect.stringContaining('stream broke') });
    }
  });

  it('a consumer leaving a stream after its first message and aborting the call ends it, canceled', async () => {
    const { t, finished, settled } = injectingTracer();
    const client = outcomeClient(createConnectTransport({ baseUrl: server.url, interceptors: [connectClientInterceptor({ tracers: [t] })] }));
    const abort = new AbortController();
    const reason = new Error('left');
    for await (const m of client.count({ value: '' }, { signal: abort.signal })) {
      expect(m.value).toBe('one');
      break;
    }
    expect(finished).toHaveLength(0);
    abort.abort(reason);
    const ri = await settled(1);
    expect(ri.stats.error).toBe(reason);
    expect(ri.attributes).toMatchObject({ 'rpc.connect_rpc.error_code': 'canceled', 'error.type': 'canceled' });
    expect(rpcOutcome(ri)).toMatchObject({ failed: true, message: 'left' });
  });

  it('a stream read to its end ends the call then, a success; the abort Connect makes at its end changes nothing', async () => {
    const { t, finished, settled } = injectingTracer();
    const client = outcomeClient(createConnectTransport({ baseUrl: server.url, interceptors: [connectClientInterceptor({ tracers: [t] })] }));
    const received: string[] = [];
    for await (const m of client.count({ value: 'ok' })) received.push(m.value);
    expect(received).toEqual(['one', 'two']);
    const ri = await settled(1);
    expect(finished).toHaveLength(1);
    expect(ri.stats.error).toBeUndefined();
    expect(ri.stats.getEvent(stats.ReadFinish)).toBeDefined();
    expect(rpcOutcome(ri).failed).toBe(false);
  });

  it('no double tracing: with traceFetch as the transport fetch, each call is one RPC, the interceptor’s, and its trace headers are the ones sent', async () => {
    for (const make of [createConnectTransport, createGrpcWebTransport]) {
      const { t, finished, settled } = injectingTracer();
      const tracers = [t];
      const client = outcomeClient(make({ baseUrl: server.url, fetch: traceFetch({ tracers }), interceptors: [connectClientInterceptor({ tracers })] }));
      const before = serverSide.finished.length;
      expect(await client.say({ value: 'once' })).toMatchObject({ value: 'once' });
      await expect(client.fail({ value: 'not_found' })).rejects.toMatchObject({ code: Code.NotFound });
      const { received } = await readAll(client.count({ value: '' }));
      expect(received).toEqual(['one', 'two']);
      await settled(3);
      const served = await serverSide.finishedCount(before + 3);
      expect(finished.map((ri) => [ri.config.transport, ri.to.method])).toEqual([
        ['connect', 'Say'],
        ['connect', 'Fail'],
        ['connect', 'Count'],
      ]);
      expect(served.slice(before).map((ri) => ri.headers.get('traceparent'))).toEqual(finished.map((ri) => ri.headers.get('traceparent')));
    }
  });

  it('with no tracers, calls go straight on; a bad option is a TypeError naming it', async () => {
    const client = outcomeClient(createConnectTransport({ baseUrl: server.url, interceptors: [connectClientInterceptor()] }));
    expect(await client.say({ value: 'bare' })).toMatchObject({ value: 'bare' });
    expect(() => connectClientInterceptor({ tracers: {} as never })).toThrow(/connectClientInterceptor option tracers/);
    expect(() => connectClientInterceptor({ service: 1 as never })).toThrow(/option service/);
  });
});
