import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { context, getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { traceCall } from '../../../src/client/trace-call.js';
import { getRPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { isTracingSuppressed } from '../../../src/tracer/suppress-tracing.js';
import { createOtlpHttpExporter } from '../../../src/tracers/otlp/http-exporter.js';
import type { OtlpHttpExporterOptions } from '../../../src/tracers/otlp/http-exporter-options.js';
import { OtlpExportError } from '../../../src/rpcinfo/errors.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';
import { getActiveSpan } from '../../../src/tracers/span/active-span.js';
import type { FetchFunction } from '../../../src/tracers/otlp/send.js';
import type { DropEvent, ExportErrorEvent } from '../../../src/tracers/exporters/exporter.js';
import type { SpanData } from '../../../src/tracers/span/span.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'destroy';
interface Received {
  spans: string[];
  headers: IncomingMessage['headers'];
}

const servers: Server[] = [];
afterEach(async () => {
  vi.unstubAllGlobals();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback OTLP collector answering each request with `script(n)` (n counts from 0). */
async function collector(script: (n: number) => Reply = () => ({ status: 200 })) {
  const received: Received[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const spans = body.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans.map((sp: any) => sp.name)));
      received.push({ spans, headers: req.headers });
      const reply = script(n++);
      if (reply === 'destroy') return void req.socket.destroy();
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body ?? '{}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, received };
}

function makeSpans(count: number, prefix = 's', attributes = {}): SpanData[] {
  const memory = createMemoryExporter();
  const tracer = createSpanTracer({ serviceName: 'test', exporter: memory });
  for (let i = 0; i < count; i++) tracer.startSpan(`${prefix}${i}`, { attributes }).end();
  return [...memory.spans];
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

const fast: OtlpHttpExporterOptions = { initialBackoffMs: 1, maxBackoffMs: 2, scheduledDelayMs: 60_000 };

describe('OTLP/HTTP exporter: batching and flushing', () => {
  it('splits by maxBatchSize and forceFlush sends the rest; stats count exported spans', async () => {
    const { url, received } = await collector();
    const exporter = createOtlpHttpExporter({ ...fast, url, maxBatchSize: 3, headers: { authorization: 'Bearer t' } });
    for (const span of makeSpans(7)) exporter.export([span]);
    await exporter.forceFlush();
    expect(received.map((r) => r.spans)).toEqual([['s0', 's1', 's2'], ['s3', 's4', 's5'], ['s6']]);
    expect(received[0].headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t' });
    expect(exporter.stats).toMatchObject({ exported: 7, dropped: 0, failed: 0, queued: 0 });
    await exporter.forceFlush(); // nothing left: resolves at once
    expect(received).toHaveLength(3);
  });

  it('sends a partial batch after scheduledDelayMs without a flush', async () => {
    const { url, received } = await collector();
    const exporter = createOtlpHttpExporter({ url, scheduledDelayMs: 5 });
    exporter.export(makeSpans(2));
    await until(() => exporter.stats.exported === 2);
    expect(received.map((r) => r.spans)).toEqual([['s0', 's1']]);
  });

  it('exports what a span tracer records', async () => {
    const { url, received } = await collector();
    const exporter = createOtlpHttpExporter({ ...fast, url });
    const tracer = createSpanTracer({ serviceName: 'web', exporter });
    await traceCall({ tracers: [tracer], callee: 'users', method: 'GetUser' }, () => 1);
    await tracer.forceFlush();
    expect(received.map((r) => r.spans)).toEqual([['users/GetUser']]);
  });

  it('drops and counts spans beyond maxQueueSize, and reports them once per export call', async () => {
    const { url, received } = await collector();
    const drops: DropEvent[] = [];
    const exporter = createOtlpHttpExporter({ ...fast, url, maxQueueSize: 4, maxBatchSize: 2, onDrop: (e) => drops.push(e) });
    exporter.export(makeSpans(10));
    expect(drops).toEqual([{ count: 6, reason: 'queue-full' }]);
    expect(exporter.stats).toMatchObject({ dropped: 6, queued: 4 });
    await exporter.forceFlush();
    expect(received.flatMap((r) => r.spans)).toEqual(['s0', 's1', 's2', 's3']);
    expect(exporter.stats).toMatchObject({ exported: 4, dropped: 6, queued: 0 });
  });

  it('warns about drops on the console at most once per interval by default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const exporter = createOtlpHttpExporter({
      ...fast,
      url: 'http://127.0.0.1:9/v1/traces',
      maxQueueSize: 1,
      maxBatchSize: 1,
      maxRetries: 0,
      onError: () => {},
    });
    for (let i = 0; i < 5; i++) exporter.export(makeSpans(3));
    expect(exporter.stats.dropped).toBe(14);
    expect(warn.mock.calls.filter(([m]) => String(m).includes('dropped'))).toHaveLength(1);
    warn.mockRestore();
  });

  it('shutdown flushes, then refuses spans (counted as dropped); calling it twice is the same', async () => {
    const { url, received } = await collector();
    const drops: DropEvent[] = [];
    const exporter = createOtlpHttpExporter({ ...fast, url, onDrop: (e) => drops.push(e) });
    exporter.export(makeSpans(2));
    const first = exporter.shutdown();
    expect(exporter.shutdown()).toBe(first);
    await first;
    expect(received.flatMap((r) => r.spans)).toEqual(['s0', 's1']);
    exporter.export(makeSpans(3));
    expect(drops).toEqual([{ count: 3, reason: 'shutdown' }]);
    await exporter.forceFlush();
    expect(received).toHaveLength(1);
    expect(exporter.stats).toMatchObject({ exported: 2, dropped: 3 });
  });
});

describe('OTLP/HTTP exporter: retries against a collector that fails on purpose', () => {
  it('retries a 503, then succeeds', async () => {
    const { url, received } = await collector((n) => (n === 0 ? { status: 503 } : { status: 200 }));
    const exporter = createOtlpHttpExporter({ ...fast, url });
    exporter.export(makeSpans(2));
    await exporter.forceFlush();
    expect(received).toHaveLength(2);
    expect(received[1].spans).toEqual(['s0', 's1']);
    expect(exporter.stats).toMatchObject({ exported: 2, failed: 0 });
  });

  it('honours Retry-After on a 429 instead of its own (here very long) backoff', async () => {
    const { url, received } = await collector((n) => (n < 2 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 200 }));
    const exporter = createOtlpHttpExporter({ url, initialBackoffMs: 60_000, maxBackoffMs: 60_000, scheduledDelayMs: 60_000 });
    exporter.export(makeSpans(1));
    await exporter.forceFlush(); // would outlast the test timeout if the backoff were used
    expect(received).toHaveLength(3);
    expect(exporter.stats.exported).toBe(1);
  });

  it('does not retry a 400; reports the batch as failed with the status and body', async () => {
    const { url, received } = await collector(() => ({ status: 400, body: '{"message":"bad span"}' }));
    const errors: ExportErrorEvent[] = [];
    const exporter = createOtlpHttpExporter({ ...fast, url, onError: (e) => errors.push(e) });
    exporter.export(makeSpans(3));
    await exporter.forceFlush();
    expect(received).toHaveLength(1);
    expect(exporter.stats).toMatchObject({ exported: 0, failed: 3 });
    expect(errors).toHaveLength(1);
    expect(errors[0].count).toBe(3);
    expect(errors[0].error).toBeInstanceOf(OtlpExportError);
    expect(errors[0].error).toMatchObject({ status: 400, attempts: 1, responseText: '{"message":"bad span"}' });
  });

  it('gives up after maxRetries on 5xx and on a dropped connection', async () => {
    const { url, received } = await collector((n) => (n % 2 === 0 ? { status: 500 } : 'destroy'));
    const errors: ExportErrorEvent[] = [];
    const exporter = createOtlpHttpExporter({ ...fast, url, maxRetries: 3, onError: (e) => errors.push(e) });
    exporter.export(makeSpans(2));
    await exporter.forceFlush();
    expect(received).toHaveLength(4);
    expect(exporter.stats.failed).toBe(2);
    expect(errors[0].error).toMatchObject({ attempts: 4 });
  });

  it('retries when the connection is refused, then reports status 0 with the cause', async () => {
    const { url } = await collector();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))); // nothing listens now
    const errors: ExportErrorEvent[] = [];
    const exporter = createOtlpHttpExporter({ ...fast, url, maxRetries: 2, onError: (e) => errors.push(e) });
    exporter.export(makeSpans(1));
    await exporter.forceFlush();
    expect(exporter.stats).toMatchObject({ exported: 0, failed: 1 });
    const error = errors[0].error as OtlpExportError;
    expect(error).toMatchObject({ status: 0, attempts: 3 });
    expect(error.cause).toBeDefined();
  });

  it('counts spans a 200 partialSuccess rejected as failed', async () => {
    const { url } = await collector(() => ({ status: 200, body: '{"partialSuccess":{"rejectedSpans":"1","errorMessage":"too old"}}' }));
    const errors: ExportErrorEvent[] = [];
    const exporter = createOtlpHttpExporter({ ...fast, url, onError: (e) => errors.push(e) });
    exporter.export(makeSpans(3));
    await exporter.forceFlush();
    expect(exporter.stats).toMatchObject({ exported: 2, failed: 1 });
    expect((errors[0].error as Error).message).toContain('too old');
  });
});

