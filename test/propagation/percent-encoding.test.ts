import { describe, it, expect } from 'vitest';
import { isBaggageOctet, percentDecode, percentEncode } from '../../src/propagation/percent-encoding.js';

describe('isBaggageOctet', () => {
  it('matches %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E exactly', () => {
    const allowed: number[] = [];
    for (let c = 0; c < 0x100; c++) if (isBaggageOctet(c)) allowed.push(c);
    const excluded = [0x22, 0x2c, 0x3b, 0x5c];
    expect(allowed.length).toBe(0x7e - 0x21 + 1 - excluded.length);
    for (const c of excluded) expect(isBaggageOctet(c)).toBe(false);
    expect(isBaggageOctet(0x20)).toBe(false);
    expect(isBaggageOctet(0x7f)).toBe(false);
  });
});

describe('percentEncode', () => {
  it('leaves baggage-octets alone', () => {
    expect(percentEncode('abc-XYZ_09!#$&+=:<>?@[]^`{|}~')).toBe('abc-XYZ_09!#$&+=:<>?@[]^`{|}~');
  });

  it('encodes space, DQUOTE, comma, semicolon, backslash and percent', () => {
    expect(percentEncode(' ",;\\%')).toBe('%20%22%2C%3B%5C%25');
  });

  it('encodes non-ASCII as upper-case UTF-8 escapes', () => {
    expect(percentEncode('é')).toBe('%C3%A9');
    expect(percentEncode('😀')).toBe('%F0%9F%98%80');
    expect(percentEncode('\u0000\u007f')).toBe('%00%7F');
  });

  it('encodes a lone surrogate as U+FFFD', () => {
    expect(percentEncode('\ud800')).toBe('%EF%BF%BD');
    expect(percentEncode('a\udc00b')).toBe('a%EF%BF%BDb');
  });
});

describe('percentDecode', () => {
  it('decodes UTF-8 escapes in either hex case', () => {
    expect(percentDecode('DF%2028')).toBe('DF 28');
    expect(percentDecode('%c3%a9%C3%A9')).toBe('éé');
    expect(percentDecode('%F0%9F%98%80')).toBe('😀');
  });

  it('keeps malformed escapes literally and decodes the rest', () => {
    expect(percentDecode('%')).toBe('%');
    expect(percentDecode('100%')).toBe('100%');
    expect(percentDecode('%zz%41')).toBe('%zzA');
    expect(percentDecode('%4')).toBe('%4');
    expect(percentDecode('%%41')).toBe('%A');
  });

  it('replaces escapes that are not valid UTF-8 with U+FFFD, as the spec requires', () => {
    expect(percentDecode('%FF')).toBe('\ufffd');
    expect(percentDecode('a%C3b')).toBe('a\ufffdb');
  });

  it('keeps a leading byte-order mark', () => {
    expect(percentDecode('%EF%BB%BFx')).toBe('\ufeffx');
  });

  it('round-trips reserved characters and unicode', () => {
    for (const s of ['a b,c;d=e\\f"g%h', 'naïve café', '日本語', '😀👍🏽', '\ufeff', '']) {
      expect(percentDecode(percentEncode(s))).toBe(s);
    }
  });
});
