import { describe, expect, it } from 'vitest';
import { JsonRpcError } from '../../../src/rpcinfo/errors.js';
import { JsonRpcErrorCode } from '../../../src/rpcinfo/jsonrpc.js';
import { errorFrame, parseJsonRpcRequest, resultFrame, toErrorObject } from '../../../src/server/websocket/jsonrpc.js';

describe('JSON-RPC framing', () => {
  it('validates requests, keeping a valid id for the error and ignoring a bad meta', () => {
    expect(parseJsonRpcRequest({ jsonrpc: '2.0', id: 1, method: 'm', params: [1], meta: { a: 'b' } }, 'meta')).toEqual({
      ok: true,
      request: { method: 'm', params: [1], id: 1, meta: { a: 'b' } },
    });
    expect(parseJsonRpcRequest({ jsonrpc: '2.0', method: 'm', meta: 'x' }, 'meta')).toEqual({
      ok: true,
      request: { method: 'm', params: undefined, id: undefined, meta: undefined },
    });
    expect(parseJsonRpcRequest({ jsonrpc: '2.0', id: null, method: 'm' }, 'meta')).toMatchObject({ ok: true, request: { id: null } });
    expect(parseJsonRpcRequest({ jsonrpc: '2.0', id: 'a', method: 'm', params: null }, 'meta')).toEqual({ ok: false, id: 'a' });
    expect(parseJsonRpcRequest({ jsonrpc: '2.0', id: Infinity, method: 'm' }, 'meta')).toEqual({ ok: false, id: null });
    expect(parseJsonRpcRequest([], 'meta')).toEqual({ ok: false, id: null });
    expect(parseJsonRpcRequest({ id: 3, method: 'm' }, 'meta')).toEqual({ ok: false, id: 3 });
  });

  it('reads trace headers from params._meta when the request has no meta member, and only those', () => {
    const _meta = { traceparent: 'tp', tracestate: 'ts', baggage: 'b', 'x-isotrace-caller': 'bot', progressToken: 'p', other: 'o' };
    expect(parseJsonRpcRequest({ jsonrpc: '2.0', id: 1, method: 'm', params: { q: 1, _meta } }, 'meta')).toEqual({
      ok: true,
      // params go to the method as sent, _meta included.
      request: { method: 'm', params: { q: 1, _meta }, id: 1, meta: { traceparent: 'tp', tracestate: 'ts', baggage: 'b', 'x-isotrace-caller': 'bot' } },
    });
    // The request's own member wins; _meta in array params or a non-object _meta is nobody's.
    expect(parseJsonRpcRequest({ jsonrpc: '2.0', method: 'm', params: { _meta }, meta: { traceparent: 'own' } }, 'meta')).toMatchObject({
      request: { meta: { traceparent: 'own' } },
    });
    expect(parseJsonRpcRequest({ jsonrpc: '2.0', method: 'm', params: [{ _meta }] }, 'meta')).toMatchObject({ request: { meta: undefined } });
    expect(parseJsonRpcRequest({ jsonrpc: '2.0', method: 'm', params: { _meta: 'tp' } }, 'meta')).toMatchObject({ request: { meta: undefined } });
  });

  it('frames results and errors; unserialisable data is dropped, an unserialisable result throws', () => {
    expect(JSON.parse(resultFrame(1, undefined))).toEqual({ jsonrpc: '2.0', id: 1, result: null });
    expect(JSON.parse(resultFrame('x', () => 1))).toEqual({ jsonrpc: '2.0', id: 'x', result: null });
    expect(() => resultFrame(1, 1n)).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(JSON.parse(errorFrame(null, { code: 1, message: 'm', data: cyclic }))).toEqual({ jsonrpc: '2.0', id: null, error: { code: 1, message: 'm' } });
  });

  it('JsonRpcError carries code and data; other errors become a bare internal error', () => {
    const e = JsonRpcError.invalidParams('bad', { field: 'x' });
    expect(e).toMatchObject({ name: 'JsonRpcError', code: -32602, message: 'bad', data: { field: 'x' } });
    expect(new JsonRpcError(JsonRpcErrorCode.MethodNotFound).message).toBe('Method not found');
    expect(toErrorObject(e)).toEqual({ code: -32602, message: 'bad', data: { field: 'x' } });
    expect(toErrorObject(new Error('stack and secrets'))).toEqual({ code: -32603, message: 'Internal error' });
    expect(() => new JsonRpcError(1.5)).toThrow(/integer/);
  });
});
