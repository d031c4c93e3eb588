// @ts-check
// The services of the e2e tests and of the demo (`npm run demo`), all on 127.0.0.1, all traced
// with isotrace's public Node API (`import … from 'isotrace'`, the package's own name: Node
// resolves it to dist/node.mjs through the `node` export condition; run `npm run build` first):
//
//   browser page / scripted client ("web")
//     ├─ fetch  POST /demo.v1.Gateway/GetUser ──► gateway   (node:http, traceHttpHandler)
//     │                                             └─ fetch POST /demo.v1.Backend/LoadUser ──► backend
//     └─ WebSocket JSON-RPC GetFeed  (ws /rpc) ──► realtime  (ws, traceWebSocketRpcServer)
//                                                   └─ fetch POST /demo.v1.Backend/LoadFeed ──► backend
//
// The gateway's port (`topology.url`) also serves the pages and dist/ (e2e/server.mjs), the
// OTLP/HTTP collector (POST /v1/traces: same origin for pages, so their keepalive flush on page
// close needs no CORS preflight), GET /api/traces (the collected traces as waterfall rows) and
// GET /metrics (Prometheus text of the services' metrics tracer). The WebSocket service listens
// on the same port (path /rpc); the backend on a port of its own. Every Node service exports its
// spans to the collector with createOtlpHttpExporter, as a real deployment would.
//
// Failure switches, for the tests and the demo's error buttons:
//   GetUser { id >= 500 }  the backend answers HTTP 500, and so does the gateway
//   Drop (WebSocket)       the server closes the socket (code 4001) while the call is pending
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import {
  createMetricsTracer,
  createOtlpHttpExporter,
  createSpanTracer,
  createWebSocketRpcClient,
  metricsHandler,
  traceFetch,
  traceHttpHandler,
  traceWebSocketRpcServer,
  getRPCInfo,
  JsonRpcError,
} from 'isotrace/node';
import { createCollector } from './collector.mjs';
import { readBody, sendJson, startServer } from './server.mjs';

/** Service names (the resource's service.name) and RPC services. */
export const SERVICES = Object.freeze({
  web: 'web',
  gateway: 'gateway',
  realtime: 'realtime',
  backend: 'backend',
});
export const RPC = Object.freeze({
  gateway: 'demo.v1.Gateway',
  realtime: 'demo.v1.Realtime',
  backend: 'demo.v1.Backend',
});
/** The close code the realtime service drops a connection with (method `Drop`). */
export const DROP_CLOSE_CODE = 4001;

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @typedef {object} TopologyOptions
 * @property {number} [port]           the gateway's (and pages') port; default 0 (any free one)
 * @property {number} [backendPort]    default 0
 * @property {{ prefix: string, dir: string }[]} [mounts]  extra static mounts (the demo page)
 * @property {{ loadUser?: number, loadFeed?: number, getUser?: number, getFeed?: number }} [latencyMs]
 *   simulated work per method, in ms (default 2 for the backend methods, 0 for the others)
 * @property {number} [exportDelayMs]  the Node exporters' scheduledDelayMs; default 50
 * @property {number} [quietMs]        see createCollector; default 400
 */

/**
 * @typedef {object} SeenRequest  what a service received, before any tracing code read it
 * @property {string} service
 * @property {string} method
 * @property {string | undefined} traceparent
 * @property {string | undefined} tracestate
 * @property {string | undefined} caller     the x-isotrace-caller header / meta member
 */

/**
 * Starts every service. Close with `await topology.close()` (flushes the exporters first).
 * @param {TopologyOptions} [options]
 */
