// traceFetch against a loopback server that echoes what it received: which headers went where,
// and that concurrent calls never mix up their RPCInfo.
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { CALLER_SERVICE_HEADER } from '../../../src/rpcinfo/header-names.js';
import type { Tracer } from '../../../src/tracer/tracer.js';
import { traceFetch } from '../../../src/client/fetch/trace-fetch.js';
import { injectingTracer } from '../injecting-tracer.js';
import { serve } from '../../loopback.js';

const seen: { headers: IncomingHttpHeaders }[] = [];
let server: Awaited<ReturnType<typeof serve>>;
let base: string;
const previous = getContextManager();

beforeAll(async () => {
  setContextManager(new AsyncLocalStorageContextManager());
  server = await serve(
    async (req, res) => {
      for await (const chunk of req) void chunk;
      const url = new URL(req.url!, 'http://x');
      seen.push({ headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          traceparent: req.headers.traceparent ?? null,
          id: url.searchParams.get('id'),
          pad: 'x'.repeat(Number(url.searchParams.get('pad') ?? 0)),
        }),
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

describe('traceFetch: propagation and concurrency', () => {
  const lastHeaders = () => seen[seen.length - 1].headers;

  it('sends trace and caller headers only where propagateTo allows', async () => {
    const { t } = injectingTracer();
    const cases: [Parameters<typeof traceFetch>[1], boolean][] = [
      [{}, true], // Node: no location, every origin
      [{ propagateTo: ['https://example.com'] }, false],
      [{ propagateTo: [base] }, true],
      [{ propagateTo: [/\/json$/g] }, true],
      [{ propagateTo: [/other-host/] }, false],
      [{ propagateTo: (url) => url.port === new URL(base).port }, true],
      [
        {
          propagateTo: () => {
            throw new Error('bad predicate');
          },
        },
        false,
      ],
    ];
    for (const [options, sent] of cases) {
      const f = traceFetch(undefined, { ...options, tracers: [t], service: 'web' });
      await (await f(`${base}/json`)).text();
      expect(lastHeaders().traceparent !== undefined, String(options?.propagateTo)).toBe(sent);
      expect(lastHeaders()[CALLER_SERVICE_HEADER]).toBe(sent ? 'web' : undefined);
    }
  });

  it("keeps the caller's headers, from init or from a Request", async () => {
    const { t, settled } = injectingTracer();
    const f = traceFetch(undefined, { tracers: [t] });
    await (await f(new Request(`${base}/json`, { headers: { 'x-mine': 'req' } }))).text();
    expect(lastHeaders()).toMatchObject({ 'x-mine': 'req', traceparent: (await settled(1)).headers.get('traceparent') });
    await (await f(`${base}/json`, { headers: [['x-mine', 'init']] })).text();
    expect(lastHeaders()).toMatchObject({ 'x-mine': 'init', traceparent: (await settled(2)).headers.get('traceparent') });
  });

  it('without tracers passes calls through, adding only the caller header', async () => {
    await (await traceFetch(undefined, { service: 'web' })(`${base}/json`)).text();
    expect(lastHeaders()).toMatchObject({ [CALLER_SERVICE_HEADER]: 'web' });
    expect(lastHeaders().traceparent).toBeUndefined();
    const res = await traceFetch()(`${base}/json`);
    expect(res.constructor).toBe(Response);
    expect(Object.getOwnPropertyNames(res)).toEqual([]);
  });

  it('1,000 concurrent calls: each traceparent and recvSize belongs to its own call', async () => {
    const { t, finished, settled } = injectingTracer();
    const f = traceFetch(undefined, { tracers: [t], keepUrlQuery: true }); // each call's own query in url.full
    const texts = await Promise.all(Array.from({ length: 1000 }, async (_, i) => (await f(`${base}/json?id=${i}&pad=${i % 97}`)).text()));
    await settled(1000);
    const byTraceparent = new Map(finished.map((ri) => [ri.headers.get('traceparent'), ri]));
    expect(byTraceparent.size).toBe(1000);
    texts.forEach((text, i) => {
      const ri = byTraceparent.get(JSON.parse(text).traceparent)!;
      expect(ri.attributes['url.full']).toBe(`${base}/json?id=${i}&pad=${i % 97}`);
      expect(ri.stats.recvSize).toBe(Buffer.byteLength(text));
    });
  });

  it('names Connect paths, JSON-RPC bodies and REST calls; describe overrides', async () => {
    const { t, settled } = injectingTracer();
    const f = traceFetch(undefined, { tracers: [t] });
    await (
      await f(`${base}/api/acme.user.v1.UserService/GetUser`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json', 'connect-protocol-version': '1' },
      })
    ).text();
    expect(await settled(1)).toMatchObject({
      invocation: { service: 'acme.user.v1.UserService', package: 'acme.user.v1', method: 'GetUser' },
      attributes: { 'rpc.system': 'connect_rpc' },
    });
    await (await f(`${base}/rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', method: 'sum', params: [1, 2], id: 9 }) })).text();
    expect(await settled(2)).toMatchObject({ invocation: { service: new URL(base).host, method: 'sum', seqId: 9 }, attributes: { 'rpc.system': 'jsonrpc' } });
    const g = traceFetch(undefined, { tracers: [t], describe: ({ url }) => ({ service: 'users', method: url.pathname.split('/')[2] }) });
    await (await g(`${base}/users/list`)).text();
    expect((await settled(3)).invocation).toMatchObject({ service: 'users', method: 'list', package: '' });
  });
});

describe('traceFetch under suppressTracing', () => {
  it('sends the request untraced: no tracer call, no trace header', async () => {
    const { suppressTracing } = await import('../../../src/tracer/suppress-tracing.js');
    const { ROOT_CONTEXT } = await import('../../../src/context/context.js');
    const { context } = await import('../../../src/context/context-api.js');
    const { t, finished } = injectingTracer();
    const fetch = traceFetch({ tracers: [t], service: 'exporter' });
    const res = await context.with(suppressTracing(ROOT_CONTEXT), () => fetch(`${base}/v1/traces`, { method: 'POST', body: '{}' }));
    expect(await res.json()).toMatchObject({ traceparent: null });
    expect(seen[seen.length - 1].headers[CALLER_SERVICE_HEADER]).toBeUndefined();
    expect(finished).toEqual([]);
  });
});

describe('traceFetch: the parent context', () => {
  it('is read when fetch is called: context.with(ctx, () => fetch(url)) parents the call, and options.ctx fixes it', async () => {
    const { ROOT_CONTEXT, createContextKey } = await import('../../../src/context/context.js');
    const { context } = await import('../../../src/context/context-api.js');
    const PARENT = createContextKey('parent');
    const parents: unknown[] = [];
    const t: Tracer = {
      start: (ctx) => {
        parents.push(ctx.getValue(PARENT));
        return ctx;
      },
      finish() {},
    };
    const fetch = traceFetch({ tracers: [t] });
    await (await context.with(ROOT_CONTEXT.setValue(PARENT, 'from-with'), () => fetch(`${base}/a`))).text();
    await (await fetch(`${base}/b`)).text();
    const fixed = traceFetch({ tracers: [t], ctx: ROOT_CONTEXT.setValue(PARENT, 'from-option') });
    await (await context.with(ROOT_CONTEXT.setValue(PARENT, 'ignored'), () => fixed(`${base}/c`))).text();
    expect(parents).toEqual(['from-with', undefined, 'from-option']);
  });
});
