import type { StatsEvent } from './stats-event.js';
import type { StatsLevel } from './stats-level.js';

/** The field that marks a finished call: module-private, so no user code can reset it. */
export const FINISHED = Symbol('isotrace.finished');

/** How an event went. */
export type EventStatus = 'info' | 'warn' | 'error';

/** One recorded event. */
export interface EventRecord {
  readonly event: StatsEvent;
  /** Epoch milliseconds with sub-millisecond precision (`performance.timeOrigin + performance.now()`). */
  readonly time: number;
  readonly status: EventStatus;
  /** Free text: a reason, a phase detail. Empty when there is none. */
  readonly info: string;
}

// Read at first use, not at load: the core touches no global at module load.
let clock: Performance | undefined;
let origin = 0;

/** The current time in epoch milliseconds, with the sub-millisecond precision of `performance`. */
export function now(): number {
  if (clock === undefined) {
    clock = performance;
    origin = clock.timeOrigin;
  }
  return origin + clock.now();
}

/**
 * What one call recorded: its events (first record of each wins), bytes sent and received,
 * and the error it ended with. Written by transports, read by tracers.
 */
export class RPCStats {
  /** Bytes of the request (client) or response (server) body sent. */
  sendSize = 0;
  /** Bytes of the response (client) or request (server) body received. */
  recvSize = 0;
  /** What the call failed with, if it failed. */
  error: unknown = undefined;
  // The records in the order they were made: ties in time (browsers coarsen the clock to 0.1 ms)
  // keep that order, so RPCFinish never sorts before the ReadFinish recorded before it. A call
  // records a dozen events at most, so a scan finds one as fast as an index would, and a call
  // allocates one array instead of two.
  private readonly recorded: EventRecord[] = [];
  /** Set by the TraceController when the call's finish ran, so it runs once. @internal */
  [FINISHED] = false;

  constructor(
    /** Events whose level is above this one are dropped at record time. */
    readonly level: StatsLevel,
  ) {}

  /**
   * Records `event` now (or at `time`). A no-op when the event's level is above the call's
   * level, and when the event was already recorded: the first record wins.
   */
  record(event: StatsEvent, status: EventStatus = 'info', info = '', time?: number): void {
    if (event.level > this.level || this.getEvent(event) !== undefined) return;
    this.recorded.push({ event, time: time ?? now(), status, info });
  }

  /** The record of `event`, or `undefined` when it was not recorded. */
  getEvent(event: StatsEvent): EventRecord | undefined {
    const recorded = this.recorded;
    for (let i = 0; i < recorded.length; i++) if (recorded[i].event === event) return recorded[i];
    return undefined;
  }

  /** Every recorded event, ordered by time, then by the order they were recorded. */
  events(): EventRecord[] {
    const events = this.recorded.slice();
    // Events are nearly always recorded in time order; sort (a stable sort) only when they were not.
    for (let i = 1; i < events.length; i++) {
      if (events[i].time < events[i - 1].time) return events.sort((a, b) => a.time - b.time);
    }
    return events;
  }

  /** Milliseconds from `from` to `to`, or `undefined` when either was not recorded. */
  duration(from: StatsEvent, to: StatsEvent): number | undefined {
    const start = this.getEvent(from);
    const end = this.getEvent(to);
    return start && end ? end.time - start.time : undefined;
  }
}
