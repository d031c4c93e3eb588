import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';

/** The globals the Resource Timing path needs; injectable so the matching can be tested off-browser. */
export interface ResourceTimingEnv {
  PerformanceObserver: typeof PerformanceObserver;
  performance: Pick<Performance, 'timeOrigin' | 'now' | 'getEntriesByName'>;
}

/** Told when a call's response ended, by its Resource Timing entry (browsers; see `watch`). */
export interface ResponseEndListener {
  /**
   * The response's last byte arrived at `time` (epoch ms: `timeOrigin + responseEnd`), with a
   * body of `encodedBodySize` bytes as received, or `undefined` when the browser hides it
   * (cross-origin without `Timing-Allow-Origin`); `status` is `responseStatus`, 0 when unknown.
   */
  onResponseEnd(time: number, encodedBodySize: number | undefined, status: number): void;
}

/** One call waiting for its Resource Timing entry. */
export interface ResourceTimingWatch {
  /**
   * Calls `done` once with the call's entry, or `undefined`: at once when the entry is known,
   * else when it arrives, or after `graceMs` at the latest (so a finish is never held longer).
   */
  take(graceMs: number, done: (entry: PerformanceResourceTiming | undefined) => void): void;
  /** Stops waiting without an answer (the call ended without needing its entry). */
  cancel(): void;
}

/** Matches Resource Timing entries to fetch calls by URL and start time. */
export interface ResourceTimingCollector {
  /**
   * Starts watching for the entry of a call to `url` that began at `startTime`
   * (`performance.now()`); `listener` hears of the response's end when the entry arrives, unless
   * another pending call to the same URL started too close to tell the two apart.
   */
  watch(url: string, startTime: number, listener?: ResponseEndListener): ResourceTimingWatch;
}

/** Clocks are coarsened (to 0.1 ms, 1 ms or more); an entry may appear to start that much early. */
const TOLERANCE_MS = 1;

/** A watch is its waiter: `take` and `cancel` are shared per collector, so a call costs no closures. */
interface Waiter extends ResourceTimingWatch {
  name: string;
  startTime: number;
  listener: ResponseEndListener | undefined;
  entry?: PerformanceResourceTiming;
  onEntry?: () => void;
  /** Another call to the URL started within the tolerance: the entry may be the other's. */
  unsure?: boolean;
}

/** The body size an entry tells: hidden (0) for cross-origin without `Timing-Allow-Origin`. */
const bodySize = (e: PerformanceResourceTiming) => (e.encodedBodySize > 0 || e.responseStart > 0 ? e.encodedBodySize : undefined);

/**
 * A collector over `env`: one `PerformanceObserver` for `resource` entries, created on the first
 * watch and kept (one per page, like the browser's own buffer). Only entries some pending call
 * waits for are kept, each handed to the latest-started waiter for its URL that began no later
 * than it (so a later call that completes first gets its own entry), so nothing accumulates.
 * Calls to the very same URL started within a millisecond of each other may swap entries; none
 * of them is then ended by its entry.
 */
export function createResourceTimingCollector(env: ResourceTimingEnv): ResourceTimingCollector {
  const pending = new Map<string, Waiter[]>();
  const claimed = new WeakSet<PerformanceResourceTiming>();
  let observer: PerformanceObserver | undefined;

  const remove = (w: Waiter) => {
    const list = pending.get(w.name);
    const i = list?.indexOf(w) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    if (list?.length === 0) pending.delete(w.name);
  };
  const offer = (entry: PerformanceResourceTiming) => {
    if (claimed.has(entry)) return;
    const list = pending.get(entry.name) ?? [];
    // Waiters are in start order: walk back from the latest that could have made this entry.
    let waiter: Waiter | undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const w = list[i];
      if (w.entry !== undefined || w.startTime > entry.startTime + TOLERANCE_MS) continue;
      if (waiter === undefined) waiter = w;
      else if (w.startTime + TOLERANCE_MS >= waiter.startTime) w.unsure = waiter.unsure = true;
      else break;
    }
    if (waiter === undefined) return;
    claimed.add(entry);
    waiter.entry = entry;
    waiter.onEntry?.();
    if (!waiter.unsure) waiter.listener?.onResponseEnd(env.performance.timeOrigin + entry.responseEnd, bodySize(entry), entry.responseStatus ?? 0);
  };
  const ensureObserver = () => {
    if (observer !== undefined) return;
    observer = new env.PerformanceObserver((list) => {
      for (const entry of list.getEntries()) offer(entry as PerformanceResourceTiming);
    });
    // Buffered: an entry queued before the observer existed is still delivered.
    observer.observe({ type: 'resource', buffered: true });
  };
  const lookUp = (w: Waiter) => {
    // The entry may sit in the timeline already, its observer callback not yet run.
    const entries = env.performance.getEntriesByName(w.name, 'resource') as PerformanceResourceTiming[];
    for (const entry of entries) if (entry.startTime + TOLERANCE_MS >= w.startTime) offer(entry);
  };
  function take(this: Waiter, graceMs: number, done: (entry: PerformanceResourceTiming | undefined) => void) {
    if (this.entry === undefined) lookUp(this);
    if (this.entry !== undefined || graceMs <= 0 || !pending.has(this.name)) {
      remove(this);
      done(this.entry);
      return;
    }
    const answer = () => {
      clearTimeout(timer);
      this.onEntry = undefined;
      remove(this);
      done(this.entry);
    };
    const timer = setTimeout(answer, graceMs);
    this.onEntry = answer;
  }
  function cancel(this: Waiter) {
    remove(this);
  }

  return {
    watch(url, startTime, listener) {
      const w: Waiter = { name: url, startTime, listener, take, cancel };
      try {
        ensureObserver();
        const list = pending.get(url);
        if (list) list.push(w);
        else pending.set(url, [w]);
      } catch {
        // No usable observer: take() will answer from the timeline buffer alone.
      }
      return w;
    },
  };
}

