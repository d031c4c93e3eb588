import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { getRPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { rpcMethod, rpcName } from '../../../src/rpcinfo/conventions/rpc-conventions.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { StatsLevel } from '../../../src/rpcinfo/stats-level.js';
import { CALLER_SERVICE_HEADER } from '../../../src/rpcinfo/header-names.js';
import { traceHttpHandler, type HttpHandlerErrorEvent } from '../../../src/server/http/handler.js';
import { RequestAbortedError } from '../../../src/rpcinfo/errors.js';
import { delay, eventNames, inOrder, recorder, serve } from '../helpers.js';
import { now } from '../../../src/rpcinfo/rpc-stats.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('traceHttpHandler', () => {
  it('traces a call: names, events in order, exact sizes, attributes, the caller', async () => {
    const rec = recorder();
    const seen: unknown[] = [];
    const handler = traceHttpHandler(
      async (req: IncomingMessage, res: ServerResponse) => {
        seen.push(getRPCInfo());
        const body = await readAll(req);
        await delay(2);
        seen.push(getRPCInfo());
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.write('héllo ');
        res.end(Buffer.from(body.toString().toUpperCase()));
      },
      { tracers: [rec.tracer], service: 'users' },
    );
    const srv = await serve(handler);
    const res = await fetch(`${srv.url}/acme.user.v1.UserService/GetUser?x=1`, {
      method: 'POST',
      body: 'hello world',
      headers: { [CALLER_SERVICE_HEADER]: 'gateway', 'content-type': 'application/json', 'user-agent': 'test-agent' },
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('héllo HELLO WORLD');
    const [ri] = await rec.finishedCount(1);
    await srv.close();

    expect(seen).toEqual([ri, ri]);
    expect(ri.side).toBe('server');
    expect(ri.from.serviceName).toBe('gateway');
    expect(ri.from.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(ri.to).toMatchObject({ serviceName: 'users', method: 'GetUser' });
    expect(ri.invocation).toMatchObject({ service: 'acme.user.v1.UserService', package: 'acme.user.v1', method: 'GetUser' });
    expect(ri.config.transport).toBe('http');
    expect(ri.stats.recvSize).toBe(11);
    expect(ri.stats.sendSize).toBe(Buffer.byteLength('héllo HELLO WORLD'));
    expect(ri.stats.error).toBeUndefined();
    expect(new Set(eventNames(ri))).toEqual(
      new Set(['RPCStart', 'ServerHandleStart', 'ReadStart', 'ReadFinish', 'WriteStart', 'ServerHandleFinish', 'WriteFinish', 'RPCFinish']),
    );
    expect(inOrder(ri, stats.RPCStart, stats.ServerHandleStart, stats.ReadStart, stats.ReadFinish, stats.WriteStart, stats.WriteFinish, stats.RPCFinish)).toBe(
      true,
    );
    expect(inOrder(ri, stats.WriteStart, stats.ServerHandleFinish, stats.RPCFinish)).toBe(true);
    expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('info');
    expect(ri.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.path': '/acme.user.v1.UserService/GetUser',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'client.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'user_agent.original': 'test-agent',
      'http.response.status_code': 201,
      'rpc.system': 'connect_rpc',
      'rpc.method': 'GetUser',
    });
    expect(ri.attributes['server.port']).toBe(Number(new URL(srv.url).port));
    expect(ri.attributes['error.type']).toBeUndefined();
  });

  it('names plain HTTP by its method, never its raw path (kept in url.path, without the query); describe overrides; no tracers → Disabled', async () => {
    const rec = recorder();
    const plain = await serve(traceHttpHandler((_req, res) => res.end('ok'), { tracers: [rec.tracer], service: 'web' }));
    const described = await serve(
      traceHttpHandler((_req, res) => res.end('ok'), { tracers: [rec.tracer], describe: (req) => ({ method: `custom ${req.headers['x-op']}` }) }),
    );
    const throwing = await serve(
      traceHttpHandler((_req, res) => res.end('ok'), {
        tracers: [rec.tracer],
        describe: () => {
          throw new Error('x');
        },
      }),
    );
    let level: unknown;
    const untraced = await serve(
      traceHttpHandler((_req, res) => {
        level = getRPCInfo()!.stats.level;
        res.end('ok');
      }),
    );
    await (await fetch(`${plain.url}/users/42?debug=1`)).text();
    await (await fetch(`${described.url}/x`, { headers: { 'x-op': 'op1' } })).text();
    await (await fetch(`${throwing.url}/y`, { method: 'DELETE' })).text();
    await (await fetch(untraced.url)).text();
    const [a, b, c] = await rec.finishedCount(3);
    await Promise.all([plain.close(), described.close(), throwing.close(), untraced.close()]);
    expect(a.to).toMatchObject({ serviceName: 'web', method: '' });
    expect(a.invocation).toMatchObject({ service: 'web', method: '' });
    expect(rpcName(a)).toBe('GET');
    expect(rpcMethod(a)).toBe('GET');
    expect(a.attributes['url.path']).toBe('/users/42');
    expect(a.attributes['rpc.system']).toBeUndefined();
    expect(b.to.method).toBe('custom op1');
    expect(rpcName(c)).toBe('DELETE');
    expect(level).toBe(StatsLevel.Disabled);
  });

  it('counts the body as the handler reads it, however it reads, without taking data from it', async () => {
    const body = Buffer.alloc(256 * 1024, 'abcdefgh');
    const readers: Record<string, (req: IncomingMessage) => Promise<number>> = {
      forAwait: async (req) => (await readAll(req)).length,
      onData: (req) =>
        new Promise((resolve) => {
          let n = 0;
          req.on('data', (c: Buffer) => (n += c.length));
          req.on('end', () => resolve(n));
        }),
      pipe: async (req) => {
        let n = 0;
        await pipeline(
          req,
          new Writable({
            write(c: Buffer, _e, cb) {
              n += c.length;
              cb();
            },
          }),
        );
        return n;
      },
      readMethod: (req) =>
        new Promise((resolve) => {
          let n = 0;
          req.on('readable', () => {
            let c: Buffer | null;
            while ((c = req.read() as Buffer | null) !== null) n += c.length;
          });
          req.on('end', () => resolve(n));
        }),
      // Reads only after a while: a body taken by an early 'data' listener would be lost by now.
      lateForAwait: async (req) => {
        await delay(30);
        return (await readAll(req)).length;
      },
    };
    const rec = recorder();
    const srv = await serve(
      traceHttpHandler(
        async (req, res) => {
          const n = await readers[req.url!.slice(1)](req);
          res.end(String(n));
        },
        { tracers: [rec.tracer] },
      ),
    );
    for (const name of Object.keys(readers)) {
      const res = await fetch(`${srv.url}/${name}`, { method: 'POST', body });
      expect(await res.text(), name).toBe(String(body.length));
    }
    const calls = await rec.finishedCount(Object.keys(readers).length);
    await srv.close();
    for (const ri of calls) {
      expect(ri.stats.recvSize, ri.to.method).toBe(body.length);
      expect(inOrder(ri, stats.ServerHandleStart, stats.ReadStart, stats.ReadFinish, stats.WriteStart), ri.to.method).toBe(true);
    }
  });

  it('counts bytes, not characters, with setEncoding; an unread body counts nothing', async () => {
    const rec = recorder();
    const text = 'zürich→東京 '.repeat(5000);
    const srv = await serve(
      traceHttpHandler(
        async (req, res) => {
          if (req.url === '/unread') {
            res.end('ignored');
            return;
          }
          req.setEncoding('utf8');
          let s = '';
          for await (const chunk of req) s += chunk;
          res.end(String(s.length));
        },
        { tracers: [rec.tracer] },
      ),
    );
    expect(await (await fetch(`${srv.url}/utf8`, { method: 'POST', body: text })).text()).toBe(String(text.length));
    expect(await (await fetch(`${srv.url}/unread`, { method: 'POST', body: 'x'.repeat(50_000) })).text()).toBe('ignored');
    const [utf8, unread] = await rec.finishedCount(2);
    await srv.close();
    expect(utf8.stats.recvSize).toBe(Buffer.byteLength(text));
    expect(unread.stats.recvSize).toBe(0);
    expect(unread.stats.getEvent(stats.ReadStart)).toBeUndefined();
  });

  it('runs req and res listeners in the call context; HEAD and 204 bodies are not counted', async () => {
    const rec = recorder();
    const inListeners: boolean[] = [];
    const srv = await serve(
      traceHttpHandler(
        (req, res) => {
          const ri = getRPCInfo();
          req.on('data', () => inListeners.push(getRPCInfo() === ri));
          req.on('end', () => {
            inListeners.push(getRPCInfo() === ri);
            if (req.url === '/204') res.writeHead(204).end('dropped');
            else res.end('body');
          });
          res.on('finish', () => inListeners.push(getRPCInfo() === ri));
        },
        { tracers: [rec.tracer] },
      ),
    );
    await (await fetch(srv.url, { method: 'POST', body: 'data' })).text();
    await (await fetch(srv.url, { method: 'HEAD' })).text();
    await (await fetch(`${srv.url}/204`)).text();
    const [post, head, noContent] = await rec.finishedCount(3);
    await srv.close();
    expect(inListeners.length).toBeGreaterThanOrEqual(7);
    expect(inListeners.every(Boolean)).toBe(true);
    expect([post.stats.sendSize, head.stats.sendSize, noContent.stats.sendSize]).toEqual([4, 0, 0]);
  });

  it('streams a slow response: several delayed chunks, sendSize is the total, finish after the last', async () => {
    const rec = recorder();
    let headSentAt = 0;
    let endCalledAt = 0;
    const srv = await serve(
      traceHttpHandler(
        async (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          headSentAt = now();
          for (let i = 0; i < 5; i++) {
            res.write(Buffer.alloc(1000 + i, i));
            await delay(20);
          }
          endCalledAt = now();
          res.end('tail');
        },
        { tracers: [rec.tracer] },
      ),
    );
    const res = await fetch(srv.url);
    const received: number[] = [];
    for await (const chunk of res.body!) received.push(chunk.byteLength);
    const [ri] = await rec.finishedCount(1);
    await srv.close();
    const total = 1000 + 1001 + 1002 + 1003 + 1004 + 4;
    expect(received.reduce((a, b) => a + b, 0)).toBe(total);
    expect(ri.stats.sendSize).toBe(total);
    // Ordering against the handler's own clock readings, not a duration.
    expect(ri.stats.getEvent(stats.WriteStart)!.time).toBeLessThanOrEqual(headSentAt);
    expect(ri.stats.getEvent(stats.WriteFinish)!.time).toBeGreaterThanOrEqual(endCalledAt);
    expect(inOrder(ri, stats.RPCStart, stats.WriteStart, stats.WriteFinish, stats.RPCFinish)).toBe(true);
  });

  it('a deliberate 5xx finishes with RPCFinish error (so every tracer counts it failed) but no stats.error', async () => {
    const rec = recorder();
    const srv = await serve(
      traceHttpHandler(
        (_req, res) => {
          res.writeHead(503).end('busy');
        },
        { tracers: [rec.tracer] },
      ),
    );
    expect((await fetch(srv.url)).status).toBe(503);
    const [ri] = await rec.finishedCount(1);
    await srv.close();
    expect(ri.stats.error).toBeUndefined();
    expect(ri.stats.getEvent(stats.RPCFinish)).toMatchObject({ status: 'error', info: 'HTTP 503' });
    expect(ri.attributes).toMatchObject({ 'error.type': '503', 'http.response.status_code': 503 });
  });

  it('a thrown or rejected handler: 500, error recorded, onHandlerError told, the server keeps serving', async () => {
    const rec = recorder();
    const events: HttpHandlerErrorEvent[] = [];
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    const boom = new TypeError('sync boom');
    const later = new RangeError('async boom');
    const srv = await serve(
      traceHttpHandler(
        async (req, res) => {
          if (req.url === '/throw') {
            res.setHeader('x-half-done', '1');
            throw boom;
          }
          if (req.url === '/reject') {
            await delay(5);
            throw later;
          }
          if (req.url === '/custom') throw new Error('custom');
          res.end('fine');
        },
        {
          tracers: [rec.tracer],
          onHandlerError: (event) => {
            events.push(event);
            expect(getRPCInfo()).toBe(getRPCInfo(event.ctx));
            if (event.req.url === '/custom') event.res.writeHead(503).end('busy');
          },
        },
      ),
    );
    // A synchronous throw from a non-async handler too: node:http itself would crash on it.
    const syncThrow = await serve(
      traceHttpHandler(
        () => {
          throw boom;
        },
        { tracers: [rec.tracer], onHandlerError: (e) => events.push(e) },
      ),
    );
    const r1 = await fetch(`${srv.url}/throw`);
    expect([r1.status, r1.headers.get('x-half-done'), await r1.text()]).toEqual([500, null, 'Internal Server Error']);
    const r2 = await fetch(`${srv.url}/reject`);
    expect([r2.status, await r2.text()]).toEqual([500, 'Internal Server Error']);
    const r3 = await fetch(`${srv.url}/custom`);
    expect([r3.status, await r3.text()]).toEqual([503, 'busy']);
    const r4 = await fetch(syncThrow.url);
    expect(r4.status).toBe(500);
    await r4.text();
    const r5 = await fetch(`${srv.url}/ok`);
    expect(await r5.text()).toBe('fine');
    const calls = await rec.finishedCount(5);
    await Promise.all([srv.close(), syncThrow.close()]);
    process.off('unhandledRejection', unhandled);

    expect(events.map((e) => e.error)).toEqual([boom, later, expect.any(Error), boom]);
    const [thrown, rejected, custom, sync, ok] = calls;
    expect(thrown.stats.error).toBe(boom);
    expect(thrown.attributes).toMatchObject({ 'error.type': 'TypeError', 'http.response.status_code': 500 });
    expect(thrown.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
    expect(thrown.stats.getEvent(stats.ServerHandleFinish)!.status).toBe('error');
    expect(rejected.stats.error).toBe(later);
    expect(rejected.attributes['error.type']).toBe('RangeError');
    expect(custom.attributes['http.response.status_code']).toBe(503);
    expect(sync.stats.error).toBe(boom);
    expect(ok.stats.error).toBeUndefined();
    expect(unhandled).not.toHaveBeenCalled();
  });

  it('a handler that fails after sending headers cuts the response; without onHandlerError it logs', async () => {
    const rec = recorder();
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const boom = new Error('mid-body');
    const srv = await serve(
      traceHttpHandler(
        async (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('partial');
          await delay(5);
          throw boom;
        },
        { tracers: [rec.tracer] },
      ),
    );
    const res = await fetch(srv.url);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    const [ri] = await rec.finishedCount(1);
    await srv.close();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('handler failed'), boom);
    log.mockRestore();
    expect(ri.stats.error).toBe(boom);
    expect(ri.stats.sendSize).toBe(7);
    expect(ri.attributes['error.type']).toBe('Error');
  });

  it('a client that disconnects mid-request-body or mid-response finishes the RPC as aborted', async () => {
    const rec = recorder();
    let gotData!: () => void;
    const dataSeen = new Promise<void>((r) => (gotData = r));
    const srv = await serve(
      traceHttpHandler(
        async (req, res) => {
          if (req.url === '/upload') {
            req.once('data', () => gotData());
            await readAll(req).catch(() => {});
            return;
          }
          res.writeHead(200);
          for (let i = 0; i < 50 && !res.destroyed; i++) {
            res.write('x'.repeat(100));
            await delay(10);
          }
          res.end();
        },
        { tracers: [rec.tracer], onHandlerError: () => {} },
      ),
    );
    // Mid-request-body: announce 1 MB, send 1,000 bytes, then drop the connection.
    const port = Number(new URL(srv.url).port);
    const upload = httpRequest({ port, host: '127.0.0.1', path: '/upload', method: 'POST', headers: { 'content-length': 1_000_000 } });
    upload.on('error', () => {});
    upload.write('y'.repeat(1000));
    await dataSeen;
    upload.destroy();
    // Mid-response: read one chunk, then abort.
    const ac = new AbortController();
    const res = await fetch(`${srv.url}/download`, { signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    const calls = await rec.finishedCount(2);
    await srv.close();
    const up = calls.find((c) => c.attributes['url.path'] === '/upload')!;
    const down = calls.find((c) => c.attributes['url.path'] === '/download')!;
    for (const ri of [up, down]) {
      expect(ri.stats.error).toBeInstanceOf(RequestAbortedError);
      expect(String(ri.stats.error)).toMatch(/aborted/);
      expect(ri.attributes['error.type']).toBe('aborted');
      expect(ri.stats.getEvent(stats.RPCFinish)!.status).toBe('error');
      expect(ri.stats.getEvent(stats.WriteFinish)).toBeUndefined();
    }
    expect(up.stats.recvSize).toBeGreaterThanOrEqual(1000);
    expect(up.stats.recvSize).toBeLessThan(1_000_000);
    expect(up.attributes['http.response.status_code']).toBeUndefined();
    expect(down.stats.sendSize).toBeGreaterThanOrEqual(100);
    expect(down.stats.sendSize).toBeLessThan(5000);
  });

  it('refuses bad arguments at wrap time', () => {
    expect(() => traceHttpHandler(undefined as never)).toThrow(/handler function/);
    expect(() => traceHttpHandler(() => {}, { service: 1 as never })).toThrow(/service/);
    expect(() => traceHttpHandler(() => {}, { statsLevel: 7 as never })).toThrow(/statsLevel/);
    expect(() => traceHttpHandler(() => {}, { onHandlerError: 'x' as never })).toThrow(/onHandlerError/);
    expect(() => traceHttpHandler(() => {}, { tracers: [{} as never] })).toThrow(/Tracer/);
  });
});