describe('OTLP/HTTP exporter: its own requests are never traced', () => {
  it('runs fetch in a root context with tracing suppressed, even when flushed inside a traced call', async () => {
    const { url, received } = await collector();
    const seen: { suppressed: boolean; hasRpc: boolean; hasSpan: boolean }[] = [];
    const platformFetch = globalThis.fetch;
    const observingFetch: FetchFunction = (u, init) => {
      const ctx = context.active();
      seen.push({ suppressed: isTracingSuppressed(ctx), hasRpc: getRPCInfo(ctx) !== undefined, hasSpan: getActiveSpan(ctx) !== undefined });
      return platformFetch(u, init);
    };
    const exporter = createOtlpHttpExporter({ ...fast, url, fetch: observingFetch });
    const tracer = createSpanTracer({ serviceName: 'web', exporter });
    await traceCall({ tracers: [tracer], method: 'Outer' }, async () => {
      tracer.startSpan('inner').end();
      await exporter.forceFlush();
    });
    await exporter.forceFlush();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const s of seen) expect(s).toEqual({ suppressed: true, hasRpc: false, hasSpan: false });
    expect(received.flatMap((r) => r.spans).sort()).toEqual(['Outer', 'inner']);
  });

  it('a span tracer given the exporter context makes no span for a call under it', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'web', exporter: memory });
    let suppressedCtxSeen = false;
    const { url } = await collector();
    const exporter = createOtlpHttpExporter({
      ...fast,
      url,
      // A fetch that is itself traced, as a patched global fetch would be.
      fetch: (u, init) =>
        traceCall({ tracers: [tracer], method: 'POST /v1/traces' }, (ctx) => {
          suppressedCtxSeen = isTracingSuppressed(ctx);
          return fetch(u, init);
        }),
    });
    exporter.export(makeSpans(1));
    await exporter.forceFlush();
    expect(suppressedCtxSeen).toBe(true);
    expect(memory.spans).toHaveLength(0);
    expect(exporter.stats.exported).toBe(1);
  });
});

