// From an RPCInfo to span attributes, status and events, by the rules every tracer shares
// (rpcinfo/conventions/rpc-conventions.ts), in the span tracer's types.
import { eventAttributes, rpcAttributes, rpcName, rpcOutcome } from '../../rpcinfo/conventions/rpc-conventions.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import type { SpanAttributes, SpanEvent, SpanStatus } from './span.js';

export { describeError } from '../../rpcinfo/conventions/error-description.js';

/** The span name of an RPC ({@link rpcName}). */
export const rpcSpanName: (ri: RPCInfo) => string = rpcName;

/** The attributes of an RPC span ({@link rpcAttributes}). */
export const rpcSpanAttributes: (ri: RPCInfo) => SpanAttributes = rpcAttributes;

/** The status of an RPC span ({@link rpcOutcome}); sets `error.type` in `attributes` when the call failed. */
export function rpcSpanStatus(ri: RPCInfo, attributes: SpanAttributes): SpanStatus {
  const outcome = rpcOutcome(ri);
  if (!outcome.failed) return { code: 'unset' };
  attributes['error.type'] = outcome.errorType!;
  return outcome.message !== undefined ? { code: 'error', message: outcome.message } : { code: 'error' };
}

/** The call's stats events as span events. */
export function rpcSpanEvents(ri: RPCInfo): SpanEvent[] {
  return ri.stats.events().map((record) => ({ name: record.event.name, time: record.time, attributes: eventAttributes(record) }));
}
