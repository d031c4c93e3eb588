import { trimOws } from './ows.js';
import { isBaggageOctet, percentDecode, percentEncode } from './percent-encoding.js';

/** One baggage entry: its decoded value and the opaque properties that followed it. */
export interface BaggageEntry {
  /** The value, percent-decoded. */
  readonly value: string;
  /** The properties after the first `;`, e.g. `p1;p2=v`, kept opaque as the spec asks. */
  readonly metadata?: string;
}

/** W3C Baggage: an immutable, insertion-ordered map of name to {@link BaggageEntry}. */
export interface Baggage {
  /** The number of entries. */
  readonly size: number;
  /** The entry for `name`, or `undefined` when absent. */
  get(name: string): BaggageEntry | undefined;
  /** A copy with `name` set; a name that is not an RFC 7230 token leaves it unchanged. */
  set(name: string, value: string, metadata?: string): Baggage;
  /** A copy without `name` (or `this` when it is absent). */
  delete(name: string): Baggage;
  /** The entries in insertion order. */
  entries(): Array<[string, BaggageEntry]>;
}

/** The list-members this implementation propagates at most (the spec's minimum). */
export const MAX_BAGGAGE_MEMBERS = 64;
/** The bytes of formatted header this implementation propagates at most (the spec's minimum). */
export const MAX_BAGGAGE_BYTES = 8192;

// RFC 7230 §3.2.6 token = 1*tchar.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `name` is an RFC 7230 token, as baggage names and property keys must be. */
export function isValidBaggageName(name: string): boolean {
  return typeof name === 'string' && TOKEN.test(name);
}

class ImmutableBaggage implements Baggage {
  constructor(private readonly map: ReadonlyMap<string, BaggageEntry>) {
    Object.freeze(this);
  }

  get size(): number {
    return this.map.size;
  }

  get(name: string): BaggageEntry | undefined {
    return this.map.get(name);
  }

  set(name: string, value: string, metadata?: string): Baggage {
    if (!isValidBaggageName(name) || typeof value !== 'string') return this;
    const next = new Map(this.map);
    next.set(name, toEntry(value, metadata));
    return new ImmutableBaggage(next);
  }

  delete(name: string): Baggage {
    if (!this.map.has(name)) return this;
    const next = new Map(this.map);
    next.delete(name);
    return new ImmutableBaggage(next);
  }

  entries(): Array<[string, BaggageEntry]> {
    return [...this.map];
  }
}

function toEntry(value: string, metadata: string | undefined): BaggageEntry {
  return Object.freeze(metadata === undefined ? { value } : { value, metadata });
}

/** A {@link Baggage} holding `init`'s entries (invalid names are skipped). */
export function createBaggage(init?: Record<string, string | BaggageEntry>): Baggage {
  let baggage: Baggage = new ImmutableBaggage(new Map());
  for (const [name, entry] of Object.entries(init ?? {})) {
    baggage = typeof entry === 'string' ? baggage.set(name, entry) : baggage.set(name, entry.value, entry.metadata);
  }
  return baggage;
}

/**
 * Parses one or more `baggage` header values; never throws.
 *
 * Several values are joined in order with `,`. OWS around members, names, values and
 * properties is trimmed; values are percent-decoded. A malformed member is skipped (unlike
 * tracestate, baggage members are independent). A repeated name keeps its first position and
 * its last value. Parsing stops at the first member that would take the result past
 * {@link MAX_BAGGAGE_MEMBERS} members or {@link MAX_BAGGAGE_BYTES} formatted bytes, so
 * whatever is returned formats without truncation.
 */
