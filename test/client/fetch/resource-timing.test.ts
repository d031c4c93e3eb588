import { afterEach, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '../../../src/context/context.js';
import { createRPCInfo, getRPCInfo, withRPCInfo, type RPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { StatsLevel } from '../../../src/rpcinfo/stats-level.js';
import { createTraceController } from '../../../src/tracer/trace-controller.js';
import { FetchCall } from '../../../src/client/fetch/call.js';
import {
  applyResourceTiming,
  browserResourceTiming,
  createResourceTimingCollector,
  type ResourceTimingEnv,
  type ResourceTimingWatch,
} from '../../../src/client/fetch/resource-timing.js';

type Entry = PerformanceResourceTiming;
const URL_A = 'https://app.example/api/a';

function entry(name: string, startTime: number, extra: Partial<Entry> = {}): Entry {
  return {
    name,
    entryType: 'resource',
    initiatorType: 'fetch',
    startTime,
    nextHopProtocol: 'h2',
    domainLookupStart: startTime + 1,
    domainLookupEnd: startTime + 3,
    connectStart: startTime + 3,
    secureConnectionStart: startTime + 5,
    connectEnd: startTime + 9,
    requestStart: startTime + 10,
    responseStart: startTime + 30,
    responseEnd: startTime + 35,
    transferSize: 1300,
    encodedBodySize: 1000,
    decodedBodySize: 4000,
    ...extra,
  } as Entry;
}

/** A fake page: an observer the test delivers to by hand, and a timeline buffer. */
function fakeEnv() {
  const timeline: Entry[] = [];
  let callback: ((list: { getEntries(): Entry[] }) => void) | undefined;
  let observed: unknown;
  class FakeObserver {
    constructor(cb: typeof callback) {
      callback = cb;
    }
    observe(options: unknown) {
      observed = options;
    }
    disconnect() {}
  }
  const env = {
    PerformanceObserver: FakeObserver as unknown as typeof PerformanceObserver,
    performance: { timeOrigin: 1_000_000, now: () => 0, getEntriesByName: (name: string) => timeline.filter((e) => e.name === name) },
  } as ResourceTimingEnv;
  return { env, timeline, deliver: (...entries: Entry[]) => callback!({ getEntries: () => entries }), observed: () => observed };
}

const taken = (watch: ResourceTimingWatch, grace: number) => new Promise<Entry | undefined>((resolve) => watch.take(grace, resolve));

describe('createResourceTimingCollector', () => {
  it('observes buffered resource entries, and answers at once with an entry already delivered or in the timeline', async () => {
    const page = fakeEnv();
    const collector = createResourceTimingCollector(page.env);
    const first = collector.watch(URL_A, 100);
    expect(page.observed()).toEqual({ type: 'resource', buffered: true });
    const e1 = entry(URL_A, 100.4);
    page.deliver(entry('https://app.example/other', 101), e1);
    let answer: Entry | undefined;
    first.take(50, (e) => {
      answer = e;
    });
    expect(answer).toBe(e1);

    const second = collector.watch(URL_A, 200);
    const e2 = entry(URL_A, 200.2);
    page.timeline.push(e1, e2);
    first.take(0, () => {});
    expect(await taken(second, 50)).toBe(e2);
  });

  it('waits for a late entry, but never past the grace', async () => {
    const page = fakeEnv();
    const collector = createResourceTimingCollector(page.env);
    const late = collector.watch(URL_A, 10);
    const pending = taken(late, 1000);
    const e = entry(URL_A, 10.5);
    page.deliver(e);
    expect(await pending).toBe(e);

    // An entry that never comes: the wait ends (the test would time out otherwise) with nothing.
    const never = collector.watch(URL_A, 20);
    expect(await taken(never, 20)).toBeUndefined();
  });

  it('gives each entry to one call: the latest-started waiter whose start precedes it; older entries are ignored', async () => {
    const page = fakeEnv();
    const collector = createResourceTimingCollector(page.env);
    const a = collector.watch(URL_A, 100);
    const b = collector.watch(URL_A, 150);
    page.deliver(entry(URL_A, 50)); // an earlier call's entry, before either started
    const eb = entry(URL_A, 150.3);
    const ea = entry(URL_A, 100.1);
    page.deliver(ea, eb);
    expect(await taken(a, 0)).toBe(ea);
    expect(await taken(b, 0)).toBe(eb);
    const cancelled = collector.watch(URL_A, 300);
    cancelled.cancel();
    page.deliver(entry(URL_A, 300.1));
    // An entry no pending call waits for is dropped, not kept: nothing accumulates.
    expect(await taken(collector.watch(URL_A, 290), 0)).toBeUndefined();
  });
});

describe('applyResourceTiming', () => {
  const ri = () => createRPCInfo({ side: 'client' });

  it('records the connection phase, sizes and phase durations when timing is allowed', () => {
    const r = ri();
    applyResourceTiming(r, entry(URL_A, 100), 1_000_000);
    expect(r.stats.getEvent(stats.ClientConnStart)!.time).toBe(1_000_103);
    expect(r.stats.getEvent(stats.ClientConnFinish)!.time).toBe(1_000_109);
    expect(r.attributes).toEqual({
      'isotrace.resource_timing': 'ok',
      'http.response.transfer_size': 1300,
      'http.response.encoded_body_size': 1000,
      'isotrace.timing.dns_ms': 2,
      'isotrace.timing.connect_ms': 6,
      'isotrace.timing.tls_ms': 4,
      'isotrace.timing.ttfb_ms': 20,
      'network.protocol.version': '2',
    });
  });

  it('records no connection for a reused one, and says why detail is missing', () => {
    const reused = ri();
    applyResourceTiming(reused, entry(URL_A, 100, { connectStart: 100, connectEnd: 100, domainLookupStart: 100, domainLookupEnd: 100 }), 0);
    expect(reused.stats.getEvent(stats.ClientConnStart)).toBeUndefined();
    expect(reused.attributes['isotrace.resource_timing']).toBe('ok');

    const crossOrigin = ri();
    applyResourceTiming(
      crossOrigin,
      entry(URL_A, 100, { connectStart: 0, connectEnd: 0, requestStart: 0, responseStart: 0, transferSize: 0, encodedBodySize: 0 }),
      0,
    );
    expect(crossOrigin.attributes).toEqual({ 'isotrace.resource_timing': 'no-timing-allow-origin' });

    const missing = ri();
    applyResourceTiming(missing, undefined, 0);
    expect(missing.attributes).toEqual({ 'isotrace.resource_timing': 'missing' });
  });
});

describe('Resource Timing in a traced call', () => {
  const g = globalThis as { location?: unknown };
  afterEach(() => {
    delete g.location;
  });

  it('is never used on Node, even with a location', () => {
    g.location = { origin: 'https://app.example', href: 'https://app.example/' };
    expect(browserResourceTiming()).toBeUndefined();
  });

  it('RPCFinish is recorded at the finish; the tracers finish once the entry is in', () => {
    const finished: number[] = [];
    const controller = createTraceController({
      tracers: [
        {
          start: (c) => c,
          finish: (c) => {
            finished.push(getRPCInfo(c)!.stats.getEvent(stats.RPCFinish)!.time);
          },
        },
      ],
    });
    const ri = createRPCInfo({ side: 'client' });
    let deliver: (e: Entry | undefined) => void = () => {};
    const watch: ResourceTimingWatch = {
      take: (_grace, done) => {
        deliver = done;
      },
      cancel() {},
    };
    const call = new FetchCall({ ctx: withRPCInfo(ROOT_CONTEXT, ri), ri, controller, idleTimeoutMs: 0, signal: undefined, knownSendSize: 0 });
    call.timing = watch;
    call.finish();
    const at = ri.stats.getEvent(stats.RPCFinish)!.time;
    expect(finished).toEqual([]);
    deliver(entry(URL_A, 1));
    expect(finished).toEqual([at]);
    expect(ri.attributes['isotrace.resource_timing']).toBe('ok');
  });
});

describe('the end of a browser call, from its Resource Timing entry', () => {
  // The fake page runs on the real clock: the call records its events with it.
  const ORIGIN = performance.timeOrigin;
  const NOT_FOUND = '{"code":"not_found","message":"no such user"}';

  /** Traced calls on a fake page, as traceFetch makes them in a browser (the tracers' finish logs each RPCInfo). */
  function page() {
    const env = fakeEnv();
    const t0 = performance.now();
    env.env.performance = { ...env.env.performance, timeOrigin: ORIGIN, now: () => performance.now() };
    const collector = createResourceTimingCollector(env.env);
    const finished: RPCInfo[] = [];
    const controller = createTraceController({ tracers: [{ start: (c) => c, finish: (c) => void finished.push(getRPCInfo(c)!) }] });
    const start = (url: string, startTime: number, statsLevel: StatsLevel = StatsLevel.Detailed) => {
      const ri = createRPCInfo({ side: 'client', statsLevel });
      const call = new FetchCall({ ctx: withRPCInfo(ROOT_CONTEXT, ri), ri, controller, idleTimeoutMs: 0, signal: undefined, knownSendSize: 0 });
      call.timing = collector.watch(url, startTime, call);
      call.handedOff();
      return call;
    };
    return { ...env, finished, start, at: (ms: number) => t0 + ms };
  }
  const finishOf = (ri: RPCInfo) => ri.stats.getEvent(stats.RPCFinish)!;

  for (const [name, level] of [
    ['Base', StatsLevel.Base],
    ['Detailed', StatsLevel.Detailed],
  ] as const) {
    it(`an unread response ends when its entry arrives, at responseEnd, with encodedBodySize as recvSize (${name})`, () => {
      const p = page();
      const call = p.start(URL_A, p.at(100), level);
      // A ky-style client: a 404 throws without reading the body.
      const res = call.respond(new Response(NOT_FOUND, { status: 404 }));
      expect(res.ok).toBe(false);
      expect(p.finished).toEqual([]);
      p.deliver(entry(URL_A, p.at(100.2), { responseEnd: p.at(140), encodedBodySize: 46, responseStatus: 404 }));
      expect(p.finished).toEqual([call.ri]);
      expect(finishOf(call.ri)).toMatchObject({ time: ORIGIN + p.at(140), status: 'error', info: 'HTTP 404' });
      expect(call.ri.stats.recvSize).toBe(46);
      if (level === StatsLevel.Detailed) {
        expect(call.ri.stats.getEvent(stats.ReadFinish)!.time).toBe(ORIGIN + p.at(140));
        expect(call.ri.attributes['isotrace.resource_timing']).toBe('ok');
      } else {
        expect(call.ri.attributes['isotrace.resource_timing']).toBeUndefined();
      }
      // Read later, after the end: the call is over and stays as it was.
      return res.text().then(() => {
        expect(p.finished).toHaveLength(1);
        expect(call.ri.stats.recvSize).toBe(46);
      });
    });
  }

  it('a response the network ended before the page took its headers ends at the headers: events stay in order', () => {
    const p = page();
    const call = p.start(URL_A, p.at(0));
    call.respond(new Response('early'));
    p.deliver(entry(URL_A, p.at(0), { responseEnd: p.at(0), encodedBodySize: 5 }));
    const headers = call.ri.stats.getEvent(stats.WaitReadFinish)!.time;
    expect(finishOf(call.ri).time).toBe(headers);
    expect(call.ri.stats.getEvent(stats.ReadFinish)!.time).toBe(headers);
    expect(call.ri.stats.recvSize).toBe(5);
  });

  it('cross-origin without Timing-Allow-Origin: ends at responseEnd, with no size', () => {
    const p = page();
    const call = p.start(URL_A, p.at(100));
    call.respond(new Response('ok'));
    p.deliver(entry(URL_A, p.at(100.1), { requestStart: 0, responseStart: 0, encodedBodySize: 0, transferSize: 0, responseEnd: p.at(120) }));
    expect(p.finished).toEqual([call.ri]);
    expect(finishOf(call.ri)).toMatchObject({ time: ORIGIN + p.at(120), status: 'info' });
    expect(call.ri.stats.recvSize).toBe(0);
  });

  it('a body the app reads ends at its read, with the bytes read, whether the entry comes during the read or after', async () => {
    const p = page();
    // The entry arrives while the app reads: the read ends the call, with what it counted.
    const during = p.start(URL_A, p.at(100));
    const reading = during.respond(new Response(NOT_FOUND, { status: 404 })).json();
    p.deliver(entry(URL_A, p.at(100.1), { responseEnd: p.at(130), encodedBodySize: 20 }));
    expect(p.finished).toEqual([]);
    await reading;
    expect(p.finished).toEqual([during.ri]);
    expect(during.ri.stats.recvSize).toBe(NOT_FOUND.length);
    expect(finishOf(during.ri).time).not.toBe(ORIGIN + p.at(130));

    // The read ends first (the observer's callback comes later): the entry changes nothing.
    const before = p.start(URL_A, p.at(200), StatsLevel.Base);
    await before.respond(new Response('hello')).text();
    const readEnd = finishOf(before.ri).time;
    p.deliver(entry(URL_A, p.at(200.1), { responseEnd: p.at(210), encodedBodySize: 99 }));
    expect(p.finished).toEqual([during.ri, before.ri]);
    expect(before.ri.stats.recvSize).toBe(5);
    expect(finishOf(before.ri).time).toBe(readEnd);
  });

  it('concurrent calls to the same URL: each entry ends its own call, whichever completes first', () => {
    const p = page();
    const slow = p.start(URL_A, p.at(100));
    const fast = p.start(URL_A, p.at(150));
    slow.respond(new Response('slow'));
    fast.respond(new Response('fast!'));
    // The later call completes first: its entry must not end the earlier one.
    p.deliver(entry(URL_A, p.at(150.2), { responseEnd: p.at(170), encodedBodySize: 5 }));
    expect(p.finished).toEqual([fast.ri]);
    expect(finishOf(fast.ri).time).toBe(ORIGIN + p.at(170));
    p.deliver(entry(URL_A, p.at(100.3), { responseEnd: p.at(400), encodedBodySize: 4 }));
    expect(p.finished).toEqual([fast.ri, slow.ri]);
    expect(finishOf(slow.ri).time).toBe(ORIGIN + p.at(400));
    expect(slow.ri.stats.recvSize).toBe(4);
  });

  it('no call is ended by an entry that may be another call’s: same URL within the clock’s tolerance, still waiting for headers, another status', async () => {
    const p = page();
    const a = p.start(URL_A, p.at(100));
    const b = p.start(URL_A, p.at(100.5));
    a.respond(new Response('a'));
    b.respond(new Response('b'));
    p.deliver(entry(URL_A, p.at(100.6), { responseEnd: p.at(120) }), entry(URL_A, p.at(100.7), { responseEnd: p.at(130) }));
    expect(p.finished).toEqual([]);

    const waiting = p.start(URL_A, p.at(200)); // its fetch has not resolved
    p.deliver(entry(URL_A, p.at(200.1), { responseEnd: p.at(220) }));
    const other = p.start(URL_A, p.at(300));
    other.respond(new Response('x', { status: 200 }));
    p.deliver(entry(URL_A, p.at(300.1), { responseEnd: p.at(320), responseStatus: 503 }));
    expect(p.finished).toEqual([]);
    // They end as they would without Resource Timing: at their read.
    await waiting.respond(new Response('late')).text();
    expect(p.finished).toEqual([waiting.ri]);
    expect(waiting.ri.stats.recvSize).toBe(4);
    expect(finishOf(waiting.ri).time).not.toBe(ORIGIN + p.at(220));
  });
});
