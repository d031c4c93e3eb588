// Context propagation of the script-tag bundles in real Chromium, on two pages:
//   zone-on-page.html  zone.js loaded by the page, then /dist/isotrace.iife.min.js
//   zone-bundled.html  /dist/isotrace.zone.iife.min.js only (zone.js inside)
// The cases run in the page (e2e/pages/context-cases.js, plain untranspiled JS, so `await` there
// is native); this file asserts on the JSON they return.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

// ---- The shape of window.runContextCases()'s result (see e2e/pages/context-cases.js) ----------
interface Outside {
  method: string | null;
  isRoot: boolean;
  zone: string | null;
  zoneIsRoot: boolean | null;
}
interface Probe extends Outside {
  seq: number;
  sameRPCInfo: boolean;
  sameContext: boolean;
  span: string | null;
  /** getRPCInfo(ctx) === the call's RPCInfo, with ctx captured at the call's start. */
  explicitSameRPCInfo?: boolean;
}
interface CallResult {
  method: string;
  ownMethod: string | null;
  span: string;
  returned: unknown;
  probes: Record<string, Probe>;
  stats: {
    level: number;
    startTime: number | null;
    finishTime: number | null;
    finishStatus: string | null;
    durationMs: number | undefined;
  };
  afterCall: Outside;
  clicks?: number;
  outsideTimer?: Outside;
}
interface TracerLogEntry {
  seq: number;
  phase: 'start' | 'finish';
  method: string | null;
  span: string | null;
  rpcStartRecorded: boolean;
  rpcFinishRecorded: boolean;
  finishStatus?: string | null;
}
interface ContextCasesResult {
  variant: string;
  api: {
    isotrace: string;
    types: Record<string, string>;
    hasRPCStart: boolean;
    managerIsZoneContextManager: boolean;
    managerClass: string | null;
    zone: { root: string; current: string } | null;
    statsLevel: Record<string, number> | null;
  };
  outsideBefore: Outside;
  outsideAfter: Outside;
  cases: {
    sync?: CallResult;
    setTimeout?: CallResult;
    domEvent?: CallResult;
    promiseChain?: CallResult;
    nativeAwait?: CallResult;
    concurrent?: { a: CallResult; b: CallResult; order: string[]; outsideBetween: Outside };
  };
  tracerLog: TracerLogEntry[];
}
type CaseName = keyof ContextCasesResult['cases'];

const PAGES = [
  { file: 'zone-on-page.html', variant: 'zone-on-page' },
  { file: 'zone-bundled.html', variant: 'zone-bundled' },
] as const;

/** Loads `file` and runs the named cases (all when omitted) in the page. */
async function runCases(page: Page, file: string, only?: CaseName[]): Promise<ContextCasesResult> {
  await page.goto(`/${file}`);
  return page.evaluate((names) => (window as any).runContextCases(names), only ?? null);
}

/** What code running in the call `call` must see: its own context, RPCInfo and tracer span. */
function own(call: CallResult) {
  return { method: call.method, sameRPCInfo: true, sameContext: true, isRoot: false, span: call.span, zoneIsRoot: false };
}

const OUTSIDE = { method: null, isRoot: true, zoneIsRoot: true };

function expectCallShape(call: CallResult | undefined, method: string, probeNames: string[]): CallResult {
  expect(call, `case ${method} ran`).toBeDefined();
  expect(call!.ownMethod).toBe(method);
  expect(Object.keys(call!.probes).sort(), `every callback of ${method} ran`).toEqual([...probeNames].sort());
  expect(call!.afterCall, `after ${method} resolved, its context is no longer active`).toMatchObject(OUTSIDE);
  return call!;
}

