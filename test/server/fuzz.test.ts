// Seeded fuzzing of what a server reads from the wire: malformed trace headers over HTTP and
// malformed JSON-RPC frames over WebSocket. Nothing may crash, every request is answered (or the
// connection refused, for an oversized frame), every traced call finishes, nothing piles up, and
// the server still serves a good request afterwards. Each case knows its expected answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContextManager, setContextManager } from '../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../src/context/async-local-storage-context-manager.js';
import { CALLER_SERVICE_HEADER } from '../../src/rpcinfo/header-names.js';
import { isSpanContextValid } from '../../src/propagation/span-context.js';
import { traceHttpHandler } from '../../src/server/http/handler.js';
import { traceWebSocketRpcServer } from '../../src/server/websocket/handler.js';
import { JsonRpcError } from '../../src/rpcinfo/errors.js';
import { delay, extractingTracer, mulberry32, recorder, serve } from './helpers.js';
import { TestClient, wsServer } from './websocket/helpers.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

type Random = () => number;
const int = (r: Random, n: number) => Math.floor(r() * n);
const pick = <T>(r: Random, items: readonly T[]): T => items[int(r, items.length)];
const timers = () => process.getActiveResourcesInfo().filter((t) => t === 'Timeout').length;

function printable(
  r: Random,
  length: number,
  alphabet = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\t',
): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[int(r, alphabet.length)];
  return s;
}

const VALID_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function traceHeaderValue(r: Random): string {
  switch (int(r, 7)) {
    case 0:
      return VALID_TRACEPARENT;
    case 1: {
      // One character of a valid header changed, dropped or doubled.
      const i = int(r, VALID_TRACEPARENT.length);
      const c = printable(r, 1, '0123456789abcdefABCDEF-xz ');
      return pick(r, [
        VALID_TRACEPARENT.slice(0, i) + c + VALID_TRACEPARENT.slice(i + 1),
        VALID_TRACEPARENT.slice(0, i) + VALID_TRACEPARENT.slice(i + 1),
        VALID_TRACEPARENT.slice(0, i) + c + VALID_TRACEPARENT.slice(i),
      ]);
    }
    case 2:
      return pick(r, ['ff', '01', 'cc', '00']) + VALID_TRACEPARENT.slice(2) + pick(r, ['', '-', '-extra', '-' + printable(r, 20)]);
    case 3:
      return printable(r, int(r, 600));
    case 4:
      return printable(r, 4000 + int(r, 4000), 'abc=,;% -0123456789');
    case 5:
      return `${VALID_TRACEPARENT}, ${VALID_TRACEPARENT}`;
    default:
      return '\t ' + printable(r, int(r, 50)) + ' ';
  }
}

