import type { Context } from './context.js';

/**
 * Carries the active {@link Context} through synchronous and asynchronous work. One
 * implementation per runtime: AsyncLocalStorage on Node, zone.js in browsers, a synchronous
 * stack as the fallback that works everywhere.
 */
export interface ContextManager {
  /** The context of the code that is running now; `ROOT_CONTEXT` when none was entered. */
  active(): Context;
  /** Calls `fn` with `ctx` active, and returns what it returns (or throws what it throws). */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F>;
  /**
   * Binds `target` to `ctx`: a function runs in `ctx` whenever it is called; an event emitter
   * (anything with `on`/`addListener`/`removeListener`) runs each listener in `ctx`.
   */
  bind<T>(ctx: Context, target: T): T;
  /** Starts carrying context. Returns the manager for chaining. */
  enable(): this;
  /** Stops carrying context and forgets what was active. */
  disable(): this;
}
