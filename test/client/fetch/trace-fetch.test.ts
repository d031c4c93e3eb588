import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContextKey, ROOT_CONTEXT, type Context } from '../../../src/context/context.js';
import { context, getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { getRPCInfo, type RPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { stats, type StatsEvent } from '../../../src/rpcinfo/stats-event.js';
import { StatsLevel } from '../../../src/rpcinfo/stats-level.js';
import { CALLER_SERVICE_HEADER } from '../../../src/rpcinfo/header-names.js';
import type { Tracer } from '../../../src/tracer/tracer.js';
import { traceFetch } from '../../../src/client/fetch/trace-fetch.js';
import { injectingTracer } from '../injecting-tracer.js';
import { serve } from '../../loopback.js';

// A loopback server: the path picks the answer; the JSON answer echoes what the request carried.
const UTF8 = 'héllo wörld ✓ 𝄞 — ünïcödé';
let server: Awaited<ReturnType<typeof serve>>;
let base: string;
const previous = getContextManager();

beforeAll(async () => {
  setContextManager(new AsyncLocalStorageContextManager());
  server = await serve(
    async (req, res) => {
      let bytes = 0;
      for await (const chunk of req) bytes += (chunk as Buffer).length;
      const url = new URL(req.url!, 'http://x');
      const q = (k: string) => url.searchParams.get(k);
      if (url.pathname === '/status') {
        res.statusCode = Number(q('code'));
        return res.end(res.statusCode === 204 ? undefined : 'status body');
      }
      if (url.pathname === '/redirect') return res.writeHead(302, { location: '/json?from=redirect' }).end();
      if (url.pathname === '/utf8') return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(UTF8);
      if (url.pathname === '/big') return res.writeHead(200).end(Buffer.alloc(256 * 1024, 'a'));
      if (url.pathname === '/stall') {
        // Headers and a first chunk, then nothing until the client goes away.
        res.writeHead(200).write('first chunk');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-test': 'yes' });
      res.end(
        JSON.stringify({ traceparent: req.headers.traceparent ?? null, caller: req.headers[CALLER_SERVICE_HEADER] ?? null, received: bytes, id: q('id') }),
      );
    },
    { backlog: 2048 },
  ); // 1,000 calls in flight
  base = server.url;
});

afterAll(async () => {
  await server.close();
  setContextManager(previous.enable());
});

const time = (ri: RPCInfo, e: StatsEvent) => ri.stats.getEvent(e)?.time;
function expectOrdered(ri: RPCInfo, events: StatsEvent[]) {
  const times = events.map((e) => time(ri, e));
  for (const [i, t] of times.entries()) expect(t, events[i].name).toBeTypeOf('number');
  for (let i = 1; i < times.length; i++) expect(times[i]!, `${events[i - 1].name} <= ${events[i].name}`).toBeGreaterThanOrEqual(times[i - 1]!);
}

describe('traceFetch: a successful call', () => {
  it('returns the JSON, records every phase in order, real sizes, and OTel attributes', async () => {
    const { t, settled } = injectingTracer();
    const f = traceFetch(undefined, { tracers: [t], service: 'web' });
    const body = JSON.stringify({ hello: UTF8 });
    const res = await f(`${base}/json?id=7`, { method: 'post', body, headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    const ri = await settled();
    expect(JSON.parse(text)).toMatchObject({ received: Buffer.byteLength(body), caller: 'web', traceparent: ri.headers.get('traceparent') });
    expectOrdered(ri, [
      stats.RPCStart,
      stats.WriteStart,
      stats.WriteFinish,
      stats.WaitReadStart,
      stats.WaitReadFinish,
      stats.ReadStart,
      stats.ReadFinish,
      stats.RPCFinish,
    ]);
    expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
    expect(ri.stats.sendSize).toBe(Buffer.byteLength(body));
    expect(ri.stats.recvSize).toBe(Buffer.byteLength(text));
    expect(ri.stats.error).toBeUndefined();
    expect(ri).toMatchObject({
      side: 'client',
      from: { serviceName: 'web' },
      to: { serviceName: new URL(base).host, method: 'POST /json', address: base },
      config: { transport: 'fetch', codec: 'json' },
    });
    expect(ri.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': `${base}/json`, // the query is left out unless keepUrlQuery
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(base).port),
      'http.response.status_code': 200,
    });
  });

  it('counts a multi-byte UTF-8 response and a streamed request body sent with duplex: half', async () => {
    const { t, settled } = injectingTracer();
    const f = traceFetch(undefined, { tracers: [t] });
    const res = await f(`${base}/utf8`);
    expect(await res.text()).toBe(UTF8);
    expect((await settled(1)).stats.recvSize).toBe(Buffer.byteLength(UTF8));

    const parts = ['chunk one ', UTF8, ' and the end'].map((s) => new TextEncoder().encode(s));
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(p);
        c.close();
      },
    });
    const init = { method: 'POST', body: stream, duplex: 'half' } as RequestInit;
    const echoed = await (await f(`${base}/json`, init)).json();
    const ri = await settled(2);
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    expect(echoed.received).toBe(total);
    expect(ri.stats.sendSize).toBe(total);
    expectOrdered(ri, [stats.WriteStart, stats.WriteFinish, stats.WaitReadStart, stats.WaitReadFinish, stats.ReadStart, stats.ReadFinish, stats.RPCFinish]);
  });

  it('returns a Response that reads like the original: url, redirected, type, headers, status, ok, clone', async () => {
    const { t, settled } = injectingTracer();
    const f = traceFetch(undefined, { tracers: [t] });
    const [plain, traced] = await Promise.all([fetch(`${base}/redirect`), f(`${base}/redirect`)]);
    expect(traced).toBeInstanceOf(Response);
    for (const key of ['url', 'redirected', 'type', 'status', 'statusText', 'ok', 'bodyUsed'] as const) expect(traced[key], key).toEqual(plain[key]);
    expect(traced.redirected).toBe(true);
    expect(traced.headers.get('x-test')).toBe('yes');
    expect([...traced.headers.keys()]).toEqual([...plain.headers.keys()]);
    const copy = traced.clone();
    expect(copy.url).toBe(plain.url);
    const [a, b, c] = await Promise.all([traced.json(), copy.json(), plain.json()]);
    expect({ ...a, traceparent: null }).toEqual(c);
    expect(b).toEqual(a);
    expect(traced.bodyUsed).toBe(true);
    expect((await settled()).stats.recvSize).toBe(Buffer.byteLength(JSON.stringify(a)));
  });

  it('counts every way of reading the body, and only the first reader', async () => {
    const { t, settled } = injectingTracer();
    const f = traceFetch({ tracers: [t] }); // traceFetch(options) is traceFetch(undefined, options)
    const size = Buffer.byteLength(UTF8);
    const reads: [string, (r: Response) => Promise<unknown>, (v: any) => unknown][] = [
      ['arrayBuffer', (r) => r.arrayBuffer(), (v: ArrayBuffer) => v.byteLength],
      ['bytes', (r) => r.bytes(), (v: Uint8Array) => v.byteLength],
      ['blob', (r) => r.blob(), (v: Blob) => v.size],
      ['text', (r) => r.text(), (v: string) => Buffer.byteLength(v)],
      ['body', (r) => new Response(r.body).text(), (v: string) => Buffer.byteLength(v)],
      [
        'clone',
        async (r) => {
          const c = r.clone();
          await c.text();
          return r.text();
        },
        (v: string) => Buffer.byteLength(v),
      ],
    ];
    for (const [i, [name, read, measure]] of reads.entries()) {
      const res = await f(`${base}/utf8`);
      expect(measure(await read(res)), name).toBe(size);
      const ri = await settled(i + 1);
      expect(ri.stats.recvSize, name).toBe(size);
      expect(ri.stats.getEvent(stats.ReadFinish), name).toBeDefined();
    }
    // A second read fails as fetch's would, without turning the finished call into an error.
    const res = await f(`${base}/json`);
    const first = res.json();
    await expect(res.text()).rejects.toBeInstanceOf(TypeError);
    await first;
    const ri = await settled(reads.length + 1);
    expect(ri.stats.error).toBeUndefined();
    expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
  });

  it('runs fetchImpl with the call context active, under options.ctx when given', async () => {
    const KEY = createContextKey('parent');
    let inside: Context | undefined;
    const impl = ((input: RequestInfo | URL, init?: RequestInit) => {
      inside = context.active();
      return fetch(input, init);
    }) as typeof fetch;
    const { t, settled } = injectingTracer();
    const f = traceFetch(impl, { tracers: [t], ctx: ROOT_CONTEXT.setValue(KEY, 'p') });
    await (await f(`${base}/json`)).text();
    expect(getRPCInfo(inside)).toBe(await settled());
    expect(inside!.getValue(KEY)).toBe('p');
  });

  it('honours statsLevel: Base records only RPCStart and RPCFinish', async () => {
    const { t, settled } = injectingTracer();
    await (await traceFetch(undefined, { tracers: [t], statsLevel: StatsLevel.Base })(`${base}/json`)).text();
    expect((await settled()).stats.events().map((r) => r.event.name)).toEqual(['RPCStart', 'RPCFinish']);
  });
});