let browserCollector: ResourceTimingCollector | null | undefined;

/**
 * The page's collector, or `undefined` outside browsers. Node's fetch creates resource entries
 * too, but isotrace keeps Node free of that work, so a runtime with `process.versions.node`
 * (Node, and jsdom on Node) never gets one. Probed on first use, never at module load.
 */
export function browserResourceTiming(): ResourceTimingCollector | undefined {
  if (browserCollector !== undefined) return browserCollector ?? undefined;
  const g = globalThis as { location?: unknown; process?: { versions?: { node?: unknown } } } & Partial<ResourceTimingEnv>;
  const supported =
    g.location !== undefined &&
    typeof g.process?.versions?.node !== 'string' &&
    typeof g.PerformanceObserver === 'function' &&
    typeof g.performance?.getEntriesByName === 'function' &&
    (g.PerformanceObserver.supportedEntryTypes ?? []).includes('resource');
  browserCollector = supported ? createResourceTimingCollector({ PerformanceObserver: g.PerformanceObserver!, performance: g.performance! }) : null;
  return browserCollector ?? undefined;
}

/** `network.protocol.version` from a `nextHopProtocol` (`h2` → `2`, `http/1.1` → `1.1`). */
function protocolVersion(nextHop: string): string | undefined {
  if (nextHop.startsWith('http/')) return nextHop.slice(5);
  if (nextHop === 'h2' || nextHop === 'h2c') return '2';
  if (nextHop === 'h3' || nextHop.startsWith('h3-')) return '3';
  return undefined;
}

/**
 * Records what `entry` tells about a call: ClientConnStart/ClientConnFinish for a new
 * connection (epoch ms via `timeOrigin`), `http.response.transfer_size`,
 * `http.response.encoded_body_size`, `network.protocol.version`, and phase durations under
 * `isotrace.timing.*_ms` (dns, connect, tls, ttfb = requestStart → responseStart). Sets
 * `isotrace.resource_timing` to `ok`, `no-timing-allow-origin` (cross-origin, and the server
 * sent no `Timing-Allow-Origin`: the browser zeroes every detail) or `missing` (no entry).
 */
export function applyResourceTiming(ri: RPCInfo, entry: PerformanceResourceTiming | undefined, timeOrigin: number): void {
  const a = ri.attributes;
  if (entry === undefined) {
    a['isotrace.resource_timing'] = 'missing';
    return;
  }
  if (entry.requestStart === 0 && entry.responseStart === 0) {
    a['isotrace.resource_timing'] = 'no-timing-allow-origin';
    return;
  }
  a['isotrace.resource_timing'] = 'ok';
  // A reused connection reports connectStart === connectEnd: there was no connect phase to record.
  if (entry.connectStart > 0 && entry.connectEnd > entry.connectStart) {
    ri.stats.record(stats.ClientConnStart, 'info', '', timeOrigin + entry.connectStart);
    ri.stats.record(stats.ClientConnFinish, 'info', '', timeOrigin + entry.connectEnd);
    a['isotrace.timing.connect_ms'] = entry.connectEnd - entry.connectStart;
    if (entry.secureConnectionStart > 0) a['isotrace.timing.tls_ms'] = entry.connectEnd - entry.secureConnectionStart;
  }
  if (entry.domainLookupEnd > entry.domainLookupStart) a['isotrace.timing.dns_ms'] = entry.domainLookupEnd - entry.domainLookupStart;
  if (entry.responseStart >= entry.requestStart && entry.requestStart > 0) a['isotrace.timing.ttfb_ms'] = entry.responseStart - entry.requestStart;
  a['http.response.transfer_size'] = entry.transferSize;
  a['http.response.encoded_body_size'] = entry.encodedBodySize;
  const version = protocolVersion(entry.nextHopProtocol ?? '');
  if (version !== undefined) a['network.protocol.version'] = version;
}
