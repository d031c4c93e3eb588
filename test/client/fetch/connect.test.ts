// A Connect client used unchanged, with traceFetch as its fetch, against a Connect server. The
// service descriptor is built at runtime from a FileDescriptorProto (no generated code).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, createFileRegistry, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, file_google_protobuf_wrappers } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-web';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { traceFetch } from '../../../src/client/fetch/trace-fetch.js';
import { injectingTracer } from '../injecting-tracer.js';

const file = create(FileDescriptorProtoSchema, {
  name: 'test/v1/echo.proto',
  package: 'test.v1',
  syntax: 'proto3',
  dependency: ['google/protobuf/wrappers.proto'],
  service: [
    {
      name: 'EchoService',
      method: [
        { name: 'Say', inputType: '.google.protobuf.StringValue', outputType: '.google.protobuf.StringValue' },
        { name: 'Fail', inputType: '.google.protobuf.StringValue', outputType: '.google.protobuf.StringValue' },
        // NO_SIDE_EFFECTS: a Connect client with useHttpGet sends it as a GET, the message in the query.
        { name: 'Look', inputType: '.google.protobuf.StringValue', outputType: '.google.protobuf.StringValue', options: { idempotencyLevel: 1 } },
      ],
    },
  ],
});
const registry = createFileRegistry(file, (name) => (name === 'google/protobuf/wrappers.proto' ? file_google_protobuf_wrappers : undefined));
const EchoService: DescService = registry.getService('test.v1.EchoService')!;
type Echo = { say(req: { value: string }): Promise<{ value: string }>; fail(req: { value: string }): Promise<{ value: string }> };

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  const handler = connectNodeAdapter({
    routes: (router) =>
      router.service(EchoService, {
        say: (req: { value: string }, ctx: { requestHeader: Headers }) => ({ value: `${req.value}|${ctx.requestHeader.get('traceparent')}` }),
        look: (req: { value: string }) => ({ value: req.value.length.toString() }),
        fail: () => {
          throw new ConnectError('broken', Code.Internal);
        },
      } as never),
  });
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('traceFetch under a Connect client', () => {
  it('traces a Connect unary call: names, propagation, sizes, events', async () => {
    const { t, settled } = injectingTracer();
    const transport = createConnectTransport({ baseUrl, fetch: traceFetch(undefined, { tracers: [t], service: 'web' }) });
    const client = createClient(EchoService, transport) as unknown as Client<DescService> & Echo;
    const res = await client.say({ value: 'hi' });
    const ri = await settled(1);
    expect(res.value).toBe(`hi|${ri.headers.get('traceparent')}`);
    expect(ri).toMatchObject({
      from: { serviceName: 'web' },
      to: { serviceName: 'test.v1.EchoService', method: 'Say', address: baseUrl },
      invocation: { service: 'test.v1.EchoService', package: 'test.v1', method: 'Say' },
      config: { transport: 'fetch', codec: 'json' },
      attributes: { 'rpc.system': 'connect_rpc', 'http.response.status_code': 200 },
    });
    expect(ri.stats.sendSize).toBe(Buffer.byteLength(JSON.stringify('hi')));
    expect(ri.stats.recvSize).toBe(Buffer.byteLength(JSON.stringify(res.value)));
    expect(ri.stats.events().map((r) => r.event)).toEqual([
      stats.RPCStart,
      stats.WriteStart,
      stats.WriteFinish,
      stats.WaitReadStart,
      stats.WaitReadFinish,
      stats.ReadStart,
      stats.ReadFinish,
      stats.RPCFinish,
    ]);
  });

  it('a Connect error keeps its ConnectError for the caller; the trace records its Connect code', async () => {
    const { t, settled } = injectingTracer();
    const client = createClient(EchoService, createConnectTransport({ baseUrl, fetch: traceFetch(undefined, { tracers: [t] }) })) as unknown as Echo;
    const error = await client.fail({ value: 'x' }).catch((e: unknown) => e);
    expect(ConnectError.from(error)).toMatchObject({ code: Code.Internal, rawMessage: 'broken' });
    const ri = await settled(1);
    expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
    expect(ri.attributes).toMatchObject({ 'http.response.status_code': 500, 'rpc.connect_rpc.error_code': 'internal', 'error.type': 'internal' });
    expect(ri.stats.getEvent(stats.RPCFinish)!.info).toBe('broken');
  });

  it('recognises gRPC-web', async () => {
    const { t, settled } = injectingTracer();
    const client = createClient(EchoService, createGrpcWebTransport({ baseUrl, fetch: traceFetch(undefined, { tracers: [t] }) })) as unknown as Echo;
    expect((await client.say({ value: 'w' })).value).toMatch(/^w\|00-/);
    const ri = await settled(1);
    expect(ri.attributes['rpc.system']).toBe('grpc_web');
    expect(ri.config.codec).toBe('grpc-web+proto');
    expect(ri.stats.recvSize).toBeGreaterThan(0);
  });

  it('a Connect GET: url.full leaves out the query that carries the message, unless keepUrlQuery (issue 12, point 7)', async () => {
    const secret = 'a private message that must not reach the trace';
    for (const keepUrlQuery of [false, true]) {
      const { t, settled } = injectingTracer();
      const transport = createConnectTransport({ baseUrl, useHttpGet: true, fetch: traceFetch(undefined, { tracers: [t], keepUrlQuery }) });
      const client = createClient(EchoService, transport) as unknown as { look(req: { value: string }): Promise<{ value: string }> };
      expect(await client.look({ value: secret })).toEqual(expect.objectContaining({ value: String(secret.length) }));
      const ri = await settled();
      expect(ri.attributes['http.request.method']).toBe('GET');
      expect(ri.config.codec).toBe('json'); // still read from the query (encoding=json)
      const full = String(ri.attributes['url.full']);
      if (keepUrlQuery) expect(full).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/test\.v1\.EchoService\/Look\?.*message=/);
      else expect(full).toBe(`${baseUrl}/test.v1.EchoService/Look`);
    }
  });
});
