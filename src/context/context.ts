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

class MapContext implements Context {
  // Frozen after construction; every change copies (contexts are small: a handful of keys).
  private readonly values: ReadonlyMap<symbol, unknown>;

  constructor(values?: ReadonlyMap<symbol, unknown>) {
    this.values = values ?? new Map();
  }

  getValue(key: symbol): unknown {
    return this.values.get(key);
  }

  setValue(key: symbol, value: unknown): Context {
    const next = new Map(this.values);
    next.set(key, value);
    return new MapContext(next);
  }

  deleteValue(key: symbol): Context {
    if (!this.values.has(key)) return this;
    const next = new Map(this.values);
    next.delete(key);
    return new MapContext(next);
  }
}

/** The empty context every chain starts from. */
export const ROOT_CONTEXT: Context = new MapContext();

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
