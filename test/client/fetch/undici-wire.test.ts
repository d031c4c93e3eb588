// traceFetch on Node with undici's diagnostics channels observed (what `isotrace/node` installs):
// a call ends at its response's last byte, read or not, with the real clients and servers of issue 12.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { serve as honoServe, type ServerType } from '@hono/node-server';
import ky, { HTTPError } from 'ky';
import axios from 'axios';
import { initTRPC } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { createTRPCClient, httpBatchStreamLink } from '@trpc/client';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { now } from '../../../src/rpcinfo/rpc-stats.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { traceFetch } from '../../../src/client/fetch/trace-fetch.js';
import { observeUndiciFetch } from '../../../src/client/fetch/undici-wire.js';
import { injectingTracer } from '../injecting-tracer.js';
import { listen, serve } from '../../loopback.js';

const previous = getContextManager();
const NativeResponse = globalThis.Response;
const CHUNKS = ['first part, ', 'second part'];
let server: Awaited<ReturnType<typeof serve>>;
/** When the /slow handler wrote its last byte (epoch ms, the clock RPCFinish uses). */
let slowEnded = 0;

beforeAll(async () => {
  setContextManager(new AsyncLocalStorageContextManager());
  observeUndiciFetch();
  server = await serve(async (req, res) => {
    const bodies: Buffer[] = [];
    for await (const chunk of req) bodies.push(chunk as Buffer);
    const url = new URL(req.url!, 'http://x');
    // statusCode and end(body), not writeHead: Node then sends content-length, as servers do for small answers.
    res.setHeader('content-type', 'text/plain');
    if (url.pathname === '/missing') return (void (res.statusCode = 404), res.end('no such thing'));
    if (url.pathname === '/broken') return (void (res.statusCode = 500), res.end('it broke on our side'));
    if (url.pathname === '/slow') {
      res.writeHead(200).write(CHUNKS[0]);
      setTimeout(() => {
        slowEnded = now();
        res.end(CHUNKS[1]);
      }, 100);
      return;
    }
    res.end(JSON.stringify({ received: Buffer.concat(bodies).length }));
  });
});

afterAll(async () => {
  await server.close();
  setContextManager(previous.enable());
});

