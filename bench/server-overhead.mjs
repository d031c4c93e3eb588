// Server-side tracing overhead: requests/s of a node:http server on loopback, untraced vs wrapped
// in traceHttpHandler with a no-op tracer (so what is measured is isotrace's own cost: RPCInfo,
// header carrier, events, sizes, the call's AsyncLocalStorage context). Each mode runs in its own
// child process; autocannon drives them from this process, alternating the order round by round
// so drift hits both alike. Each child also reports its CPU time per request, a steadier figure
// than requests/s on a shared machine. Loopback only.
//
//   npm run build && node bench/server-overhead.mjs [--duration 5] [--rounds 5] [--connections 50] [--als]
//
// --als adds a reference mode: the handler inside a bare AsyncLocalStorage.run, i.e. the price of
// carrying any context through a request, which every context-propagating tracer pays.
// Target: traced ≥ 0.97 × untraced (median requests/s). About a minute with the defaults.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const BODY = JSON.stringify({ id: 12345, name: 'isotrace', ok: true, tags: ['a', 'b'] });

function handler(_req, res) {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
  res.end(BODY);
}

/** Child: serve one mode on 127.0.0.1, report the port, and CPU time per request on demand. */
async function serve(mode) {
  let listener = handler;
  if (mode === 'traced') {
    // The untraced child never loads isotrace: the baseline is the app without it.
    const { traceHttpHandler } = await import('../dist/node.mjs');
    listener = traceHttpHandler(handler, { service: 'bench', tracers: [{ start: (ctx) => ctx, finish() {} }] });
  } else if (mode === 'als') {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const storage = new AsyncLocalStorage();
    listener = (req, res) => storage.run({}, handler, req, res);
  }
  let served = 0;
  let since = process.cpuUsage();
  const server = createServer((req, res) => {
    served++;
    listener(req, res);
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (message) => {
    if (message === 'reset') {
      served = 0;
      since = process.cpuUsage();
    } else if (message === 'report') {
      const { user, system } = process.cpuUsage(since);
      process.send({ cpuPerRequest: (user + system) / Math.max(served, 1) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const { default: autocannon } = await import('autocannon');
  const duration = option('duration', 5);
  const rounds = option('rounds', 5);
  const connections = option('connections', 50);
  const modes = process.argv.includes('--als') ? ['untraced', 'als', 'traced'] : ['untraced', 'traced'];
  const self = fileURLToPath(import.meta.url);
  const children = {};
  const urls = {};
  for (const mode of modes) {
    const child = fork(self, ['--serve', mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children[mode] = child;
    urls[mode] = await new Promise((resolve, reject) => {
      child.once('message', ({ port }) => resolve(`http://127.0.0.1:${port}/`));
      child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
    });
  }
  const ask = (mode, message) =>
    new Promise((resolve) => {
      children[mode].once('message', resolve);
      children[mode].send(message);
    });
  const run = async (mode, seconds) => {
    children[mode].send('reset');
    const result = await new Promise((resolve, reject) =>
      autocannon({ url: urls[mode], connections, duration: seconds }, (error, r) => (error ? reject(error) : resolve(r))),
    );
    if (result.errors > 0 || result.non2xx > 0) throw new Error(`${mode}: ${result.errors} errors, ${result.non2xx} non-2xx responses`);
    const { cpuPerRequest } = await ask(mode, 'report');
    return { rps: result.requests.average, cpu: cpuPerRequest };
  };

  try {
    console.log(`node ${process.version}, ${connections} connections, ${duration} s per run, ${rounds} rounds of ${modes.join(' / ')} (+ 2 s warm-up each)`);
    for (const mode of modes) await run(mode, 2);
    const results = Object.fromEntries(modes.map((m) => [m, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? modes : [...modes].reverse();
      for (const mode of order) results[mode].push(await run(mode, duration));
      const line = modes.map((m) => `${m} ${results[m].at(-1).rps.toFixed(0)} req/s (${results[m].at(-1).cpu.toFixed(1)} µs CPU/req)`);
      console.log(`round ${round + 1}: ${line.join(', ')}`);
    }
    const rps = Object.fromEntries(modes.map((m) => [m, median(results[m].map((r) => r.rps))]));
    const cpu = Object.fromEntries(modes.map((m) => [m, median(results[m].map((r) => r.cpu))]));
    for (const m of modes) console.log(`median ${m}: ${rps[m].toFixed(0)} req/s, ${cpu[m].toFixed(1)} µs server CPU per request`);
    console.log(
      `ratio traced/untraced: ${(rps.traced / rps.untraced).toFixed(3)} req/s (target >= 0.97); CPU per request ${(cpu.traced / cpu.untraced).toFixed(3)}x`,
    );
  } finally {
    for (const child of Object.values(children)) child.disconnect();
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3]);
else await main();
