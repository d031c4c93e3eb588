import { describe, it, expect } from 'vitest';
import {
  createBaggage,
  formatBaggage,
  isValidBaggageName,
  MAX_BAGGAGE_BYTES,
  MAX_BAGGAGE_MEMBERS,
  parseBaggage,
  type Baggage,
} from '../../src/propagation/baggage.js';

function plain(b: Baggage): Record<string, unknown> {
  return Object.fromEntries(b.entries());
}

describe('parseBaggage', () => {
  it('parses the spec examples', () => {
    expect(plain(parseBaggage('userId=alice,serverNode=DF%2028,isProduction=false'))).toEqual({
      userId: { value: 'alice' },
      serverNode: { value: 'DF 28' },
      isProduction: { value: 'false' },
    });
    expect(plain(parseBaggage(['userId =   alice', 'serverNode = DF%2028, isProduction = false']))).toEqual({
      userId: { value: 'alice' },
      serverNode: { value: 'DF 28' },
      isProduction: { value: 'false' },
    });
  });

  it('keeps properties as normalised opaque metadata', () => {
    const b = parseBaggage('key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue');
    expect(b.get('key1')).toEqual({ value: 'value1', metadata: 'property1;property2' });
    expect(b.get('key2')).toEqual({ value: 'value2' });
    expect(b.get('key3')).toEqual({ value: 'value3', metadata: 'propertyKey=propertyValue' });
    expect(parseBaggage('a=1 ;\tp = v ; q').get('a')).toEqual({ value: '1', metadata: 'p=v;q' });
  });

  it('allows "=" inside values and an empty value', () => {
    expect(parseBaggage('a=b=c,d=').entries()).toEqual([
      ['a', { value: 'b=c' }],
      ['d', { value: '' }],
    ]);
  });

  it('skips only the malformed members', () => {
    const b = parseBaggage('good=1, bad key=2, =3, noequals, sp=a b, q="x", bs=a\\b, ok=2, p=1;, u=é, m=1;=x, last=3');
    expect(b.entries().map(([name]) => name)).toEqual(['good', 'ok', 'last']);
  });

  it('decodes what decodes and keeps malformed percent sequences literally', () => {
    expect(parseBaggage('a=100%25,b=%zz%41,c=%,d=%FF').entries()).toEqual([
      ['a', { value: '100%' }],
      ['b', { value: '%zzA' }],
      ['c', { value: '%' }],
      ['d', { value: '\ufffd' }],
    ]);
  });

  it('keeps the first position and the last value of a repeated name', () => {
    expect(parseBaggage('a=1,b=2,a=3').entries()).toEqual([
      ['a', { value: '3' }],
      ['b', { value: '2' }],
    ]);
  });

  it('stops at 64 members', () => {
    const header = Array.from({ length: 65 }, (_, i) => `k${i}=${i}`).join(',');
    const b = parseBaggage(header);
    expect(b.size).toBe(MAX_BAGGAGE_MEMBERS);
    expect(b.get('k63')).toBeDefined();
    expect(b.get('k64')).toBeUndefined();
  });

  it('stops before the formatted header would pass 8192 bytes', () => {
    const big = 'x'.repeat(3000);
    const b = parseBaggage(`a=${big},b=${big},c=${big},d=1`);
    expect(b.entries().map(([name]) => name)).toEqual(['a', 'b']);
    expect(formatBaggage(b).length).toBeLessThanOrEqual(MAX_BAGGAGE_BYTES);
  });

  it('returns empty baggage for missing, empty or non-string input without throwing', () => {
    expect(parseBaggage(undefined).size).toBe(0);
    expect(parseBaggage('').size).toBe(0);
    expect(parseBaggage(' , ,').size).toBe(0);
    for (const v of [null, 3, {}, [1]]) expect(parseBaggage(v as unknown as string).size).toBe(0);
  });

  it('handles huge input', () => {
    expect(parseBaggage('a='.padEnd(1_000_000, 'x')).size).toBe(0);
    expect(parseBaggage(','.repeat(100_000)).size).toBe(0);
  });
});

