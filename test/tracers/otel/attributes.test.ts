import { describe, expect, it } from 'vitest';
import { createRPCInfo, type RPCInfoInit } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { callFailed, errorMessage, errorType, rpcAttributes, rpcSpanName, toException } from '../../../src/tracers/otel/attributes.js';

const ri = (init: Partial<RPCInfoInit> = {}) => createRPCInfo({ side: 'client', to: { serviceName: 'users', method: 'Get' }, ...init });

describe('rpcSpanName', () => {
  it('is service/method, one of them when the other is unknown, else the transport', () => {
    expect(rpcSpanName(ri({ invocation: { service: 'acme.v1.Users', method: 'GetUser' } }))).toBe('acme.v1.Users/GetUser');
    expect(rpcSpanName(ri())).toBe('users/Get');
    expect(rpcSpanName(ri({ to: { method: 'Get' } }))).toBe('Get');
    expect(rpcSpanName(ri({ to: { serviceName: 'users' } }))).toBe('users');
    expect(rpcSpanName(ri({ to: {}, config: { transport: 'websocket' } }))).toBe('websocket');
  });
});

describe('rpcAttributes', () => {
  it('copies ri.attributes, whose values win, and fills the RPC attributes around them', () => {
    const info = ri({ from: { serviceName: 'web' }, attributes: { 'rpc.system': 'jsonrpc', 'rpc.method': 'users.get', 'http.response.status_code': 200 } });
    expect(rpcAttributes(info, false)).toEqual({
      'rpc.system': 'jsonrpc',
      'rpc.service': 'users',
      'rpc.method': 'users.get',
      'peer.service': 'users',
      'isotrace.transport': 'call',
      'http.response.status_code': 200,
    });
    // A copy: later writes to the span's attributes never reach the RPCInfo.
    expect(rpcAttributes(info, false)).not.toBe(info.attributes);
  });

  it('falls back to the transport name for rpc.system, and names the caller as peer on the server side', () => {
    const server = createRPCInfo({ side: 'server', from: { serviceName: 'web' }, to: { serviceName: 'users', method: 'Get' }, config: { transport: 'http' } });
    expect(rpcAttributes(server, false)).toMatchObject({ 'rpc.system': 'http', 'peer.service': 'web' });
    expect(rpcAttributes(createRPCInfo({ side: 'server' }), false)).not.toHaveProperty('peer.service');
  });

  it.each([
    ['https://api.example.com', 'api.example.com', 443],
    ['http://localhost:8080', 'localhost', 8080],
    ['ws://[::1]:9000', '::1', 9000],
    ['10.0.0.1:50051', '10.0.0.1', 50051],
    ['[2001:db8::1]:443', '2001:db8::1', 443],
    ['users.internal', 'users.internal', undefined],
  ])('derives server.address and server.port from ri.to.address %s', (address, host, port) => {
    const attributes = rpcAttributes(ri({ to: { serviceName: 'users', address } }), false);
    expect(attributes['server.address']).toBe(host);
    expect(attributes['server.port']).toBe(port);
  });

  it('leaves server.address to the transport when it set one, and skips addresses it cannot read', () => {
    expect(rpcAttributes(ri({ to: { address: 'http://a:1' }, attributes: { 'server.address': 'b' } }), false)).toMatchObject({ 'server.address': 'b' });
    expect(rpcAttributes(ri({ to: { address: 'http://' } }), false)).not.toHaveProperty('server.address');
    expect(rpcAttributes(ri({ to: { address: 'a b:c' } }), false)).not.toHaveProperty('server.address');
  });

  it('adds sizes only when final and non-zero, named http.* on HTTP transports and rpc.* elsewhere, request = what the client sent', () => {
    const client = ri({ config: { transport: 'fetch' } });
    client.stats.sendSize = 10;
    client.stats.recvSize = 20;
    expect(rpcAttributes(client, false)).not.toHaveProperty('http.request.body.size');
    expect(rpcAttributes(client, true)).toMatchObject({ 'http.request.body.size': 10, 'http.response.body.size': 20 });
    const server = createRPCInfo({ side: 'server', config: { transport: 'websocket' } });
    server.stats.recvSize = 10;
    expect(rpcAttributes(server, true)).toMatchObject({ 'rpc.request.size': 10 });
    expect(rpcAttributes(server, true)).not.toHaveProperty('rpc.response.size');
  });

  it('adds error.type when the call failed, unless the transport named it', () => {
    const failed = ri();
    failed.stats.error = new RangeError('x');
    expect(rpcAttributes(failed, true)['error.type']).toBe('RangeError');
    const named = ri({ attributes: { 'error.type': '503' } });
    named.stats.error = new Error('x');
    expect(rpcAttributes(named, true)['error.type']).toBe('503');
    const byStatus = ri();
    byStatus.stats.record(stats.RPCFinish, 'error');
    expect(callFailed(byStatus)).toBe(true);
    expect(rpcAttributes(byStatus, true)['error.type']).toBe('_OTHER');
    expect(rpcAttributes(ri(), true)).not.toHaveProperty('error.type');
  });
});

describe('errors', () => {
  class TimeoutError extends Error {}
  const bare = Object.create(null) as object;

  it('errorType is the class name, a meaningful name, or _OTHER', () => {
    expect(errorType(new TimeoutError('t'))).toBe('TimeoutError');
    expect(errorType(Object.assign(new Error('a'), { name: 'AbortError' }))).toBe('AbortError');
    expect(errorType(new Error('e'))).toBe('Error');
    expect(errorType('text')).toBe('_OTHER');
    expect(errorType(bare)).toBe('_OTHER');
  });

  it('toException passes Errors and strings through and describes anything else', () => {
    const e = new Error('e');
    expect(toException(e)).toBe(e);
    expect(toException('text')).toBe('text');
    expect(toException(42)).toEqual({ name: '_OTHER', message: '42' });
    expect(toException(bare)).toEqual({ name: '_OTHER', message: '[object Object]' });
  });

  it('errorMessage never throws', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage(undefined)).toBe('the call failed');
    expect(errorMessage(bare)).toBe('[object Object]');
  });
});