for (const { file, variant } of PAGES) {
  test.describe(file, () => {
    test('(a) window.isotrace exposes the API and installs a ZoneContextManager', async ({ page, pageProblems }) => {
      const result = await runCases(page, file, []);
      expect(result.variant).toBe(variant);
      expect(result.api.isotrace).toBe('object');
      expect(result.api.types).toMatchObject({
        traceCall: 'function',
        getRPCInfo: 'function',
        stats: 'object',
        context: 'object',
        ZoneContextManager: 'function',
        StatsLevel: 'object',
        traceFetch: 'function',
        getContextManager: 'function',
        ROOT_CONTEXT: 'object',
      });
      expect(result.api.hasRPCStart).toBe(true);
      expect(result.api.statsLevel).toEqual({ Disabled: 0, Base: 1, Detailed: 2 });
      expect(result.api.zone, 'zone.js is on the page').toEqual({ root: '<root>', current: '<root>' });
      expect(result.api.managerIsZoneContextManager, 'getContextManager() instanceof isotrace.ZoneContextManager').toBe(true);
      expect(result.outsideBefore).toMatchObject(OUTSIDE);
      expect(pageProblems).toEqual([]);
    });

    test('(b) the active RPCInfo follows the call: sync, setTimeout, DOM listener, promise chain', async ({ page, pageProblems }) => {
      const { cases } = await runCases(page, file, ['sync', 'setTimeout', 'domEvent', 'promiseChain']);

      const sync = expectCallShape(cases.sync, 'Sync', ['sync']);
      expect(sync.probes.sync).toMatchObject(own(sync));
      expect(sync.returned, 'traceCall returns what fn returned').toBe('sync-result');

      const timeout = expectCallShape(cases.setTimeout, 'SetTimeout', ['setTimeout', 'nested setTimeout']);
      expect(timeout.probes['setTimeout']).toMatchObject(own(timeout));
      expect(timeout.probes['nested setTimeout']).toMatchObject(own(timeout));
      expect(timeout.returned).toBe('timeout-result');

      const fromInside = 'listener (click() from a timer inside the call)';
      const fromOutside = 'listener (dispatchEvent from outside the call)';
      const dom = expectCallShape(cases.domEvent, 'DomEvent', [fromInside, fromOutside]);
      expect(dom.clicks).toBe(2);
      expect(dom.probes[fromInside]).toMatchObject(own(dom));
      // The listener runs in the call's context even when the event comes from code outside it...
      expect(dom.probes[fromOutside]).toMatchObject(own(dom));
      // ...and that outside code itself saw no call.
      expect(dom.outsideTimer).toMatchObject(OUTSIDE);

      const chain = expectCallShape(cases.promiseChain, 'PromiseChain', ['then 1', 'then 2', 'then 3']);
      for (const step of ['then 1', 'then 2', 'then 3']) expect(chain.probes[step], step).toMatchObject(own(chain));
      expect(chain.returned).toBe('chain-3');

      expect(pageProblems).toEqual([]);
    });

    test('(c) after a native await the active context is lost (ROOT); the captured ctx still works', async ({ page, pageProblems }) => {
      const { cases } = await runCases(page, file, ['nativeAwait']);
      const call = expectCallShape(cases.nativeAwait, 'NativeAwait', [
        'before await',
        'after await (timer promise)',
        'after await null',
        'context.with(ctx) after await, in a timer',
      ]);
      // Before the first await the async function runs synchronously inside the call.
      expect(call.probes['before await']).toMatchObject(own(call));
      // After a native await, zone.js cannot follow: the continuation runs in the root zone, the
      // active context is ROOT_CONTEXT and getRPCInfo() (no argument) returns undefined...
      for (const where of ['after await (timer promise)', 'after await null']) {
        expect(call.probes[where], where).toMatchObject({
          method: null,
          sameRPCInfo: false,
          sameContext: false,
          isRoot: true,
          span: null,
          zoneIsRoot: true,
          // ...while getRPCInfo(ctx), with the ctx captured before the await, is still the call's.
          explicitSameRPCInfo: true,
        });
      }
      // Re-entering the captured ctx with context.with restores propagation (timers included).
      expect(call.probes['context.with(ctx) after await, in a timer']).toMatchObject({ ...own(call), explicitSameRPCInfo: true });
      expect(call.returned).toBe('reentered');
      // traceCall itself passes the ctx explicitly, so finish still gets the right call.
      expect(call.stats.finishStatus).toBe('info');
      expect(pageProblems).toEqual([]);
    });

    test('(d) the tracer sees start then finish once per call; RPCStart/RPCFinish are recorded', async ({ page, pageProblems }) => {
      const result = await runCases(page, file);
      const { cases, tracerLog } = result;
      const calls: CallResult[] = [
        cases.sync!,
        cases.setTimeout!,
        cases.domEvent!,
        cases.promiseChain!,
        cases.nativeAwait!,
        cases.concurrent!.a,
        cases.concurrent!.b,
      ];
      for (const call of calls) expect(call, 'every case ran').toBeDefined();
      expect(tracerLog, 'two tracer calls per traceCall, nothing else').toHaveLength(calls.length * 2);

      for (const call of calls) {
        const entries = tracerLog.filter((entry) => entry.method === call.method);
        expect(
          entries.map((e) => e.phase),
          `${call.method}: tracer phases`,
        ).toEqual(['start', 'finish']);
        const [start, finish] = entries;
        // RPCStart is recorded before the tracers' start, RPCFinish before their finish.
        expect(start, `${call.method}: tracer start`).toMatchObject({ rpcStartRecorded: true, rpcFinishRecorded: false, span: call.span });
        expect(finish, `${call.method}: tracer finish`).toMatchObject({
          rpcStartRecorded: true,
          rpcFinishRecorded: true,
          finishStatus: 'info',
          // finish gets the context the tracer's start returned.
          span: call.span,
        });
        // Everything the call's fn scheduled ran between the tracer's start and finish.
        for (const [where, probe] of Object.entries(call.probes)) {
          expect(probe.seq, `${call.method}: "${where}" after tracer start`).toBeGreaterThan(start.seq);
          expect(probe.seq, `${call.method}: "${where}" before tracer finish`).toBeLessThan(finish.seq);
        }

        expect(call.stats.level, `${call.method}: default level with a tracer`).toBe(2); // StatsLevel.Detailed
        expect(typeof call.stats.startTime, `${call.method}: RPCStart time`).toBe('number');
        expect(typeof call.stats.finishTime, `${call.method}: RPCFinish time`).toBe('number');
        expect(call.stats.finishTime!, `${call.method}: finish >= start`).toBeGreaterThanOrEqual(call.stats.startTime!);
        expect(call.stats.startTime!, `${call.method}: epoch milliseconds`).toBeGreaterThan(Date.UTC(2020, 0, 1));
        expect(call.stats.finishStatus).toBe('info');
        expect(call.stats.durationMs).toBe(call.stats.finishTime! - call.stats.startTime!);
      }

      // The calls ran one after another, except the two concurrent ones.
      const spans = calls.map((call) => call.span);
      expect(new Set(spans).size, 'one span per call').toBe(calls.length);
      expect(result.outsideAfter).toMatchObject(OUTSIDE);
      expect(pageProblems).toEqual([]);
    });

    test('(e) two concurrent calls with interleaved timers each see only their own RPCInfo', async ({ page, pageProblems }) => {
      const { cases, tracerLog } = await runCases(page, file, ['concurrent']);
      const concurrent = cases.concurrent!;
      expect(concurrent, 'case concurrent ran').toBeDefined();
      const ticks = (name: 'A' | 'B') => [0, 1, 2, 3].map((i) => `${name}${i}`);

      // The timers did interleave: B ticked before A's last tick, and A before B's last.
      const { order } = concurrent;
      expect([...order].sort()).toEqual([...ticks('A'), ...ticks('B')].sort());
      expect(
        order.filter((t) => t.startsWith('A')),
        'A ticks in order',
      ).toEqual(ticks('A'));
      expect(
        order.filter((t) => t.startsWith('B')),
        'B ticks in order',
      ).toEqual(ticks('B'));
      expect(order.indexOf('B0')).toBeLessThan(order.indexOf('A3'));
      expect(order.indexOf('A1')).toBeLessThan(order.indexOf('B3'));

      // Both calls were in flight at once: both started before either finished.
      const seqOf = (method: string, phase: 'start' | 'finish') => tracerLog.find((e) => e.method === method && e.phase === phase)!.seq;
      expect(Math.max(seqOf('ConcurrentA', 'start'), seqOf('ConcurrentB', 'start'))).toBeLessThan(
        Math.min(seqOf('ConcurrentA', 'finish'), seqOf('ConcurrentB', 'finish')),
      );
      // Code between the two calls, outside both, saw neither.
      expect(concurrent.outsideBetween).toMatchObject(OUTSIDE);

      for (const [call, method, delays] of [
        [concurrent.a, 'ConcurrentA', [0, 10, 20, 30]],
        [concurrent.b, 'ConcurrentB', [5, 15, 25, 35]],
      ] as const) {
        const names = delays.flatMap((ms, i) => [`tick ${i} (${ms} ms)`, `tick ${i} then`]);
        expectCallShape(call, method, names);
        expect(call.returned).toBe(method.slice(-1));
        for (const where of names) expect(call.probes[where], `${method}: ${where}`).toMatchObject(own(call));
      }
      expect(concurrent.a.span).not.toBe(concurrent.b.span);
      expect(pageProblems).toEqual([]);
    });
  });
}