export function parseBaggage(value: string | string[] | undefined): Baggage {
  let header: string;
  if (typeof value === 'string') header = value;
  else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) header = value.join(',');
  else return createBaggage();

  const entries = new Map<string, BaggageEntry>();
  const lengths = new Map<string, number>();
  let bytes = 0;
  let start = 0;
  while (start <= header.length) {
    let end = header.indexOf(',', start);
    if (end === -1) end = header.length;
    const member = parseMember(header.slice(start, end));
    start = end + 1;
    if (member === undefined) continue;

    const [name, entry] = member;
    // Measure the formatted form so parse and format agree on the limits (metadata from
    // parseMember is already normalised, so it is used as-is).
    const length = memberString(name, entry, entry.metadata).length;
    const previous = lengths.get(name);
    const next = previous === undefined ? bytes + length + (entries.size > 0 ? 1 : 0) : bytes - previous + length;
    if ((previous === undefined && entries.size >= MAX_BAGGAGE_MEMBERS) || next > MAX_BAGGAGE_BYTES) break;
    entries.set(name, entry);
    lengths.set(name, length);
    bytes = next;
  }
  return new ImmutableBaggage(entries);
}

/**
 * Formats `baggage` as a `baggage` header value (`name=value;metadata` joined by `,`).
 *
 * Values are percent-encoded. Entries with an invalid name are skipped, and metadata that is
 * not a valid property list is left out rather than corrupting the header. Once the next
 * member would exceed {@link MAX_BAGGAGE_MEMBERS} or {@link MAX_BAGGAGE_BYTES}, it and every
 * later member are dropped: a receiver may discard an oversized header entirely.
 */
export function formatBaggage(baggage: Baggage): string {
  const members: string[] = [];
  let bytes = 0;
  for (const [name, entry] of baggage.entries()) {
    if (!isValidBaggageName(name) || typeof entry?.value !== 'string') continue;
    const member = formatMember(name, entry);
    const next = bytes + member.length + (members.length > 0 ? 1 : 0);
    if (members.length >= MAX_BAGGAGE_MEMBERS || next > MAX_BAGGAGE_BYTES) break;
    members.push(member);
    bytes = next;
  }
  return members.join(',');
}

function formatMember(name: string, entry: BaggageEntry): string {
  const metadata = typeof entry.metadata === 'string' ? normalizeProperties(entry.metadata) : undefined;
  return memberString(name, entry, metadata);
}

function memberString(name: string, entry: BaggageEntry, normalizedMetadata: string | undefined): string {
  const member = `${name}=${percentEncode(entry.value)}`;
  return normalizedMetadata === undefined ? member : `${member};${normalizedMetadata}`;
}

/** `key OWS "=" OWS value *( OWS ";" OWS property )`, or `undefined` when malformed or empty. */
function parseMember(raw: string): [string, BaggageEntry] | undefined {
  const semicolon = raw.indexOf(';');
  const head = semicolon === -1 ? raw : raw.slice(0, semicolon);
  const eq = head.indexOf('=');
  if (eq === -1) return undefined;
  const name = trimOws(head.slice(0, eq));
  const value = trimOws(head.slice(eq + 1));
  if (!isValidBaggageName(name) || !isBaggageValue(value)) return undefined;
  if (semicolon === -1) return [name, toEntry(percentDecode(value), undefined)];
  const metadata = normalizeProperties(raw.slice(semicolon + 1));
  return metadata === undefined ? undefined : [name, toEntry(percentDecode(value), metadata)];
}

/**
 * The `;`-separated property list with OWS trimmed (`k = v ; k2` → `k=v;k2`), or `undefined`
 * when any property is malformed. Normalising makes parse → format → parse a fixed point.
 */
function normalizeProperties(raw: string): string | undefined {
  const properties: string[] = [];
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    const key = trimOws(eq === -1 ? part : part.slice(0, eq));
    if (!isValidBaggageName(key)) return undefined;
    if (eq === -1) {
      properties.push(key);
      continue;
    }
    const value = trimOws(part.slice(eq + 1));
    if (!isBaggageValue(value)) return undefined;
    properties.push(`${key}=${value}`);
  }
  return properties.join(';');
}

/** `*baggage-octet`: the raw, still percent-encoded form of a value. */
function isBaggageValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    if (!isBaggageOctet(value.charCodeAt(i))) return false;
  }
  return true;
}
