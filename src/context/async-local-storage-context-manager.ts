import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context } from './context.js';
import type { ContextManager } from './context-manager.js';
import { bindWithManager } from './bind-function.js';

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

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    // `run` takes the arguments itself; binding `this` only when asked avoids a closure per call.
    const target = thisArg === undefined ? fn : (fn.bind(thisArg) as F);
    return this.storage.run(ctx, target, ...args);
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
