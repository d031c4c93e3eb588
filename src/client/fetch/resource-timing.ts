import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';

/** The globals the Resource Timing path needs; injectable so the matching can be tested off-browser. */
export interface ResourceTimingEnv {
  PerformanceObserver: typeof PerformanceObserver;
  performance: Pick<Performance, 'timeOrigin' | 'now' | 'getEntriesByName'>;
}

/** One call waiting for its Resource Timing entry. */
export interface ResourceTimingWatch {
  /**
   * Calls `done` once with the call's entry, or `undefined`: at once when the entry is known,
   * else when it arrives, or after `graceMs` at the latest (so a finish is never held longer).
   */
  take(graceMs: number, done: (entry: PerformanceResourceTiming | undefined) => void): void;
  /** Stops waiting without an answer (the call failed; no entry will be used). */
  cancel(): void;
}

/** Matches Resource Timing entries to fetch calls by URL and start time. */
export interface ResourceTimingCollector {
  /** Starts watching for the entry of a call to `url` that began at `startTime` (`performance.now()`). */
  watch(url: string, startTime: number): ResourceTimingWatch;
}

/** Clocks are coarsened (to 0.1 ms, 1 ms or more); an entry may appear to start that much early. */
const TOLERANCE_MS = 1;

interface Waiter {
  name: string;
  startTime: number;
  entry?: PerformanceResourceTiming;
  onEntry?: () => void;
}

/**
 * A collector over `env`: one `PerformanceObserver` for `resource` entries, created on the first
 * watch and kept (one per page, like the browser's own buffer). Only entries some pending call
 * waits for are kept, each handed to the earliest-started waiter for its URL, so nothing
 * accumulates. Concurrent calls to the very same URL may swap entries among themselves.
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
    const waiter = pending.get(entry.name)?.find((w) => w.entry === undefined && w.startTime <= entry.startTime + TOLERANCE_MS);
    if (waiter === undefined) return;
    claimed.add(entry);
    waiter.entry = entry;
    waiter.onEntry?.();
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

  return {
    watch(url, startTime) {
      const w: Waiter = { name: url, startTime };
      try {
        ensureObserver();
        const list = pending.get(url);
        if (list) list.push(w);
        else pending.set(url, [w]);
      } catch {
        // No usable observer: take() will answer from the timeline buffer alone.
      }
      return {
        take(graceMs, done) {
          if (w.entry === undefined) lookUp(w);
          if (w.entry !== undefined || graceMs <= 0 || !pending.has(url)) {
            remove(w);
            done(w.entry);
            return;
          }
          const answer = () => {
            clearTimeout(timer);
            w.onEntry = undefined;
            remove(w);
            done(w.entry);
          };
          const timer = setTimeout(answer, graceMs);
          w.onEntry = answer;
        },
        cancel: () => remove(w),
      };
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