describe('traceFetch on Node: the call ends at the last byte', () => {
  it('a body nobody reads ends when it has arrived, with its size, not at the idle limit', async () => {
    const { t, settled } = injectingTracer();
    const res = await traceFetch(undefined, { tracers: [t], idleTimeoutMs: 60_000 })(`${server.url}/slow`);
    const ri = await settled();
    expect(res.ok).toBe(true);
    expect(ri.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'info', info: '' });
    expect(ri.stats.getEvent(stats.RPCFinish)!.time).toBeGreaterThanOrEqual(slowEnded);
    expect(ri.stats.getEvent(stats.ReadFinish)!.time).toBe(ri.stats.getEvent(stats.RPCFinish)!.time);
    const names = ri.stats.events().map((r) => r.event.name);
    expect(names).toEqual(['RPCStart', 'WriteStart', 'WriteFinish', 'WaitReadStart', 'WaitReadFinish', 'ReadStart', 'ReadFinish', 'RPCFinish']);
    // undici 7 reports the chunks; undici 6 (Node 20) only content-length, which a streamed answer lacks.
    const chunksReported = Number(process.versions.undici?.split('.')[0]) >= 7;
    expect(ri.stats.recvSize).toBe(chunksReported ? CHUNKS.join('').length : 0);
    expect(await res.text()).toBe(CHUNKS.join(''));
  });

  it('a body read as it streams ends at its last byte with the bytes read', async () => {
    const { t, settled } = injectingTracer();
    const res = await traceFetch(undefined, { tracers: [t] })(`${server.url}/slow`);
    expect(await res.text()).toBe(CHUNKS.join(''));
    const ri = await settled();
    expect(ri.stats.recvSize).toBe(CHUNKS.join('').length);
    expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
    expect(ri.stats.getEvent(stats.RPCFinish)!.time).toBeGreaterThanOrEqual(slowEnded);
  });

  it('ky: a 404 and a 500 with unread bodies end promptly as errors with their sizes (issue 12, point 4)', async () => {
    const { t, settled } = injectingTracer();
    const client = ky.create({ fetch: traceFetch(undefined, { tracers: [t], idleTimeoutMs: 60_000 }), retry: 0 });
    for (const [n, path, body, code] of [
      [1, 'missing', 'no such thing', 404],
      [2, 'broken', 'it broke on our side', 500],
    ] as const) {
      const error = await client.get(`${server.url}/${path}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HTTPError);
      // settled waits 2 s at most: the call ended at its last byte, not at the 60 s idle limit.
      const ri = await settled(n);
      expect(ri.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: `HTTP ${code}` });
      expect(ri.attributes).toMatchObject({ 'http.response.status_code': code, 'error.type': String(code) });
      expect(ri.stats.recvSize).toBe(body.length);
      expect(ri.stats.error).toBeUndefined();
      // The whole answer arrives before fetch resolves: every phase still within the call, in order.
      expect(ri.stats.events().at(-1)!.event).toBe(stats.RPCFinish);
    }
  });

  it('ky and axios send a new Request(...): sendSize is the body they built (issue 12, point 5)', async () => {
    const { t, settled } = injectingTracer();
    const traced = traceFetch(undefined, { tracers: [t] });
    const payload = { hello: 'wörld', list: [1, 2, 3] };
    const bytes = Buffer.byteLength(JSON.stringify(payload));
    expect(await ky.post(`${server.url}/echo`, { json: payload, fetch: traced, retry: 0 }).json()).toEqual({ received: bytes });
    expect((await settled(1)).stats.sendSize).toBe(bytes);
    const viaAxios = await axios.post(`${server.url}/echo`, payload, { adapter: 'fetch', env: { fetch: traced } });
    expect(viaAxios.data).toEqual({ received: bytes });
    const ri = await settled(2);
    expect(ri.stats.sendSize).toBe(bytes);
    expect(ri.stats.recvSize).toBe(JSON.stringify({ received: bytes }).length);
  });

  it('FormData: sendSize is the multipart body undici sent', async () => {
    const { t, settled } = injectingTracer();
    const form = new FormData();
    form.append('field', 'value');
    const res = await traceFetch(undefined, { tracers: [t] })(`${server.url}/echo`, { method: 'POST', body: form });
    const { received } = (await res.json()) as { received: number };
    expect(received).toBeGreaterThan(0);
    expect((await settled()).stats.sendSize).toBe(received);
  });
});

describe('traceFetch with the real libraries of issue 12', () => {
  it("Hono's serve() replacing globalThis.Response: the body is still counted and the call ends at its last byte (point 2)", async () => {
    let honoEnded = 0;
    const app = new Hono();
    app.get('/stream', (c) =>
      stream(c, async (s) => {
        await s.write(CHUNKS[0]);
        await s.sleep(100);
        await s.write(CHUNKS[1]);
        honoEnded = now();
      }),
    );
    let hono: ServerType | undefined;
    try {
      hono = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
      await new Promise((r) => hono!.once('listening', r));
      expect(globalThis.Response).not.toBe(NativeResponse); // the condition of the bug
      const { port } = hono.address() as { port: number };
      const { t, settled } = injectingTracer();
      const res = await traceFetch(undefined, { tracers: [t] })(`http://127.0.0.1:${port}/stream`);
      expect(await res.text()).toBe(CHUNKS.join(''));
      const ri = await settled();
      expect(ri.stats.recvSize).toBe(CHUNKS.join('').length);
      expect(ri.stats.getEvent(stats.ReadStart)).toBeDefined();
      expect(ri.stats.getEvent(stats.RPCFinish)!.time).toBeGreaterThanOrEqual(honoEnded);
    } finally {
      hono?.close();
      globalThis.Response = NativeResponse;
    }
  });

  it('tRPC 11 httpBatchStreamLink: a call that succeeds ends without error, its abort after the end is normal (point 3)', async () => {
    const t0 = initTRPC.create();
    const router = t0.router({
      greet: t0.procedure.input((v) => String(v)).query(({ input }) => `hello ${input}`),
      count: t0.procedure.query(() => 42),
    });
    const trpcServer = createServer(createHTTPHandler({ router }));
    const url = await listen(trpcServer);
    try {
      const { t, finished, settled } = injectingTracer();
      const client = createTRPCClient<typeof router>({ links: [httpBatchStreamLink({ url, fetch: traceFetch(undefined, { tracers: [t] }) })] });
      expect(await Promise.all([client.greet.query('you'), client.count.query()])).toEqual(['hello you', 42]);
      expect(await client.greet.query('again')).toBe('hello again');
      await settled(2);
      for (const ri of finished) {
        expect(ri.stats.error).toBeUndefined();
        expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
        expect(ri.attributes['error.type']).toBeUndefined();
      }
    } finally {
      trpcServer.closeAllConnections();
      await new Promise((r) => trpcServer.close(r));
    }
  });
});

