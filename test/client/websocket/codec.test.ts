// The JSON-RPC 2.0 codec and the socket helpers, without a server.
import { describe, expect, it } from 'vitest';
import { createJsonRpcCodec, jsonRpcCodec } from '../../../src/client/websocket/codec.js';
import { describeEndpoint, frameSize, readFrame } from '../../../src/client/websocket/socket.js';
import { utf8Length } from '../../../src/rpcinfo/sizes/utf8-length.js';

describe('jsonRpcCodec.encode', () => {
  it('writes requests and notifications, with meta only when given', () => {
    expect(JSON.parse(jsonRpcCodec.encode({ id: 7, method: 'add', params: [1, 2], meta: { traceparent: 'tp' } }) as string)).toEqual({
      jsonrpc: '2.0',
      id: 7,
      method: 'add',
      params: [1, 2],
      meta: { traceparent: 'tp' },
    });
    expect(jsonRpcCodec.encode({ method: 'ping' })).toBe('{"jsonrpc":"2.0","method":"ping"}');
    const custom = createJsonRpcCodec({ metaMember: '_trace' });
    expect(JSON.parse(custom.encode({ id: 1, method: 'm', params: {}, meta: { a: 'b' } }) as string)._trace).toEqual({ a: 'b' });
  });

  it('refuses params that JSON-RPC does not allow, and meta members that clash', () => {
    expect(() => jsonRpcCodec.encode({ id: 1, method: 'm', params: 5 })).toThrow(TypeError);
    expect(() => jsonRpcCodec.encode({ id: 1, method: 'm', params: null })).toThrow(/null/);
    for (const metaMember of ['', 'id', 'jsonrpc', 'result']) expect(() => createJsonRpcCodec({ metaMember })).toThrow(TypeError);
  });
});

describe('jsonRpcCodec.decode', () => {
  const d = (v: unknown) => jsonRpcCodec.decode(typeof v === 'string' ? v : JSON.stringify(v));

  it('reads responses, errors and notifications, from text or bytes', () => {
    expect(d({ jsonrpc: '2.0', id: 1, result: { x: 1 } })).toEqual({ kind: 'response', id: 1, result: { x: 1 } });
    expect(d({ jsonrpc: '2.0', id: 'a', result: null })).toEqual({ kind: 'response', id: 'a', result: null });
    expect(d({ jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'nf', data: [1] } })).toEqual({
      kind: 'error',
      id: 2,
      error: { code: -32601, message: 'nf', data: [1] },
    });
    expect(d({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'p' } })).toMatchObject({ kind: 'error', id: null });
    expect(d({ jsonrpc: '2.0', method: 'tick', params: [1] })).toEqual({ kind: 'notification', method: 'tick', params: [1] });
    const bytes = new TextEncoder().encode('{"jsonrpc":"2.0","id":3,"result":"日本"}');
    expect(jsonRpcCodec.decode(bytes)).toEqual({ kind: 'response', id: 3, result: '日本' });
  });

  it('reads a batch as its members, each its own frame, and an rpc-websockets event as a notification', () => {
    expect(
      d([
        { jsonrpc: '2.0', id: 1, result: 1 },
        { jsonrpc: '2.0', method: 'tick' },
      ]),
    ).toEqual({
      kind: 'batch',
      frames: ['{"jsonrpc":"2.0","id":1,"result":1}', '{"jsonrpc":"2.0","method":"tick"}'],
    });
    expect(d({ notification: 'tick', params: [1, 2] })).toEqual({ kind: 'notification', method: 'tick', params: [1, 2] });
    expect(d({ notification: 'tick', params: { n: 1 } })).toEqual({ kind: 'notification', method: 'tick', params: { n: 1 } });
  });

  it('calls everything else invalid, keeping the id only when it names one of our calls', () => {
    const cases: [unknown, string, (number | string)?][] = [
      ['{oops', 'not JSON'],
      [42, 'not a JSON object'],
      [[], 'an empty batch'],
      [{ notification: 'tick', id: 1 }, '"jsonrpc": "2.0"', 1],
      [{ id: 1, result: 1 }, '"jsonrpc": "2.0"', 1],
      [{ jsonrpc: '1.0', id: 4, result: 1 }, '"jsonrpc": "2.0"', 4],
      [{ jsonrpc: '2.0', id: 1 }, 'exactly one', 1],
      [{ jsonrpc: '2.0', id: 1, result: 1, error: { code: 1, message: 'm' } }, 'exactly one', 1],
      [{ jsonrpc: '2.0', id: 1, error: { code: 1.5, message: 'm' } }, 'integer code', 1],
      [{ jsonrpc: '2.0', error: { code: 1, message: 'm' } }, 'without an id'],
      [{ jsonrpc: '2.0', result: 1 }, 'without an id'],
      [{ jsonrpc: '2.0', id: {}, result: 1 }, 'without an id'],
      [{ jsonrpc: '2.0', id: 5, method: 'ask' }, 'sent a request'],
      [{ jsonrpc: '2.0', method: 5 }, 'method is not a string'],
    ];
    for (const [frame, reason, id] of cases) {
      const m = d(frame);
      expect(m.kind, JSON.stringify(frame)).toBe('invalid');
      expect((m as { reason: string }).reason).toContain(reason);
      expect((m as { id?: unknown }).id).toBe(id);
    }
    expect(jsonRpcCodec.decode(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({ kind: 'invalid' });
  });
});

describe('socket helpers', () => {
  it('utf8Length counts what a text frame carries, lone surrogates as U+FFFD', () => {
    for (const s of ['', 'abc', 'é', '日本語', '🌍', 'a🌍b', '\ud800', 'x\udc00y', '\ud83c', '\u007f\u0080\u07ff\u0800\uffff']) {
      expect(utf8Length(s), JSON.stringify(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }
    expect(frameSize('🌍')).toBe(4);
    expect(frameSize(new Uint8Array(5))).toBe(5);
    expect(frameSize(new ArrayBuffer(3))).toBe(3);
  });

  it('readFrame takes strings, ArrayBuffers, Buffers (as views) and ws fragments; not Blobs', () => {
    expect(readFrame('hi')).toBe('hi');
    expect([...readFrame(new Uint8Array([1, 2]).buffer)!]).toEqual([1, 2]);
    const buf = Buffer.from([9, 8, 7]).subarray(1);
    expect([...readFrame(buf)!]).toEqual([8, 7]);
    expect([...readFrame([Buffer.from([1]), Buffer.from([2, 3])])!]).toEqual([1, 2, 3]);
    expect(readFrame(new Blob(['x']))).toBeUndefined();
    expect(readFrame(undefined)).toBeUndefined();
  });

  it('describeEndpoint drops credentials, query and fragment, and knows default ports', () => {
    expect(describeEndpoint('wss://u:p@api.example.com/rpc?token=s#f')).toEqual({
      address: 'wss://api.example.com/rpc',
      host: 'api.example.com',
      hostname: 'api.example.com',
      port: 443,
    });
    expect(describeEndpoint('ws://127.0.0.1:8080')).toMatchObject({ address: 'ws://127.0.0.1:8080/', port: 8080 });
    expect(describeEndpoint(undefined)).toEqual({ address: '', host: '', hostname: '' });
    expect(describeEndpoint('not a url')).toEqual({ address: '', host: '', hostname: '' });
  });
});