export async function startTopology(options = {}) {
  const latency = { loadUser: 2, loadFeed: 2, getUser: 0, getFeed: 0, ...options.latencyMs };
  const exportDelayMs = options.exportDelayMs ?? 50;
  const collector = createCollector({ quietMs: options.quietMs });
  /** @type {SeenRequest[]} */
  const seen = [];
  const metrics = createMetricsTracer();

  // The gateway's server comes first: its URL is the collector's.
  const web = await startServer({ port: options.port ?? 0, mounts: options.mounts, routes: collector.routes });
  web.addRoute({ method: 'GET', path: '/metrics', handler: metricsHandler(metrics) });
  const collectorUrl = `${web.url}/v1/traces`;

  /** @type {import('isotrace').OtlpHttpExporter[]} */
  const exporters = [];
  /** @param {string} serviceName */
  const spanTracerFor = (serviceName) => {
    const exporter = createOtlpHttpExporter({ url: collectorUrl, scheduledDelayMs: exportDelayMs, maxRetries: 2, initialBackoffMs: 50 });
    exporters.push(exporter);
    return createSpanTracer({ serviceName, exporter, resource: { 'deployment.environment.name': 'demo' } });
  };

  // ---- backend: plain node:http, traced -------------------------------------------------------
  const backendSpans = spanTracerFor(SERVICES.backend);
  const backendHandler = traceHttpHandler(
    async (req, res) => {
      const method = (req.url ?? '').split('?')[0];
      seen.push({ service: SERVICES.backend, method, ...traceHeaders(req.headers) });
      const body = parseJson(await readBody(req));
      if (method === `/${RPC.backend}/LoadUser`) {
        await sleep(latency.loadUser);
        const id = Number(body?.id ?? 0);
        if (id >= 500) return sendJson(res, 500, { code: 'internal', message: `user store unavailable for user ${id}` });
        return sendJson(res, 200, { user: { id, name: `User ${id}`, plan: id % 2 ? 'pro' : 'free' } });
      }
      if (method === `/${RPC.backend}/LoadFeed`) {
        await sleep(latency.loadFeed);
        const userId = Number(body?.userId ?? 0);
        return sendJson(res, 200, { items: [1, 2, 3].map((n) => ({ id: `${userId}-${n}`, title: `Post ${n} for user ${userId}` })) });
      }
      return sendJson(res, 404, { code: 'unimplemented', message: `no method ${method}` });
    },
    { service: SERVICES.backend, tracers: [backendSpans, metrics] },
  );
  const backendServer = createServer(backendHandler);
  backendServer.keepAliveTimeout = 1000;
  await listen(backendServer, options.backendPort ?? 0);
  const backendUrl = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (backendServer.address()).port}`;

  /**
   * POSTs a Connect-style JSON call to the backend with `fetchImpl`; a non-2xx answer throws.
   * @param {typeof fetch} fetchImpl @param {string} method @param {unknown} message
   */
  const callBackend = async (fetchImpl, method, message) => {
    const res = await fetchImpl(`${backendUrl}/${RPC.backend}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    const body = await res.json(); // read to the end: that finishes the traced fetch
    if (!res.ok) throw Object.assign(new Error(`backend ${method} failed: HTTP ${res.status}: ${body?.message ?? ''}`), { status: res.status });
    return body;
  };

  // ---- gateway: node:http RPC routes on the pages' server, traced; calls the backend ----------
  // `no-cache`, not sendJson's `no-store`: Chromium gives a `no-store` response whose body the
  // page never reads no Resource Timing entry, so such a call could only end at the idle limit.
  const gatewayHeaders = { 'cache-control': 'no-cache' };
  const gatewaySpans = spanTracerFor(SERVICES.gateway);
  const gatewayFetch = traceFetch(globalThis.fetch, { tracers: [gatewaySpans, metrics], service: SERVICES.gateway });
  const gatewayHandler = traceHttpHandler(
    async (req, res) => {
      const path = (req.url ?? '').split('?')[0];
      const body = parseJson(await readBody(req));
      if (path === `/${RPC.gateway}/GetUser`) {
        await sleep(latency.getUser);
        try {
          const { user } = await callBackend(gatewayFetch, 'LoadUser', { id: Number(body?.id ?? 0) });
          return sendJson(res, 200, { user }, gatewayHeaders);
        } catch (error) {
          return sendJson(res, 500, { code: 'internal', message: String(/** @type {Error} */ (error).message) }, gatewayHeaders);
        }
      }
      return sendJson(res, 404, { code: 'unimplemented', message: `no method ${path}` }, gatewayHeaders);
    },
    { service: SERVICES.gateway, tracers: [gatewaySpans, metrics] },
  );
  web.addRoute({
    method: 'POST',
    path: new RegExp(`^/${RPC.gateway.replace(/\./g, '\\.')}/`),
    handler: (req, res) => {
      seen.push({ service: SERVICES.gateway, method: (req.url ?? '').split('?')[0], ...traceHeaders(req.headers) });
      gatewayHandler(req, res);
    },
  });

  // ---- realtime: JSON-RPC over ws on the same port, traced; calls the backend -----------------
  const realtimeSpans = spanTracerFor(SERVICES.realtime);
  const realtimeFetch = traceFetch(globalThis.fetch, { tracers: [realtimeSpans, metrics], service: SERVICES.realtime });
  /** @type {Set<() => void>} */
  const pendingDrops = new Set();
  const wss = new WebSocketServer({ server: web.server, path: '/rpc', maxPayload: 1 << 20 });
  wss.on('error', () => {}); // errors of the shared http server are the http server's business
  // What arrived, raw, before the traced server parsed it; and the Drop switch.
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      let message;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      for (const m of Array.isArray(message) ? message : [message]) {
        const meta = m?.meta ?? {};
        seen.push({
          service: SERVICES.realtime,
          method: String(m?.method),
          traceparent: meta.traceparent,
          tracestate: meta.tracestate,
          caller: meta['x-isotrace-caller'],
        });
        if (m?.method === 'Drop') setTimeout(() => ws.close(DROP_CLOSE_CODE, 'dropped by the realtime service'), Number(m?.params?.afterMs ?? 5));
      }
    });
  });
  const realtime = traceWebSocketRpcServer(
    wss,
    {
      async GetFeed(params, ctx) {
        await sleep(latency.getFeed);
        const userId = Number(params?.userId);
        if (!Number.isInteger(userId)) throw JsonRpcError.invalidParams('GetFeed needs { userId: integer }');
        const { items } = await callBackend(realtimeFetch, 'LoadFeed', { userId });
        // The call's own RPCInfo, from the ctx the server hands every method.
        return { userId, items, servedBy: getRPCInfo(ctx)?.to.serviceName };
      },
      Ping: () => 'pong',
      // Never answers: the raw listener above closes the socket while this call is pending.
      Drop: () => new Promise((resolve) => pendingDrops.add(() => resolve(null))),
    },
    { service: RPC.realtime, tracers: [realtimeSpans, metrics] },
  );

  const wsUrl = `${web.url.replace(/^http/, 'ws')}/rpc`;
  /** Every exporter, including those of clients made with createWebClient. */
  const flush = () => Promise.all(exporters.map((e) => e.forceFlush())).then(() => undefined);
  /** @type {Set<{ close(): Promise<void> }>} */
  const clients = new Set();

  let closing;
  return {
    /** The gateway's origin: pages, dist/, /v1/traces, /api/traces, /metrics, RPCs. */
    url: web.url,
    port: web.port,
    wsUrl,
    backendUrl,
    collectorUrl,
    collector,
    metrics,
    seen,
    spanTracers: { gateway: gatewaySpans, realtime: realtimeSpans, backend: backendSpans },
    web,
    flush,

    /**
     * A scripted client in this process acting as the "web" service: a traced fetch and a
     * traced WebSocket RPC client, exporting to the collector (the demo's scripted client).
     * @param {{ serviceName?: string }} [clientOptions]
     */
    createWebClient(clientOptions = {}) {
      const serviceName = clientOptions.serviceName ?? SERVICES.web;
      const spans = spanTracerFor(serviceName);
      const tracers = [spans, metrics];
      const tracedFetch = traceFetch(globalThis.fetch, { tracers, service: serviceName });
      /** @type {Set<import('isotrace').WebSocketRpcClient>} */
      const sockets = new Set();
      const connect = () => {
        // Node 20 has no global WebSocket: pass ws's (a browser or Node >= 22 needs none).
        const client = createWebSocketRpcClient(wsUrl, {
          WebSocket: /** @type {any} */ (WebSocket),
          tracers,
          service: serviceName,
          remoteService: RPC.realtime,
          timeoutMs: 5000,
        });
        sockets.add(client);
        return client;
      };
      const client = {
        spans,
        fetch: tracedFetch,
        connect,
        /** @param {number} id */
        async getUser(id, base = web.url) {
          const res = await tracedFetch(`${base}/${RPC.gateway}/GetUser`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id }),
          });
          const body = await res.json();
          if (!res.ok) throw new Error(`GetUser failed: HTTP ${res.status}: ${body?.message ?? ''}`);
          return body.user;
        },
        async close() {
          await Promise.all([...sockets].map((s) => s.close()));
          clients.delete(client);
        },
      };
      clients.add(client);
      return client;
    },

    /** A URL on 127.0.0.1 whose port nothing listens on (for network errors). */
    closedPortUrl,

    async close() {
      closing ??= (async () => {
        await Promise.all([...clients].map((c) => c.close()));
        for (const resolve of pendingDrops) resolve();
        await flush().catch(() => {});
        await Promise.all(exporters.map((e) => e.shutdown().catch(() => {})));
        realtime.close();
        for (const ws of wss.clients) ws.terminate();
        await new Promise((resolve) => wss.close(() => resolve(undefined)));
        await Promise.all([
          web.close(),
          new Promise((resolve) => {
            backendServer.close(() => resolve(undefined));
            backendServer.closeAllConnections();
          }),
        ]);
      })();
      return closing;
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof startTopology>>} Topology */

/** @param {import('node:http').IncomingHttpHeaders} headers */
function traceHeaders(headers) {
  return {
    traceparent: /** @type {string | undefined} */ (headers.traceparent),
    tracestate: /** @type {string | undefined} */ (headers.tracestate),
    caller: /** @type {string | undefined} */ (headers['x-isotrace-caller']),
  };
}

/** @param {string} text */
function parseJson(text) {
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    return {};
  }
}

/** @param {import('node:http').Server} server @param {number} port */
function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
}

/** A URL on 127.0.0.1 whose port was free a moment ago and is closed now. */
export async function closedPortUrl() {
  const server = createServer();
  await listen(server, 0);
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return `http://127.0.0.1:${port}`;
}
