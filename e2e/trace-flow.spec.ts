// One trace from a click in a real page, through the browser's fetch and WebSocket RPCs, into
// the Node services of e2e/topology.mjs (gateway → backend, realtime → backend), as the OTLP
// collector received it: from the page's OTLP exporter and from each service's.
import { test, expect } from './fixtures';
import { APP_PAGES, clickAndWait, eventNames, expectChildOf, expectEventsInOrder, findSpan, parentIsRemote, traceparentOf } from './helpers';

const GET_USER = 'demo.v1.Gateway/GetUser';
const LOAD_USER = 'demo.v1.Backend/LoadUser';
const GET_FEED = 'demo.v1.Realtime/GetFeed';
const LOAD_FEED = 'demo.v1.Backend/LoadFeed';

// The phases of each kind of span, in the order they happen (see expectEventsInOrder).
const FETCH_CLIENT_EVENTS = [['RPCStart', 'WriteStart', 'WriteFinish', 'WaitReadStart', 'WaitReadFinish', 'ReadStart', 'ReadFinish', 'RPCFinish']];
const HTTP_SERVER_EVENTS = [
  ['RPCStart', 'ServerHandleStart', 'ReadStart', 'ReadFinish', 'WriteStart', 'WriteFinish', 'RPCFinish'],
  ['ServerHandleStart', 'ServerHandleFinish', 'RPCFinish'],
];
const WS_CLIENT_EVENTS = [
  ['RPCStart', 'ClientConnStart', 'ClientConnFinish', 'WriteStart', 'WriteFinish', 'WaitReadStart', 'WaitReadFinish', 'ReadStart', 'ReadFinish', 'RPCFinish'],
];
const WS_SERVER_EVENTS = [['RPCStart', 'ReadStart', 'ReadFinish', 'ServerHandleStart', 'ServerHandleFinish', 'WriteStart', 'WriteFinish', 'RPCFinish']];

