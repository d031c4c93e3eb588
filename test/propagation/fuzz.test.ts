import { describe, it, expect } from 'vitest';
import { formatBaggage, parseBaggage } from '../../src/propagation/baggage.js';
import { formatTraceParent, parseTraceParent } from '../../src/propagation/traceparent.js';
import { parseTraceState } from '../../src/propagation/tracestate.js';

// Property tests over seeded random input. A failure message names the offending input; the
// fixed seeds make every run generate the same inputs, so it reproduces.
const RUNS = 20_000;

/** mulberry32: a tiny 32-bit PRNG, good enough to spread inputs and fully reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)];
    return s;
  }
  from(alphabet: string, min: number, max: number): string {
    let s = '';
    const n = min + this.int(max - min + 1);
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  /** One "character" from a pool skewed toward the bytes the grammars care about. */
  char(): string {
    switch (this.int(8)) {
      case 0:
        return this.pick(['-', ',', '=', ';', '%', '@', ' ', '\t', '"', '\\']);
      case 1:
        return this.pick(['0', 'f', 'F', 'A', 'z', '_', '*', '/']);
      case 2:
        return String.fromCharCode(this.int(0x20));
      case 3:
        return this.pick(['é', '日', '\u00a0', '\u2028', '\ufeff', '\u007f']);
      case 4:
        return this.pick(['😀', '\ud800', '\udfff']);
      case 5:
        return String.fromCharCode(this.int(0x10000));
      default:
        return String.fromCharCode(0x20 + this.int(0x5f));
    }
  }
  randomString(): string {
    let s = '';
    const n = this.int(this.chance(0.1) ? 400 : 70);
    for (let i = 0; i < n; i++) s += this.char();
    return s;
  }
  /** Applies one to three damaging edits of the kinds real headers suffer. */
  mutate(value: string): string {
    let s = value;
    for (let k = 1 + this.int(3); k > 0; k--) {
      const at = this.int(s.length + 1);
      switch (this.int(8)) {
        case 0: // flip a character
          s = s.slice(0, at) + this.char() + s.slice(at + 1);
          break;
        case 1: // truncate
          s = s.slice(0, at);
          break;
        case 2: // duplicate, as folded repeated headers (bounded, or sizes explode)
          if (s.length < 1000) s = s + this.pick([',', ', ', ' ,', ',,']) + s;
          break;
        case 3: // insert whitespace or commas
          s = s.slice(0, at) + this.pick([' ', '\t', ',', ' , ', '  ', ',,']) + s.slice(at);
          break;
        case 4: // delete a character
          s = s.slice(0, at) + s.slice(at + 1);
          break;
        case 5: // upper-case a character
          s = s.slice(0, at) + s.slice(at, at + 1).toUpperCase() + s.slice(at + 1);
          break;
        case 6: // pad with OWS
          s = this.pick([' ', '\t', '']) + s + this.pick([' ', '\t ', '']);
          break;
        default: // leave it valid
          break;
      }
    }
    return s;
  }
}

function validTraceParent(g: Gen): string {
  const version = g.chance(0.8) ? '00' : g.pick(['01', '0a', 'cc', 'fe', 'ff', g.hex(2)]);
  const traceId = g.chance(0.05) ? '0'.repeat(32) : g.hex(32);
  const spanId = g.chance(0.05) ? '0'.repeat(16) : g.hex(16);
  const suffix = version !== '00' && g.chance(0.5) ? '-' + g.from('abc-=._xyz0123', 0, 20) : '';
  return `${version}-${traceId}-${spanId}-${g.hex(2)}${suffix}`;
}

const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/@';
const VALUE_CHARS = 'abcXYZ019 !"#$%&\'()*+-./:;<>?@[\\]^_`{|}~';

function validTraceState(g: Gen): string {
  const members: string[] = [];
  const count = g.chance(0.2) ? 30 + g.int(5) : g.int(6);
  for (let i = 0; i < count; i++) {
    const key = g.from('abcdefghijklmnopqrstuvwxyz0123456789', 1, 1) + g.from(KEY_CHARS, 0, g.chance(0.05) ? 256 : 8) + i;
    const value = g.from(VALUE_CHARS, 0, g.chance(0.05) ? 256 : 10) + 'v';
    members.push(`${key}=${value}`);
  }
  return members.join(g.pick([',', ', ', ' ,\t']));
}

const TOKEN_CHARS = "abcXYZ019!#$%&'*+-.^_`|~";
const OCTETS = "abcXYZ019!#$&'()*+-./:<=>?@[]^_`{|}~%";

