import { describe, expect, it } from 'vitest';
import { eventAttributes, rpcAttributes, rpcName, rpcOutcome } from '../../../src/rpcinfo/conventions/rpc-conventions.js';
import { describeError } from '../../../src/rpcinfo/conventions/error-description.js';
import { RequestAbortedError } from '../../../src/rpcinfo/errors.js';
import { createRPCInfo, type RPCInfoInit } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';

const ri = (init: Partial<RPCInfoInit> = {}) => createRPCInfo({ side: 'client', to: { serviceName: 'users', method: 'Get' }, ...init });

describe('rpcName', () => {
  it('is service/method, one of them when the other is unknown, else the HTTP method, else the transport', () => {
    expect(rpcName(ri({ invocation: { service: 'acme.v1.Users', method: 'GetUser' } }))).toBe('acme.v1.Users/GetUser');
    expect(rpcName(ri())).toBe('users/Get');
    expect(rpcName(ri({ to: { method: 'Get' } }))).toBe('Get');
    expect(rpcName(ri({ to: { serviceName: 'users' } }))).toBe('users');
    expect(rpcName(ri({ to: {}, config: { transport: 'fetch' }, attributes: { 'http.request.method': 'POST' } }))).toBe('POST');
    expect(rpcName(ri({ to: {}, config: { transport: 'websocket' } }))).toBe('websocket');
  });
});

describe('rpcAttributes', () => {
  it('derives the RPC attributes, then copies ri.attributes, whose values win', () => {
    const info = ri({ from: { serviceName: 'web' }, attributes: { 'rpc.system': 'jsonrpc', 'rpc.method': 'users.get', 'http.response.status_code': 200 } });
    expect(rpcAttributes(info)).toEqual({
      'rpc.system': 'jsonrpc',
      'rpc.service': 'users',
      'rpc.method': 'users.get',
      'peer.service': 'users',
      'isotrace.transport': 'call',
      'http.response.status_code': 200,
    });
    // A copy: later writes to a span's attributes never reach the RPCInfo.
    expect(rpcAttributes(info)).not.toBe(info.attributes);
  });

  it('never guesses rpc.system, names the caller as peer on the server side, and records its address', () => {
    const server = createRPCInfo({
      side: 'server',
      from: { serviceName: 'web', address: '[::1]:51000' },
      to: { serviceName: 'users', method: 'Get' },
      config: { transport: 'http' },
    });
    expect(rpcAttributes(server)).toMatchObject({ 'peer.service': 'web', 'client.address': '::1' });
    expect(rpcAttributes(server)).not.toHaveProperty('rpc.system');
    expect(rpcAttributes(createRPCInfo({ side: 'server' }))).not.toHaveProperty('peer.service');
    expect(rpcAttributes(ri({ from: { address: '10.0.0.1:1' } }))).not.toHaveProperty('client.address');
  });

  it('claims no peer.service for a callee named only by its host:port (the fetch default); server.address/port say where it is', () => {
    const byAddress = createRPCInfo({ side: 'client', to: { serviceName: '127.0.0.1:8080', method: 'GET /users/42', address: 'http://127.0.0.1:8080' } });
    expect(rpcAttributes(byAddress)).not.toHaveProperty('peer.service');
    expect(rpcAttributes(byAddress)).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': 8080 });
    // Named by describe (or traceCall's callee) as the server names itself: the server's service.name.
    const named = createRPCInfo({ side: 'client', to: { serviceName: 'users', method: 'GET /users/42', address: 'http://127.0.0.1:8080' } });
    expect(rpcAttributes(named)).toMatchObject({ 'peer.service': 'users', 'server.address': '127.0.0.1' });
  });

  it.each([
    ['https://api.example.com', 'api.example.com', 443],
    ['http://localhost:8080', 'localhost', 8080],
    ['ws://[::1]:9000', '::1', 9000],
    ['10.0.0.1:50051', '10.0.0.1', 50051],
    ['[2001:db8::1]:443', '2001:db8::1', 443],
    ['users.internal', 'users.internal', undefined],
  ])('derives server.address and server.port from ri.to.address %s', (address, host, port) => {
    const attributes = rpcAttributes(ri({ to: { serviceName: 'users', address } }));
    expect(attributes['server.address']).toBe(host);
    expect(attributes['server.port']).toBe(port);
  });

  it('leaves server.address to the transport when it set one, and skips a URL that does not parse', () => {
    expect(rpcAttributes(ri({ to: { address: 'http://a:1' }, attributes: { 'server.address': 'b' } }))).toEqual(
      expect.objectContaining({ 'server.address': 'b' }),
    );
    expect(rpcAttributes(ri({ to: { address: 'http://a:1' }, attributes: { 'server.address': 'b' } }))).not.toHaveProperty('server.port');
    expect(rpcAttributes(ri({ to: { address: 'http://' } }))).not.toHaveProperty('server.address');
  });

  it('adds non-zero sizes, http.* on the fetch and http transports and rpc.* elsewhere, request = what the client sent', () => {
    const client = ri({ config: { transport: 'fetch' } });
    expect(rpcAttributes(client)).not.toHaveProperty('http.request.body.size');
    client.stats.sendSize = 10;
    client.stats.recvSize = 20;
    expect(rpcAttributes(client)).toMatchObject({ 'http.request.body.size': 10, 'http.response.body.size': 20 });
    const server = createRPCInfo({ side: 'server', config: { transport: 'websocket' } });
    server.stats.recvSize = 10;
    expect(rpcAttributes(server)).toMatchObject({ 'rpc.request.size': 10 });
    expect(rpcAttributes(server)).not.toHaveProperty('rpc.response.size');
  });
});

