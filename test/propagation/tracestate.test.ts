import { describe, it, expect } from 'vitest';
import { createTraceState, isValidTraceStateKey, isValidTraceStateValue, MAX_TRACE_STATE_MEMBERS, parseTraceState } from '../../src/propagation/tracestate.js';

function members(count: number): string {
  return Array.from({ length: count }, (_, i) => `k${i}=v${i}`).join(',');
}

describe('parseTraceState: list', () => {
  it('parses the spec examples, keeping order', () => {
    const ts = parseTraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')!;
    expect(ts.entries()).toEqual([
      ['rojo', '00f067aa0ba902b7'],
      ['congo', 't61rcWkgMzE'],
    ]);
    expect(ts.get('congo')).toBe('t61rcWkgMzE');
    expect(ts.size).toBe(2);
  });

  it('ignores OWS around members and skips empty members', () => {
    const ts = parseTraceState(' \ta=1 , b=2\t,,  ,c=3,')!;
    expect(ts.serialize()).toBe('a=1,b=2,c=3');
  });

  it('accepts an empty or whitespace-only header as an empty state', () => {
    expect(parseTraceState('')?.size).toBe(0);
    expect(parseTraceState(' , ,\t')?.size).toBe(0);
    expect(parseTraceState([])?.size).toBe(0);
  });

  it('joins several headers in order', () => {
    expect(parseTraceState(['a=1,b=2', 'c=3', '', 'd=4'])!.serialize()).toBe('a=1,b=2,c=3,d=4');
  });

  it('treats a key repeated across headers as a duplicate', () => {
    expect(parseTraceState(['a=1', 'a=2'])).toBeUndefined();
  });

  it('passes exactly 32 members through unchanged', () => {
    const header = members(MAX_TRACE_STATE_MEMBERS);
    const ts = parseTraceState(header)!;
    expect(ts.size).toBe(32);
    expect(ts.serialize()).toBe(header);
  });

  it('discards 33 members entirely (OpenTelemetry JS truncates to 32; isotrace does not)', () => {
    expect(parseTraceState(members(33))).toBeUndefined();
    expect(parseTraceState([members(32), 'extra=1'])).toBeUndefined();
  });

  it('does not count empty members toward the limit', () => {
    expect(parseTraceState(members(32) + ',,, ,')?.size).toBe(32);
  });

  it('discards everything when one member is bad (OpenTelemetry JS keeps the valid ones; isotrace does not)', () => {
    expect(parseTraceState('a=1,B=2,c=3')).toBeUndefined();
    expect(parseTraceState('a=1,novalue,c=3')).toBeUndefined();
    expect(parseTraceState('a=1,=2')).toBeUndefined();
    expect(parseTraceState('a=1,b=')).toBeUndefined();
  });

  it('discards duplicate keys', () => {
    expect(parseTraceState('a=1,b=2,a=3')).toBeUndefined();
  });

  it('returns undefined for undefined and non-string input without throwing', () => {
    expect(parseTraceState(undefined)).toBeUndefined();
    for (const v of [null, 1, {}, [1], ['a=1', null]]) {
      expect(parseTraceState(v as unknown as string)).toBeUndefined();
    }
  });

  it('handles huge input', () => {
    expect(parseTraceState('a'.repeat(1_000_000))).toBeUndefined();
    expect(parseTraceState(','.repeat(100_000))?.size).toBe(0);
    expect(parseTraceState(`a=${'b'.repeat(1_000_000)}`)).toBeUndefined();
  });
});

describe('tracestate keys', () => {
  it.each([
    ['foo@ (OpenTelemetry JS rejects it; the current draft allows it)', 'foo@'],
    ['foo@bar@baz', 'foo@bar@baz'],
    ['tenant@system', 'fw529a3039@dt'],
    ['a 256-character key', 'a'.repeat(256)],
    ['a leading digit', '0abc'],
    ['every keychar', 'a0_-*/@'],
  ])('accepts %s', (_name, key) => {
    expect(isValidTraceStateKey(key)).toBe(true);
    expect(parseTraceState(`${key}=v`)?.get(key)).toBe('v');
  });

  it.each([
    ['@foo', '@foo'],
    ['a 257-character key', 'a'.repeat(257)],
    ['upper case', 'Foo'],
    ['a leading underscore', '_foo'],
    ['a dot', 'foo.bar'],
    ['empty', ''],
    ['inner space', 'fo o'],
  ])('rejects %s', (_name, key) => {
    expect(isValidTraceStateKey(key)).toBe(false);
    expect(parseTraceState(`${key}=v`)).toBeUndefined();
  });

  it('rejects space between key and "="', () => {
    expect(parseTraceState('foo =bar')).toBeUndefined();
  });
});

