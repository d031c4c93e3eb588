import type { Context } from './context.js';

type Listener = (...args: unknown[]) => unknown;
type Emitter = Record<string, unknown> & {
  [BOUND]?: unknown;
  on: (event: string | symbol, listener: Listener) => unknown;
  removeListener: (event: string | symbol, listener: Listener) => unknown;
};

const ADD_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'] as const;
const REMOVE_METHODS = ['removeListener', 'off'] as const;
// Maps each emitter's original listener → the bound wrapper, per event, so removal still works.
const BOUND: unique symbol = Symbol('isotrace.boundListeners');

/** True for objects that look like a Node `EventEmitter` (duck-typed: the core imports no Node built-in). */
export function isEventEmitter(target: unknown): target is Emitter {
  return (
    typeof target === 'object' && target !== null && typeof (target as Emitter).on === 'function' && typeof (target as Emitter).removeListener === 'function'
  );
}

/**
 * Patches `emitter` so each listener added from now on runs in `ctx` (through `wrap`), and the
 * removal methods find the wrapper for the original listener.
 */
export function bindEventEmitter<T extends Emitter>(emitter: T, ctx: Context, wrap: (ctx: Context, fn: Listener) => Listener): T {
  if (emitter[BOUND]) return emitter;
  const byEvent = new Map<string | symbol, WeakMap<Listener, Listener>>();
  Object.defineProperty(emitter, BOUND, { value: byEvent, enumerable: false });

  for (const name of ADD_METHODS) {
    const original = emitter[name];
    if (typeof original !== 'function') continue;
    (emitter as Record<string, unknown>)[name] = function (this: unknown, event: string | symbol, listener: Listener) {
      let wrappers = byEvent.get(event);
      if (!wrappers) byEvent.set(event, (wrappers = new WeakMap()));
      let bound = wrappers.get(listener);
      if (!bound) wrappers.set(listener, (bound = wrap(ctx, listener)));
      return original.call(this, event, bound);
    };
  }
  for (const name of REMOVE_METHODS) {
    const original = emitter[name];
    if (typeof original !== 'function') continue;
    (emitter as Record<string, unknown>)[name] = function (this: unknown, event: string | symbol, listener: Listener) {
      const bound = byEvent.get(event)?.get(listener);
      return original.call(this, event, bound ?? listener);
    };
  }
  return emitter;
}