describe('a Connect error body when the runtime reports the last byte first', () => {
  /** A Connect unary `internal` error: a small JSON body in the same packet as the headers. */
  const connectError = (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"code":"internal","message":"backend down"}');
  };

  it('an app that reads the body at once gets its code, though the call ended at the last byte first', async () => {
    const backend = await serve(connectError);
    try {
      const { t, settled } = injectingTracer();
      const fetch = traceFetch(undefined, { tracers: [t], idleTimeoutMs: 60_000 });
      // Twenty calls: undici's end-of-response usually comes before the app's first read.
      for (let i = 1; i <= 20; i++) {
        await (await fetch(`${backend.url}/demo.v1.Backend/LoadUser`, { method: 'POST', body: '{}' })).json();
        const ri = await settled(i);
        expect(ri.attributes['rpc.connect_rpc.error_code']).toBe('internal');
        expect(ri.attributes['error.type']).toBe('internal');
        expect(ri.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: 'backend down' });
      }
    } finally {
      await backend.close();
    }
  });

  it('an app that never reads it (ky throwing on the status) still ends the call at once, as an HTTP failure', async () => {
    const backend = await serve(connectError);
    try {
      const { t, settled } = injectingTracer();
      const client = ky.create({ fetch: traceFetch(undefined, { tracers: [t], idleTimeoutMs: 60_000 }), retry: 0 });
      expect(await client.post(`${backend.url}/demo.v1.Backend/LoadUser`, { body: '{}' }).catch((e: unknown) => e)).toBeInstanceOf(HTTPError);
      // settled waits 2 s at most, far below the 60 s idle limit.
      const ri = await settled(1);
      expect(ri.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: 'HTTP 500' });
      expect(ri.attributes['error.type']).toBe('500');
    } finally {
      await backend.close();
    }
  });
});

describe('when isotrace/node subscribes to undici', () => {
  it('not on import: only once a traced fetch is made, so a process that traces no fetch pays nothing', async () => {
    // A fresh process: this file's own subscription must not answer for it.
    const script = `
      import { hasSubscribers } from 'node:diagnostics_channel';
      const { traceFetch } = await import(${JSON.stringify(new URL('../../../dist/node.mjs', import.meta.url).href)});
      const before = hasSubscribers('undici:request:create');
      traceFetch({ tracers: [] });
      const untraced = hasSubscribers('undici:request:create');
      traceFetch({ tracers: [{ start: (ctx) => ctx, finish() {} }] });
      console.log(JSON.stringify({ before, untraced, after: hasSubscribers('undici:request:create') }));`;
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ before: false, untraced: false, after: true });
  });
});
