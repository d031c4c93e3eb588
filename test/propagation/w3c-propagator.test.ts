import { describe, it, expect } from 'vitest';
import { MapHeaderCarrier } from '../../src/rpcinfo/header-carrier.js';
import { createBaggage } from '../../src/propagation/baggage.js';
import type { SpanContext } from '../../src/propagation/span-context.js';
import { createTraceState, parseTraceState } from '../../src/propagation/tracestate.js';
import { extractBaggage, injectBaggage, w3cTraceContextPropagator as propagator } from '../../src/propagation/w3c-propagator.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

function context(overrides: Partial<SpanContext> = {}): SpanContext {
  return { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, ...overrides };
}

describe('w3cTraceContextPropagator.inject', () => {
  it('writes traceparent and a non-empty tracestate', () => {
    const carrier = new MapHeaderCarrier();
    propagator.inject(context({ traceState: createTraceState().set('congo', 't61rcWkgMzE') }), carrier);
    expect(carrier.get('traceparent')).toBe(TRACEPARENT);
    expect(carrier.get('tracestate')).toBe('congo=t61rcWkgMzE');
  });

  it('removes a stale tracestate when the context has none or an empty one', () => {
    const carrier = new MapHeaderCarrier({ tracestate: 'old=1' });
    propagator.inject(context(), carrier);
    expect(carrier.keys()).toEqual(['traceparent']);
    carrier.set('tracestate', 'old=1');
    propagator.inject(context({ traceState: createTraceState() }), carrier);
    expect(carrier.get('tracestate')).toBeUndefined();
  });

  it('does nothing for a missing or invalid span context', () => {
    const carrier = new MapHeaderCarrier({ traceparent: 'keep', tracestate: 'keep=1' });
    propagator.inject(undefined, carrier);
    propagator.inject(context({ traceId: '0'.repeat(32) }), carrier);
    propagator.inject(context({ spanId: 'nope' }), carrier);
    expect(carrier.get('traceparent')).toBe('keep');
    expect(carrier.get('tracestate')).toBe('keep=1');
  });

  it('writes only the flags version 00 defines', () => {
    const carrier = new MapHeaderCarrier();
    propagator.inject(context({ traceFlags: 0xff }), carrier);
    expect(carrier.get('traceparent')).toBe(`00-${TRACE_ID}-${SPAN_ID}-03`);
  });
});

describe('w3cTraceContextPropagator.extract', () => {
  it('returns a remote context with its trace state', () => {
    const carrier = new MapHeaderCarrier({ TraceParent: TRACEPARENT, TraceState: 'rojo=00f067aa0ba902b7, congo=t61rcWkgMzE' });
    const sc = propagator.extract(carrier)!;
    expect(sc).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(sc.traceState?.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  it('reads repeated tracestate headers that Node folded into one string', () => {
    const carrier = new MapHeaderCarrier({ traceparent: TRACEPARENT, tracestate: ['a=1', 'b=2'] });
    expect(propagator.extract(carrier)?.traceState?.serialize()).toBe('a=1,b=2');
  });

  it('returns undefined for a missing or invalid traceparent', () => {
    expect(propagator.extract(new MapHeaderCarrier())).toBeUndefined();
    expect(propagator.extract(new MapHeaderCarrier({ traceparent: TRACEPARENT.toUpperCase(), tracestate: 'a=1' }))).toBeUndefined();
  });

  it('rejects two traceparent headers folded by Node', () => {
    const carrier = new MapHeaderCarrier({ traceparent: [TRACEPARENT, TRACEPARENT] });
    expect(carrier.get('traceparent')).toContain(', ');
    expect(propagator.extract(carrier)).toBeUndefined();
  });

  it('keeps the span context but drops an invalid tracestate', () => {
    const sc = propagator.extract(new MapHeaderCarrier({ traceparent: TRACEPARENT, tracestate: 'a=1,BAD=2' }))!;
    expect(sc.traceId).toBe(TRACE_ID);
    expect(sc.traceState).toBeUndefined();
  });

  it('leaves out an empty tracestate', () => {
    const sc = propagator.extract(new MapHeaderCarrier({ traceparent: TRACEPARENT, tracestate: ' , ' }))!;
    expect(sc.traceState).toBeUndefined();
  });

  it('round-trips through inject, keeping the random flag', () => {
    const original = context({ traceFlags: 0x03, traceState: parseTraceState('a=1,b=2')! });
    const carrier = new MapHeaderCarrier();
    propagator.inject(original, carrier);
    const extracted = propagator.extract(carrier)!;
    expect(extracted.traceFlags).toBe(0x03);
    expect(extracted.traceState?.serialize()).toBe('a=1,b=2');
  });
});

describe('w3cTraceContextPropagator.fields', () => {
  it('lists the headers it uses', () => {
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate']);
  });
});

describe('baggage propagation', () => {
  it('injects and extracts baggage', () => {
    const carrier = new MapHeaderCarrier();
    injectBaggage(createBaggage({ userId: 'alice', node: { value: 'DF 28', metadata: 'p' } }), carrier);
    expect(carrier.get('baggage')).toBe('userId=alice,node=DF%2028;p');
    expect(extractBaggage(carrier).entries()).toEqual([
      ['userId', { value: 'alice' }],
      ['node', { value: 'DF 28', metadata: 'p' }],
    ]);
  });

  it('deletes the header when there is nothing to send', () => {
    const carrier = new MapHeaderCarrier({ baggage: 'stale=1' });
    injectBaggage(createBaggage(), carrier);
    expect(carrier.get('baggage')).toBeUndefined();
  });

  it('extracts folded repeated headers and empty baggage when absent', () => {
    expect(extractBaggage(new MapHeaderCarrier({ baggage: ['a=1', 'b=2'] })).size).toBe(2);
    expect(extractBaggage(new MapHeaderCarrier()).size).toBe(0);
  });
});