describe('formatBaggage', () => {
  it('percent-encodes values and round-trips unicode and reserved characters', () => {
    const value = 'a b,c;d=e\\f"g%h naïve 日本 😀';
    const header = formatBaggage(createBaggage({ k: value }));
    expect(header).toBe('k=a%20b%2Cc%3Bd=e%5Cf%22g%25h%20na%C3%AFve%20%E6%97%A5%E6%9C%AC%20%F0%9F%98%80');
    expect(parseBaggage(header).get('k')?.value).toBe(value);
  });

  it('writes metadata after ";" and round-trips it', () => {
    const b = createBaggage({ a: { value: '1', metadata: 'p1;p2=v' }, b: '2' });
    expect(formatBaggage(b)).toBe('a=1;p1;p2=v,b=2');
    expect(parseBaggage(formatBaggage(b)).get('a')).toEqual({ value: '1', metadata: 'p1;p2=v' });
  });

  it('leaves out metadata that is not a valid property list', () => {
    expect(formatBaggage(createBaggage({ a: { value: '1', metadata: 'has,comma' } }))).toBe('a=1');
    expect(formatBaggage(createBaggage({ a: { value: '1', metadata: '' } }))).toBe('a=1');
  });

  it('keeps at most 64 members, dropping from the end', () => {
    const init = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, String(i)]));
    const header = formatBaggage(createBaggage(init));
    expect(header.split(',')).toHaveLength(64);
    expect(header.endsWith('k63=63')).toBe(true);
  });

  it('drops trailing members rather than exceed 8192 bytes', () => {
    // 'é' is 6 bytes once encoded, so 1000 of them make a 6002-byte member.
    const b = createBaggage({ a: 'é'.repeat(1000), b: 'x'.repeat(2000), c: 'y'.repeat(500), d: '1' });
    const header = formatBaggage(b);
    expect(new TextEncoder().encode(header).length).toBeLessThanOrEqual(MAX_BAGGAGE_BYTES);
    // a + b take 8005 bytes; c would pass the limit, so c goes and so does d after it, even
    // though d alone would still fit: members are dropped from the end, not cherry-picked.
    expect(
      parseBaggage(header)
        .entries()
        .map(([name]) => name),
    ).toEqual(['a', 'b']);
  });

  it('allows a header of exactly 8192 bytes', () => {
    const b = createBaggage({ a: 'x'.repeat(MAX_BAGGAGE_BYTES - 2) });
    expect(formatBaggage(b).length).toBe(MAX_BAGGAGE_BYTES);
    expect(formatBaggage(b.set('b', 'x'.repeat(MAX_BAGGAGE_BYTES - 2)))).toBe(formatBaggage(b));
  });

  it('formats empty baggage as an empty string', () => {
    expect(formatBaggage(createBaggage())).toBe('');
  });
});

describe('Baggage', () => {
  it('accepts only token names', () => {
    expect(isValidBaggageName("a!#$%&'*+-.^_`|~Z9")).toBe(true);
    for (const name of ['', 'a b', 'a,b', 'a;b', 'a=b', 'é', '"a"', 'a/b']) expect(isValidBaggageName(name)).toBe(false);
    const b = createBaggage({ 'bad name': 'x', ok: 'y' });
    expect(b.entries().map(([name]) => name)).toEqual(['ok']);
  });

  it('is immutable', () => {
    const original = createBaggage({ a: '1' });
    const changed = original.set('b', '2').delete('a');
    expect(plain(original)).toEqual({ a: { value: '1' } });
    expect(plain(changed)).toEqual({ b: { value: '2' } });
    expect(Object.isFrozen(original)).toBe(true);
    expect(Object.isFrozen(original.get('a'))).toBe(true);
    expect(original.delete('zz')).toBe(original);
  });
});
