// Client overhead of traceFetch (issue 3): a loopback fetch RPC — Connect-style POST of a small
// JSON body to /bench.v1.EchoService/Echo on a node:http server that answers small JSON — made
// with the untraced global fetch vs `traceFetch(fetch, { tracers: [noop] })` where the tracer is
// `{ start: c => c, finish() {} }` (Detailed stats level, the default with a tracer: every event
// is recorded, body sizes counted). Sequential calls; the server runs in a child process so it
// gets the other core. Modes alternate batch by batch; the script reports the median per-call time
// of each mode over the rounds, and their ratio. Target: traced ≤ 1.03× untraced.
//
//   node bench/client-overhead.mjs [--rounds 40] [--calls 500]
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { argInt, emitResult, fail, fmt, fmtRatio, importDist, markdownTable, median, rotate, spread } from './lib.mjs';

const TARGET = 1.03;

if (process.argv.includes('--server')) {
  const { createServer } = await import('node:http');
  const reply = JSON.stringify({ message: 'pong', n: 1, items: [1, 2, 3] });
  const server = createServer((req, res) => {
    let n = 0;
    req.on('data', (d) => (n += d.length));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
      res.end(reply);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
  process.on('disconnect', () => process.exit(0));
  process.stdin.on('end', () => process.exit(0)).resume();
} else {
  const rounds = Math.max(5, argInt('rounds', 40));
  const calls = argInt('calls', 500);
  const { traceFetch } = await importDist('node.mjs', ['traceFetch']);

  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), '--server'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let buf = '';
    server.stdout.on('data', (d) => {
      buf += d;
      const m = /PORT (\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    server.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  const watchdog = setTimeout(() => {
    server.kill();
    fail('client-overhead timed out');
  }, 240_000);

  const url = `http://127.0.0.1:${port}/bench.v1.EchoService/Echo`;
  const body = JSON.stringify({ message: 'ping', n: 1 });
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  const noop = { start: (c) => c, finish() {} };
  const fetches = { untraced: globalThis.fetch, traced: traceFetch(globalThis.fetch, { tracers: [noop], service: 'bench' }) };

  // Wall µs per call, and this (client) process's CPU µs per call: steadier on a shared machine.
  const cpu = { untraced: [], traced: [] };
  const batch = async (f, n, mode) => {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const res = await f(url, init);
      const json = await res.json();
      if (json.message !== 'pong') throw new Error('bad reply');
    }
    const wall = Number(process.hrtime.bigint() - t0) / n / 1000;
    const c = process.cpuUsage(c0);
    if (mode) cpu[mode].push((c.user + c.system) / n);
    return wall;
  };

  try {
    for (const f of Object.values(fetches)) await batch(f, 1000); // warm-up: JIT, keep-alive sockets
    const results = { untraced: [], traced: [] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of rotate(['untraced', 'traced'], round)) results[mode].push(await batch(fetches[mode], calls, mode));
    }
    const mu = median(results.untraced);
    const mt = median(results.traced);
    const ratio = mt / mu;
    console.log(`loopback fetch RPC (POST small JSON, read JSON reply), µs per call — medians of ${rounds} alternating batches of ${calls} sequential calls`);
    const cu = median(cpu.untraced);
    const ct = median(cpu.traced);
    console.log(
      markdownTable(
        ['mode', 'µs/call (wall)', 'spread', 'client CPU µs/call'],
        [
          [
            'untraced global fetch',
            fmt(mu, 2),
            spread(results.untraced)
              .map((v) => fmt(v, 1))
              .join('–'),
            fmt(cu, 1),
          ],
          [
            'traceFetch, no-op tracer',
            fmt(mt, 2),
            spread(results.traced)
              .map((v) => fmt(v, 1))
              .join('–'),
            fmt(ct, 1),
          ],
        ],
      ),
    );
    const ok = ratio <= TARGET;
    console.log(
      `traced / untraced: ${fmtRatio(ratio)} (target ≤ ${TARGET}×: ${ok ? 'ok' : 'MISSED'}); client CPU per call ${fmtRatio(ct / cu)} (+${fmt(ct - cu, 1)} µs)`,
    );
    emitResult('client-overhead', [
      {
        metric: 'traceFetch (no-op tracer) vs untraced fetch, loopback, per call',
        value: `${fmt(mt, 1)} µs vs ${fmt(mu, 1)} µs → ${fmtRatio(ratio)}; client CPU +${fmt(ct - cu, 1)} µs/call (${fmtRatio(ct / cu)})`,
        budget: `≤ ${TARGET}×`,
        ok,
      },
    ]);
  } finally {
    clearTimeout(watchdog);
    server.stdin.end();
    server.kill();
  }
}
