// connectServerInterceptor in connect-node's adapter, served through traceHttpHandler on
// loopback, called by connect-web's Connect and gRPC-web transports (untraced): the served call
// is named by the method descriptor; a handler's ConnectError is recorded before Connect answers
// it, as the server's failure only when its code is the server's fault.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, ConnectError } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-web';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { connectServerInterceptor } from '../../../src/server/connect/interceptor.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { rpcOutcome } from '../../../src/rpcinfo/conventions/rpc-conventions.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { outcomeClient, outcomeHandlerWith } from '../../connect-echo.js';
import { recorder, serve } from '../helpers.js';

let server: Awaited<ReturnType<typeof serve>>;
let untraced: Awaited<ReturnType<typeof serve>>;
const serverSide = recorder();
const previous = getContextManager();

beforeAll(async () => {
  // As isotrace/node installs it: the interceptor runs after the adapter's awaits.
  setContextManager(new AsyncLocalStorageContextManager());
  const handler = outcomeHandlerWith([connectServerInterceptor()]);
  server = await serve(traceHttpHandler(handler, { service: 'outcome', tracers: [serverSide.tracer] }));
  untraced = await serve(handler);
});
afterAll(async () => {
  await server.close();
  await untraced.close();
  setContextManager(previous.enable());
});

/** The next served call, once it has finished. */
async function served(run: () => Promise<unknown>) {
  const before = serverSide.finished.length;
  await run();
  return (await serverSide.finishedCount(before + 1))[before];
}

const connect = () => outcomeClient(createConnectTransport({ baseUrl: server.url }));
const grpcWeb = () => outcomeClient(createGrpcWebTransport({ baseUrl: server.url }));

/** Reads a server stream to its error; the messages that came. */
async function readToError(stream: AsyncIterable<{ value: string }>) {
  const received: string[] = [];
  const error = await (async () => {
    for await (const m of stream) received.push(m.value);
  })().catch((e: unknown) => e);
  return { received, error };
}

describe('connectServerInterceptor', () => {
  it('a unary success: the served call named by the method descriptor, not failed', async () => {
    const ri = await served(() => connect().say({ value: 'hi' }));
    expect(ri).toMatchObject({
      side: 'server',
      invocation: { service: 'test.v1.OutcomeService', method: 'Say', package: 'test.v1' },
      to: { serviceName: 'test.v1.OutcomeService', method: 'Say' },
      attributes: { 'rpc.system': 'connect_rpc' },
    });
    expect(ri.stats.error).toBeUndefined();
    expect(rpcOutcome(ri).failed).toBe(false);
  });

  it('unary not_found: the code recorded; the caller’s fault, so the served call is no failure', async () => {
    const ri = await served(() =>
      connect()
        .fail({ value: 'not_found' })
        .catch(() => undefined),
    );
    expect(ri.attributes).toMatchObject({ 'rpc.connect_rpc.error_code': 'not_found', 'http.response.status_code': 404 });
    expect(ri.attributes['error.type']).toBeUndefined();
    expect(ri.stats.error).toBeUndefined();
    expect(rpcOutcome(ri).failed).toBe(false);
    expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
  });

  it('unary internal: the thrown ConnectError itself is the served call’s error (message and stack kept), its code the error.type', async () => {
    const ri = await served(() =>
      connect()
        .fail({ value: 'internal' })
        .catch(() => undefined),
    );
    expect(ri.stats.error).toBeInstanceOf(ConnectError);
    expect(ri.stats.error).toMatchObject({ code: Code.Internal, rawMessage: 'failed with internal' });
    expect((ri.stats.error as Error).stack).toMatch(/connect-echo/);
    expect(ri.attributes).toMatchObject({ 'rpc.connect_rpc.error_code': 'internal', 'error.type': 'internal' });
    expect(rpcOutcome(ri)).toMatchObject({ failed: true, errorType: 'internal', message: '[internal] failed with internal' });
  });

  it('unary not_found over gRPC-web: the gRPC status code, no failure', async () => {
    const ri = await served(() =>
      grpcWeb()
        .fail({ value: 'not_found' })
        .catch(() => undefined),
    );
    expect(ri.attributes).toMatchObject({ 'rpc.system': 'grpc_web', 'rpc.grpc.status_code': 5 });
    expect(ri.stats.error).toBeUndefined();
    expect(rpcOutcome(ri).failed).toBe(false);
  });

  it('a server stream failing after 2 messages: the error partway is recorded with its code, on Connect and gRPC-web', async () => {
    for (const [client, expected] of [
      [connect, { 'rpc.connect_rpc.error_code': 'internal', 'error.type': 'internal' }],
      [grpcWeb, { 'rpc.grpc.status_code': 13, 'error.type': 'INTERNAL' }],
    ] as const) {
      let result: Awaited<ReturnType<typeof readToError>> | undefined;
      const ri = await served(async () => {
        result = await readToError(client().count({ value: '' }));
      });
      expect(result!.received).toEqual(['one', 'two']);
      expect(result!.error).toMatchObject({ code: Code.Internal });
      expect(ri.invocation).toMatchObject({ service: 'test.v1.OutcomeService', method: 'Count' });
      expect(ri.stats.error).toBeInstanceOf(ConnectError);
      expect(ri.stats.error).toMatchObject({ rawMessage: 'stream broke' });
      expect(ri.attributes).toMatchObject(expected);
      expect(rpcOutcome(ri)).toMatchObject({ failed: true, message: '[internal] stream broke' });
      expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
    }
  });

  it('outside a traced request it does nothing: the calls and their errors go on as Connect makes them', async () => {
    const client = outcomeClient(createConnectTransport({ baseUrl: untraced.url }));
    expect(await client.say({ value: 'plain' })).toMatchObject({ value: 'plain' });
    await expect(client.fail({ value: 'not_found' })).rejects.toMatchObject({ code: Code.NotFound });
    expect((await readToError(client.count({ value: '' }))).received).toEqual(['one', 'two']);
  });
});