describe('OTLP/HTTP exporter: page hide (browser globals emulated on Node)', () => {
  function fakePage(visibilityState = 'visible') {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState });
    const listeners = { added: 0, removed: 0 };
    vi.stubGlobal('addEventListener', (t: string, l: EventListener) => (listeners.added++, win.addEventListener(t, l)));
    vi.stubGlobal('removeEventListener', (t: string, l: EventListener) => (listeners.removed++, win.removeEventListener(t, l)));
    vi.stubGlobal('document', doc);
    return { win, doc, listeners };
  }

  it('sends the queue with keepalive fetch on pagehide and on visibilitychange → hidden; shutdown removes the listeners', async () => {
    const { url, received } = await collector();
    const { win, doc, listeners } = fakePage();
    const inits: RequestInit[] = [];
    const platformFetch = globalThis.fetch;
    const exporter = createOtlpHttpExporter({ ...fast, url, fetch: (u, init) => (inits.push(init), platformFetch(u, init)) });
    expect(listeners.added).toBe(1); // pagehide on window; visibilitychange goes on the document

    exporter.export(makeSpans(3, 'a'));
    win.dispatchEvent(new Event('pagehide'));
    expect(exporter.stats.queued).toBe(0); // taken synchronously, before the page is frozen
    await until(() => exporter.stats.exported === 3);
    expect(inits[0]).toMatchObject({ method: 'POST', keepalive: true, headers: { 'content-type': 'application/json' } });

    exporter.export(makeSpans(2, 'b'));
    doc.dispatchEvent(new Event('visibilitychange')); // still visible: nothing sent
    expect(exporter.stats.queued).toBe(2);
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    await until(() => exporter.stats.exported === 5);
    expect(received.map((r) => r.spans)).toEqual([
      ['a0', 'a1', 'a2'],
      ['b0', 'b1'],
    ]);

    await exporter.shutdown();
    expect(listeners.removed).toBe(1);
  });

  it('falls back to sendBeacon beyond the 64 KiB keepalive budget', async () => {
    const { url, received } = await collector();
    const { win } = fakePage();
    const beacons: { url: string; type: string; size: number }[] = [];
    vi.stubGlobal('navigator', { sendBeacon: (u: string, blob: Blob) => (beacons.push({ url: u, type: blob.type, size: blob.size }), true) });
    const exporter = createOtlpHttpExporter({ ...fast, url });
    exporter.export([...makeSpans(1, 'small'), ...makeSpans(1, 'big', { payload: 'x'.repeat(70 * 1024) })]);
    win.dispatchEvent(new Event('pagehide'));
    // Split into bodies under 64 KiB where possible: the small span by keepalive fetch, the big one by beacon.
    await until(() => exporter.stats.exported === 2);
    expect(received.map((r) => r.spans)).toEqual([['small0']]);
    expect(beacons).toEqual([{ url, type: 'application/json', size: expect.any(Number) }]);
    expect(beacons[0].size).toBeGreaterThan(64 * 1024);
  });
});

describe('OTLP exporter under a steady stream of calls', () => {
  it('sends full batches as they fill, even when the calls never yield to timers: nothing is dropped', async () => {
    let requests = 0;
    let spansSent = 0;
    // Answers without I/O, so the loop below only ever yields to microtasks.
    const discard: FetchFunction = async (_url, init) => {
      requests++;
      spansSent += (String(init?.body).match(/"spanId"/g) ?? []).length;
      return new Response('{}', { status: 200 });
    };
    const exporter = createOtlpHttpExporter({
      url: 'http://127.0.0.1:9/v1/traces',
      fetch: discard,
      maxBatchSize: 64,
      maxQueueSize: 256,
      scheduledDelayMs: 60_000,
    });
    const tracer = createSpanTracer({ serviceName: 'busy', exporter });
    for (let i = 0; i < 5_000; i++) await traceCall({ tracers: [tracer], method: 'M' }, () => i);
    await exporter.forceFlush();
    expect(exporter.stats.dropped).toBe(0);
    expect(exporter.stats.exported).toBe(5_000);
    expect(spansSent).toBe(5_000);
    expect(requests).toBeGreaterThanOrEqual(5_000 / 64);
  });
});
