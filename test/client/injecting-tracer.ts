// The stand-in for a span tracer that the fetch tests share: `start` injects a fresh random span
// context into the call's headers, `finish` collects the call's RPCInfo.
import { randomBytes } from 'node:crypto';
import { expect, vi } from 'vitest';
import { getRPCInfo, type RPCInfo } from '../../src/rpcinfo/rpcinfo.js';
import type { Tracer } from '../../src/tracer/tracer.js';
import { w3cTraceContextPropagator } from '../../src/propagation/w3c-propagator.js';

export function injectingTracer() {
  const finished: RPCInfo[] = [];
  const t: Tracer = {
    start(ctx) {
      const sc = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: 1 };
      w3cTraceContextPropagator.inject(sc, getRPCInfo(ctx)!.headers);
      return ctx;
    },
    finish: (ctx) => {
      finished.push(getRPCInfo(ctx)!);
    },
  };
  /** The n-th finished call (1-based), once it has finished: fetch calls finish after the body is read. */
  const settled = async (n = 1) => {
    await vi.waitFor(() => expect(finished.length).toBeGreaterThanOrEqual(n), { interval: 1, timeout: 2000 });
    return finished[n - 1];
  };
  return { t, finished, settled };
}
