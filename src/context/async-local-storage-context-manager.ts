import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context } from './context.js';
import type { ContextManager } from './context-manager.js';
import { bindWithManager } from './bind-function.js';

function applyTo(fn: (...args: never[]) => unknown, thisArg: unknown, args: unknown[]): unknown {
  return Reflect.apply(fn, thisArg, args);
}

/**
 * Node's manager: the active context follows every async continuation (awaits, timers, I/O
 * callbacks) through one `AsyncLocalStorage`. One store for the whole context, entered once per
 * `with`, because on Node 20 each extra AsyncLocalStorage instance adds work to every async
 * resource in the process.
 *
 * @example
 * import { context, setContextManager, AsyncLocalStorageContextManager } from 'isotrace';
 * setContextManager(new AsyncLocalStorageContextManager()); // the Node entry already does this
 */
export class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    // `run` takes the arguments itself and calls with no `this`; a `this`, when asked for, is
    // passed through `applyTo` rather than a function bound per call.
    if (thisArg === undefined) return this.storage.run(ctx, fn, ...args);
    return this.storage.run(ctx, applyTo, fn, thisArg, args) as ReturnType<F>;
  }

  bind<T>(ctx: Context, target: T): T {
    return bindWithManager(this, ctx, target);
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}
