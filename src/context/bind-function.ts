import type { Context } from './context.js';
import type { ContextManager } from './context-manager.js';
import { bindEventEmitter, isEventEmitter } from './bind-event-emitter.js';

/**
 * The `bind` shared by every manager: functions are wrapped to call `manager.with(ctx, …)`,
 * event emitters have their listeners wrapped, anything else is returned as is.
 */
export function bindWithManager<T>(manager: ContextManager, ctx: Context, target: T): T {
  if (typeof target === 'function') return wrapFunction(manager, ctx, target as never) as T;
  if (isEventEmitter(target)) {
    return bindEventEmitter(target, ctx, (c, fn) => wrapFunction(manager, c, fn)) as T;
  }
  return target;
}

function wrapFunction<F extends (...args: never[]) => unknown>(manager: ContextManager, ctx: Context, fn: F): F {
  const bound = function (this: unknown, ...args: Parameters<F>) {
    return manager.with(ctx, fn as never, this as never, ...(args as never[]));
  };
  Object.defineProperty(bound, 'length', { value: fn.length });
  return bound as unknown as F;
}