describe('fuzz: malformed trace headers over HTTP', () => {
  it('never crash, never throw in a tracer, always answer; extraction is valid or nothing', async () => {
    const r = mulberry32(20240607);
    const extractor = extractingTracer();
    const rec = recorder();
    const tracerErrors: unknown[] = [];
    const timersBefore = timers();
    const srv = await serve(
      traceHttpHandler((_req, res) => res.end('ok'), { tracers: [extractor, rec.tracer], onTracerError: (e) => tracerErrors.push(e.error) }),
    );
    const listenersBefore = srv.server.listenerCount('request');
    const N = 600;
    const sentTraceparents: Array<string | undefined> = [];
    let next = 0;
    const statuses: number[] = [];
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const headers = new Headers();
        for (const name of ['traceparent', 'tracestate', 'baggage', CALLER_SERVICE_HEADER, 'x-other']) {
          if (r() < 0.7) headers.append(name, traceHeaderValue(r).trim());
          if (r() < 0.1) headers.append(name, traceHeaderValue(r).trim());
        }
        sentTraceparents[i] = headers.get('traceparent') ?? undefined;
        const path = '/' + printable(r, int(r, 40), 'abcXYZ.%/_-09') + '?' + printable(r, 10);
        const res = await fetch(`${srv.url}${path}`, { headers: { ...Object.fromEntries(headers), 'x-case': String(i) } });
        statuses.push(res.status);
        await res.text();
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    // Node refuses headers past its 16 KiB limit with a 431 before any handler runs: refused, not lost.
    const served = statuses.filter((s) => s === 200).length;
    expect(statuses.every((s) => s === 200 || s === 431)).toBe(true);
    expect(served).toBeGreaterThan(N * 0.9);
    await rec.finishedCount(served);
    const still = await fetch(`${srv.url}/still`, { headers: { traceparent: VALID_TRACEPARENT } });
    expect(await still.text()).toBe('ok');
    await rec.finishedCount(served + 1);
    expect(srv.server.listenerCount('request')).toBe(listenersBefore);
    await srv.close();
    await delay(20);

    expect(tracerErrors).toEqual([]);
    expect(rec.started).toHaveLength(served + 1);
    expect(rec.finished).toHaveLength(served + 1);
    for (const [i, ri] of rec.finished.entries()) {
      const sc = extractor.extracted[rec.started.indexOf(ri)];
      expect(sc === undefined || isSpanContextValid(sc), `call ${i}`).toBe(true);
      const sent = ri.headers.get('traceparent');
      if (sent === VALID_TRACEPARENT) expect(sc?.spanId).toBe('00f067aa0ba902b7');
      // Whatever was extracted came from what was sent, not from another request.
      if (sc !== undefined) expect(sent).toContain(`${sc.traceId}-${sc.spanId}`);
    }
    expect(sentTraceparents.filter((t) => t === VALID_TRACEPARENT).length).toBeGreaterThan(20);
    expect(timers()).toBeLessThanOrEqual(timersBefore);
  }, 30_000);
});

// ---- JSON-RPC frames ----

const CLOSE = Symbol('closed with 1009');
interface Case {
  frame: string | Uint8Array;
  /** The parsed response expected; `undefined` for none. */
  expected: unknown;
  /** How many traced calls the frame makes. */
  traced: number;
}

const MAX_PAYLOAD = 64 * 1024;
const methods = {
  echo: (params: unknown) => params ?? null,
  len: (params: unknown) => (Array.isArray(params) ? params.length : Object.keys(params ?? {}).length),
  fail: () => {
    throw new Error('secret internals');
  },
  invalid: () => {
    throw JsonRpcError.invalidParams();
  },
  later: async (params: unknown) => {
    await delay(1);
    return params ?? null;
  },
};
const METHOD_NAMES = ['echo', 'len', 'fail', 'invalid', 'later', 'nope', 'rpc.discover', 'constructor', 'hasOwnProperty'];

function value(r: Random, depth: number): unknown {
  switch (int(r, depth > 2 ? 5 : 7)) {
    case 0:
      return int(r, 2000) - 1000;
    case 1:
      return r() * 1e6;
    case 2:
      return printable(r, int(r, 12), 'aé東\u{1F600}"\\\n\t<>x') + String.fromCharCode(0xd800 + int(r, 2) * 0x400);
    case 3:
      return pick(r, [true, false, null]);
    case 4:
      return '';
    case 5:
      return Array.from({ length: int(r, 4) }, () => value(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(r, 4) }, () => [printable(r, 1 + int(r, 5), 'abkey_$-'), value(r, depth + 1)]));
  }
}

function randomId(r: Random): string | number | null {
  return pick(r, [int(r, 1e6), 'id-' + int(r, 1e6), 'x'.repeat(int(r, 10_000)), Number.MAX_SAFE_INTEGER, -1e308, 1.5, null, '']);
}

function randomMeta(r: Random): unknown {
  return pick(r, [
    42,
    'meta',
    [1, 2],
    null,
    { traceparent: traceHeaderValue(r), tracestate: traceHeaderValue(r) },
    { traceparent: 1, tracestate: {}, baggage: ['x'] },
    { [CALLER_SERVICE_HEADER]: printable(r, 10), baggage: '%%%,=;' },
    { '': '' },
  ]);
}

const response = (id: unknown, body: object) => ({ jsonrpc: '2.0', id, ...body });
const errorOf = (id: unknown, code: number, message: string) => response(id, { error: { code, message } });

