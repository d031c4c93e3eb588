// Failures in a real page: an HTTP 500 on every hop, a network error, a WebSocket closed by the
// server mid-call. Each shows as error spans where it happened, the caller gets what the platform
// gives (a Response, a rejection it catches), and nothing is left as an unhandled rejection.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { APP_PAGES, clickAndWait, eventNames, expectChildOf, expectEventsInOrder, findSpan } from './helpers';
import { DROP_CLOSE_CODE, closedPortUrl } from './topology.mjs';

/** No unhandled rejection, also a moment later (the browser reports them after a task). */
async function expectNoUnhandledRejection(page: Page, pageProblems: string[]) {
  await page.waitForTimeout(50);
  expect(await page.evaluate(() => (window as any).app.unhandled)).toEqual([]);
  expect(pageProblems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
}

for (const { file } of APP_PAGES) {
  test.describe(file, () => {
    test.describe('HTTP 500', () => {
      test.use({ allowedPageProblems: [/console\.error: Failed to load resource: the server responded with a status of 500/] });

      test('the backend fails: error spans on every hop; the page gets the 500 Response', async ({ page, topology, pageProblems }) => {
        await page.goto(`${topology.url}/${file}`);
        const outcome = await clickAndWait(page, 'fetch500');
        expect(outcome.ok).toBe(true);
        expect(outcome.result.user).toEqual({ status: 500, body: { code: 'internal', message: expect.stringContaining('backend LoadUser failed: HTTP 500') } });

        const spans = await topology.collector.waitForTrace(outcome.traceId, 5);
        const click = findSpan(spans, 'web', 'internal', 'click fetch500');
        const webFetch = findSpan(spans, 'web', 'client', 'demo.v1.Gateway/GetUser');
        const gatewayServer = findSpan(spans, 'gateway', 'server', 'demo.v1.Gateway/GetUser');
        const gatewayClient = findSpan(spans, 'gateway', 'client', 'demo.v1.Backend/LoadUser');
        const backendServer = findSpan(spans, 'backend', 'server', 'demo.v1.Backend/LoadUser');
        expectChildOf(webFetch, click);
        expectChildOf(gatewayServer, webFetch);
        expectChildOf(gatewayClient, gatewayServer);
        expectChildOf(backendServer, gatewayClient);
        for (const span of [webFetch, gatewayServer, gatewayClient, backendServer]) {
          const label = `${span.service} ${span.kind} ${span.name}`;
          expect(span.status.code, label).toBe('error');
          expect(span.attributes['http.response.status_code'], label).toBe(500);
          // Every hop answers a Connect error body (`{"code":"internal",…}`): its code names the failure.
          expect(span.attributes['rpc.connect_rpc.error_code'], label).toBe('internal');
          expect(span.attributes['error.type'], label).toBe('internal');
          expect(span.attributes['http.response.body.size'], `${label}: the error body was still counted`).toBeGreaterThan(0);
        }
        // A 5xx is no thrown error: the client records it on RPCFinish, with the Connect error's
        // message and no exception event.
        for (const span of [webFetch, gatewayClient]) {
          expect(span.events.find((e) => e.name === 'RPCFinish')!.attributes).toEqual({
            'isotrace.status': 'error',
            'isotrace.info': expect.stringContaining('user store unavailable for user 500'),
          });
          expect(eventNames(span)).not.toContain('exception');
          expectEventsInOrder(span, ['RPCStart', 'WriteStart', 'WaitReadFinish', 'ReadStart', 'ReadFinish', 'RPCFinish']);
        }
        const record = outcome.rpcs.find((r) => r.method === 'GetUser')!;
        expect(record.error, 'stats.error holds only what was thrown').toBeNull();
        expect(record.events.find((e) => e.name === 'RPCFinish')!.status).toBe('error');
        expect(click.status.code, 'the click handled the 500 itself').toBe('unset');
        await expectNoUnhandledRejection(page, pageProblems);
      });
    });

    test.describe('network error', () => {
      test.use({ allowedPageProblems: [/ERR_CONNECTION_REFUSED/] });

      test('a fetch to a closed port rejects; its span is an error span and no service saw it', async ({ page, topology, pageProblems }) => {
        const closed = await closedPortUrl();
        await page.goto(`${topology.url}/${file}?closed=${encodeURIComponent(closed)}`);
        const outcome = await clickAndWait(page, 'networkError');
        expect(outcome.result.caught).toEqual({ name: 'TypeError', message: 'Failed to fetch', code: null });

        const spans = await topology.collector.waitForTrace(outcome.traceId, 2);
        await page.waitForTimeout(100);
        expect(topology.collector.trace(outcome.traceId), 'the click and its one fetch, nothing on the server side').toHaveLength(2);
        expect(topology.seen.filter((r) => r.traceparent?.includes(outcome.traceId))).toEqual([]);
        const click = findSpan(spans, 'web', 'internal', 'click networkError');
        const webFetch = findSpan(spans, 'web', 'client', 'demo.v1.Gateway/GetUser');
        expectChildOf(webFetch, click);
        expect(webFetch.status).toEqual({ code: 'error', message: 'Failed to fetch' });
        expect(webFetch.attributes['error.type']).toBe('TypeError');
        expect(webFetch.attributes['http.response.status_code']).toBeUndefined();
        expect(webFetch.attributes['server.port']).toBe(Number(new URL(closed).port));
        const exception = webFetch.events.find((e) => e.name === 'exception')!;
        expect(exception.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'Failed to fetch' });
        expect(webFetch.events.find((e) => e.name === 'RPCFinish')!.attributes['isotrace.status']).toBe('error');
        expectEventsInOrder(webFetch, ['RPCStart', 'WriteStart', 'RPCFinish']);
        expect(eventNames(webFetch), 'no response: no read phase').not.toContain('ReadStart');

        const record = outcome.rpcs.find((r) => r.method === 'GetUser')!;
        expect(record.error).toEqual({ name: 'TypeError', message: 'Failed to fetch' });
        expect(record.recvSize).toBe(0);
        await expectNoUnhandledRejection(page, pageProblems);
      });
    });

    test('a WebSocket the server closes mid-call: the call rejects, both sides are error spans, nothing pending', async ({ page, topology, pageProblems }) => {
      await page.goto(`${topology.url}/${file}`);
      const outcome = await clickAndWait(page, 'wsDrop');
      expect(outcome.result.caught).toEqual({
        name: 'RpcConnectionClosedError',
        message: expect.stringContaining(`Drop failed: the WebSocket connection closed (code ${DROP_CLOSE_CODE}, reason "dropped by the realtime service")`),
        code: DROP_CLOSE_CODE,
      });
      expect(outcome.result.pending, 'the pending-call table is empty').toBe(0);

      const spans = await topology.collector.waitForTrace(outcome.traceId, 3);
      const click = findSpan(spans, 'web', 'internal', 'click wsDrop');
      const webWs = findSpan(spans, 'web', 'client', 'demo.v1.Realtime/Drop');
      const server = findSpan(spans, 'realtime', 'server', 'demo.v1.Realtime/Drop');
      expectChildOf(webWs, click);
      expectChildOf(server, webWs);

      expect(webWs.status.code).toBe('error');
      expect(webWs.status.message).toContain(`code ${DROP_CLOSE_CODE}`);
      expect(webWs.attributes['error.type']).toBe('RpcConnectionClosedError');
      expect(webWs.attributes['rpc.request.size'], 'the request frame went out').toBeGreaterThan(0);
      expect(webWs.attributes['rpc.response.size'], 'no response frame').toBeUndefined();
      // The wait for the response is closed as failed when the socket closed.
      expectEventsInOrder(webWs, ['RPCStart', 'WriteStart', 'WriteFinish', 'WaitReadStart', 'WaitReadFinish', 'RPCFinish']);
      expect(webWs.events.find((e) => e.name === 'WaitReadFinish')!.attributes['isotrace.status']).toBe('error');
      expect(eventNames(webWs)).toContain('exception');

      expect(server.status.code).toBe('error');
      expect(server.attributes['error.type'], "semconv's error.type for a caller gone away").toBe('aborted');
      // One error rule (describeError): the exception's type is the error.type.
      expect(server.events.find((e) => e.name === 'exception')!.attributes['exception.type']).toBe('aborted');
      expect(server.status.message).toContain('the WebSocket closed');
      expectEventsInOrder(server, ['RPCStart', 'ReadStart', 'ReadFinish', 'ServerHandleStart', 'RPCFinish']);
      expect(eventNames(server), 'the server never answered').not.toContain('WriteStart');

      expect(outcome.rpcs.find((r) => r.method === 'Drop')!.error).toMatchObject({ name: 'RpcConnectionClosedError' });
      await expectNoUnhandledRejection(page, pageProblems);
      expect(pageProblems).toEqual([]);
    });
  });
}

// Node only (no page needed): the same 500 as the services' metrics see it.
test('a served HTTP 5xx is an error in the span and in the metrics', async ({ topology }) => {
  const served = (status: string) =>
    topology.metrics.snapshot().series.find((s) => s.side === 'server' && s.service === 'demo.v1.Gateway' && s.method === 'GetUser' && s.status === status)
      ?.calls ?? 0;
  const before = { ok: served('ok'), error: served('error') };
  const client = topology.createWebClient({ serviceName: 'node-test' });
  let traceId = '';
  await client.spans
    .withSpan('500 from Node', (span) => {
      traceId = span.spanContext.traceId;
      return client.getUser(501);
    })
    .catch(() => {});
  await client.close();
  const spans = await topology.collector.waitForTrace(traceId, 5);
  expect(spans.find((s) => s.service === 'gateway' && s.kind === 'server')!.status.code, 'the span says error').toBe('error');
  expect({ ok: served('ok') - before.ok, error: served('error') - before.error }, 'the metrics should say error too').toEqual({ ok: 0, error: 1 });
});
