import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { getRPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { rpcName } from '../../../src/rpcinfo/conventions/rpc-conventions.js';
import { stats } from '../../../src/rpcinfo/stats-event.js';
import { CALLER_SERVICE_HEADER } from '../../../src/rpcinfo/header-names.js';
import { traceFetchHandler, type FetchHandlerErrorEvent } from '../../../src/server/fetch/handler.js';
import { RequestAbortedError } from '../../../src/rpcinfo/errors.js';
import { nodeAdapter, type AdapterEnv } from './adapter.js';
import { delay, eventNames, inOrder, recorder, serve } from '../helpers.js';
import { now } from '../../../src/rpcinfo/rpc-stats.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

/** A response body of `chunks`, each after `ms` milliseconds. */
/** A body that yields `chunks` one by one after `ms` each; `closedAt` is when it closed (stats clock). */
function slowBody(chunks: string[], ms: number): ReadableStream<Uint8Array> & { closedAt?: number } {
  const encoder = new TextEncoder();
  let i = 0;
  const stream: ReadableStream<Uint8Array> & { closedAt?: number } = new ReadableStream({
    async pull(controller) {
      await delay(ms);
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]));
      else {
        stream.closedAt = now();
        controller.close();
      }
    },
  });
  return stream;
}

describe('traceFetchHandler', () => {
  it('traces a call over a real socket: the request as sent, events in order, exact sizes', async () => {
    const rec = recorder();
    const seen: unknown[] = [];
    const handler = traceFetchHandler(
      async (request: Request, env: AdapterEnv) => {
        const ri = getRPCInfo();
        seen.push(ri, request.method, request.url, request.headers.get('x-a'), request.signal.aborted, typeof env.remoteAddress);
        const text = await request.text();
        await delay(2);
        seen.push(getRPCInfo() === ri);
        return new Response(slowBody([text.toUpperCase(), '!', 'ü'], 2), { status: 202, headers: { 'x-b': 'b' } });
      },
      { tracers: [rec.tracer], service: 'users', clientAddress: (_request, env) => env.remoteAddress },
    );
    const srv = await serve(nodeAdapter(handler));
    const res = await fetch(`${srv.url}/items/7?q=1`, {
      method: 'PUT',
      body: 'hello world',
      headers: { 'x-a': 'a', [CALLER_SERVICE_HEADER]: 'web' },
    });
    expect([res.status, res.headers.get('x-b'), await res.text()]).toEqual([202, 'b', 'HELLO WORLD!ü']);
    const [ri] = await rec.finishedCount(1);
    await srv.close();
    expect(seen).toEqual([ri, 'PUT', `${srv.url}/items/7?q=1`, 'a', false, 'string', true]);
    expect(ri.config.transport).toBe('fetch');
    expect(ri.from).toMatchObject({ serviceName: 'web', address: '127.0.0.1' });
    expect(ri.to).toMatchObject({ serviceName: 'users', method: '' });
    expect(rpcName(ri)).toBe('PUT');
    expect(ri.stats.recvSize).toBe(11);
    expect(ri.stats.sendSize).toBe(Buffer.byteLength('HELLO WORLD!ü'));
    expect(new Set(eventNames(ri))).toEqual(
      new Set(['RPCStart', 'ServerHandleStart', 'ReadStart', 'ReadFinish', 'ServerHandleFinish', 'WriteStart', 'WriteFinish', 'RPCFinish']),
    );
    expect(
      inOrder(
        ri,
        stats.RPCStart,
        stats.ServerHandleStart,
        stats.ReadStart,
        stats.ReadFinish,
        stats.ServerHandleFinish,
        stats.WriteStart,
        stats.WriteFinish,
        stats.RPCFinish,
      ),
    ).toBe(true);
    expect(ri.attributes).toMatchObject({
      'http.request.method': 'PUT',
      'url.path': '/items/7',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(srv.url).port),
      'client.address': '127.0.0.1',
      'http.response.status_code': 202,
    });
  });

  it('streams a slow response through unchanged, and finishes when its last chunk is taken', async () => {
    const rec = recorder();
    const chunks = Array.from({ length: 6 }, (_, i) => String(i).repeat(500 + i));
    const body = slowBody(chunks, 15);
    const srv = await serve(nodeAdapter(traceFetchHandler(() => new Response(body), { tracers: [rec.tracer] })));
    const res = await fetch(srv.url);
    expect(await res.text()).toBe(chunks.join(''));
    const [ri] = await rec.finishedCount(1);
    await srv.close();
    expect(ri.stats.sendSize).toBe(chunks.join('').length);
    expect(ri.stats.recvSize).toBe(0);
    // Ordering against the body's own clock reading, not a duration: the write ends after the last chunk.
    expect(ri.stats.getEvent(stats.WriteFinish)!.time).toBeGreaterThanOrEqual(body.closedAt!);
    expect(ri.stats.error).toBeUndefined();
  });

  it('counts only what the handler reads; a body-less response finishes at once', async () => {
    const rec = recorder();
    const handler = traceFetchHandler(
      async (request) => {
        if (request.url.endsWith('/half')) {
          const reader = request.body!.getReader();
          const first = await reader.read();
          await reader.cancel();
          return new Response(String(first.value!.byteLength));
        }
        return new Response(null, { status: 204 });
      },
      { tracers: [rec.tracer] },
    );
    const big = new Uint8Array(1 << 20);
    const direct = await handler(new Request('http://x.test/none', { method: 'POST', body: 'unread' }));
    expect(direct.status).toBe(204);
    const [none] = await rec.finishedCount(1);
    expect(none.stats.recvSize).toBe(0);
    expect(none.stats.getEvent(stats.ReadStart)).toBeUndefined();
    expect(inOrder(none, stats.ServerHandleFinish, stats.WriteStart, stats.WriteFinish, stats.RPCFinish)).toBe(true);

    const stream = new ReadableStream({
      pull(c) {
        c.enqueue(big.subarray(0, 1000));
      },
      cancel() {},
    });
    const half = await handler(new Request('http://x.test/half', { method: 'POST', body: stream, duplex: 'half' } as RequestInit));
    expect(await half.text()).toBe('1000');
    const [, partial] = await rec.finishedCount(2);
    expect(partial.stats.recvSize).toBe(1000);
    expect(partial.stats.getEvent(stats.ReadFinish)).toBeUndefined();
  });

  it('a cancelled response body or an aborted request finishes the RPC as aborted', async () => {
    const rec = recorder();
    const handler = traceFetchHandler(
      async (request) => {
        if (request.url.endsWith('/hang')) {
          await new Promise((r) => request.signal.addEventListener('abort', r));
          return new Response('too late');
        }
        return new Response(
          slowBody(
            Array.from({ length: 100 }, () => 'x'.repeat(100)),
            10,
          ),
        );
      },
      { tracers: [rec.tracer] },
    );
    const srv = await serve(nodeAdapter(handler));
    const ac = new AbortController();
    const res = await fetch(`${srv.url}/stream`, { signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    const [cancelled] = await rec.finishedCount(1);
    // Directly: the runtime cancels the body.
    const direct = await handler(new Request('http://x.test/stream'));
    await direct.body!.getReader().cancel(new Error('gone'));
    const [, directCancel] = await rec.finishedCount(2);
    // The request's signal aborts while the handler is still working.
    const hang = new AbortController();
    const pending = handler(new Request('http://x.test/hang', { signal: hang.signal }));
    await delay(5);
    hang.abort();
    await (await pending).text();
    const [, , aborted] = await rec.finishedCount(3);
    await srv.close();
    for (const ri of [cancelled, directCancel, aborted]) {
      expect(ri.stats.error).toBeInstanceOf(RequestAbortedError);
      expect(ri.attributes['error.type']).toBe('aborted');
      expect(ri.stats.getEvent(stats.WriteFinish)).toBeUndefined();
    }
    expect(cancelled.stats.sendSize).toBeGreaterThanOrEqual(100);
    expect(cancelled.stats.sendSize).toBeLessThan(10_000);
    expect((directCancel.stats.error as Error).cause).toEqual(new Error('gone'));
  });

  it('a failing handler gets a 500 (or the hook’s Response), its error recorded, the process unharmed', async () => {
    const rec = recorder();
    const events: FetchHandlerErrorEvent[] = [];
    const boom = new SyntaxError('bad');
    const handler = traceFetchHandler(
      async (request): Promise<Response> => {
        const path = new URL(request.url).pathname;
        if (path === '/throw') throw boom;
        if (path === '/custom') throw new Error('custom');
        if (path === '/nothing') return undefined as never;
        return new Response('ok');
      },
      {
        tracers: [rec.tracer],
        onHandlerError: (event) => {
          events.push(event);
          if (event.request.url.endsWith('/custom')) return new Response('teapot', { status: 418 });
        },
      },
    );
    const srv = await serve(nodeAdapter(handler));
    const answers = [];
    for (const path of ['/throw', '/custom', '/nothing', '/fine']) {
      const res = await fetch(srv.url + path);
      answers.push([res.status, await res.text()]);
    }
    const [thrown, custom, nothing, fine] = await rec.finishedCount(4);
    await srv.close();
    expect(answers).toEqual([
      [500, 'Internal Server Error'],
      [418, 'teapot'],
      [500, 'Internal Server Error'],
      [200, 'ok'],
    ]);
    expect(events.map((e) => e.error)).toEqual([boom, expect.any(Error), expect.any(TypeError)]);
    expect(thrown.stats.error).toBe(boom);
    expect(thrown.attributes).toMatchObject({ 'error.type': 'SyntaxError', 'http.response.status_code': 500 });
    expect(thrown.stats.sendSize).toBe('Internal Server Error'.length);
    expect(custom.attributes['http.response.status_code']).toBe(418);
    expect(String(nothing.stats.error)).toMatch(/not a Response/);
    expect(fine.stats.error).toBeUndefined();

    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bare = traceFetchHandler(() => Promise.reject(boom), { tracers: [rec.tracer] });
    expect((await bare(new Request('http://x.test/'))).status).toBe(500);
    expect(log).toHaveBeenCalledTimes(1);
    log.mockRestore();
  });

  it('a 5xx the handler returns is reported as error.type, not as a thrown error', async () => {
    const rec = recorder();
    const handler = traceFetchHandler(() => new Response('down', { status: 503 }), { tracers: [rec.tracer] });
    await (await handler(new Request('http://x.test/'))).text();
    const [ri] = await rec.finishedCount(1);
    expect(ri.attributes).toMatchObject({ 'error.type': '503', 'http.response.status_code': 503 });
    expect(ri.stats.error).toBeUndefined();
  });
});
