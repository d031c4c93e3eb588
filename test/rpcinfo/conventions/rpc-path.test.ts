import { describe, expect, it } from 'vitest';
import { mediaTypeEssence, parseRpcPath, rpcSystemOf } from '../../../src/rpcinfo/conventions/rpc-path.js';

describe('parseRpcPath', () => {
  it('names Connect/gRPC paths, with any prefix and a trailing slash', () => {
    expect(parseRpcPath('/acme.user.v1.UserService/GetUser')).toEqual({ service: 'acme.user.v1.UserService', method: 'GetUser', package: 'acme.user.v1' });
    expect(parseRpcPath('/api/pkg.Svc/Do/')).toEqual({ service: 'pkg.Svc', method: 'Do', package: 'pkg' });
  });

  it('refuses paths that are not RPC-shaped', () => {
    for (const p of ['/', '/users/42', '/Svc/Method', '/pkg.Svc/', '/pkg.Svc/Do-it', '/pkg..Svc/Do', '/1pkg.Svc/Do', '']) {
      expect(parseRpcPath(p), p).toBeUndefined();
    }
  });
});

describe('media types', () => {
  it('takes the essence and maps it to rpc.system', () => {
    expect(mediaTypeEssence(' Application/GRPC-Web+proto ; charset=x')).toBe('application/grpc-web+proto');
    expect(mediaTypeEssence(undefined)).toBe('');
    expect(rpcSystemOf('application/grpc-web+proto')).toBe('grpc_web');
    expect(rpcSystemOf('application/grpc')).toBe('grpc');
    expect(rpcSystemOf('application/grpc+json')).toBe('grpc');
    expect(rpcSystemOf('application/grpcx')).toBe('connect_rpc');
    expect(rpcSystemOf('application/json')).toBe('connect_rpc');
  });
});