describe('tracestate values', () => {
  it.each([
    ['a 256-character value', 'x'.repeat(256)],
    ['every printable except , and =', '!"#$%&\'()*+-./0123456789:;<>?@AZ[\\]^_`az{|}~'],
    ['inner spaces', 'a b  c'],
    ['a single character', 'x'],
  ])('accepts %s', (_name, value) => {
    expect(isValidTraceStateValue(value)).toBe(true);
    expect(parseTraceState(`k=${value}`)?.get('k')).toBe(value);
  });

  it('keeps leading spaces as part of the value, per spec', () => {
    expect(parseTraceState('k=  v,j=w')?.get('k')).toBe('  v');
  });

  it('treats trailing spaces as OWS in a header but rejects them in a value', () => {
    expect(parseTraceState('k=v  ,j=w')?.get('k')).toBe('v');
    expect(isValidTraceStateValue('v ')).toBe(false);
    expect(createTraceState().set('k', 'v ').size).toBe(0);
  });

  it.each([
    ['a 257-character value', 'x'.repeat(257)],
    ['"="', 'a=b'],
    ['a tab', 'a\tb'],
    ['non-ASCII', 'café'],
    ['a control character', 'a\u0001'],
    ['DEL', 'a\u007f'],
    ['only spaces', '   '],
    ['empty', ''],
  ])('rejects %s', (_name, value) => {
    expect(isValidTraceStateValue(value)).toBe(false);
    expect(parseTraceState(`k=${value}`)).toBeUndefined();
  });

  it('rejects "," in a value (it splits the member and leaves a bad one)', () => {
    expect(isValidTraceStateValue('a,b')).toBe(false);
    expect(parseTraceState('k=a,b')).toBeUndefined();
  });
});

describe('TraceState', () => {
  it('set() adds new keys at the front', () => {
    const ts = createTraceState().set('a', '1').set('b', '2');
    expect(ts.serialize()).toBe('b=2,a=1');
  });

  it('set() moves an existing key to the front with its new value', () => {
    const ts = parseTraceState('a=1,b=2,c=3')!.set('c', '9');
    expect(ts.serialize()).toBe('c=9,a=1,b=2');
  });

  it('is immutable', () => {
    const original = parseTraceState('a=1,b=2')!;
    const changed = original.set('c', '3').unset('a');
    expect(original.serialize()).toBe('a=1,b=2');
    expect(changed.serialize()).toBe('c=3,b=2');
    expect(Object.isFrozen(original)).toBe(true);
    original.entries()[0]![1] = 'mutated';
    expect(original.get('a')).toBe('1');
  });

  it('unset() of a missing key returns the same state', () => {
    const ts = parseTraceState('a=1')!;
    expect(ts.unset('zz')).toBe(ts);
    expect(ts.unset('a').size).toBe(0);
  });

  it('set() with an invalid key or value returns the same state', () => {
    const ts = parseTraceState('a=1')!;
    expect(ts.set('A', '1')).toBe(ts);
    expect(ts.set('b', 'x=y')).toBe(ts);
    expect(ts.set('b', '')).toBe(ts);
  });

  it('set() on a full state drops the right-most entry', () => {
    const full = parseTraceState(members(32))!;
    const next = full.set('new', 'x');
    expect(next.size).toBe(32);
    expect(next.entries()[0]).toEqual(['new', 'x']);
    expect(next.get('k31')).toBeUndefined();
    expect(full.set('k31', 'y').serialize().startsWith('k31=y,k0=v0')).toBe(true);
  });

  it('serializes without whitespace', () => {
    expect(parseTraceState(' a=1 ,  b=2 ')!.serialize()).toBe('a=1,b=2');
    expect(createTraceState().serialize()).toBe('');
  });
});
