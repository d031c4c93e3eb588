import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, type Context } from '../../../src/context/context.js';
import { context, getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { traceCall } from '../../../src/client/trace-call.js';
import { MapHeaderCarrier } from '../../../src/rpcinfo/header-carrier.js';
import { createRPCInfo, getRPCInfo, withRPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { createTraceController } from '../../../src/tracer/trace-controller.js';
import { createTraceState } from '../../../src/propagation/tracestate.js';
import type { SpanContext } from '../../../src/propagation/span-context.js';
import { alwaysOff, alwaysOn, parentBased, traceIdRatio, type Sampler, type SamplingParams } from '../../../src/tracers/span/sampler.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';
import type { SpanTracer } from '../../../src/tracers/span/span-tracer.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

const params = (traceId: string, parent?: SpanContext): SamplingParams => ({ ctx: ROOT_CONTEXT, traceId, parent, name: 'n', kind: 'client', attributes: {} });

// A seeded generator keeps the ratio test deterministic.
function seededIds(count: number, seed = 42): string[] {
  let x = seed;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x);
  return Array.from({ length: count }, () => Array.from({ length: 4 }, () => next().toString(16).padStart(8, '0')).join(''));
}

describe('samplers', () => {
  it('alwaysOn and alwaysOff', () => {
    expect(alwaysOn.shouldSample(params('1'.repeat(32)))).toBe(true);
    expect(alwaysOff.shouldSample(params('1'.repeat(32)))).toBe(false);
  });

  it('traceIdRatio compares the right-most 56 bits with (1 − ratio) × 2^56, exactly at the threshold', () => {
    const half = traceIdRatio(0.5);
    const high = 'ffffffffffffffffff'; // the 72 bits the rule ignores
    expect(half.shouldSample(params(`${high}80000000000000`))).toBe(true); // R = 2^55 = T
    expect(half.shouldSample(params(`${high}7fffffffffffff`))).toBe(false); // R = T − 1
    expect(half.shouldSample(params(`000000000000000001${'80000000000000'}`))).toBe(true);
    const quarter = traceIdRatio(0.25);
    expect(quarter.shouldSample(params(`${high}c0000000000000`))).toBe(true);
    expect(quarter.shouldSample(params(`${high}bfffffffffffff`))).toBe(false);
    // Low 32 bits decide when the high 24 equal the threshold's.
    // (1 − ratio) × 2^56 is exact here: 0x1234567898 is a multiple of 8, the double's step near 1.
    const t = traceIdRatio(1 - 0x1234567898 / 2 ** 56);
    expect(t.shouldSample(params(`${high}00001234567898`))).toBe(true);
    expect(t.shouldSample(params(`${high}00001234567897`))).toBe(false);
    expect(t.shouldSample(params(`${high}00001334567800`))).toBe(true);
    expect(t.shouldSample(params(`${high}000011ffffffff`))).toBe(false);
    expect(traceIdRatio(0).shouldSample(params('f'.repeat(32)))).toBe(false);
    expect(traceIdRatio(1).shouldSample(params(`${high}00000000000000`))).toBe(true);
    expect(half.description).toBe('TraceIdRatioBased{0.5}');
  });

  it('traceIdRatio is deterministic, monotonic in the ratio, and close to the ratio over many ids', () => {
    const ids = seededIds(20_000);
    const low = traceIdRatio(0.1);
    const mid = traceIdRatio(0.3);
    let sampledLow = 0;
    let sampledMid = 0;
    for (const id of ids) {
      const a = low.shouldSample(params(id));
      expect(low.shouldSample(params(id))).toBe(a);
      if (a) expect(mid.shouldSample(params(id))).toBe(true);
      sampledLow += a ? 1 : 0;
      sampledMid += mid.shouldSample(params(id)) ? 1 : 0;
    }
    expect(sampledLow / ids.length).toBeGreaterThan(0.08);
    expect(sampledLow / ids.length).toBeLessThan(0.12);
    expect(sampledMid / ids.length).toBeGreaterThan(0.27);
    expect(sampledMid / ids.length).toBeLessThan(0.33);
  });

  it('traceIdRatio rejects a ratio outside 0..1', () => {
    for (const bad of [-0.1, 1.5, NaN, '0.5' as unknown as number]) expect(() => traceIdRatio(bad)).toThrow(TypeError);
  });

  it('parentBased delegates per kind of parent', () => {
    const tag = (description: string, result: boolean): Sampler & { calls: number } => {
      const s = { description, calls: 0, shouldSample: () => (s.calls++, result) };
      return s;
    };
    const samplers = {
      root: tag('root', true),
      remoteParentSampled: tag('rs', false),
      remoteParentNotSampled: tag('rn', true),
      localParentSampled: tag('ls', false),
      localParentNotSampled: tag('ln', true),
    };
    const sampler = parentBased(samplers);
    const id = 'a'.repeat(32);
    const parent = (flags: number, isRemote: boolean): SpanContext => ({ traceId: id, spanId: 'b'.repeat(16), traceFlags: flags, isRemote });
    expect(sampler.shouldSample(params(id))).toBe(true);
    expect(sampler.shouldSample(params(id, parent(0x03, true)))).toBe(false);
    expect(sampler.shouldSample(params(id, parent(0x02, true)))).toBe(true);
    expect(sampler.shouldSample(params(id, parent(0x01, false)))).toBe(false);
    expect(sampler.shouldSample(params(id, parent(0x00, false)))).toBe(true);
    expect(Object.values(samplers).map((s) => s.calls)).toEqual([1, 1, 1, 1, 1]);
    expect(sampler.description).toContain('root=root');

    const defaults = parentBased();
    expect(defaults.shouldSample(params(id))).toBe(true);
    expect(defaults.shouldSample(params(id, parent(0x01, true)))).toBe(true);
    expect(defaults.shouldSample(params(id, parent(0x02, true)))).toBe(false);
    expect(defaults.shouldSample(params(id, parent(0x01, false)))).toBe(true);
    expect(defaults.shouldSample(params(id, parent(0x00, false)))).toBe(false);
    expect(() => parentBased({ root: {} as Sampler })).toThrow(/root/);
  });
});

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

/** Serves a call with `incoming` headers and makes one nested client call; returns what the nested call sent. */
async function hop(tracer: SpanTracer, incoming: Record<string, string>): Promise<Record<string, string>> {
  const ri = createRPCInfo({ side: 'server', to: { serviceName: 'users', method: 'Get' }, headers: new MapHeaderCarrier(incoming) });
  const controller = createTraceController({ tracers: [tracer] });
  const ctx = controller.start(withRPCInfo(ROOT_CONTEXT, ri));
  const sent = await context.with(ctx, () =>
    traceCall({ tracers: [tracer], callee: 'db', method: 'Query' }, (c: Context) => {
      const h = getRPCInfo(c)!.headers;
      return Object.fromEntries(h.keys().map((k) => [k, h.get(k)!]));
    }),
  );
  controller.finish(ctx);
  return sent;
}

const parse = (traceparent: string) => {
  const [version, traceId, spanId, flags] = traceparent.split('-');
  return { version, traceId, spanId, flags };
};

describe('sampling decisions in the span tracer', () => {
  it('a sampled remote parent: both spans exported, flags kept with the random bit', async () => {
    const memory = createMemoryExporter();
    const sent = parse((await hop(createSpanTracer({ serviceName: 'users', exporter: memory }), { traceparent: `00-${TRACE}-${PARENT}-03` })).traceparent);
    expect(memory.spans).toHaveLength(2);
    expect(sent).toMatchObject({ version: '00', traceId: TRACE, flags: '03' });
    expect(memory.spans[1]).toMatchObject({ kind: 'server', parentSpanId: PARENT, traceFlags: 0x03 });
    expect(sent.spanId).toBe(memory.spans[0].spanId);
  });

  it('an unsampled remote parent: nothing exported, yet a new span id goes out with the parent flags as they came', async () => {
    for (const flags of ['00', '02']) {
      const memory = createMemoryExporter();
      const sent = parse(
        (await hop(createSpanTracer({ serviceName: 'users', exporter: memory }), { traceparent: `00-${TRACE}-${PARENT}-${flags}` })).traceparent,
      );
      expect(memory.spans).toHaveLength(0);
      expect(sent.traceId).toBe(TRACE);
      expect(sent.flags).toBe(flags);
      expect(sent.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(sent.spanId).not.toBe(PARENT);
    }
  });

  it('a sampled parent without the random flag keeps it off', async () => {
    const memory = createMemoryExporter();
    const sent = parse((await hop(createSpanTracer({ serviceName: 'users', exporter: memory }), { traceparent: `00-${TRACE}-${PARENT}-01` })).traceparent);
    expect(sent.flags).toBe('01');
    expect(memory.spans.map((s) => s.traceFlags)).toEqual([0x01, 0x01]);
  });

  it('a sampler may override the parent: remoteParentNotSampled: alwaysOn records and sets the sampled bit', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'users', exporter: memory, sampler: parentBased({ remoteParentNotSampled: alwaysOn }) });
    const sent = parse((await hop(tracer, { traceparent: `00-${TRACE}-${PARENT}-02` })).traceparent);
    expect(memory.spans).toHaveLength(2);
    expect(sent.flags).toBe('03');
  });

  it('an unsampled new trace still propagates, with the random flag and not the sampled one', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'web', exporter: memory, sampler: parentBased({ root: alwaysOff }) });
    const sent = await traceCall({ tracers: [tracer], method: 'M' }, (ctx) => getRPCInfo(ctx)!.headers.get('traceparent')!);
    expect(parse(sent).flags).toBe('02');
    const span = tracer.startSpan('click');
    expect(span.sampled).toBe(false);
    const child = await traceCall({ tracers: [tracer], method: 'M', ctx: span.ctx }, (ctx) => getRPCInfo(ctx)!.headers.get('traceparent')!);
    span.end();
    expect(parse(child)).toMatchObject({ traceId: span.spanContext.traceId, flags: '02' });
    expect(memory.spans).toHaveLength(0);
    const ratioZero = createSpanTracer({ serviceName: 'web', exporter: memory, sampler: traceIdRatio(0) });
    await traceCall({ tracers: [ratioZero], method: 'M' }, () => 1);
    expect(memory.spans).toHaveLength(0);
  });

  it('a 32-member tracestate passes unchanged through a server → client hop', async () => {
    const tracestate = Array.from({ length: 32 }, (_, i) => `vendor${i}=value${i}`).join(',');
    const memory = createMemoryExporter();
    const sent = await hop(createSpanTracer({ serviceName: 'users', exporter: memory }), { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate });
    expect(sent.tracestate).toBe(tracestate);
    expect(memory.spans.map((s) => s.traceState)).toEqual([tracestate, tracestate]);
    // Unsampled too: the state belongs to the trace, not to our decision.
    const unsampled = await hop(createSpanTracer({ serviceName: 'users', exporter: memory }), { traceparent: `00-${TRACE}-${PARENT}-00`, tracestate });
    expect(unsampled.tracestate).toBe(tracestate);
  });

  it('adds a tracestate member only when the traceState option says so', async () => {
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'users', exporter: memory, traceState: (parent) => (parent ?? createTraceState()).set('iso', 'u1') });
    const sent = await hop(tracer, { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'a=1,b=2' });
    // Updated members move to the front, as the spec asks; the server added it, the client kept it.
    expect(sent.tracestate).toBe('iso=u1,a=1,b=2');
  });
});
