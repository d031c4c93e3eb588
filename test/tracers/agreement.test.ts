// Every tracer reads the same RPCInfo the same way: the span tracer, the OpenTelemetry bridge and
// the metrics tracer run together on each call below (as one controller runs them in an app) and
// must agree on the name, whether it failed, error.type, the status message, the attributes and
// the exception. Each RPCInfo is filled as its transport fills it (the same helpers where they
// are exported), and each case also pins the values the shared rule gives.
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../src/context/context.js';
import { describeError } from '../../src/rpcinfo/conventions/error-description.js';
import { RequestAbortedError, RpcRemoteError } from '../../src/rpcinfo/errors.js';
import { createRPCInfo, withRPCInfo, type RPCInfo, type RPCInfoInit } from '../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../src/rpcinfo/stats-event.js';
import { finishHttpAttributes } from '../../src/server/http-attributes.js';
import { setRoute } from '../../src/server/call-name.js';
import { recordServerError } from '../../src/server/handler-failure.js';
import { recordFinish, rpcMethod } from '../../src/rpcinfo/conventions/rpc-conventions.js';
import { asRecordedError } from '../../src/server/errors.js';
import { createTraceController } from '../../src/tracer/trace-controller.js';
import { createMemoryExporter } from '../../src/tracers/exporters/memory-exporter.js';
import { createMetricsTracer } from '../../src/tracers/metrics/metrics-tracer.js';
import { createOpenTelemetryTracer } from '../../src/tracers/otel/bridge.js';
import { createSpanTracer } from '../../src/tracers/span/create-span-tracer.js';

interface Case {
  name: string;
  init: RPCInfoInit;
  /** What the transport records between the tracers' start and finish; returns the error finish gets. */
  run(ri: RPCInfo): unknown;
  expected: { name: string; failed: boolean; errorType?: string; message?: string; attributes?: Record<string, unknown>; method?: string };
}

const fetchClient = (url: string, method: string, to: RPCInfoInit['to'] = {}): RPCInfoInit => {
  const u = new URL(url);
  return {
    side: 'client',
    to: { address: u.origin, ...to },
    config: { transport: 'fetch' },
    attributes: {
      'http.request.method': method,
      'url.full': u.href,
      'server.address': u.hostname,
      'server.port': u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80,
    },
  };
};

/** As the fetch client records a response (client/fetch/call.ts), `attributes` being what its protocol reader found. */
const respond = (ri: RPCInfo, status: number, bytes = 0, attributes: Record<string, string | number> = {}, message = ''): undefined => {
  ri.attributes['http.response.status_code'] = status;
  Object.assign(ri.attributes, attributes);
  ri.stats.recvSize = bytes;
  recordFinish(ri, undefined, 'info', message);
  return undefined;
};

// As the node:http and fetch servers name a plain HTTP request: no method of its own (server/naming.ts).
const httpServer = (method = ''): RPCInfoInit => ({
  side: 'server',
  from: { serviceName: 'web', address: '10.1.2.3:5555' },
  to: { serviceName: 'users', method, address: 'users.internal:8080' },
  config: { transport: 'http' },
  attributes: {
    'http.request.method': 'GET',
    'url.path': '/users/42',
    'url.scheme': 'http',
    'server.address': 'users.internal',
    'server.port': 8080,
    'client.address': '10.1.2.3',
  },
});

/** As the server wrappers record a handler failure and the end of the call (server/http/handler.ts). */
const handlerFails = (ri: RPCInfo, thrown: unknown, status: number | undefined): unknown => {
  const error = asRecordedError(thrown);
  ri.stats.record(stats.ServerHandleFinish, 'error');
  ri.stats.error = error;
  ri.attributes['error.type'] = describeError(error).type;
  finishHttpAttributes(ri, status, error);
  return error;
};

/** As the server wrappers end a call whose response said `attributes` (what their protocol reader found). */
const serverResponds = (ri: RPCInfo, status: number, attributes: Record<string, string | number>, message = ''): undefined => {
  Object.assign(ri.attributes, attributes);
  finishHttpAttributes(ri, status, undefined, message);
  return undefined;
};

