import { afterEach, describe, expect, it } from 'vitest';
import { compilePropagateTo } from '../../../src/client/fetch/propagate-to.js';

const g = globalThis as { location?: unknown };
afterEach(() => {
  delete g.location;
});

describe('compilePropagateTo', () => {
  it('defaults to every URL without a location (Node), and to the same origin with one (browsers)', () => {
    const match = compilePropagateTo(undefined);
    expect(match(new URL('https://anywhere.example/x'))).toBe(true);
    g.location = { origin: 'https://app.example', href: 'https://app.example/page' };
    expect(match(new URL('https://app.example/api'))).toBe(true);
    expect(match(new URL('https://api.example/api'))).toBe(false);
    expect(match(new URL('http://app.example/api'))).toBe(false);
    g.location = { origin: 'null' };
    expect(match(new URL('https://app.example/api'))).toBe(false);
  });

  it('matches origins exactly (normalised) and RegExps against the full URL, global flags included', () => {
    const match = compilePropagateTo(['https://API.example:443/', /\/rpc\//g]);
    expect(match(new URL('https://api.example/users'))).toBe(true);
    expect(match(new URL('https://api.example:8443/users'))).toBe(false);
    // A global RegExp would alternate true/false if its lastIndex were kept.
    for (let i = 0; i < 3; i++) expect(match(new URL('https://other.example/rpc/x'))).toBe(true);
    expect(match(new URL('https://other.example/rest/x'))).toBe(false);
  });

  it('uses a predicate as given, and a throwing one as "no"', () => {
    expect(compilePropagateTo((u) => u.hostname.endsWith('.internal'))(new URL('http://a.internal'))).toBe(true);
    expect(
      compilePropagateTo(() => {
        throw new Error('x');
      })(new URL('http://a.internal')),
    ).toBe(false);
  });

  it('rejects what is not an origin, a RegExp or a function', () => {
    expect(() => compilePropagateTo('https://a.example' as never)).toThrow(/must be an array of origins and RegExps, or a function/);
    expect(() => compilePropagateTo(['*.example.com'])).toThrow(/propagateTo\[0\] must be an origin like/);
    expect(() => compilePropagateTo(['https://a.example', 'https://a.example/api'])).toThrow(/propagateTo\[1\].*use a RegExp to match paths/);
    expect(() => compilePropagateTo([null as never])).toThrow(/propagateTo\[0\] must be an origin string or a RegExp, got object/);
  });
});
