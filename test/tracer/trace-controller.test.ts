import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROOT_CONTEXT, createContextKey, type Context } from '../../src/context/context.js';
import { createRPCInfo, getRPCInfo, withRPCInfo } from '../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../src/rpcinfo/stats-event.js';
import { StatsLevel } from '../../src/rpcinfo/stats-level.js';
import { createTraceController } from '../../src/tracer/trace-controller.js';
import type { Tracer, TracerErrorEvent } from '../../src/tracer/tracer.js';

const MARK = createContextKey('mark');

function recording(name: string, log: string[]): Tracer {
  return {
    start: (ctx) => {
      log.push(`start ${name} sees ${String(ctx.getValue(MARK) ?? '-')}`);
      return ctx.setValue(MARK, name);
    },
    finish: (ctx) => {
      log.push(`finish ${name} sees ${String(ctx.getValue(MARK))}`);
    },
  };
}
const newCtx = (level: StatsLevel = StatsLevel.Detailed) => withRPCInfo(ROOT_CONTEXT, createRPCInfo({ side: 'client', statsLevel: level }));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('TraceController', () => {
  it('starts in order threading the context, and finishes in reverse order with the last context', () => {
    const log: string[] = [];
    const c = createTraceController({ tracers: [recording('a', log), recording('b', log)] });
    const ctx = c.start(newCtx());
    c.finish(ctx);
    expect(log).toEqual(['start a sees -', 'start b sees a', 'finish b sees b', 'finish a sees b']);
  });

  it('records RPCStart before the tracers start and RPCFinish with the error before they finish', () => {
    const seen: unknown[] = [];
    const tracer: Tracer = {
      start: (ctx) => {
        seen.push(getRPCInfo(ctx)!.stats.getEvent(stats.RPCStart)?.status);
        return ctx;
      },
      finish: (ctx) => {
        const s = getRPCInfo(ctx)!.stats;
        seen.push(s.getEvent(stats.RPCFinish)?.status, s.error);
      },
    };
    const c = createTraceController({ tracers: [tracer] });
    const err = new Error('x');
    c.finish(c.start(newCtx()), err);
    expect(seen).toEqual(['info', 'error', err]);
  });

  it('finishes exactly once per call', () => {
    const finish = vi.fn();
    const c = createTraceController({ tracers: [{ start: (ctx: Context) => ctx, finish }] });
    const ctx = c.start(newCtx());
    c.finish(ctx, new Error('first'));
    c.finish(ctx);
    c.finish(ctx, new Error('second'));
    expect(finish).toHaveBeenCalledTimes(1);
    expect((getRPCInfo(ctx)!.stats.error as Error).message).toBe('first');
  });

  it('isolates a throwing tracer: it is reported, its input context is kept, the others still run', () => {
    const log: string[] = [];
    const errors: TracerErrorEvent[] = [];
    const bad: Tracer = {
      start: () => {
        throw new Error('bad start');
      },
      finish: () => {
        throw new Error('bad finish');
      },
    };
    const c = createTraceController({ tracers: [recording('a', log), bad, recording('b', log)], onTracerError: (e) => errors.push(e) });
    const ctx = c.start(newCtx());
    c.finish(ctx);
    expect(log).toEqual(['start a sees -', 'start b sees a', 'finish b sees b', 'finish a sees b']);
    expect(errors.map((e) => [e.phase, (e.error as Error).message, e.tracer === bad])).toEqual([
      ['start', 'bad start', true],
      ['finish', 'bad finish', true],
    ]);
  });

  it('by default warns once per tracer, and survives an error hook that throws', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const bad: Tracer = {
      start: () => {
        throw new Error('s');
      },
      finish: () => {
        throw new Error('f');
      },
    };
    const c = createTraceController({ tracers: [bad] });
    c.finish(c.start(newCtx()));
    c.finish(c.start(newCtx()));
    expect(warn).toHaveBeenCalledTimes(1);

    const loud = createTraceController({
      tracers: [bad],
      onTracerError: () => {
        throw new Error('hook');
      },
    });
    expect(() => loud.finish(loud.start(newCtx()))).not.toThrow();
  });

  it('at Disabled records nothing yet still calls the tracers', () => {
    const finish = vi.fn();
    const c = createTraceController({ tracers: [{ start: (ctx: Context) => ctx, finish }] });
    const ctx = c.start(newCtx(StatsLevel.Disabled));
    c.finish(ctx);
    expect(finish).toHaveBeenCalledOnce();
    expect(getRPCInfo(ctx)!.stats.events()).toEqual([]);
  });

  it('refuses something that is not a tracer, naming its index', () => {
    expect(() => createTraceController({ tracers: [{ start: (c: Context) => c, finish() {} }, {} as Tracer] })).toThrow(/tracers\[1\] is not a Tracer/);
  });
});

describe('TraceController under suppressTracing', () => {
  it('runs no tracer and records nothing', async () => {
    const { suppressTracing } = await import('../../src/tracer/suppress-tracing.js');
    const log: string[] = [];
    const c = createTraceController({ tracers: [recording('a', log)] });
    const ctx = suppressTracing(newCtx());
    expect(c.start(ctx)).toBe(ctx);
    c.finish(ctx, new Error('x'));
    expect(log).toEqual([]);
    expect(getRPCInfo(ctx)!.stats.events()).toEqual([]);
  });
});
