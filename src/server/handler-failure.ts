import type { RPCInfo } from '../rpcinfo/rpcinfo.js';
import { stats } from '../rpcinfo/stats-event.js';
import { describeError } from '../rpcinfo/conventions/error-description.js';
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
