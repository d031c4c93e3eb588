// @ts-check
// A tiny OTLP/HTTP trace collector for the e2e tests and the demo: `POST /v1/traces` with an
// OTLP JSON `ExportTraceServiceRequest` (what isotrace's createOtlpHttpExporter sends, by fetch,
// keepalive fetch or sendBeacon), kept in memory as flat, easy-to-assert spans.
//
//   const collector = createCollector();
//   server.addRoute(...collector.routes)          // POST/OPTIONS /v1/traces, GET /api/traces
//   await collector.waitFor((spans) => ..., { timeoutMs })
//
// Plain ESM JavaScript with JSDoc types, like server.mjs, so the demo runs it without a loader.
import { readBody, sendJson } from './server.mjs';
import { buildTraceView } from './waterfall.mjs';

/**
 * @typedef {string | number | boolean} AttrValue
 * @typedef {{ name: string, time: number, timeNs: string, attributes: Record<string, AttrValue> }} CollectedEvent
 * @typedef {object} CollectedSpan
 * @property {string} traceId
 * @property {string} spanId
 * @property {string | undefined} parentSpanId
 * @property {string} name
 * @property {'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer'} kind
 * @property {string} service         the resource's `service.name`
 * @property {Record<string, AttrValue>} resource
 * @property {{ name: string, version: string }} scope
 * @property {number} startTime       epoch ms (sub-ms fraction kept)
 * @property {number} endTime
 * @property {string} startTimeNs     as received: decimal epoch nanoseconds
 * @property {string} endTimeNs
 * @property {number} durationMs
 * @property {number} flags
 * @property {string | undefined} traceState
 * @property {Record<string, AttrValue>} attributes
 * @property {CollectedEvent[]} events   in the order received
 * @property {{ code: 'unset' | 'ok' | 'error', message?: string }} status
 * @property {number} receivedAt      Date.now() when the collector got it
 * @property {number} post            index into `collector.posts` of the request that carried it
 */

/**
 * @typedef {object} CollectorPost
 * @property {number} at             Date.now()
 * @property {number} spans
 * @property {string[]} services
 * @property {string} userAgent
 * @property {string} contentType
 * @property {string | undefined} origin
 * @property {string | undefined} secFetchMode
 */

const KINDS = /** @type {const} */ (['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']);
const STATUS = /** @type {const} */ (['unset', 'ok', 'error']);

/** @param {any} value OTLP AnyValue */
function fromAnyValue(value) {
  if (value == null || typeof value !== 'object') return '';
  if ('stringValue' in value) return String(value.stringValue);
  if ('boolValue' in value) return Boolean(value.boolValue);
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) return JSON.stringify((value.arrayValue?.values ?? []).map(fromAnyValue));
  return JSON.stringify(value);
}

/** @param {any} list OTLP KeyValue[] @returns {Record<string, AttrValue>} */
function fromKeyValues(list) {
  /** @type {Record<string, AttrValue>} */
  const out = {};
  if (Array.isArray(list)) for (const kv of list) if (kv && typeof kv.key === 'string') out[kv.key] = fromAnyValue(kv.value);
  return out;
}

/** Decimal epoch nanoseconds → epoch milliseconds, keeping the fraction. @param {unknown} ns */
export function nanosToMs(ns) {
  const text = String(ns ?? '0');
  if (!/^\d+$/.test(text)) return Number(text) / 1e6;
  const big = BigInt(text);
  return Number(big / 1_000_000n) + Number(big % 1_000_000n) / 1e6;
}

