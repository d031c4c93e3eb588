// Shared by the server tests: loopback servers on port 0 (from ../loopback.ts), a tracer that records finished calls,
// and a tracer that extracts the caller's span context the way a span tracer would.
import { createContextKey, type Context } from '../../src/context/context.js';
import { getRPCInfo, type RPCInfo } from '../../src/rpcinfo/rpcinfo.js';
import type { StatsEvent } from '../../src/rpcinfo/stats-event.js';
import type { Tracer } from '../../src/tracer/tracer.js';
import { w3cTraceContextPropagator } from '../../src/propagation/w3c-propagator.js';
import type { SpanContext } from '../../src/propagation/span-context.js';

export { mulberry32 } from '../context/isolation.js';

export { listen, serve } from '../loopback.js';

/** A tracer that keeps every finished call's RPCInfo, and lets a test wait for the next ones. */
export function recorder() {
  const started: RPCInfo[] = [];
  const finished: RPCInfo[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const tracer: Tracer = {
    start(ctx) {
      started.push(getRPCInfo(ctx)!);
      return ctx;
    },
    finish(ctx) {
      finished.push(getRPCInfo(ctx)!);
      for (const w of [...waiters]) {
        if (finished.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
  };
  /** Resolves once `n` calls in total have finished (fails the test after `ms`). */
  const finishedCount = (n: number, ms = 5000) =>
    new Promise<RPCInfo[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${finished.length} of ${n} calls finished`)), ms);
      const done = () => {
        clearTimeout(timer);
        resolve(finished);
      };
      if (finished.length >= n) done();
      else waiters.push({ n, resolve: done });
    });
  return { tracer, started, finished, finishedCount };
}

/** The names of recorded events, ordered by time. */
export function eventNames(ri: RPCInfo): string[] {
  return ri.stats.events().map((r) => r.event.name);
}

/** Asserts that each event was recorded no later than the next one. */
export function inOrder(ri: RPCInfo, ...events: StatsEvent[]): boolean {
  const times = events.map((e) => ri.stats.getEvent(e)?.time);
  if (times.some((t) => t === undefined)) return false;
  return times.every((t, i) => i === 0 || times[i - 1]! <= t!);
}

/** Where {@link extractingTracer} puts the span context it extracted. */
export const REMOTE_PARENT = createContextKey('test.remoteParent');

/** A server tracer that extracts the W3C span context from `ri.headers`, as a span tracer does. */
export function extractingTracer(): Tracer & { extracted: Array<SpanContext | undefined> } {
  const extracted: Array<SpanContext | undefined> = [];
  return {
    extracted,
    start(ctx: Context) {
      const sc = w3cTraceContextPropagator.extract(getRPCInfo(ctx)!.headers);
      extracted.push(sc);
      return ctx.setValue(REMOTE_PARENT, sc);
    },
    finish() {},
  };
}

/** A client tracer that injects a fixed span context, as a span tracer's `start` does. */
export function injectingTracer(sc: SpanContext): Tracer {
  return {
    start(ctx) {
      w3cTraceContextPropagator.inject(sc, getRPCInfo(ctx)!.headers);
      return ctx;
    },
    finish() {},
  };
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
