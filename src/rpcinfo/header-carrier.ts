/**
 * Headers a tracer injects into (client) or extracts from (server): HTTP headers for fetch and
 * node:http, the `meta` member of a WebSocket RPC frame. Keys are case-insensitive and stored
 * lower-case, as HTTP header names are.
 */
export interface HeaderCarrier {
  /** The value of `key`, or `undefined` when absent. */
  get(key: string): string | undefined;
  /** Sets `key` to `value`, replacing what was there. */
  set(key: string, value: string): void;
  /** Removes `key`. */
  delete(key: string): void;
  /** Every key present, lower-case, in insertion order. */
  keys(): string[];
}

/** A {@link HeaderCarrier} backed by a `Map`; optionally seeded from a plain record or `Headers`. */
export class MapHeaderCarrier implements HeaderCarrier {
  private readonly map = new Map<string, string>();

  constructor(init?: Iterable<[string, string]> | Record<string, string | string[] | undefined>) {
    if (!init) return;
    const entries = Symbol.iterator in init ? (init as Iterable<[string, string]>) : Object.entries(init);
    for (const [key, value] of entries) {
      if (value === undefined) continue;
      // Node gives repeated headers as arrays (and joins most with ", "); keep one string.
      this.set(key, Array.isArray(value) ? value.join(', ') : String(value));
    }
  }

  get(key: string): string | undefined {
    return this.map.get(key.toLowerCase());
  }

  set(key: string, value: string): void {
    this.map.set(key.toLowerCase(), value);
  }

  delete(key: string): void {
    this.map.delete(key.toLowerCase());
  }

  keys(): string[] {
    return [...this.map.keys()];
  }
}
