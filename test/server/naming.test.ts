import { describe, expect, it } from 'vitest';
import { applyDescribe, nameHttpRequest, requestPath } from '../../src/server/naming.js';

describe('server naming', () => {
  it('names /pkg.Service/Method paths like the client, with any prefix', () => {
    expect(nameHttpRequest('/acme.user.v1.UserService/GetUser', 'application/json')).toEqual({
      service: 'acme.user.v1.UserService',
      method: 'GetUser',
      package: 'acme.user.v1',
      rpcSystem: 'connect_rpc',
    });
    expect(nameHttpRequest('/api/pkg.Svc/Do/', 'application/grpc-web+proto')).toMatchObject({
      service: 'pkg.Svc',
      method: 'Do',
      rpcSystem: 'grpc_web',
    });
    expect(nameHttpRequest('/pkg.Svc/Do', 'application/grpc')).toMatchObject({ rpcSystem: 'grpc' });
  });

  it('names no method for anything else (plain HTTP, named by its route or HTTP method), never the raw path', () => {
    for (const path of ['/', '/users/42', '/v1.2/x', '/Svc/Method', '/pkg.Svc/1x', '/.a/b']) {
      expect(nameHttpRequest(path, undefined)).toEqual({ service: '', method: '', package: '', rpcSystem: undefined });
    }
  });

  it('strips the query; takes the path of absolute-form targets', () => {
    expect(requestPath('/a/b?x=1&y')).toBe('/a/b');
    expect(requestPath('/a')).toBe('/a');
    expect(requestPath('http://example.com/p?q')).toBe('/p');
    expect(requestPath('*')).toBe('*');
  });

  it('describe overrides string fields only, and a throwing describe keeps the default', () => {
    const base = nameHttpRequest('/x', undefined);
    expect(applyDescribe(base, () => ({ method: 'List', service: 7 as never }), {})).toMatchObject({ method: 'List', service: '' });
    expect(
      applyDescribe(
        base,
        () => {
          throw new Error('no');
        },
        {},
      ),
    ).toBe(base);
    expect(applyDescribe(base, () => undefined, {})).toBe(base);
  });
});
