// When a fetch call ends in a real browser: at its response's last byte (Resource Timing's
// responseEnd), whether or not the page reads the body; not at the idle limit (30 s) as a warning.
import { test, expect } from './fixtures';
import { APP_PAGES, clickAndWait, expectChildOf, expectEventsInOrder, findSpan } from './helpers';

const FETCH_CLIENT_EVENTS = [['RPCStart', 'WriteStart', 'WriteFinish', 'WaitReadStart', 'WaitReadFinish', 'ReadStart', 'ReadFinish', 'RPCFinish']];
/** Far below the idle limit (30 s); the page waits at most 2 s for its calls to finish. */
const PROMPT_MS = 2_000;

for (const { file } of APP_PAGES) {
  test.describe(file, () => {
    test.describe('a body nobody reads', () => {
      test.use({ allowedPageProblems: [/console\.error: Failed to load resource: the server responded with a status of 404/] });

      test('a 404 the page never reads: its span comes promptly, an error, with the body size', async ({ page, topology }) => {
        await page.goto(`${topology.url}/${file}`);
        const outcome = await clickAndWait(page, 'unread404');
        expect(outcome.result).toMatchObject({ ok: false, status: 404 });
        const { contentLength } = outcome.result;
        expect(contentLength).toBeGreaterThan(0);

        const record = outcome.rpcs.find((r) => r.method === 'Missing');
        expect(record, 'the call finished while the page waited (2 s), long before the idle limit').toBeDefined();
        const start = record!.events.find((e) => e.name === 'RPCStart')!.time;
        const finish = record!.events.find((e) => e.name === 'RPCFinish')!;
        expect(record!.finishedAt - start).toBeLessThan(PROMPT_MS);
        expect(finish.status).toBe('error');
        expect(record!.recvSize, 'same origin: the body as received').toBe(contentLength);
        expect(record!.error).toBeNull();

        const spans = await topology.collector.waitForTrace(outcome.traceId, 3);
        const webFetch = findSpan(spans, 'web', 'client', 'demo.v1.Gateway/Missing');
        expectChildOf(webFetch, findSpan(spans, 'web', 'internal', 'click unread404'));
        expect(webFetch.status.code).toBe('error');
        expect(webFetch.attributes['http.response.status_code']).toBe(404);
        expect(webFetch.attributes['http.response.body.size']).toBe(contentLength);
        expect(webFetch.events.find((e) => e.name === 'RPCFinish')!.attributes).toEqual({ 'isotrace.status': 'error', 'isotrace.info': 'HTTP 404' });
        expectEventsInOrder(webFetch, ...FETCH_CLIENT_EVENTS);
      });
    });

    test('a 200 the page checks only for r.ok: its span comes promptly, with the body size', async ({ page, topology }) => {
      await page.goto(`${topology.url}/${file}`);
      const outcome = await clickAndWait(page, 'okOnly');
      expect(outcome.result).toMatchObject({ ok: true, status: 200 });
      const { contentLength } = outcome.result;

      const record = outcome.rpcs.find((r) => r.method === 'GetUser');
      expect(record, 'the call finished while the page waited (2 s), long before the idle limit').toBeDefined();
      const start = record!.events.find((e) => e.name === 'RPCStart')!.time;
      expect(record!.finishedAt - start).toBeLessThan(PROMPT_MS);
      expect(record!.events.find((e) => e.name === 'RPCFinish')!.status).toBe('info');
      expect(record!.recvSize).toBe(contentLength);
      expect(record!.sendSize).toBe('{"id":9}'.length);

      const spans = await topology.collector.waitForTrace(outcome.traceId, 5);
      const webFetch = findSpan(spans, 'web', 'client', 'demo.v1.Gateway/GetUser');
      expectChildOf(findSpan(spans, 'gateway', 'server', 'demo.v1.Gateway/GetUser'), webFetch);
      expect(webFetch.status.code).toBe('unset');
      expect(webFetch.attributes['http.response.body.size']).toBe(contentLength);
      expect(webFetch.events.find((e) => e.name === 'RPCFinish')!.attributes, 'a normal end, not the idle warning').toEqual({});
      expectEventsInOrder(webFetch, ...FETCH_CLIENT_EVENTS);
    });
  });
}
