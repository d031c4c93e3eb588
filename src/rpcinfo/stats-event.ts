import { StatsLevel, assertStatsLevel } from './stats-level.js';

/** A phase of an RPC that can be timed; the predefined ones mirror Kitex's `stats` events. */
export interface StatsEvent {
  /** Dense index, used by the stats record table. */
  readonly index: number;
  /** Unique name, e.g. `RPCStart`. */
  readonly name: string;
  /** The lowest stats level at which the event is recorded. */
  readonly level: StatsLevel;
}

const byName = new Map<string, StatsEvent>();
const all: StatsEvent[] = [];

/**
 * Defines a custom event, recorded when the call's stats level is at least `level`. Define
 * custom events once, at start-up: names are unique and a second definition of a name throws.
 *
 * @example
 * const CacheLookup = defineEvent('CacheLookup', StatsLevel.Detailed);
 * getRPCInfo(ctx)?.stats.record(CacheLookup);
 */
export function defineEvent(name: string, level: StatsLevel): StatsEvent {
  if (typeof name !== 'string' || name === '') throw new TypeError('isotrace: an event needs a non-empty name');
  assertStatsLevel(level);
  if (level === StatsLevel.Disabled) throw new TypeError(`isotrace: event ${name} cannot have level Disabled`);
  if (byName.has(name)) throw new TypeError(`isotrace: event ${name} is already defined`);
  const event: StatsEvent = Object.freeze({ index: all.length, name, level });
  all.push(event);
  byName.set(name, event);
  return event;
}

/** The event named `name`, or `undefined`. */
export function getEvent(name: string): StatsEvent | undefined {
  return byName.get(name);
}

/** The predefined events, as Kitex names and levels them. */
export const stats = {
  RPCStart: defineEvent('RPCStart', StatsLevel.Base),
  RPCFinish: defineEvent('RPCFinish', StatsLevel.Base),
  ClientConnStart: defineEvent('ClientConnStart', StatsLevel.Detailed),
  ClientConnFinish: defineEvent('ClientConnFinish', StatsLevel.Detailed),
  WriteStart: defineEvent('WriteStart', StatsLevel.Detailed),
  WriteFinish: defineEvent('WriteFinish', StatsLevel.Detailed),
  WaitReadStart: defineEvent('WaitReadStart', StatsLevel.Detailed),
  WaitReadFinish: defineEvent('WaitReadFinish', StatsLevel.Detailed),
  ReadStart: defineEvent('ReadStart', StatsLevel.Detailed),
  ReadFinish: defineEvent('ReadFinish', StatsLevel.Detailed),
  ServerHandleStart: defineEvent('ServerHandleStart', StatsLevel.Detailed),
  ServerHandleFinish: defineEvent('ServerHandleFinish', StatsLevel.Detailed),
} as const;
