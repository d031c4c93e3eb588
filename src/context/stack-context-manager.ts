import { ROOT_CONTEXT, type Context } from './context.js';
import type { ContextManager } from './context-manager.js';
import { bindWithManager } from './bind-function.js';

/**
 * The fallback manager: a context is active for the synchronous extent of `with` only. Work
 * scheduled from inside (timers, promise callbacks) runs in `ROOT_CONTEXT` unless it was bound
 * with `bind` or given its `ctx` explicitly. Works on every runtime; installed until a runtime
 * entry point installs a better one.
 */
export class StackContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  private enabled = true;

  active(): Context {
    return this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    if (!this.enabled) return fn.call(thisArg, ...args);
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }

  bind<T>(ctx: Context, target: T): T {
    return bindWithManager(this, ctx, target);
  }

  enable(): this {
    this.enabled = true;
    return this;
  }

  disable(): this {
    this.enabled = false;
    this.current = ROOT_CONTEXT;
    return this;
  }
}
