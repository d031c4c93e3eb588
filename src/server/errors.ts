import { context } from '../context/context-api.js';
import type { Context } from '../context/context.js';

/** `error`, or an `Error` standing for a thrown `undefined`/`null`, which would otherwise read as "no error". */
export function asRecordedError(error: unknown): unknown {
  return error ?? new Error(`isotrace: the handler threw ${String(error)}`);
}

/**
 * Calls a wrapper's `onHandlerError` hook in the call's context (so a logger it calls sees the
 * RPCInfo), and returns what it returns. The hook is guarded: its own error is logged and
 * dropped, since it runs where nothing could catch it. Without a hook, the error is logged.
 */
export function reportHandlerError<E extends { error: unknown; ctx: Context }, R>(hook: ((event: E) => R) | undefined, event: E): R | undefined {
  if (hook === undefined) {
    console.error('isotrace: the request handler failed; the error was recorded and answered (set onHandlerError to handle it)', event.error);
    return undefined;
  }
  try {
    return context.with(event.ctx, hook, undefined, event);
  } catch (thrown) {
    console.error('isotrace: onHandlerError threw', thrown);
    return undefined;
  }
}