function expectedFor(method: string, params: unknown, id: unknown): unknown {
  if (method === 'echo' || method === 'later') return response(id, { result: params ?? null });
  if (method === 'len') return response(id, { result: methods.len(params) });
  if (method === 'fail') return errorOf(id, -32603, 'Internal error');
  if (method === 'invalid') return errorOf(id, -32602, 'Invalid params');
  return errorOf(id, -32601, 'Method not found');
}

/** A valid request (or notification) as an object, with its expected response. */
function validMessage(r: Random, notification: boolean): { message: Record<string, unknown>; expected: unknown } {
  const method = pick(r, METHOD_NAMES);
  const params = r() < 0.2 ? undefined : r() < 0.5 ? Array.from({ length: int(r, 4) }, () => value(r, 1)) : (value(r, 2) as object);
  const message: Record<string, unknown> = { jsonrpc: '2.0', method };
  if (params !== undefined && typeof params === 'object' && params !== null) message.params = params;
  if (r() < 0.3) message.meta = randomMeta(r);
  if (notification) return { message, expected: undefined };
  const id = randomId(r);
  message.id = id;
  return { message, expected: expectedFor(method, message.params, id) };
}

/** A request object with one member of the wrong type, and its expected -32600. */
function wrongTypeMessage(r: Random): { message: Record<string, unknown>; expected: unknown } {
  const { message } = validMessage(r, r() < 0.3);
  const hasId = 'id' in message;
  const member = pick(r, ['jsonrpc', 'method', 'params', 'id']);
  const bad = {
    jsonrpc: [undefined, '1.0', 2, null, '2.0 ', true],
    method: [undefined, 1, null, {}, [], true],
    params: ['str', 1, true, null],
    id: [{}, [], true, false],
  }[member];
  const replacement = pick(r, bad as unknown[]);
  if (replacement === undefined) delete message[member];
  else message[member] = replacement;
  const id = member === 'id' ? null : hasId ? message.id : null;
  return { message, expected: errorOf(id, -32600, 'Invalid Request') };
}

function makeCase(r: Random): Case {
  const kind = int(r, 12);
  if (kind === 0) {
    const bytes = new Uint8Array(1 + int(r, 200)).map(() => int(r, 256));
    bytes[0] = 0xff; // never valid JSON, so the expected answer is certain
    return { frame: bytes, expected: errorOf(null, -32700, 'Parse error'), traced: 0 };
  }
  if (kind === 1) return { frame: '#' + printable(r, int(r, 300)), expected: errorOf(null, -32700, 'Parse error'), traced: 0 };
  if (kind === 2) return { frame: pick(r, ['true', '1', '"s"', 'null', '{}', '-0.5e3']), expected: errorOf(null, -32600, 'Invalid Request'), traced: 0 };
  if (kind === 3) {
    const text = JSON.stringify(r() < 0.5 ? validMessage(r, false).message : [validMessage(r, false).message, validMessage(r, true).message]);
    return { frame: text.slice(0, int(r, text.length)), expected: errorOf(null, -32700, 'Parse error'), traced: 0 };
  }
  if (kind === 4) {
    const { message, expected } = wrongTypeMessage(r);
    return { frame: JSON.stringify(message), expected, traced: 0 };
  }
  if (kind === 5)
    return { frame: `{"jsonrpc":"2.0","id":${pick(r, ['1e400', '-1e999'])},"method":"echo"}`, expected: errorOf(null, -32600, 'Invalid Request'), traced: 0 };
  if (kind === 6) {
    const members: unknown[] = [];
    const expected: unknown[] = [];
    let traced = 0;
    for (let i = 0, n = 1 + int(r, 8); i < n; i++) {
      const what = int(r, 5);
      if (what === 0 || what === 1) {
        const m = validMessage(r, what === 1);
        members.push(m.message);
        if (m.expected !== undefined) expected.push(m.expected);
        traced++;
      } else if (what === 2) {
        const m = wrongTypeMessage(r);
        members.push(m.message);
        expected.push(m.expected);
      } else {
        members.push(pick(r, [1, 'x', null, true, [], [validMessage(r, false).message]]));
        expected.push(errorOf(null, -32600, 'Invalid Request'));
      }
    }
    return { frame: JSON.stringify(members), expected: expected.length > 0 ? expected : undefined, traced };
  }
  if (kind === 7) {
    const depth = 2 + int(r, 25_000);
    if (r() < 0.5) return { frame: '['.repeat(depth) + ']'.repeat(depth), expected: [errorOf(null, -32600, 'Invalid Request')], traced: 0 };
    const id = int(r, 1000);
    return {
      frame: `{"jsonrpc":"2.0","id":${id},"method":"len","params":${'['.repeat(depth)}${']'.repeat(depth)}}`,
      expected: response(id, { result: 1 }),
      traced: 1,
    };
  }
  if (kind === 8 && r() < 0.15) {
    return { frame: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: ['x'.repeat(MAX_PAYLOAD + int(r, 1000))] }), expected: CLOSE, traced: 0 };
  }
  const notification = kind === 9;
  const { message, expected } = validMessage(r, notification);
  return { frame: JSON.stringify(message), expected, traced: 1 };
}

