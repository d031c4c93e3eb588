// The client transports in a real page (issue 3's browser test): traced fetch and WebSocket
// calls from the script-tag bundles to loopback servers. The traceparent a tracer injected is the
// one that arrived; none arrives at an origin outside `propagateTo`; the events were recorded.
import { test, expect } from './fixtures';
import { APP_PAGES, clickAndWait, type RpcRecord } from './helpers';
import { sendJson, startServer, type StartedServer } from './server.mjs';

/** A server on another port (another origin) that writes down every request's headers. */
async function startForeignServer() {
  const requests: { method: string; path: string; headers: Record<string, string | string[] | undefined> }[] = [];
  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'traceparent, tracestate, baggage, x-isotrace-caller',
    'access-control-allow-methods': 'GET, POST',
  };
  const server: StartedServer = await startServer({
    routes: [
      {
        method: '*',
        path: '/record',
        handler: (req, res, url) => {
          requests.push({ method: req.method ?? '', path: url.pathname + url.search, headers: { ...req.headers } });
          if (req.method === 'OPTIONS') {
            res.writeHead(204, cors);
            res.end();
          } else {
            sendJson(res, 200, { ok: true }, cors);
          }
        },
      },
    ],
  });
  return { server, requests };
}

const names = (record: RpcRecord) => record.events.map((e) => e.name);
const byTime = (record: RpcRecord, order: string[]) => {
  const time = (name: string) => record.events.find((e) => e.name === name)?.time;
  for (const name of order) expect(time(name), `${record.method}: ${name} recorded`).toBeDefined();
  for (let i = 1; i < order.length; i++) expect(time(order[i])!, `${record.method}: ${order[i - 1]} ≤ ${order[i]}`).toBeGreaterThanOrEqual(time(order[i - 1])!);
};