describe('traceFetch: failures and early ends', () => {
  it('a 5xx finishes with RPCFinish status error and error.type, stats.error unset', async () => {
    const { t, settled } = injectingTracer();
    const res = await traceFetch(undefined, { tracers: [t] })(`${base}/status?code=503`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('status body');
    const ri = await settled();
    expect(ri.stats.error).toBeUndefined();
    expect(ri.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: 'HTTP 503' });
    expect(ri.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
  });

  it('a network error reaches the caller and stats.error as the same object', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const { t, settled } = injectingTracer();
    const error = await traceFetch(undefined, { tracers: [t] })(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    const ri = await settled();
    expect(ri.stats.error).toBe(error);
    expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
    // The one error rule: the error's name; the code (ECONNREFUSED) stays on stats.error.cause.
    expect(ri.attributes['error.type']).toBe('TypeError');
  });

  it('arguments fetch refuses are refused by fetch itself, with its own error', async () => {
    const { t, finished, settled } = injectingTracer();
    const f = traceFetch(undefined, { tracers: [t] });
    const bad = { headers: { 'bad header': 'x' } };
    const [native, traced] = await Promise.all([fetch(`${base}/json`, bad).catch((e: Error) => e), f(`${base}/json`, bad).catch((e: Error) => e)]);
    expect(traced).toBeInstanceOf(TypeError);
    expect((traced as Error).message).toBe((native as Error).message);
    expect((await settled(1)).stats.error).toBe(traced);
    // A URL that does not parse is not an RPC to trace: fetch rejects it, no tracer runs.
    await expect(f('/relative/in/node')).rejects.toBeInstanceOf(TypeError);
    expect(finished).toHaveLength(1);
  });

  it('an abort before the call rejects with the abort reason, which becomes stats.error', async () => {
    const { t, settled } = injectingTracer();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error = await traceFetch(undefined, { tracers: [t] })(`${base}/json`, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBe(controller.signal.reason);
    expect((await settled()).stats.error).toBe(error);
  });

  it('an abort during the body errors the read and finishes the call, read or not', async () => {
    const { t, settled } = injectingTracer();
    const f = traceFetch(undefined, { tracers: [t] });
    const reading = new AbortController();
    const res = await f(`${base}/stall`, { signal: reading.signal });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first chunk');
    const pending = reader.read();
    reading.abort();
    await expect(pending).rejects.toBe(reading.signal.reason);
    const ri = await settled(1);
    expect(ri.stats.error).toBe(reading.signal.reason);
    expect(ri.stats.recvSize).toBe('first chunk'.length);

    const idle = new AbortController();
    await f(`${base}/stall`, { signal: idle.signal });
    idle.abort(new Error('gone'));
    expect((await settled(2)).stats.error).toBe(idle.signal.reason);
  });

  it('a body nobody reads finishes at idleTimeoutMs with status warn, and stays readable', async () => {
    const { t, settled } = injectingTracer();
    const res = await traceFetch(undefined, { tracers: [t], idleTimeoutMs: 50 })(`${base}/json`);
    const ri = await settled();
    expect(ri.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'warn', info: expect.stringContaining('not read within 50 ms') });
    expect(ri.stats.error).toBeUndefined();
    expect(await res.json()).toHaveProperty('received', 0);
  });

  it('a 204 (no body) finishes at the headers, without read events', async () => {
    const { t, settled } = injectingTracer();
    const res = await traceFetch(undefined, { tracers: [t] })(`${base}/status?code=204`);
    expect(res.body).toBeNull();
    const ri = await settled();
    expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
    expect(ri.stats.getEvent(stats.ReadStart)).toBeUndefined();
    expect(ri.attributes['http.response.status_code']).toBe(204);
  });

  it('a cancelled body finishes with status warn and what was read so far', async () => {
    const { t, settled } = injectingTracer();
    const res = await traceFetch(undefined, { tracers: [t] })(`${base}/big`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    await reader.cancel('enough');
    const ri = await settled();
    expect(ri.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'warn', info: expect.stringContaining('cancelled') });
    expect(ri.stats.recvSize).toBe(first.value!.byteLength);
    expect(ri.stats.getEvent(stats.ReadFinish)).toBeUndefined();
  });

  it('a throwing tracer changes nothing the caller sees', async () => {
    const errors: unknown[] = [];
    const bad: Tracer = {
      start: () => {
        throw new Error('start');
      },
      finish: () => {
        throw new Error('finish');
      },
    };
    const { t, settled } = injectingTracer();
    const f = traceFetch(undefined, { tracers: [bad, t], onTracerError: (e) => errors.push(e.error) });
    const res = await f(`${base}/json?id=1`);
    const plain = await fetch(`${base}/json?id=1`);
    expect(res.status).toBe(plain.status);
    const body = await res.json();
    expect(body.id).toBe('1');
    expect(body.traceparent).toBe((await settled()).headers.get('traceparent'));
    expect(errors.map((e) => (e as Error).message)).toEqual(['start', 'finish']);
  });
});

describe('traceFetch: options', () => {
  it('rejects bad options with clear TypeErrors', () => {
    expect(() => traceFetch('fetch' as never, {})).toThrow(/fetchImpl to be a fetch function/);
    expect(() => traceFetch(undefined, { propagateTo: ['api.example.com'] })).toThrow(/propagateTo\[0\] must be an origin/);
    expect(() => traceFetch(undefined, { propagateTo: ['https://a.example/path'] })).toThrow(/use a RegExp to match paths/);
    expect(() => traceFetch(undefined, { propagateTo: [42 as never] })).toThrow(/origin string or a RegExp, got number/);
    expect(() => traceFetch(undefined, { idleTimeoutMs: -1 })).toThrow(/idleTimeoutMs must be a number >= 0/);
    expect(() => traceFetch(undefined, { describe: 'x' as never })).toThrow(/describe must be a function/);
    expect(() => traceFetch(undefined, { tracers: [{}] as never })).toThrow(/tracers\[0\] is not a Tracer/);
    expect(() => traceFetch(undefined, { statsLevel: 5 as never })).toThrow(/statsLevel/);
  });
});
