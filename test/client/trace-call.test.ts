import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createContextKey, ROOT_CONTEXT, type Context } from '../../src/context/context.js';
import { getContextManager, setContextManager } from '../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../src/context/async-local-storage-context-manager.js';
import { getRPCInfo } from '../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../src/rpcinfo/stats-event.js';
import { StatsLevel } from '../../src/rpcinfo/stats-level.js';
import { traceCall } from '../../src/client/trace-call.js';
import type { Tracer } from '../../src/tracer/tracer.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

function collector() {
  const finished: Context[] = [];
  const tracer: Tracer = {
    start: (ctx) => ctx,
    finish: (ctx) => {
      finished.push(ctx);
    },
  };
  return { tracer, finished };
}

describe('traceCall', () => {
  it('returns what fn returns, with the RPCInfo active inside fn, across awaits', async () => {
    const { tracer, finished } = collector();
    const result = await traceCall({ tracers: [tracer], service: 'web', callee: 'users', method: 'Get' }, async (ctx) => {
      const ri = getRPCInfo(ctx);
      expect(getRPCInfo()).toBe(ri);
      await new Promise((r) => setTimeout(r, 2));
      expect(getRPCInfo()).toBe(ri);
      return { id: 1 };
    });
    expect(result).toEqual({ id: 1 });
    expect(finished).toHaveLength(1);
    const ri = getRPCInfo(finished[0])!;
    expect(ri).toMatchObject({ side: 'client', from: { serviceName: 'web' }, to: { serviceName: 'users', method: 'Get' } });
    expect(ri.stats.error).toBeUndefined();
    // Ordering, not timing: RPCFinish is recorded after RPCStart.
    expect(ri.stats.events().map((r) => r.event)).toEqual([stats.RPCStart, stats.RPCFinish]);
    expect(ri.stats.duration(stats.RPCStart, stats.RPCFinish)).toBeGreaterThanOrEqual(0);
  });

  it('rejects with the very error fn threw, and records it', async () => {
    const { tracer, finished } = collector();
    const boom = new TypeError('boom');
    await expect(
      traceCall({ tracers: [tracer], method: 'M' }, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(traceCall({ tracers: [tracer], method: 'M' }, async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(finished.map((c) => getRPCInfo(c)!.stats.error)).toEqual([boom, boom]);
    expect(getRPCInfo(finished[0])!.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
  });

  it('uses the explicit parent ctx, and the active one by default', async () => {
    const K = createContextKey('parent');
    const parent = ROOT_CONTEXT.setValue(K, 'p');
    expect(await traceCall({ method: 'M', ctx: parent }, (ctx) => ctx.getValue(K))).toBe('p');
    expect(await getContextManager().with(parent, () => traceCall({ method: 'M' }, (ctx) => ctx.getValue(K)))).toBe('p');
  });

  it('defaults the stats level to Detailed with tracers and Disabled without, and honours statsLevel', async () => {
    const { tracer } = collector();
    const levels = await Promise.all([
      traceCall({ tracers: [tracer], method: 'M' }, (ctx) => getRPCInfo(ctx)!.stats.level),
      traceCall({ method: 'M' }, (ctx) => getRPCInfo(ctx)!.stats.level),
      traceCall({ tracers: [tracer], method: 'M', statsLevel: StatsLevel.Base }, (ctx) => getRPCInfo(ctx)!.stats.level),
    ]);
    expect(levels).toEqual([StatsLevel.Detailed, StatsLevel.Disabled, StatsLevel.Base]);
  });

  it('a throwing tracer changes nothing the caller sees', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const bad: Tracer = {
      start: () => {
        throw new Error('t');
      },
      finish: () => {
        throw new Error('t');
      },
    };
    expect(await traceCall({ tracers: [bad], method: 'M' }, () => 42)).toBe(42);
    vi.restoreAllMocks();
  });

  it('1,000 concurrent calls each see only their own RPCInfo', async () => {
    const { tracer, finished } = collector();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        traceCall({ tracers: [tracer], method: `m${i}` }, async () => {
          await new Promise((r) => setTimeout(r, i % 7));
          const a = getRPCInfo()!.to.method;
          await Promise.resolve();
          return [a, getRPCInfo()!.to.method];
        }),
      ),
    );
    results.forEach(([a, b], i) => {
      expect(a).toBe(`m${i}`);
      expect(b).toBe(`m${i}`);
    });
    expect(finished).toHaveLength(1000);
  });

  it('refuses bad arguments with clear errors', async () => {
    await expect(traceCall({ method: 'M' }, undefined as never)).rejects.toThrow(/needs a function/);
    await expect(traceCall({} as never, () => 1)).rejects.toThrow(/options.method/);
  });
});

describe('traceCall under suppressTracing', () => {
  it('runs fn untraced: no RPCInfo, no tracer call', async () => {
    const { suppressTracing } = await import('../../src/tracer/suppress-tracing.js');
    const { tracer, finished } = collector();
    const seen = await traceCall({ tracers: [tracer], method: 'M', ctx: suppressTracing(ROOT_CONTEXT) }, (ctx) => getRPCInfo(ctx));
    expect(seen).toBeUndefined();
    expect(finished).toHaveLength(0);
  });
});

describe('traceCall with a tracers array that changes', () => {
  it('uses the tracers the array holds at each call', async () => {
    const a = collector();
    const b = collector();
    const tracers: Tracer[] = [a.tracer];
    await traceCall({ tracers, method: 'M' }, () => 1);
    tracers.push(b.tracer);
    await traceCall({ tracers, method: 'M' }, () => 2);
    tracers.shift();
    await traceCall({ tracers, method: 'M' }, () => 3);
    expect([a.finished.length, b.finished.length]).toEqual([2, 2]);
  });
});
