import { trimOws } from './ows.js';

/**
 * The vendor entries of a `tracestate` header, in header order (left-most first). Immutable:
 * every change returns a new instance, so a trace state shared by many spans cannot be altered
 * behind their backs.
 */
export interface TraceState {
  /** The number of entries. */
  readonly size: number;
  /** The value for `key`, or `undefined` when absent. */
  get(key: string): string | undefined;
  /**
   * A copy with `key` set to `value` and moved to the front (the spec's rule for updated and
   * added entries). When 32 entries are already present the right-most one is dropped. An
   * invalid key or value leaves the state unchanged (returns `this`).
   */
  set(key: string, value: string): TraceState;
  /** A copy without `key` (or `this` when it is absent). */
  unset(key: string): TraceState;
  /** The header value: `key=value` pairs joined by `,` with no whitespace. */
  serialize(): string;
  /** The entries in header order, as fresh arrays. */
  entries(): Array<[string, string]>;
}

/** The most list-members a `tracestate` may hold. */
export const MAX_TRACE_STATE_MEMBERS = 32;

// Current editors' draft: `key = (lcalpha / DIGIT) 0*255(keychar)`, with "@" now a keychar, so
// the older tenant@system form is a special case of this one.
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_KEY_LENGTH = 256;
const MAX_VALUE_LENGTH = 256;

/** Whether `key` is a valid `tracestate` key (1–256 of `a-z 0-9 _ - * / @`, starting alphanumeric). */
export function isValidTraceStateKey(key: string): boolean {
  return typeof key === 'string' && key.length <= MAX_KEY_LENGTH && KEY.test(key);
}

/** Whether `value` is a valid `tracestate` value (1–256 printable ASCII, no `,` or `=`, no trailing space). */
export function isValidTraceStateValue(value: string): boolean {
  return typeof value === 'string' && value.length <= MAX_VALUE_LENGTH && VALUE.test(value);
}

type Member = readonly [key: string, value: string];

class ImmutableTraceState implements TraceState {
  constructor(private readonly members: readonly Member[]) {
    Object.freeze(this);
  }

  get size(): number {
    return this.members.length;
  }

  get(key: string): string | undefined {
    return this.members.find(([k]) => k === key)?.[1];
  }

  set(key: string, value: string): TraceState {
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return this;
    const others = this.members.filter(([k]) => k !== key);
    // Truncating from the right keeps the entry just written, which names the current vendor.
    return new ImmutableTraceState([[key, value] as const, ...others].slice(0, MAX_TRACE_STATE_MEMBERS));
  }

  unset(key: string): TraceState {
    const others = this.members.filter(([k]) => k !== key);
    return others.length === this.members.length ? this : new ImmutableTraceState(others);
  }

  serialize(): string {
    return this.members.map(([k, v]) => `${k}=${v}`).join(',');
  }

  entries(): Array<[string, string]> {
    return this.members.map(([k, v]) => [k, v]);
  }
}

const EMPTY = new ImmutableTraceState([]);

/** An empty {@link TraceState}; add entries with `set`. */
export function createTraceState(): TraceState {
  return EMPTY;
}

/**
 * Parses one or more `tracestate` header values; `undefined` when absent or invalid.
 *
 * Several values (repeated headers) are joined in order with `,`. Empty and whitespace-only
 * list-members are skipped, and an empty header gives an empty state. Any malformed member,
 * a duplicate key, or more than 32 members invalidates the whole header: the spec says a
 * vendor that fails to parse `tracestate` must not propagate it, and propagating a repaired
 * subset would misrepresent what the caller sent. Never throws.
 */
export function parseTraceState(value: string | string[] | undefined): TraceState | undefined {
  let header: string;
  if (typeof value === 'string') header = value;
  else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) header = value.join(',');
  else return undefined;

  const members: Member[] = [];
  const seen = new Set<string>();
  let start = 0;
  while (start <= header.length) {
    let end = header.indexOf(',', start);
    if (end === -1) end = header.length;
    const member = trimOws(header.slice(start, end));
    start = end + 1;
    if (member === '') continue;
    if (members.length === MAX_TRACE_STATE_MEMBERS) return undefined;

    const eq = member.indexOf('=');
    if (eq === -1) return undefined;
    const key = member.slice(0, eq);
    const memberValue = member.slice(eq + 1);
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(memberValue) || seen.has(key)) return undefined;
    seen.add(key);
    members.push([key, memberValue]);
  }
  return members.length === 0 ? EMPTY : new ImmutableTraceState(members);
}
