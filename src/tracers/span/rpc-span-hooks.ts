import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { describeError, rpcSpanAttributes, rpcSpanEvents, rpcSpanStatus } from './attributes.js';
import type { SpanOutcome } from './recording-span.js';
import type { SpanAttributes } from './span.js';

/** What a sampled RPC span ends with: the call's attributes, status and events, plus an `exception` event for `stats.error`. */
export function rpcOutcome(ri: RPCInfo, endTime: number): SpanOutcome {
  const attributes = rpcSpanAttributes(ri);
  const status = rpcSpanStatus(ri, attributes);
  const events = rpcSpanEvents(ri);
  if (ri.stats.error !== undefined) {
    const { type, message, stack } = describeError(ri.stats.error);
    const exception: SpanAttributes = { 'exception.type': type, 'exception.message': message };
    if (stack !== undefined) exception['exception.stacktrace'] = stack;
    events.push({ name: 'exception', time: endTime, attributes: exception });
  }
  return { attributes, events, status };
}
