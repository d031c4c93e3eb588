import { describe, expect, it } from 'vitest';
import { RPCStats } from '../../src/rpcinfo/rpc-stats.js';
import { defineEvent, getEvent, stats } from '../../src/rpcinfo/stats-event.js';
import { StatsLevel } from '../../src/rpcinfo/stats-level.js';

describe('stats events', () => {
  it('predefined events have Kitex levels', () => {
    expect(stats.RPCStart.level).toBe(StatsLevel.Base);
    expect(stats.RPCFinish.level).toBe(StatsLevel.Base);
    for (const name of [
      'ClientConnStart',
      'ClientConnFinish',
      'WriteStart',
      'WriteFinish',
      'WaitReadStart',
      'WaitReadFinish',
      'ReadStart',
      'ReadFinish',
      'ServerHandleStart',
      'ServerHandleFinish',
    ] as const) {
      expect(stats[name].level, name).toBe(StatsLevel.Detailed);
      expect(getEvent(name)).toBe(stats[name]);
    }
  });

  it('defineEvent makes a custom event and refuses bad input with a clear error', () => {
    const e = defineEvent('CacheLookup', StatsLevel.Base);
    expect(e).toMatchObject({ name: 'CacheLookup', level: StatsLevel.Base });
    expect(() => defineEvent('CacheLookup', StatsLevel.Base)).toThrow(/already defined/);
    expect(() => defineEvent('', StatsLevel.Base)).toThrow(/non-empty name/);
    expect(() => defineEvent('Bad', 7 as never)).toThrow(/statsLevel must be/);
    expect(() => defineEvent('Off', StatsLevel.Disabled)).toThrow(/cannot have level Disabled/);
  });
});

describe('RPCStats', () => {
  it('records events at or below its level, and drops the others', () => {
    const base = new RPCStats(StatsLevel.Base);
    base.record(stats.RPCStart);
    base.record(stats.WriteStart);
    expect(base.getEvent(stats.RPCStart)).toBeDefined();
    expect(base.getEvent(stats.WriteStart)).toBeUndefined();

    const off = new RPCStats(StatsLevel.Disabled);
    off.record(stats.RPCStart);
    expect(off.events()).toEqual([]);

    const detailed = new RPCStats(StatsLevel.Detailed);
    detailed.record(stats.WriteStart, 'warn', 'slow');
    expect(detailed.getEvent(stats.WriteStart)).toMatchObject({ status: 'warn', info: 'slow' });
  });

  it('keeps the first record of an event', () => {
    const s = new RPCStats(StatsLevel.Detailed);
    s.record(stats.ReadStart, 'info', 'first', 1000);
    s.record(stats.ReadStart, 'error', 'second', 2000);
    expect(s.getEvent(stats.ReadStart)).toMatchObject({ info: 'first', time: 1000, status: 'info' });
  });

  it('times events in epoch milliseconds with sub-millisecond precision', () => {
    const s = new RPCStats(StatsLevel.Base);
    const before = Date.now();
    s.record(stats.RPCStart);
    const t = s.getEvent(stats.RPCStart)!.time;
    expect(Math.abs(t - before)).toBeLessThan(1000);
    const times = Array.from({ length: 50 }, () => {
      const x = new RPCStats(StatsLevel.Base);
      x.record(stats.RPCStart);
      return x.getEvent(stats.RPCStart)!.time;
    });
    expect(times.some((x) => !Number.isInteger(x))).toBe(true);
  });

  it('lists events by time and computes durations', () => {
    const s = new RPCStats(StatsLevel.Detailed);
    s.record(stats.RPCFinish, 'info', '', 30);
    s.record(stats.RPCStart, 'info', '', 10);
    s.record(stats.WriteStart, 'info', '', 20);
    expect(s.events().map((r) => r.event.name)).toEqual(['RPCStart', 'WriteStart', 'RPCFinish']);
    expect(s.duration(stats.RPCStart, stats.RPCFinish)).toBe(20);
    expect(s.duration(stats.RPCStart, stats.ReadFinish)).toBeUndefined();
  });
});

describe('RPCStats ordering', () => {
  it('keeps the recording order for events with equal times (a coarse browser clock)', () => {
    const s = new RPCStats(StatsLevel.Detailed);
    s.record(stats.RPCStart, 'info', '', 1000);
    s.record(stats.ReadStart, 'info', '', 1004);
    s.record(stats.ReadFinish, 'info', '', 1005);
    s.record(stats.RPCFinish, 'info', '', 1005);
    expect(s.events().map((r) => r.event.name)).toEqual(['RPCStart', 'ReadStart', 'ReadFinish', 'RPCFinish']);
  });
});