for (const { file } of APP_PAGES) {
  test.describe(file, () => {
    test('a click is one trace through fetch and WebSocket RPCs to gateway, realtime and backend', async ({ page, topology, pageProblems }) => {
      await page.goto(`${topology.url}/${file}`);
      const outcome = await clickAndWait(page, 'flow');
      expect(outcome.ok, JSON.stringify(outcome.error)).toBe(true);
      expect(outcome.result.user).toEqual({ status: 200, body: { user: { id: 7, name: 'User 7', plan: 'pro' } } });
      expect(outcome.result.feed.items).toHaveLength(3);
      expect(outcome.result.feed.servedBy).toBe('demo.v1.Realtime');

      const { traceId } = outcome;
      const spans = await topology.collector.waitForTrace(traceId, 9);
      await page.waitForTimeout(100); // nothing else may arrive for this trace
      expect(topology.collector.trace(traceId), 'nine spans: 3 in the page, 2 gateway, 2 realtime, 2 backend').toHaveLength(9);
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));

      // The tree, each parent the caller's span.
      const click = findSpan(spans, 'web', 'internal', 'click flow');
      const webFetch = findSpan(spans, 'web', 'client', GET_USER);
      const gatewayServer = findSpan(spans, 'gateway', 'server', GET_USER);
      const gatewayClient = findSpan(spans, 'gateway', 'client', LOAD_USER);
      const backendUser = findSpan(spans, 'backend', 'server', LOAD_USER);
      const webWs = findSpan(spans, 'web', 'client', GET_FEED);
      const realtimeServer = findSpan(spans, 'realtime', 'server', GET_FEED);
      const realtimeClient = findSpan(spans, 'realtime', 'client', LOAD_FEED);
      const backendFeed = findSpan(spans, 'backend', 'server', LOAD_FEED);
      expect(click.spanId).toBe(outcome.clickSpanId);
      expect(click.parentSpanId, 'the click starts the trace').toBeUndefined();
      for (const [child, parent] of [
        [webFetch, click],
        [gatewayServer, webFetch],
        [gatewayClient, gatewayServer],
        [backendUser, gatewayClient],
        [webWs, click],
        [realtimeServer, webWs],
        [realtimeClient, realtimeServer],
        [backendFeed, realtimeClient],
      ] as const)
        expectChildOf(child, parent);
      // Server spans continue a remote parent; the others a local one.
      for (const span of spans) expect(parentIsRemote(span), `${span.service} ${span.kind} ${span.name}: remote parent`).toBe(span.kind === 'server');

      // What went over the wire: each service got its caller's span as traceparent, and its name.
      const seen = (service: string, method: string) =>
        topology.seen.filter((r) => r.service === service && r.method === method && r.traceparent?.includes(traceId));
      expect(seen('gateway', `/${GET_USER}`)).toEqual([
        { service: 'gateway', method: `/${GET_USER}`, traceparent: traceparentOf(webFetch), tracestate: undefined, caller: 'web' },
      ]);
      expect(seen('realtime', 'GetFeed')).toEqual([
        { service: 'realtime', method: 'GetFeed', traceparent: traceparentOf(webWs), tracestate: undefined, caller: 'web' },
      ]);
      expect(seen('backend', `/${LOAD_USER}`)).toEqual([
        { service: 'backend', method: `/${LOAD_USER}`, traceparent: traceparentOf(gatewayClient), tracestate: undefined, caller: 'gateway' },
      ]);
      expect(seen('backend', `/${LOAD_FEED}`)).toEqual([
        { service: 'backend', method: `/${LOAD_FEED}`, traceparent: traceparentOf(realtimeClient), tracestate: undefined, caller: 'realtime' },
      ]);

      // Events in order, on both sides of each wire.
      for (const span of [webFetch, gatewayClient, realtimeClient]) expectEventsInOrder(span, ...FETCH_CLIENT_EVENTS);
      for (const span of [gatewayServer, backendUser, backendFeed]) expectEventsInOrder(span, ...HTTP_SERVER_EVENTS);
      expectEventsInOrder(webWs, ...WS_CLIENT_EVENTS);
      expect([...eventNames(webWs)].sort(), 'the WebSocket client span: these phases, nothing else').toEqual([...WS_CLIENT_EVENTS[0]].sort());
      expectEventsInOrder(realtimeServer, ...WS_SERVER_EVENTS);

      // Sizes wherever bytes moved, and both sides of one wire agree.
      for (const span of [webFetch, gatewayServer, gatewayClient, backendUser, realtimeClient, backendFeed]) {
        expect(span.attributes['http.request.body.size'], `${span.service} ${span.kind} ${span.name}: request bytes`).toBeGreaterThan(0);
        expect(span.attributes['http.response.body.size'], `${span.service} ${span.kind} ${span.name}: response bytes`).toBeGreaterThan(0);
      }
      for (const span of [webWs, realtimeServer]) {
        expect(span.attributes['rpc.request.size'], `${span.service} ${span.kind} ${span.name}: request frame bytes`).toBeGreaterThan(0);
        expect(span.attributes['rpc.response.size'], `${span.service} ${span.kind} ${span.name}: response frame bytes`).toBeGreaterThan(0);
      }
      for (const [client, server] of [
        [webFetch, gatewayServer],
        [gatewayClient, backendUser],
        [realtimeClient, backendFeed],
        [webWs, realtimeServer],
      ] as const) {
        for (const key of ['http.request.body.size', 'http.response.body.size', 'rpc.request.size', 'rpc.response.size']) {
          expect(server.attributes[key], `${key}: ${client.service} → ${server.service} ${server.name}`).toBe(client.attributes[key]);
        }
      }
      expect(webFetch.attributes['http.response.status_code']).toBe(200);
      expect(gatewayServer.attributes['http.response.status_code']).toBe(200);
      for (const span of spans) expect(span.status.code, `${span.service} ${span.name}`).toBe('unset');

      // Time: the click span holds the page's RPCs; a server span starts after its client span did
      // and before the client saw the response (one machine, one clock; 2 ms slack for the
      // browser's coarsened clock). A server may record its write's end after the client already
      // read the response, so ends are not compared across the wire.
      for (const inner of [webFetch, webWs]) {
        expect(inner.startTime).toBeGreaterThanOrEqual(click.startTime);
        expect(inner.endTime).toBeLessThanOrEqual(click.endTime);
      }
      for (const [client, server] of [
        [webFetch, gatewayServer],
        [gatewayClient, backendUser],
        [webWs, realtimeServer],
        [realtimeClient, backendFeed],
      ] as const) {
        const responseSeen = client.events.find((e) => e.name === 'WaitReadFinish')!.time;
        expect(server.startTime, `${server.service} ${server.name} starts after its client`).toBeGreaterThanOrEqual(client.startTime - 2);
        expect(server.startTime, `${server.service} ${server.name} starts before its client got the response`).toBeLessThanOrEqual(responseSeen + 2);
      }
      expect(gatewayClient.startTime).toBeGreaterThanOrEqual(gatewayServer.startTime);
      expect(gatewayClient.endTime).toBeLessThanOrEqual(gatewayServer.endTime);
      expect(realtimeClient.startTime).toBeGreaterThanOrEqual(realtimeServer.startTime);
      expect(realtimeClient.endTime).toBeLessThanOrEqual(realtimeServer.endTime);

      // The browser's spans came through its OTLP exporter: the collector has exactly the spans the
      // page recorded, with the page's resource, posted by Chromium to the same-origin /v1/traces.
      const webSpans = spans.filter((s) => s.service === 'web');
      expect(webSpans.map((s) => s.spanId).sort()).toEqual(outcome.webSpans.map((s) => s.spanId).sort());
      for (const span of webSpans) {
        expect(span.resource).toMatchObject({ 'service.name': 'web', 'telemetry.sdk.language': 'webjs' });
        expect(span.scope.name).toBe('isotrace');
        expect(topology.collector.posts[span.post].userAgent).toMatch(/Chrome/);
      }
      const nodePost = topology.collector.posts[gatewayServer.post];
      expect(nodePost.userAgent, 'Node services export with their own fetch').not.toMatch(/Chrome/);

      expect(outcome.unhandled).toEqual([]);
      expect(pageProblems).toEqual([]);
    });

    test('the README rule with real RPCs: after a native await the active context is lost; pass ctx explicitly', async ({ page, topology, pageProblems }) => {
      await page.goto(`${topology.url}/${file}`);
      const outcome = await clickAndWait(page, 'afterAwait');
      expect(outcome.ok, JSON.stringify(outcome.error)).toBe(true);
      const { before, after, implicit, explicit } = outcome.result;
      // Before the first await the click's span is active; after it, nothing is.
      expect(before).toEqual({ isRoot: false, spanId: outcome.clickSpanId, zoneIsRoot: false });
      expect(after).toEqual({ isRoot: true, spanId: null, zoneIsRoot: true });
      // A call made after the await without ctx is a new trace; with the captured ctx, the click's child.
      expect(implicit.parentSpanId, 'no ctx after a native await: a new root').toBeNull();
      expect(implicit.traceId).not.toBe(outcome.traceId);
      expect(explicit).toEqual({ traceId: outcome.traceId, parentSpanId: outcome.clickSpanId, spanId: expect.any(String) });

      // The services agree: the realtime server's Ping spans sit in those two traces.
      const [implicitServer] = await topology.collector.waitForTrace(implicit.traceId, 2).then((s) => s.filter((x) => x.kind === 'server'));
      expect(implicitServer).toMatchObject({ service: 'realtime', name: 'demo.v1.Realtime/Ping', parentSpanId: implicit.spanId });
      const clickTrace = await topology.collector.waitForTrace(outcome.traceId, 3);
      expect(findSpan(clickTrace, 'realtime', 'server', 'demo.v1.Realtime/Ping').parentSpanId).toBe(explicit.spanId);

      // The flow scenario checks the same after its fetch's await, before its WebSocket call.
      const flow = await clickAndWait(page, 'flow');
      expect(flow.result.afterAwait).toEqual({ isRoot: true, spanId: null, zoneIsRoot: true });
      expect(pageProblems).toEqual([]);
    });

    test('a traced fetch created with the click span as its ctx option parents its RPCs there', async ({ page, topology, pageProblems }) => {
      await page.goto(`${topology.url}/${file}`);
      const outcome = await clickAndWait(page, 'fetchWithCtxOption');
      expect(outcome.result.user.status).toBe(200);
      const spans = await topology.collector.waitForTrace(outcome.traceId, 5);
      const click = findSpan(spans, 'web', 'internal', 'click fetchWithCtxOption');
      const webFetch = findSpan(spans, 'web', 'client', GET_USER);
      expectChildOf(webFetch, click);
      expectChildOf(findSpan(spans, 'gateway', 'server', GET_USER), webFetch);
      expect(pageProblems).toEqual([]);
    });

    test('closing the page right after the call still delivers its spans (flush on pagehide)', async ({ page, topology, pageProblems }) => {
      // A scheduled delay far beyond the test: only the page-hide flush can send these spans.
      await page.goto(`${topology.url}/${file}?exportDelayMs=600000`);
      const outcome = await clickAndWait(page, 'flow');
      expect(outcome.ok).toBe(true);
      const { traceId } = outcome;
      // The services' spans arrive on their own; the page's are still queued in the page.
      await topology.collector.waitFor((all) => all.filter((s) => s.traceId === traceId && s.service !== 'web').length === 6, { what: 'the six Node spans' });
      expect(topology.collector.trace(traceId).filter((s) => s.service === 'web')).toEqual([]);
      expect(await page.evaluate(() => (window as any).app.otlp.stats.queued)).toBe(3);

      await page.close({ runBeforeUnload: true });
      const spans = await topology.collector.waitFor((all) => all.filter((s) => s.traceId === traceId && s.service === 'web').length === 3, {
        what: "the page's three spans after the page closed",
      });
      const webSpans = spans.filter((s) => s.traceId === traceId && s.service === 'web');
      expect(webSpans.map((s) => s.spanId).sort()).toEqual(outcome.webSpans.map((s) => s.spanId).sort());
      expect(new Set(webSpans.map((s) => s.post)).size, 'in one request').toBe(1);
      const post = topology.collector.posts[webSpans[0].post];
      expect(post.userAgent).toMatch(/Chrome/);
      expect(post.contentType).toMatch(/^application\/json/);
      expect(pageProblems).toEqual([]);
    });
  });
}