/** @param {string} a @param {string} b */
export function compareNanos(a, b) {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Parses one OTLP JSON request body into collected spans; throws on a body that is not one.
 * @param {unknown} body
 * @param {number} post
 * @returns {CollectedSpan[]}
 */
export function parseOtlpJson(body, post = -1) {
  const request = /** @type {any} */ (body);
  if (!request || !Array.isArray(request.resourceSpans)) throw new TypeError('not an OTLP ExportTraceServiceRequest: no resourceSpans array');
  /** @type {CollectedSpan[]} */
  const out = [];
  const receivedAt = Date.now();
  for (const rs of request.resourceSpans) {
    const resource = fromKeyValues(rs?.resource?.attributes);
    for (const ss of rs?.scopeSpans ?? []) {
      const scope = { name: String(ss?.scope?.name ?? ''), version: String(ss?.scope?.version ?? '') };
      for (const s of ss?.spans ?? []) {
        const startTime = nanosToMs(s.startTimeUnixNano);
        const endTime = nanosToMs(s.endTimeUnixNano);
        out.push({
          traceId: String(s.traceId),
          spanId: String(s.spanId),
          parentSpanId: s.parentSpanId ? String(s.parentSpanId) : undefined,
          name: String(s.name),
          kind: KINDS[Number(s.kind)] ?? 'unspecified',
          service: String(resource['service.name'] ?? ''),
          resource,
          scope,
          startTime,
          endTime,
          startTimeNs: String(s.startTimeUnixNano),
          endTimeNs: String(s.endTimeUnixNano),
          durationMs: endTime - startTime,
          flags: Number(s.flags ?? 0),
          traceState: s.traceState || undefined,
          attributes: fromKeyValues(s.attributes),
          events: (s.events ?? []).map((/** @type {any} */ e) => ({
            name: String(e.name),
            time: nanosToMs(e.timeUnixNano),
            timeNs: String(e.timeUnixNano),
            attributes: fromKeyValues(e.attributes),
          })),
          status: s.status?.message
            ? { code: STATUS[Number(s.status?.code ?? 0)] ?? 'unset', message: String(s.status.message) }
            : { code: STATUS[Number(s.status?.code ?? 0)] ?? 'unset' },
          receivedAt,
          post,
        });
      }
    }
  }
  return out;
}

/**
 * @typedef {object} Collector
 * @property {CollectedSpan[]} spans           every span received, in arrival order
 * @property {CollectorPost[]} posts           every accepted request
 * @property {import('./server.mjs').Route[]} routes   POST /v1/traces (+ OPTIONS for CORS), GET /api/traces
 * @property {(traceId: string) => CollectedSpan[]} trace
 * @property {(options?: { quietMs?: number }) => (import('./waterfall.mjs').TraceView & { complete: boolean, lastArrival: number })[]} traces
 *   newest first; `complete`: a root, every parent named, and quiet for `quietMs`
 * @property {(predicate: (spans: CollectedSpan[]) => boolean, options?: { timeoutMs?: number, what?: string }) => Promise<CollectedSpan[]>} waitFor
 * @property {(traceId: string, count: number, options?: { timeoutMs?: number }) => Promise<CollectedSpan[]>} waitForTrace
 * @property {() => void} reset
 */

/**
 * A collector keeping what it receives in memory.
 * @param {{ path?: string, quietMs?: number }} [options]
 *   `quietMs`: a trace counts as finished (`complete` in /api/traces) once it has a root, every
 *   parent it names, and no new span for this long. Default 400.
 * @returns {Collector}
 */
export function createCollector(options = {}) {
  const path = options.path ?? '/v1/traces';
  const defaultQuietMs = options.quietMs ?? 400;
  /** @type {CollectedSpan[]} */
  const spans = [];
  /** @type {CollectorPost[]} */
  const posts = [];
  /** @type {Set<() => void>} */
  const listeners = new Set();

  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '600',
  };

  /** @param {{ quietMs?: number }} [opts] */
  function traces(opts = {}) {
    const quietMs = opts.quietMs ?? defaultQuietMs;
    /** @type {Map<string, CollectedSpan[]>} */
    const byTrace = new Map();
    for (const span of spans) {
      let list = byTrace.get(span.traceId);
      if (!list) byTrace.set(span.traceId, (list = []));
      list.push(span);
    }
    const now = Date.now();
    return [...byTrace.values()]
      .map((list) => {
        const view = buildTraceView(list);
        const lastArrival = Math.max(...list.map((s) => s.receivedAt));
        const ids = new Set(list.map((s) => s.spanId));
        const hasRoot = list.some((s) => s.parentSpanId === undefined);
        const resolved = list.every((s) => s.parentSpanId === undefined || ids.has(s.parentSpanId));
        return { ...view, complete: hasRoot && resolved && now - lastArrival >= quietMs, lastArrival };
      })
      .sort((a, b) => b.start - a.start);
  }

  /** @type {Collector['waitFor']} */
  function waitFor(predicate, opts = {}) {
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise((resolvePromise, rejectPromise) => {
      const check = () => {
        let ok = false;
        try {
          ok = predicate(spans);
        } catch (error) {
          cleanup();
          rejectPromise(error);
          return;
        }
        if (ok) {
          cleanup();
          resolvePromise(spans);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        rejectPromise(
          new Error(
            `collector: ${opts.what ?? 'condition'} not met within ${timeoutMs} ms; it has ${spans.length} spans: ${spans.map((s) => `${s.service}:${s.name}`).join(', ')}`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  }

  /** @type {import('./server.mjs').Route[]} */
  const routes = [
    {
      method: 'OPTIONS',
      path,
      handler: (_req, res) => {
        res.writeHead(204, cors);
        res.end();
      },
    },
    {
      method: 'POST',
      path,
      handler: async (req, res) => {
        let received;
        try {
          received = parseOtlpJson(JSON.parse(await readBody(req)), posts.length);
        } catch (error) {
          return sendJson(res, 400, { error: String(error) }, cors);
        }
        posts.push({
          at: Date.now(),
          spans: received.length,
          services: [...new Set(received.map((s) => s.service))],
          userAgent: String(req.headers['user-agent'] ?? ''),
          contentType: String(req.headers['content-type'] ?? ''),
          origin: req.headers.origin,
          secFetchMode: /** @type {string | undefined} */ (req.headers['sec-fetch-mode']),
        });
        spans.push(...received);
        sendJson(res, 200, { partialSuccess: {} }, cors);
        for (const listener of [...listeners]) listener();
      },
    },
    {
      method: 'GET',
      path: '/api/traces',
      handler: (_req, res, url) => {
        const all = traces();
        const onlyComplete = url.searchParams.get('complete') === '1';
        sendJson(res, 200, { traces: onlyComplete ? all.filter((t) => t.complete) : all, spans: spans.length });
      },
    },
  ];

  return {
    spans,
    posts,
    routes,
    trace: (traceId) => spans.filter((s) => s.traceId === traceId),
    traces,
    waitFor,
    waitForTrace: (traceId, count, opts = {}) =>
      waitFor((all) => all.filter((s) => s.traceId === traceId).length >= count, { ...opts, what: `${count} spans of trace ${traceId}` }).then((all) =>
        all.filter((s) => s.traceId === traceId),
      ),
    reset() {
      spans.length = 0;
      posts.length = 0;
    },
  };
}
