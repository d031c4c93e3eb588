import { describe, expect, it } from 'vitest';
import { applyCallName, describeFetchRequest, type FetchRequestInfo } from '../../../src/client/fetch/naming.js';

function info(url: string, extra: Partial<FetchRequestInfo> = {}): FetchRequestInfo {
  return { url: new URL(url), method: 'POST', body: undefined, contentType: undefined, input: url, init: undefined, ...extra };
}

describe('describeFetchRequest', () => {
  it('names /pkg.Service/Method paths, with or without a prefix, and tells Connect from gRPC-web', () => {
    expect(describeFetchRequest(info('https://api.example.com/acme.user.v1.UserService/GetUser', { contentType: 'application/json; charset=utf-8' }))).toEqual({
      service: 'acme.user.v1.UserService',
      package: 'acme.user.v1',
      method: 'GetUser',
      rpcSystem: 'connect_rpc',
      codec: 'json',
      seqId: undefined,
    });
    expect(describeFetchRequest(info('https://x.test/rpc/pkg.Svc/Do/', { contentType: 'application/grpc-web+proto' }))).toMatchObject({
      service: 'pkg.Svc',
      package: 'pkg',
      method: 'Do',
      rpcSystem: 'grpc_web',
      codec: 'grpc-web+proto',
    });
    // Connect GET: the codec is in the query.
    expect(describeFetchRequest(info('https://x.test/pkg.Svc/Get?connect=v1&encoding=proto&message=AA', { method: 'GET' }))).toMatchObject({
      method: 'Get',
      codec: 'proto',
    });
  });

  it('does not mistake ordinary paths for RPC paths', () => {
    for (const path of ['/static/app.js', '/v1.2/items', '/a.b/', '/only.one', '/users/42']) {
      expect(describeFetchRequest(info(`https://x.test${path}`)).rpcSystem, path).toBeUndefined();
    }
  });

  it('names JSON-RPC 2.0 string bodies by method (and id), batches by their distinct methods', () => {
    const one = describeFetchRequest(info('http://x.test:8080/rpc', { body: '{"jsonrpc":"2.0","method":"sum","params":[1],"id":"a1"}' }));
    expect(one).toEqual({ service: 'x.test:8080', method: 'sum', package: '', rpcSystem: 'jsonrpc', codec: 'json', seqId: 'a1' });
    const batch = JSON.stringify([
      { jsonrpc: '2.0', method: 'a', id: 1 },
      { jsonrpc: '2.0', method: 'b' },
      { jsonrpc: '2.0', method: 'a', id: 2 },
    ]);
    expect(describeFetchRequest(info('http://x.test/rpc', { body: batch })).method).toBe('a,b');
  });

  it('falls back to host and METHOD /path for REST, bad JSON, JSON-RPC 1.0, and bodies it must not read', () => {
    const rest = (body: unknown) => describeFetchRequest(info('https://x.test/users/42?x=1', { body, method: 'DELETE' }));
    expect(rest(undefined)).toEqual({ service: 'x.test', method: 'DELETE /users/42', package: '', rpcSystem: undefined, codec: undefined, seqId: undefined });
    expect(rest('{"jsonrpc": "2.0", "method": ')).toMatchObject({ method: 'DELETE /users/42' });
    expect(rest('{"jsonrpc":"1.0","method":"m"}')).toMatchObject({ method: 'DELETE /users/42' });
    let pulled = false;
    const stream = new ReadableStream({
      pull() {
        pulled = true;
      },
    });
    expect(rest(stream)).toMatchObject({ method: 'DELETE /users/42' });
    expect(pulled).toBe(false);
    expect(stream.locked).toBe(false);
  });
});

describe('applyCallName', () => {
  it('takes the string fields describe returned and keeps the defaults for the rest', () => {
    const base = describeFetchRequest(info('https://x.test/users'));
    expect(applyCallName(base, { method: 'ListUsers' })).toEqual({ ...base, method: 'ListUsers' });
    expect(applyCallName(base, { service: 1 as never, package: 'p' })).toEqual({ ...base, package: 'p' });
    expect(applyCallName(base, undefined)).toBe(base);
  });
});
