import type { Context } from './context.js';
import type { ContextManager } from './context-manager.js';
import { StackContextManager } from './stack-context-manager.js';

let manager: ContextManager = new StackContextManager();

/**
 * Installs `next` as the process-wide (or page-wide) context manager and disables the previous
 * one. The Node entry installs an {@link AsyncLocalStorageContextManager}, the browser entry a
 * `ZoneContextManager` when zone.js is on the page; otherwise a synchronous stack manager answers.
 */
export function setContextManager(next: ContextManager): void {
  if (next === manager) return;
  manager.disable();
  manager = next.enable();
}

/** The installed context manager. */
export function getContextManager(): ContextManager {
  return manager;
}

/**
 * The active-context facade over the installed manager: `context.active()`,
 * `context.with(ctx, fn)`, `context.bind(ctx, target)`.
 *
 * @example
 * context.with(ctx, () => {
 *   setTimeout(() => console.log(context.active() === ctx)); // true on Node and with zone.js
 * });
 */
export const context = {
  /** The context of the code running now. */
  active(): Context {
    return manager.active();
  },
  /** Calls `fn` with `ctx` active. */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return manager.with(ctx, fn, thisArg, ...args);
  },
  /** Binds a function or event emitter to `ctx` (the active context when omitted). */
  bind<T>(ctx: Context | undefined, target: T): T {
    return manager.bind(ctx ?? manager.active(), target);
  },
};
