import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../src/context/context.js';
import { context } from '../../src/context/context-api.js';
import { MapHeaderCarrier } from '../../src/rpcinfo/header-carrier.js';
import { createRPCInfo, getRPCInfo, withRPCInfo } from '../../src/rpcinfo/rpcinfo.js';
import { StatsLevel } from '../../src/rpcinfo/stats-level.js';

describe('RPCInfo', () => {
  it('fills defaults and derives the invocation from the callee', () => {
    const ri = createRPCInfo({ side: 'client', from: { serviceName: 'web' }, to: { serviceName: 'users', method: 'Get' } });
    expect(ri.side).toBe('client');
    expect(ri.from).toEqual({ serviceName: 'web', method: '', address: '', tags: {} });
    expect(ri.invocation).toEqual({ service: 'users', method: 'Get', package: '', seqId: 0 });
    expect(ri.config.transport).toBe('call');
    expect(ri.stats.level).toBe(StatsLevel.Detailed);
    expect(ri.stats).toMatchObject({ sendSize: 0, recvSize: 0, error: undefined });
    expect(ri.attributes).toEqual({});
  });

  it('rejects a bad side or stats level with a clear error', () => {
    expect(() => createRPCInfo({ side: 'both' as never })).toThrow(/side must be/);
    expect(() => createRPCInfo({ side: 'server', statsLevel: 3 as never })).toThrow(/statsLevel must be/);
  });

  it('travels on a context; getRPCInfo defaults to the active context', () => {
    const ri = createRPCInfo({ side: 'server' });
    const ctx = withRPCInfo(ROOT_CONTEXT, ri);
    expect(getRPCInfo(ctx)).toBe(ri);
    expect(getRPCInfo(ROOT_CONTEXT)).toBeUndefined();
    expect(context.with(ctx, () => getRPCInfo())).toBe(ri);
    expect(getRPCInfo()).toBeUndefined();
  });
});

describe('MapHeaderCarrier', () => {
  it('is case-insensitive, joins Node-style arrays, and skips undefined', () => {
    const c = new MapHeaderCarrier({ TraceParent: 'a', tracestate: ['x=1', 'y=2'], skip: undefined });
    expect(c.get('traceparent')).toBe('a');
    expect(c.get('TRACESTATE')).toBe('x=1, y=2');
    expect(c.keys()).toEqual(['traceparent', 'tracestate']);
    c.set('Baggage', 'k=v');
    c.delete('traceparent');
    expect(c.keys()).toEqual(['tracestate', 'baggage']);
    expect(new MapHeaderCarrier([['A', '1']]).get('a')).toBe('1');
  });
});
