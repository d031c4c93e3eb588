import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  isJsonRpcError,
  isOtlpExportError,
  isRequestAbortedError,
  isRpcConnectionClosedError,
  isRpcProtocolError,
  isRpcRemoteError,
  isRpcTimeoutError,
  JsonRpcError,
  OtlpExportError,
  RequestAbortedError,
  RpcConnectionClosedError,
  RpcProtocolError,
  RpcRemoteError,
  RpcTimeoutError,
} from '../../src/rpcinfo/errors.js';

const cases: [string, (value: unknown) => boolean, () => Error][] = [
  ['RpcTimeoutError', isRpcTimeoutError, () => new RpcTimeoutError('m', 5)],
  ['RpcConnectionClosedError', isRpcConnectionClosedError, () => new RpcConnectionClosedError({ code: 1006, reason: '' })],
  ['RpcRemoteError', isRpcRemoteError, () => new RpcRemoteError('m', { code: -32000, message: 'no' })],
  ['RpcProtocolError', isRpcProtocolError, () => new RpcProtocolError('bad frame')],
  ['RequestAbortedError', isRequestAbortedError, () => new RequestAbortedError()],
  ['JsonRpcError', isJsonRpcError, () => new JsonRpcError(-32602)],
  ['OtlpExportError', isOtlpExportError, () => new OtlpExportError('rejected', { status: 400, attempts: 1 })],
];

describe('error guards', () => {
  it.each(cases)('%s: an instance, one from another realm, and nothing else', (name, guard, make) => {
    const error = make();
    expect(error.name).toBe(name);
    expect(guard(error)).toBe(true);
    // Another realm (an iframe, a second copy of isotrace): instanceof fails, the name still says it.
    const foreign = vm.runInNewContext(`(() => { const e = new Error('x'); e.name = ${JSON.stringify(name)}; return e; })()`);
    expect(foreign instanceof Error).toBe(false);
    expect(guard(foreign)).toBe(true);
    expect(guard({ name })).toBe(true);
    expect(guard(new Error(name))).toBe(false);
    expect(guard(name)).toBe(false);
    expect(guard(null)).toBe(false);
    expect(guard(undefined)).toBe(false);
    expect(guard(Object.create(null))).toBe(false);
  });

  it('each guard accepts only its own class', () => {
    for (const [, guard, make] of cases) {
      for (const [, , other] of cases) if (other !== make) expect(guard(other())).toBe(false);
    }
  });
});
