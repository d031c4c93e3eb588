// 10,000 requests, 200 in flight, each handler awaiting random timers: every handler, and the
// traced calls it makes (a traceCall and a traced fetch to a second traced server), must see only
// its own RPCInfo and its own server call as parent. The load comes from node:http's client with
// a keep-alive pool: undici's fetch manages ~1,500 requests/s on a 2-core machine, which would
// make this test slow without testing anything more (the nested calls use the traced fetch).
import { Agent, get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContextKey, type Context } from '../../../src/context/context.js';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { getRPCInfo, type RPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import type { Tracer } from '../../../src/tracer/tracer.js';
import { traceCall } from '../../../src/client/trace-call.js';
import { traceFetch } from '../../../src/client/fetch/trace-fetch.js';
import { w3cTraceContextPropagator } from '../../../src/propagation/w3c-propagator.js';
import { traceHttpHandler } from '../../../src/server/http/handler.js';
import { delay, extractingTracer, mulberry32, REMOTE_PARENT, serve } from '../helpers.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

const SERVER_CALL = createContextKey('test.serverCall');
const PARENT_SEEN = createContextKey('test.parentSeen');
const TOTAL = 10_000;
const IN_FLIGHT = 200;
const idOf = (ri: RPCInfo) => Number(String(ri.attributes['url.path']).split('/').pop());
// A deterministic span context per request id, so the backend can tell whose it received.
const spanContextOf = (id: number) => ({ traceId: (id + 1).toString(16).padStart(32, '0'), spanId: (id + 1).toString(16).padStart(16, '0'), traceFlags: 1 });

describe('traceHttpHandler under load', () => {
  it(`${TOTAL} requests, ${IN_FLIGHT} in flight: each handler and its nested calls see only their own call`, async () => {
    const random = mulberry32(4);
    const failures: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok && failures.length < 20) failures.push(what);
    };

    // The second server: checks the traced fetch carried the span context of the right request.
    const backendTracer = extractingTracer();
    const backend = await serve(
      traceHttpHandler(
        (req, res) => {
          const sc = getContextManager().active().getValue(REMOTE_PARENT) as { traceId: string } | undefined;
          const id = Number(req.url!.split('/').pop());
          check(sc?.traceId === spanContextOf(id).traceId, `backend ${id} got ${sc?.traceId}`);
          res.end('b');
        },
        { tracers: [backendTracer], service: 'backend' },
      ),
    );

    const serverFinished: RPCInfo[] = [];
    const serverTracer: Tracer = {
      start: (ctx) => ctx.setValue(SERVER_CALL, getRPCInfo(ctx)),
      finish: (ctx) => void serverFinished.push(getRPCInfo(ctx)!),
    };
    // Client-side tracers: they see the parent context a nested call was started under.
    const parentRecorder: Tracer = { start: (ctx) => ctx.setValue(PARENT_SEEN, ctx.getValue(SERVER_CALL)), finish() {} };
    const injector: Tracer = {
      start(ctx: Context) {
        const parent = ctx.getValue(SERVER_CALL) as RPCInfo;
        w3cTraceContextPropagator.inject(spanContextOf(idOf(parent)), getRPCInfo(ctx)!.headers);
        return ctx;
      },
      finish() {},
    };
    const tracedFetch = traceFetch(globalThis.fetch, { tracers: [parentRecorder, injector], service: 'front' });

    const front = await serve(
      traceHttpHandler(
        async (req, res) => {
          const ri = getRPCInfo()!;
          const id = Number(req.headers['x-id']);
          check(idOf(ri) === id, `handler ${id} saw ${idOf(ri)}`);
          for (let step = 0; step < 2; step++) {
            await delay(Math.floor(random() * 2));
            check(getRPCInfo() === ri, `handler ${id} lost its RPCInfo after step ${step}`);
          }
          const nestedParent = await traceCall({ tracers: [parentRecorder], method: 'db.query' }, async (ctx) => {
            await delay(Math.floor(random() * 2));
            check(getRPCInfo()?.side === 'client' && getRPCInfo() === getRPCInfo(ctx), `traceCall in ${id} lost its RPCInfo`);
            return ctx.getValue(PARENT_SEEN);
          });
          check(nestedParent === ri, `traceCall in ${id} had the wrong parent`);
          if (id % 10 === 0) {
            const b = await tracedFetch(`${backend.url}/b/${id}`);
            check((await b.text()) === 'b', `backend call of ${id} failed`);
          }
          check(getRPCInfo() === ri, `handler ${id} lost its RPCInfo at the end`);
          res.end(String(id));
        },
        { tracers: [serverTracer], service: 'front' },
      ),
    );

    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const { port } = new URL(front.url);
    const request = (id: number) =>
      new Promise<string>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: `/item/${id}`, headers: { 'x-id': String(id) }, agent }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
    let next = 0;
    const answers: string[] = new Array(TOTAL);
    const worker = async () => {
      while (next < TOTAL) {
        const id = next++;
        answers[id] = await request(id);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const elapsed = performance.now() - started;
    agent.destroy();
    await delay(20);
    await Promise.all([front.close(), backend.close()]);

    expect(failures).toEqual([]);
    expect(answers.every((a, i) => a === String(i))).toBe(true);
    expect(serverFinished).toHaveLength(TOTAL);
    expect(new Set(serverFinished).size).toBe(TOTAL);
    expect(serverFinished.every((ri) => ri.stats.error === undefined)).toBe(true);
    expect(backendTracer.extracted).toHaveLength(TOTAL / 10);
    expect(elapsed).toBeLessThan(20_000);
  }, 60_000);
});