describe('rpcOutcome', () => {
  it('a call without error, error status or failing status code succeeded', () => {
    expect(rpcOutcome(ri())).toEqual({ failed: false });
    expect(rpcOutcome(ri({ attributes: { 'http.response.status_code': 302 } }))).toEqual({ failed: false });
    // A server answering 404 did its job; a client getting one did not.
    expect(rpcOutcome(createRPCInfo({ side: 'server', attributes: { 'http.response.status_code': 404 } }))).toEqual({ failed: false });
  });

  it('failed: the error names the type and gives the message', () => {
    const info = ri();
    const error = new RangeError('out of range');
    info.stats.error = error;
    expect(rpcOutcome(info)).toMatchObject({ failed: true, errorType: 'RangeError', message: 'out of range', error: { type: 'RangeError', cause: error } });
  });

  it('failed by status code: the code is the type, no message unless RPCFinish gave one', () => {
    expect(rpcOutcome(ri({ attributes: { 'http.response.status_code': 404 } }))).toEqual({ failed: true, errorType: '404' });
    const five = createRPCInfo({ side: 'server', attributes: { 'http.response.status_code': 503 } });
    five.stats.record(stats.RPCFinish, 'error', 'HTTP 503');
    expect(rpcOutcome(five)).toEqual({ failed: true, errorType: '503', message: 'HTTP 503' });
  });

  it("failed by RPCFinish alone: _OTHER; and the transport's error.type wins", () => {
    const finished = ri();
    finished.stats.record(stats.RPCFinish, 'error');
    expect(rpcOutcome(finished)).toEqual({ failed: true, errorType: '_OTHER' });
    const named = ri({ attributes: { 'error.type': '-32602' } });
    named.stats.error = new Error('bad params');
    expect(rpcOutcome(named)).toMatchObject({ failed: true, errorType: '-32602', message: 'bad params' });
  });
});

describe('describeError', () => {
  const bare = Object.create(null) as object;

  it("type: the name, else an Error subclass's constructor name, else _OTHER; a RequestAbortedError is aborted", () => {
    expect(describeError(new TypeError('t')).type).toBe('TypeError');
    expect(describeError(new DOMException('x', 'AbortError')).type).toBe('AbortError');
    expect(describeError({ name: 'Boom' }).type).toBe('Boom');
    class Quiet extends Error {
      override name = '';
    }
    expect(describeError(new Quiet('q')).type).toBe('Quiet');
    expect(describeError('text').type).toBe('_OTHER');
    expect(describeError(42).type).toBe('_OTHER');
    expect(describeError(bare).type).toBe('_OTHER');
    expect(describeError(new RequestAbortedError()).type).toBe('aborted');
  });

  it('message and stack, the original as cause, and never a throw', () => {
    const e = new Error('boom');
    expect(describeError(e)).toEqual({ type: 'Error', message: 'boom', stack: e.stack, cause: e });
    expect(describeError('text')).toEqual({ type: '_OTHER', message: 'text', cause: 'text' });
    expect(describeError(bare).message).toBe('[object Object]');
    const hostile = {
      toString: () => {
        throw new Error('no');
      },
      get name(): string {
        throw new Error('no');
      },
    };
    expect(describeError(hostile)).toEqual({ type: '_OTHER', message: '[object Object]', cause: hostile });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(describeError(proxy)).toMatchObject({ type: '_OTHER', message: '' });
  });
});

describe('eventAttributes', () => {
  it('carries status unless info, and info unless empty', () => {
    expect(eventAttributes({ event: stats.RPCStart, time: 0, status: 'info', info: '' })).toEqual({});
    expect(eventAttributes({ event: stats.RPCFinish, time: 0, status: 'error', info: 'HTTP 503' })).toEqual({
      'isotrace.status': 'error',
      'isotrace.info': 'HTTP 503',
    });
  });
});