for (const { file } of APP_PAGES) {
  test.describe(file, () => {
    test('the traceparent the tracer injected arrives with fetch (header) and WebSocket (meta); events and sizes are recorded', async ({
      page,
      topology,
      pageProblems,
    }) => {
      await page.goto(`${topology.url}/${file}`);
      const outcome = await clickAndWait(page, 'flow');
      expect(outcome.ok).toBe(true);
      const fetchRecord = outcome.rpcs.find((r) => r.transport === 'fetch')!;
      const wsRecord = outcome.rpcs.find((r) => r.transport === 'websocket')!;

      // What the span tracer injected into ri.headers is exactly what each server received.
      expect(fetchRecord.traceparent).toBe(`00-${outcome.traceId}-${fetchRecord.spanId}-03`);
      expect(wsRecord.traceparent).toBe(`00-${outcome.traceId}-${wsRecord.spanId}-03`);
      const arrived = (service: string) => topology.seen.filter((r) => r.service === service && r.traceparent?.includes(outcome.traceId));
      expect(arrived('gateway').map((r) => [r.traceparent, r.caller])).toEqual([[fetchRecord.traceparent, 'web']]);
      expect(arrived('realtime').map((r) => [r.traceparent, r.caller])).toEqual([[wsRecord.traceparent, 'web']]);

      // fetch: every phase, in order; sizes counted; Resource Timing applied (same origin).
      expect(fetchRecord).toMatchObject({ side: 'client', service: 'demo.v1.Gateway', method: 'GetUser', error: null });
      byTime(fetchRecord, ['RPCStart', 'WriteStart', 'WriteFinish', 'WaitReadStart', 'WaitReadFinish', 'ReadStart', 'ReadFinish', 'RPCFinish']);
      expect(fetchRecord.events.every((e) => e.status === 'info')).toBe(true);
      expect(fetchRecord.sendSize).toBe(JSON.stringify({ id: 7 }).length);
      expect(fetchRecord.recvSize).toBe(JSON.stringify({ user: { id: 7, name: 'User 7', plan: 'pro' } }).length);
      expect(fetchRecord.attributes).toMatchObject({
        'http.request.method': 'POST',
        'http.response.status_code': 200,
        'rpc.system': 'connect_rpc',
        'isotrace.resource_timing': 'ok',
      });
      expect(fetchRecord.attributes['http.response.encoded_body_size']).toBe(fetchRecord.recvSize);
      expect(fetchRecord.attributes['http.response.transfer_size']).toBeGreaterThan(fetchRecord.recvSize);

      // WebSocket: connection, write, wait, read, in order; frame sizes.
      expect(wsRecord).toMatchObject({ side: 'client', service: 'demo.v1.Realtime', method: 'GetFeed', error: null });
      expect(names(wsRecord).sort()).toEqual(
        [
          'RPCStart',
          'ClientConnStart',
          'ClientConnFinish',
          'WriteStart',
          'WriteFinish',
          'WaitReadStart',
          'WaitReadFinish',
          'ReadStart',
          'ReadFinish',
          'RPCFinish',
        ].sort(),
      );
      byTime(wsRecord, [
        'RPCStart',
        'ClientConnStart',
        'ClientConnFinish',
        'WriteStart',
        'WriteFinish',
        'WaitReadStart',
        'WaitReadFinish',
        'ReadStart',
        'ReadFinish',
        'RPCFinish',
      ]);
      expect(wsRecord.sendSize).toBeGreaterThan(0);
      expect(wsRecord.recvSize).toBeGreaterThan(0);
      expect(wsRecord.attributes).toMatchObject({ 'rpc.system': 'jsonrpc', 'rpc.method': 'GetFeed', 'rpc.jsonrpc.version': '2.0' });
      expect(pageProblems).toEqual([]);
    });

    test('no trace headers go to an origin outside propagateTo; they go where propagateTo allows', async ({ page, topology, pageProblems }) => {
      const foreign = await startForeignServer();
      try {
        await page.goto(`${topology.url}/${file}?foreign=${encodeURIComponent(foreign.server.url)}`);
        const outcome = await clickAndWait(page, 'foreign');
        expect(outcome.ok, JSON.stringify(outcome.error)).toBe(true);
        const [viaDefault, viaPropagateTo] = outcome.rpcs;

        // The tracer injected a traceparent into ri.headers both times...
        expect(outcome.result.injected.default).toBe(`00-${outcome.traceId}-${viaDefault.spanId}-03`);
        expect(outcome.result.injected.propagateTo).toBe(`00-${outcome.traceId}-${viaPropagateTo.spanId}-03`);

        // ...but with the default propagateTo (the page's origin) none of it left the page: a plain
        // GET, no preflight, no traceparent, tracestate or caller header.
        const toDefault = foreign.requests.filter((r) => r.path === '/record?via=default');
        expect(toDefault.map((r) => r.method)).toEqual(['GET']);
        for (const name of ['traceparent', 'tracestate', 'baggage', 'x-isotrace-caller']) expect(toDefault[0].headers[name], name).toBeUndefined();

        // With the foreign origin in propagateTo, the headers went (after the CORS preflight they need).
        const toAllowed = foreign.requests.filter((r) => r.path === '/record?via=propagateTo');
        expect(toAllowed.map((r) => r.method)).toEqual(['OPTIONS', 'GET']);
        expect(toAllowed[0].headers['access-control-request-headers']).toBe('traceparent,x-isotrace-caller');
        expect(toAllowed[1].headers.traceparent).toBe(outcome.result.injected.propagateTo);
        expect(toAllowed[1].headers['x-isotrace-caller']).toBe('web');

        // Both calls were still traced; without Timing-Allow-Origin the RPCInfo says why detail is missing.
        for (const record of [viaDefault, viaPropagateTo]) {
          expect(record.error).toBeNull();
          expect(record.attributes['http.response.status_code']).toBe(200);
          expect(record.attributes['isotrace.resource_timing']).toBe('no-timing-allow-origin');
          byTime(record, ['RPCStart', 'WriteStart', 'WaitReadFinish', 'ReadFinish', 'RPCFinish']);
        }
        expect(pageProblems).toEqual([]);
      } finally {
        await foreign.server.close();
      }
    });
  });
}
