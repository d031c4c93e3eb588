// One mode of bench/rpc-overhead.mjs (the preload picks the mode): a loopback fetch RPC, client
// and server in this one process — a node:http server answering small JSON to a Connect-style
// POST /bench.v1.EchoService/Echo, called sequentially with fetch. Prints µs per call.
import { createRequire } from 'node:module';
import { childReport, argInt } from '../lib.mjs';

const bench = globalThis.__bench;
if (!bench) throw new Error('run with --import bench/rpc/preload-<mode>.mjs');
const http = createRequire(import.meta.url)('node:http');

const calls = argInt('calls', 3000);
const warmup = argInt('warmup', 1000);
const reply = JSON.stringify({ message: 'pong', n: 1, items: [1, 2, 3] });
let withTraceparent = 0;
const server = http.createServer(
  bench.wrapHandler((req, res) => {
    if (req.headers.traceparent) withTraceparent++;
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString());
      if (body.message !== 'ping') throw new Error('bad request');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
      res.end(reply);
    });
  }),
);
server.keepAliveTimeout = 60_000;
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/bench.v1.EchoService/Echo`;
const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'ping', n: 1 }) };

let cpuUsPerCall;
const run = async (n) => {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const res = await bench.fetch(url, init);
    const json = await res.json();
    if (json.message !== 'pong') throw new Error('bad reply');
  }
  const wall = Number(process.hrtime.bigint() - t0) / n / 1000;
  const c = process.cpuUsage(c0);
  cpuUsPerCall = (c.user + c.system) / n;
  return wall;
};
await run(warmup);
withTraceparent = 0;
const usPerCall = await run(calls);
await bench.flush();
server.close();
server.closeAllConnections?.();
childReport({ mode: bench.mode, node: process.version, usPerCall, cpuUsPerCall, calls, traceparentShare: withTraceparent / calls, counts: bench.counts() });
