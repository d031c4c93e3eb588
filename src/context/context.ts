/**
 * An immutable map from keys to values, carried through a call like Go's `context.Context`.
 * Setting or deleting a value returns a new context; the original never changes, so a context
 * can be shared freely between concurrent calls.
 */
export interface Context {
  /** The value stored under `key`, or `undefined`. */
  getValue(key: symbol): unknown;
  /** A new context that holds `value` under `key`. */
  setValue(key: symbol, value: unknown): Context;
  /** A new context without `key`. */
  deleteValue(key: symbol): Context;
}

// A context is a node in a chain: its own entry plus its parent. Setting a value allocates one
// small node instead of copying a map, and lookups walk a short chain (a call adds 2–3 keys).
const DELETED = Symbol('isotrace.deleted');
// Past this depth, a new context is flattened into a fresh chain of live entries, so lookups
// stay short even under long chains of nested calls.
const MAX_DEPTH = 32;

class ChainContext implements Context {
  constructor(
    private readonly parent: ChainContext | undefined,
    private readonly key: symbol | undefined,
    private readonly value: unknown,
    private readonly depth: number,
  ) {}

  getValue(key: symbol): unknown {
    for (let node: ChainContext | undefined = this; node !== undefined; node = node.parent) {
      if (node.key === key) return node.value === DELETED ? undefined : node.value;
    }
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    return this.depth < MAX_DEPTH ? new ChainContext(this, key, value, this.depth + 1) : this.flatten(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.getValue(key) === undefined ? this : this.setValue(key, DELETED);
  }

  private flatten(key: symbol, value: unknown): Context {
    const live = new Map<symbol, unknown>([[key, value]]);
    for (let node: ChainContext | undefined = this; node?.key !== undefined; node = node.parent) {
      if (!live.has(node.key)) live.set(node.key, node.value);
    }
    let flat = ROOT;
    for (const [k, v] of live) if (v !== DELETED) flat = new ChainContext(flat, k, v, flat.depth + 1);
    return flat;
  }
}

const ROOT = new ChainContext(undefined, undefined, undefined, 0);

/** The empty context every chain starts from. */
export const ROOT_CONTEXT: Context = ROOT;

/**
 * A unique key for {@link Context} values. `name` is only a description for debugging: two keys
 * with the same name are still distinct.
 *
 * @example
 * const USER = createContextKey('app.user');
 * const ctx = ROOT_CONTEXT.setValue(USER, 'ada');
 */
export function createContextKey(name: string): symbol {
  return Symbol(name);
}
