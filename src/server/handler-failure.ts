import { context } from '../context/context-api.js';
import type { Context } from '../context/context.js';
import type { RPCInfo } from '../rpcinfo/rpcinfo.js';
import { stats } from '../rpcinfo/stats-event.js';
import { describeError } from '../rpcinfo/conventions/error-description.js';
import { servedCall } from './call-name.js';
import { asRecordedError } from './errors.js';

/**
 * Records a handler that threw or rejected (or returned what cannot be sent): ServerHandleFinish
 * with status `error`, the error as `stats.error` unless one is there already, and its `error.type`.
 * Call it only while the RPC is not finished.
 */
export function recordHandlerFailure(ri: RPCInfo, thrown: unknown): void {
  const error = asRecordedError(thrown);
  ri.stats.record(stats.ServerHandleFinish, 'error');
  if (ri.stats.error === undefined) ri.stats.error = error;
  ri.attributes['error.type'] = describeError(error).type;
}

/**
 * Records `error` as the failure of the call `ctx` serves (the active context when omitted): for
 * exceptions a framework catches and answers itself (an Express error handler, Hono's
 * `onError`, tRPC's `onError`), which never reach the wrapper and would reach the trace as a
 * bare `HTTP 500`. It becomes the call's `stats.error` (its type, message and stack on the
 * span's `exception` event, the status message) and `error.type`, unless an error was recorded
 * first; the call is then failed, whatever status the response gets. The response is not
 * touched. Returns whether there was a served call to record it on.
 *
 * @example
 * import { recordServerError } from 'isotrace/node';
 * app.use((err, req, res, next) => { recordServerError(err); res.status(500).send('sorry'); });
 */
export function recordServerError(error: unknown, ctx: Context = context.active()): boolean {
  const ri = servedCall(ctx, 'recordServerError');
  if (ri === undefined) return false;
  if (ri.stats.error === undefined) {
    ri.stats.error = asRecordedError(error);
    ri.attributes['error.type'] = describeError(ri.stats.error).type;
  }
  return true;
}

/**
 * Whether `error` says it is the client's fault: a `status` or `statusCode` from 400 to 499, as
 * http-errors (Express) and Hono's `HTTPException` carry and frameworks answer with. A served
 * call is not failed by a 4xx, so the framework adapters do not record such errors.
 */
export function isClientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && code >= 400 && code < 500;
}
