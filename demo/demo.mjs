// @ts-check
// isotrace demo: `npm run demo` (after `npm run build`, which the script runs).
//
// Starts the traced services of e2e/topology.mjs on 127.0.0.1 — a node:http gateway, a ws
// JSON-RPC realtime service, a backend both call with a traced fetch, and an OTLP/HTTP collector
// they all export their spans to — then runs a scripted client ("web": a traced fetch and a
// WebSocket RPC client), prints every trace the collector received as a waterfall, prints the
// metrics table, closes everything and exits.
//
//   npm run demo                      the scripted run, then exit
//   npm run demo -- --serve           keep serving: open the printed URL, click the buttons, and
//                                     watch the traces (browser and Node spans) as waterfalls
//   npm run demo -- --serve --port 8080
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { startTopology } from '../e2e/topology.mjs';
import { buildTraceView } from '../e2e/waterfall.mjs';
import { colorByDefault, renderMetrics, renderWaterfall } from './terminal.mjs';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * Starts the demo's services, serving the demo page at `/`.
 * @param {{ port?: number, latencyMs?: Record<string, number>, quietMs?: number, exportDelayMs?: number }} [options]
 */
export async function startDemo(options = {}) {
  const topology = await startTopology({
    port: options.port ?? 0,
    mounts: [{ prefix: '/', dir: PUBLIC_DIR }],
    // Enough simulated work for the waterfalls to show where the time goes.
    latencyMs: { getUser: 2, loadUser: 12, getFeed: 2, loadFeed: 18, ...options.latencyMs },
    quietMs: options.quietMs,
    exportDelayMs: options.exportDelayMs,
  });
  return { topology, url: `${topology.url}/`, close: () => topology.close() };
}

/**
 * The scripted client: four interactions, each a span of the "web" service with RPCs under it.
 * Resolves to [{ title, traceId, spans }] with the number of spans each trace will have.
 * @param {Awaited<ReturnType<typeof startDemo>>['topology']} topology
 */
export async function runScript(topology) {
  const web = topology.createWebClient({ serviceName: 'web' });
  const realtime = web.connect();
  /** @type {{ title: string, traceId: string, spans: number, outcome: string }[]} */
  const runs = [];
  /**
   * @param {string} title @param {number} spans
   * @param {() => Promise<string>} work
   */
  const interaction = async (title, spans, work) => {
    let traceId = '';
    const outcome = await web.spans
      .withSpan(title, (span) => {
        traceId = span.spanContext.traceId;
        return work();
      })
      .catch((/** @type {Error} */ error) => `failed: ${error.message.replace(/^isotrace: /, '')}`);
    runs.push({ title, traceId, spans, outcome });
  };

  await interaction('open profile (fetch + WebSocket)', 9, async () => {
    // In Node the context follows every await (AsyncLocalStorage): no ctx to pass around.
    const user = await web.getUser(7);
    const feed = /** @type {{ items: unknown[] }} */ (await realtime.call('GetFeed', { userId: user.id }));
    return `${user.name}, ${feed.items.length} posts`;
  });
  await interaction('open profile of user 500 (the backend fails)', 5, async () => {
    const user = await web.getUser(500);
    return `${user.name}`;
  });
  await interaction('live feed (the server drops the socket mid-call)', 3, async () => {
    const dropping = web.connect();
    return String(await dropping.call('Drop', { afterMs: 8 }));
  });
  const closed = await topology.closedPortUrl();
  await interaction('open profile via a gateway that is down', 2, async () => {
    const user = await web.getUser(7, closed);
    return `${user.name}`;
  });

  await topology.flush();
  await Promise.all(runs.map((run) => topology.collector.waitForTrace(run.traceId, run.spans, { timeoutMs: 5000 })));
  await web.close();
  return runs;
}

/** @param {string[]} argv */
async function main(argv) {
  const serve = argv.includes('--serve');
  const portArg = argv.indexOf('--port');
  const port = portArg >= 0 ? Number(argv[portArg + 1]) : Number(process.env.PORT ?? 0);
  const color = argv.includes('--no-color') ? false : colorByDefault();
  const bold = (/** @type {string} */ text) => (color ? `\u001b[1m${text}\u001b[0m` : text);

  const demo = await startDemo({ port });
  const { topology } = demo;
  console.log(bold('isotrace demo: Kitex-style RPC tracing, browser and Node'));
  console.log(`  gateway   ${topology.url}  node:http, traceHttpHandler (also: pages, /v1/traces collector, /metrics)`);
  console.log(`  realtime  ${topology.wsUrl}  ws JSON-RPC, traceWebSocketRpcServer`);
  console.log(`  backend   ${topology.backendUrl}  node:http, traceHttpHandler; the others call it with traceFetch`);
  console.log('  every service exports its spans to the collector with createOtlpHttpExporter\n');

  if (serve) {
    console.log(`${bold('Open')} ${demo.url}  and click the buttons; finished traces are drawn there and printed here.`);
    console.log('Ctrl+C to stop.\n');
    const printed = new Set();
    const poll = setInterval(() => {
      for (const view of topology.collector.traces().reverse()) {
        if (!view.complete || printed.has(view.traceId)) continue;
        printed.add(view.traceId);
        console.log(`${renderWaterfall(view, { color })}\n`);
      }
    }, 500);
    const stop = async () => {
      clearInterval(poll);
      await demo.close();
      console.log('stopped: every server closed');
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }

  console.log('A scripted client ("web": a traced fetch and a WebSocket RPC client) runs four interactions.');
  console.log('Each trace below is drawn from the spans the collector received (OTLP/HTTP JSON):\n');
  const runs = await runScript(topology);
  for (const [i, run] of runs.entries()) {
    const spans = topology.collector.trace(run.traceId);
    console.log(renderWaterfall(buildTraceView(spans), { color, title: `${i + 1}. ${run.title}` }));
    console.log(`   → ${run.outcome}\n`);
  }
  console.log(bold('Metrics') + ' (createMetricsTracer, shared by every service in this process; Prometheus text at /metrics):');
  console.log(renderMetrics(topology.metrics.snapshot(), { color }));
  const { spans, posts } = topology.collector;
  console.log(`\nThe collector received ${spans.length} spans in ${posts.length} OTLP requests.`);
  await demo.close();
  console.log('Every server closed. `npm run demo -- --serve` keeps them running with a page to click.');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