async function runCases(url: string, cases: Case[]): Promise<void> {
  let client = await TestClient.connect(url);
  const sentinel = async (tag: string) => {
    expect(await client.call({ jsonrpc: '2.0', id: tag, method: 'echo', params: [tag] }), `after ${tag}`).toEqual(response(tag, { result: [tag] }));
  };
  for (const [i, c] of cases.entries()) {
    client.send(c.frame);
    const what = `case ${i}: ${String(typeof c.frame === 'string' ? c.frame : `bytes(${c.frame.length})`).slice(0, 120)}`;
    if (c.expected === CLOSE) {
      expect((await client.closed).code, what).toBe(1009);
      client = await TestClient.connect(url);
    } else if (c.expected === undefined) {
      await sentinel(`s${i}`);
    } else {
      expect(await client.next(), what).toEqual(c.expected);
    }
  }
  await sentinel('end');
  client.close();
  await client.closed;
}

describe('fuzz: malformed JSON-RPC frames over WebSocket', () => {
  it('every frame answered exactly as the spec says, every traced call finished, nothing leaks', async () => {
    const r = mulberry32(7);
    const timersBefore = timers();
    const server = await wsServer({ maxPayload: MAX_PAYLOAD });
    const connectionListeners = server.wss.listenerCount('connection');
    const rec = recorder();
    const extractor = extractingTracer();
    const tracerErrors: unknown[] = [];
    const rpc = traceWebSocketRpcServer(server.wss, methods, {
      tracers: [extractor, rec.tracer],
      onHandlerError: () => {},
      onTracerError: (e) => tracerErrors.push(e.error),
    });
    const CONNECTIONS = 4;
    const PER_CONNECTION = 400;
    const batches = Array.from({ length: CONNECTIONS }, () => Array.from({ length: PER_CONNECTION }, () => makeCase(r)));
    const traced = batches.flat().reduce((n, c) => n + c.traced, 0);
    const sentinels = batches.flat().filter((c) => c.expected === undefined).length + CONNECTIONS;
    await Promise.all(batches.map((cases) => runCases(server.url, cases)));

    const good = await TestClient.connect(server.url);
    expect(await good.call({ jsonrpc: '2.0', id: 1, method: 'len', params: [1, 2, 3] })).toEqual(response(1, { result: 3 }));
    good.close();
    await good.closed;
    const calls = await rec.finishedCount(traced + sentinels + 1);
    await delay(20);
    expect(rec.finished).toHaveLength(traced + sentinels + 1);
    expect(rec.started).toHaveLength(calls.length);
    expect(tracerErrors).toEqual([]);
    expect(extractor.extracted.every((sc) => sc === undefined || isSpanContextValid(sc))).toBe(true);
    expect(server.wss.clients.size).toBe(0);
    rpc.close();
    expect(server.wss.listenerCount('connection')).toBe(connectionListeners);
    await server.close();
    expect(timers()).toBeLessThanOrEqual(timersBefore);
    // The mix did exercise each kind of answer.
    const kinds = new Set(
      batches.flat().map((c) => (c.expected === CLOSE ? 'close' : c.expected === undefined ? 'none' : Array.isArray(c.expected) ? 'batch' : 'single')),
    );
    expect([...kinds].sort()).toEqual(['batch', 'close', 'none', 'single']);
  }, 30_000);
});
