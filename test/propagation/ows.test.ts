import { describe, it, expect } from 'vitest';
import { isOws, trimOws } from '../../src/propagation/ows.js';

describe('trimOws', () => {
  it('trims spaces and horizontal tabs from both ends only', () => {
    expect(trimOws(' \t a b \t ')).toBe('a b');
    expect(trimOws('')).toBe('');
    expect(trimOws(' \t ')).toBe('');
  });

  it('leaves other whitespace alone, since RFC 7230 OWS is SP / HTAB only', () => {
    expect(trimOws('\na\r')).toBe('\na\r');
    expect(trimOws('\u00a0a\u00a0')).toBe('\u00a0a\u00a0');
  });

  it('returns the same string when there is nothing to trim', () => {
    const s = 'abc';
    expect(trimOws(s)).toBe(s);
  });
});

describe('isOws', () => {
  it('recognises SP and HTAB and nothing past the end', () => {
    expect(isOws(' ', 0)).toBe(true);
    expect(isOws('\t', 0)).toBe(true);
    expect(isOws('\n', 0)).toBe(false);
    expect(isOws('', 0)).toBe(false);
  });
});