/** `value` with lone surrogates replaced by U+FFFD, which `encodeURIComponent` requires. */
function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function validBaggage(g: Gen): string {
  const members: string[] = [];
  // A few inputs reach the 64-member and 8192-byte limits; most stay small to keep this fast.
  const count = g.chance(0.03) ? 60 + g.int(10) : g.int(6);
  const long = g.chance(0.03) ? 3000 : 12;
  for (let i = 0; i < count; i++) {
    const value = g.chance(0.3) ? encodeURIComponent(wellFormed(g.randomString().slice(0, 40))) : g.from(OCTETS, 0, long);
    const props = g.chance(0.3) ? ';' + g.from(TOKEN_CHARS, 1, 4) + (g.chance(0.5) ? ` = ${g.from(OCTETS, 0, 4)}` : '') : '';
    members.push(`${g.from(TOKEN_CHARS, 1, 6)} = ${value}${props}`);
  }
  return members.join(g.pick([',', ', ']));
}

function input(g: Gen, valid: (g: Gen) => string): string {
  const roll = g.int(10);
  if (roll < 3) return g.randomString();
  if (roll < 4) return valid(g);
  return g.mutate(valid(g));
}

// Plain checks rather than expect(): 60,000 deep-equality assertions would dominate the runtime.
function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function assertSame(actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  assert(a === b, `expected ${b}, got ${a}`);
}

function run(seed: number, valid: (g: Gen) => string, check: (value: string) => boolean): number {
  const g = new Gen(seed);
  let accepted = 0;
  for (let i = 0; i < RUNS; i++) {
    const value = input(g, valid);
    try {
      if (check(value)) accepted++;
    } catch (error) {
      throw new Error(`seed ${seed}, run ${i}, input ${JSON.stringify(value)}: ${String(error)}`);
    }
  }
  return accepted;
}

// The traceparent grammar, written independently of the parser: OWS, then version 00 with
// exactly four fields or a higher version (not ff) whose fourth field ends the value or is
// followed by "-"; lower-case hex; ids not all zero; no comma anywhere (a folded repeat).
const STRICT_TRACEPARENT =
  /^[ \t]*(?:00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}|(?!00|ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}(?:-[^,]*)?)[ \t]*$/;
const STRICT_V00 = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-0[0-3]$/;

describe('fuzz', () => {
  it('parseTraceParent never throws, accepts only the spec grammar and round-trips', () => {
    const accepted = run(0x7ace, validTraceParent, (value) => {
      const parsed = parseTraceParent(value);
      if (parsed === undefined) return false;
      assert(STRICT_TRACEPARENT.test(value), 'accepted a value outside the grammar');
      const formatted = formatTraceParent(parsed);
      assert(STRICT_V00.test(formatted), `formatted ${formatted}`);
      // Formatting zeroes the flag bits the spec does not define; nothing else may change.
      const reparsed = parseTraceParent(formatted);
      assertSame(reparsed, { ...parsed, traceFlags: parsed.traceFlags & 0x03 });
      assertSame(formatTraceParent(reparsed!), formatted);
      return true;
    });
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });

  it('parseTraceState never throws and whatever it accepts round-trips', () => {
    const g = new Gen(0x5eed);
    const accepted = run(0x57a7e, validTraceState, (value) => {
      // Some inputs arrive as repeated headers, split at a random comma.
      const cut = value.indexOf(',', g.int(value.length + 1));
      const header = cut !== -1 && g.chance(0.3) ? [value.slice(0, cut), value.slice(cut + 1)] : value;
      const parsed = parseTraceState(header);
      if (parsed === undefined) return false;
      assert(parsed.size <= 32, `size ${parsed.size}`);
      const serialized = parsed.serialize();
      const reparsed = parseTraceState(serialized);
      assertSame(reparsed?.entries(), parsed.entries());
      assertSame(reparsed?.serialize(), serialized);
      return true;
    });
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });

  it('parseBaggage never throws and its output formats within limits and round-trips', () => {
    let atMemberLimit = 0;
    let nearByteLimit = 0;
    const accepted = run(0xba66, validBaggage, (value) => {
      const parsed = parseBaggage(value);
      assert(parsed.size <= 64, `size ${parsed.size}`);
      const formatted = formatBaggage(parsed);
      assert(formatted.length <= 8192, `length ${formatted.length}`);
      if (parsed.size === 64) atMemberLimit++;
      if (formatted.length > 6000) nearByteLimit++;
      assert(/^[\x21-\x7e]*$/.test(formatted), `formatted ${formatted}`);
      const reparsed = parseBaggage(formatted);
      assertSame(reparsed.entries(), parsed.entries());
      assertSame(formatBaggage(reparsed), formatted);
      return parsed.size > 0;
    });
    expect(accepted).toBeGreaterThan(RUNS / 10);
    // Guards against a generator change that silently stops exercising the limits.
    expect(atMemberLimit).toBeGreaterThan(0);
    expect(nearByteLimit).toBeGreaterThan(0);
  });
});
