import type { HeaderCarrier } from '../rpcinfo/header-carrier.js';
import { formatBaggage, parseBaggage, type Baggage } from './baggage.js';
import { isSpanContextValid, type SpanContext } from './span-context.js';
import { formatTraceParent, parseTraceParent } from './traceparent.js';
import { parseTraceState } from './tracestate.js';

/** Moves a {@link SpanContext} into and out of request headers. */
export interface Propagator {
  /** Writes `sc` into `carrier`; does nothing when `sc` is missing or invalid. */
  inject(sc: SpanContext | undefined, carrier: HeaderCarrier): void;
  /** Reads a remote span context from `carrier`, or `undefined` when there is none or it is invalid. */
  extract(carrier: HeaderCarrier): SpanContext | undefined;
  /** The header names this propagator reads and writes. */
  fields(): string[];
}

/** The `traceparent` header name. */
export const TRACEPARENT_HEADER = 'traceparent';
/** The `tracestate` header name. */
export const TRACESTATE_HEADER = 'tracestate';
/** The `baggage` header name. */
export const BAGGAGE_HEADER = 'baggage';

/**
 * W3C Trace Context propagation through `traceparent` and `tracestate`.
 *
 * Inject always emits version `00` with only the sampled and random flags. It writes
 * `tracestate` only for a non-empty trace state and otherwise deletes one already on the
 * carrier, since a stale tracestate would describe some other parent. Extract marks the
 * result `isRemote`; a malformed `tracestate` is dropped without affecting `traceparent`,
 * as the spec requires, and an empty one is left off.
 */
export const w3cTraceContextPropagator: Propagator = Object.freeze({
  inject(sc: SpanContext | undefined, carrier: HeaderCarrier): void {
    if (sc === undefined || !isSpanContextValid(sc)) return;
    carrier.set(TRACEPARENT_HEADER, formatTraceParent(sc));
    const traceState = sc.traceState;
    if (traceState !== undefined && traceState.size > 0) {
      carrier.set(TRACESTATE_HEADER, traceState.serialize());
    } else {
      carrier.delete(TRACESTATE_HEADER);
    }
  },

  extract(carrier: HeaderCarrier): SpanContext | undefined {
    const parent = parseTraceParent(carrier.get(TRACEPARENT_HEADER));
    if (parent === undefined) return undefined;
    const sc: SpanContext = { ...parent, isRemote: true };
    // The spec forbids parsing tracestate when traceparent failed, hence this order.
    const traceState = parseTraceState(carrier.get(TRACESTATE_HEADER));
    if (traceState !== undefined && traceState.size > 0) sc.traceState = traceState;
    return sc;
  },

  fields(): string[] {
    return [TRACEPARENT_HEADER, TRACESTATE_HEADER];
  },
});

/** Writes `baggage` into `carrier`'s `baggage` header, deleting the header when nothing is left to send. */
export function injectBaggage(baggage: Baggage, carrier: HeaderCarrier): void {
  const header = formatBaggage(baggage);
  if (header === '') carrier.delete(BAGGAGE_HEADER);
  else carrier.set(BAGGAGE_HEADER, header);
}

/** Reads the `baggage` header from `carrier`; an empty {@link Baggage} when absent. */
export function extractBaggage(carrier: HeaderCarrier): Baggage {
  return parseBaggage(carrier.get(BAGGAGE_HEADER));
}