const RPC_PATH = 'https://api.example.com/acme.user.v1.UserService/GetUser';
const rpcNames = { invocation: { service: 'acme.user.v1.UserService', method: 'GetUser', package: 'acme.user.v1' } };
const rpcClient = (system: string): RPCInfoInit => {
  const init = fetchClient(RPC_PATH, 'POST', { serviceName: 'acme.user.v1.UserService', method: 'GetUser' });
  return { ...init, ...rpcNames, attributes: { ...init.attributes, 'rpc.system': system } };
};
const rpcServer = (system: string): RPCInfoInit => {
  const init = httpServer('GetUser');
  return { ...init, ...rpcNames, attributes: { ...init.attributes, 'url.path': '/acme.user.v1.UserService/GetUser', 'rpc.system': system } };
};

const cases: Case[] = [
  {
    name: 'client 200',
    init: fetchClient('https://api.example.com/users', 'GET', { serviceName: 'api.example.com', method: 'GET /users' }),
    run: (ri) => respond(ri, 200, 120),
    expected: {
      name: 'api.example.com/GET /users',
      failed: false,
      // Named only by its address: no peer.service (not a service.name); server.address says where.
      attributes: { 'http.response.body.size': 120, 'server.address': 'api.example.com', 'server.port': 443 },
    },
  },
  {
    name: 'client 404 without names',
    init: fetchClient('http://localhost:8080/missing', 'GET'),
    run: (ri) => respond(ri, 404),
    expected: { name: 'GET', failed: true, errorType: '404', message: 'HTTP 404', attributes: { 'isotrace.transport': 'fetch' } },
  },
  {
    name: 'client 503',
    init: fetchClient('https://api.example.com/users', 'POST', { serviceName: 'api.example.com', method: 'POST /users' }),
    run: (ri) => respond(ri, 503),
    expected: { name: 'api.example.com/POST /users', failed: true, errorType: '503', message: 'HTTP 503' },
  },
  {
    name: 'client network error (TypeError)',
    init: fetchClient('http://127.0.0.1:9/', 'GET', { serviceName: '127.0.0.1:9', method: 'GET /' }),
    run: (ri) => {
      const error = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
      ri.attributes['error.type'] ??= describeError(error).type;
      return error;
    },
    expected: { name: '127.0.0.1:9/GET /', failed: true, errorType: 'TypeError', message: 'fetch failed' },
  },
  {
    name: "server 500, the handler threw { name: 'Boom' }",
    init: httpServer(),
    run: (ri) => handlerFails(ri, { name: 'Boom' }, 500),
    expected: {
      name: 'GET',
      failed: true,
      errorType: 'Boom',
      message: '[object Object]',
      attributes: { 'client.address': '10.1.2.3', 'http.response.status_code': 500 },
    },
  },
  {
    name: 'server, the handler threw a string',
    init: httpServer(),
    run: (ri) => handlerFails(ri, 'oops', 500),
    expected: { name: 'GET', failed: true, errorType: '_OTHER', message: 'oops' },
  },
  {
    name: "server 404 (not the server's failure)",
    init: httpServer(),
    run: (ri) => {
      finishHttpAttributes(ri, 404, undefined);
      return undefined;
    },
    expected: { name: 'GET', failed: false, attributes: { 'http.response.status_code': 404 } },
  },
  {
    name: 'server, route set while it ran (setRoute)',
    init: httpServer(),
    run: (ri) => {
      setRoute('/users/:id', withRPCInfo(ROOT_CONTEXT, ri));
      finishHttpAttributes(ri, 200, undefined);
      return undefined;
    },
    expected: { name: 'GET /users/:id', failed: false, method: 'GET /users/:id', attributes: { 'http.route': '/users/:id', 'url.path': '/users/42' } },
  },
  {
    name: 'server named by describe keeps its name; the route is an attribute',
    init: httpServer('ListUsers'),
    run: (ri) => {
      setRoute('/users/:id', withRPCInfo(ROOT_CONTEXT, ri));
      return undefined;
    },
    expected: { name: 'users/ListUsers', failed: false, method: 'ListUsers', attributes: { 'http.route': '/users/:id' } },
  },
  {
    name: 'server error recorded by a framework adapter (recordServerError) before its 500',
    init: httpServer(),
    run: (ri) => {
      recordServerError(new RangeError('bad id'), withRPCInfo(ROOT_CONTEXT, ri));
      finishHttpAttributes(ri, 500, ri.stats.error);
      return undefined;
    },
    expected: { name: 'GET', failed: true, errorType: 'RangeError', message: 'bad id', attributes: { 'http.response.status_code': 500 } },
  },
  {
    name: 'aborted server request',
    init: { ...httpServer(), from: { address: '[2001:db8::7]:4000' }, attributes: { 'http.request.method': 'POST' } },
    run: (ri) => {
      const error = new RequestAbortedError();
      finishHttpAttributes(ri, undefined, error);
      return error;
    },
    expected: {
      name: 'POST',
      failed: true,
      errorType: 'aborted',
      message: new RequestAbortedError().message,
      attributes: { 'client.address': '2001:db8::7' },
    },
  },
  {
    name: 'WebSocket JSON-RPC remote error',
    init: {
      side: 'client',
      to: { serviceName: 'calc', method: 'divide', address: 'wss://rpc.example.com/ws' },
      invocation: { method: 'divide', seqId: 3 },
      config: { transport: 'websocket', codec: 'jsonrpc' },
      attributes: {
        'rpc.system': 'jsonrpc',
        'rpc.method': 'divide',
        'rpc.service': 'calc',
        'rpc.jsonrpc.version': '2.0',
        'rpc.jsonrpc.request_id': '3',
        'server.address': 'rpc.example.com',
        'server.port': 443,
      },
    },
    run: (ri) => {
      // As client/websocket/call.ts records a rejected call.
      const error = new RpcRemoteError('divide', { code: -32000, message: 'division by zero' });
      ri.stats.sendSize = 60;
      ri.stats.recvSize = 80;
      ri.attributes['error.type'] = describeError(error).type;
      ri.attributes['rpc.jsonrpc.error_code'] = error.code;
      ri.attributes['rpc.jsonrpc.error_message'] = error.message;
      return error;
    },
    expected: {
      name: 'calc/divide',
      failed: true,
      errorType: 'RpcRemoteError',
      message: 'division by zero',
      attributes: { 'rpc.system': 'jsonrpc', 'rpc.request.size': 60, 'rpc.response.size': 80 },
    },
  },
  {
    name: 'plain traceCall success',
    init: { side: 'client', from: { serviceName: 'web' }, to: { serviceName: 'users', method: 'Get' } },
    run: () => undefined,
    expected: { name: 'users/Get', failed: false, attributes: { 'isotrace.transport': 'call', 'peer.service': 'users' } },
  },
  {
    name: 'named service/method (Connect)',
    init: {
      ...fetchClient('https://api.example.com/acme.user.v1.UserService/GetUser', 'POST'),
      to: { serviceName: 'acme.user.v1.UserService', method: 'GetUser', address: 'https://api.example.com' },
      invocation: { service: 'acme.user.v1.UserService', method: 'GetUser', package: 'acme.user.v1' },
    },
    run: (ri) => {
      ri.attributes['rpc.system'] = 'connect_rpc';
      ri.stats.sendSize = 9;
      return respond(ri, 200, 30);
    },
    expected: {
      name: 'acme.user.v1.UserService/GetUser',
      failed: false,
      attributes: { 'rpc.system': 'connect_rpc', 'rpc.service': 'acme.user.v1.UserService', 'rpc.method': 'GetUser', 'http.request.body.size': 9 },
    },
  },
  // Protocol outcomes: the RPC status decides, judged for the side (OpenTelemetry's gRPC and
  // Connect rule: a client fails on any status but OK, a server only on its own faults).
  {
    name: 'gRPC-web client, NOT_FOUND in trailers under HTTP 200',
    init: rpcClient('grpc_web'),
    run: (ri) => respond(ri, 200, 40, { 'rpc.grpc.status_code': 5 }, 'no such user'),
    expected: {
      name: 'acme.user.v1.UserService/GetUser',
      failed: true,
      errorType: 'NOT_FOUND',
      message: 'no such user',
      attributes: { 'rpc.grpc.status_code': 5 },
    },
  },
  {
    name: "gRPC-web server, NOT_FOUND (the caller's fault)",
    init: rpcServer('grpc_web'),
    run: (ri) => serverResponds(ri, 200, { 'rpc.grpc.status_code': 5 }, 'no such user'),
    expected: { name: 'acme.user.v1.UserService/GetUser', failed: false, attributes: { 'rpc.grpc.status_code': 5, 'http.response.status_code': 200 } },
  },
  {
    name: 'gRPC-web server, INTERNAL',
    init: rpcServer('grpc_web'),
    run: (ri) => serverResponds(ri, 200, { 'rpc.grpc.status_code': 13 }, 'broken'),
    expected: { name: 'acme.user.v1.UserService/GetUser', failed: true, errorType: 'INTERNAL', message: 'broken', attributes: { 'rpc.grpc.status_code': 13 } },
  },
  {
    name: 'gRPC-web server, OK',
    init: rpcServer('grpc_web'),
    run: (ri) => serverResponds(ri, 200, { 'rpc.grpc.status_code': 0 }),
    expected: { name: 'acme.user.v1.UserService/GetUser', failed: false, attributes: { 'rpc.grpc.status_code': 0 } },
  },
  {
    name: 'Connect unary client, not_found under HTTP 404',
    init: rpcClient('connect_rpc'),
    run: (ri) => respond(ri, 404, 50, { 'rpc.connect_rpc.error_code': 'not_found' }, 'no such user'),
    expected: { name: 'acme.user.v1.UserService/GetUser', failed: true, errorType: 'not_found', message: 'no such user' },
  },
  {
    name: 'Connect unary server, not_found under HTTP 404',
    init: rpcServer('connect_rpc'),
    run: (ri) => serverResponds(ri, 404, { 'rpc.connect_rpc.error_code': 'not_found' }, 'no such user'),
    expected: { name: 'acme.user.v1.UserService/GetUser', failed: false, attributes: { 'rpc.connect_rpc.error_code': 'not_found' } },
  },
  {
    name: 'Connect stream server, internal in the end-stream message under HTTP 200',
    init: rpcServer('connect_rpc'),
    run: (ri) => serverResponds(ri, 200, { 'rpc.connect_rpc.error_code': 'internal' }, 'stream broke'),
    expected: { name: 'acme.user.v1.UserService/GetUser', failed: true, errorType: 'internal', message: 'stream broke' },
  },
  {
    name: 'JSON-RPC over fetch, an error object under HTTP 200',
    init: { ...fetchClient('https://rpc.example.com/', 'POST', { serviceName: 'rpc.example.com', method: 'divide' }), invocation: { method: 'divide' } },
    run: (ri) => {
      ri.attributes['rpc.system'] = 'jsonrpc';
      return respond(ri, 200, 70, { 'rpc.jsonrpc.error_code': -32000, 'rpc.jsonrpc.error_message': 'division by zero' }, 'division by zero');
    },
    expected: {
      name: 'rpc.example.com/divide',
      failed: true,
      errorType: '-32000',
      message: 'division by zero',
      attributes: { 'rpc.jsonrpc.error_code': -32000 },
    },
  },
  {
    name: "tRPC client, NOT_FOUND: tRPC's code names the HTTP 404",
    init: fetchClient('http://localhost:3000/trpc/user.get', 'GET', { serviceName: 'localhost:3000', method: 'GET /trpc/user.get' }),
    run: (ri) => respond(ri, 404, 90, { 'rpc.system': 'trpc', 'rpc.method': 'user.get', 'isotrace.trpc.error_code': 'NOT_FOUND' }, 'no such user'),
    expected: {
      name: 'localhost:3000/GET /trpc/user.get',
      failed: true,
      errorType: 'NOT_FOUND',
      message: 'no such user',
      attributes: { 'rpc.method': 'user.get' },
    },
  },
  {
    name: 'a transport that records only the gRPC status (no RPCFinish status)',
    init: { side: 'client', to: { serviceName: 'acme.Users', method: 'Get' } },
    run: (ri) => {
      ri.attributes['rpc.grpc.status_code'] = 14;
      return undefined;
    },
    expected: { name: 'acme.Users/Get', failed: true, errorType: 'UNAVAILABLE' },
  },
];

const otelExporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(otelExporter)] });
beforeEach(() => otelExporter.reset());

describe('every tracer agrees on the same RPCInfo', () => {
  it.each(cases)('$name', (c) => {
    const memory = createMemoryExporter();
    const spanTracer = createSpanTracer({ serviceName: 'agreement', exporter: memory });
    const otel = createOpenTelemetryTracer({ tracer: provider.getTracer('agreement') });
    const metrics = createMetricsTracer();
    const controller = createTraceController({
      tracers: [spanTracer, otel, metrics],
      onTracerError: ({ error }) => {
        throw error;
      },
    });

    const ri = createRPCInfo(c.init);
    const ctx = controller.start(withRPCInfo(ROOT_CONTEXT, ri));
    const error = c.run(ri);
    controller.finish(ctx, error);

    expect(memory.spans).toHaveLength(1);
    expect(otelExporter.getFinishedSpans()).toHaveLength(1);
    const ours = memory.spans[0];
    const theirs = otelExporter.getFinishedSpans()[0];
    const [series] = metrics.snapshot().series;

    // What the rule says.
    const { expected } = c;
    expect(ours.name).toBe(expected.name);
    expect(ours.status.code === 'error').toBe(expected.failed);
    expect(ours.attributes['error.type']).toBe(expected.errorType);
    expect(ours.status.message).toBe(expected.message);
    expect(ours.attributes).toMatchObject(expected.attributes ?? {});
    expect(ours.attributes).not.toHaveProperty('rpc.system', ri.config.transport);
    if (ri.side === 'client' && ri.to.address.endsWith(`//${ri.to.serviceName}`)) expect(ours.attributes).not.toHaveProperty('peer.service');

    // Every tracer says the same.
    expect(theirs.name).toBe(ours.name);
    expect(theirs.status.code === SpanStatusCode.ERROR).toBe(expected.failed);
    expect(theirs.status.message).toBe(ours.status.message);
    expect(theirs.attributes).toEqual(ours.attributes);
    expect(series.status).toBe(expected.failed ? 'error' : 'ok');
    expect(series.service).toBe(ri.invocation.service || ri.to.serviceName);
    expect(series.method).toBe(rpcMethod(ri));
    if (expected.method !== undefined) expect(series.method).toBe(expected.method);

    // The same exception, when there is one.
    const ourException = ours.events.find((e) => e.name === 'exception');
    const theirException = theirs.events.find((e) => e.name === 'exception');
    expect(theirException === undefined).toBe(ourException === undefined);
    expect(ourException === undefined).toBe(ri.stats.error === undefined && error === undefined);
    if (ourException !== undefined) {
      expect(ourException.attributes['exception.type']).toBe(expected.errorType);
      expect(theirException!.attributes).toEqual(ourException.attributes);
    }
    // And the same stats events, in the same order, with the same attributes.
    expect(theirs.events.filter((e) => e.name !== 'exception').map((e) => [e.name, e.attributes])).toEqual(
      ours.events.filter((e) => e.name !== 'exception').map((e) => [e.name, e.attributes]),
    );
  });
});
