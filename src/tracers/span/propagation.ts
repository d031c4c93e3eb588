// The span tracer's side of propagation. With the default W3C propagator, injection skips the
// validation `w3cTraceContextPropagator.inject` does on every call: the tracer's ids are valid by
// construction (minted here, or parsed strictly on the way in), and the regular expressions of
// that check were the largest single cost of a traced call. The headers written are the same.
import { isSpanContextValid, KNOWN_FLAGS, type SpanContext } from '../../propagation/span-context.js';
import { TRACEPARENT_HEADER, TRACESTATE_HEADER, w3cTraceContextPropagator, type Propagator } from '../../propagation/w3c-propagator.js';
import type { HeaderCarrier } from '../../rpcinfo/header-carrier.js';

const FLAGS_HEX = ['00', '01', '02', '03'];

/** How a span tracer writes a span context it made into outgoing headers. */
export type SpanInjector = (sc: SpanContext, carrier: HeaderCarrier) => void;

/** How a span tracer reads the caller's span context from incoming headers; never an invalid one. */
export type SpanExtractor = (carrier: HeaderCarrier) => SpanContext | undefined;

function injectW3c(sc: SpanContext, carrier: HeaderCarrier): void {
  carrier.set(TRACEPARENT_HEADER, `00-${sc.traceId}-${sc.spanId}-${FLAGS_HEX[sc.traceFlags & KNOWN_FLAGS]}`);
  // As the W3C propagator does: a stale tracestate would describe some other parent.
  if (sc.traceState !== undefined && sc.traceState.size > 0) carrier.set(TRACESTATE_HEADER, sc.traceState.serialize());
  else carrier.delete(TRACESTATE_HEADER);
}

/** The injector for `propagator`: a validation-free equivalent for the W3C one, the propagator itself otherwise. */
export function createSpanInjector(propagator: Propagator): SpanInjector {
  return propagator === w3cTraceContextPropagator ? injectW3c : (sc, carrier) => propagator.inject(sc, carrier);
}

/** The extractor for `propagator`; what a custom propagator returns is validated, as ids from it become parents. */
export function createSpanExtractor(propagator: Propagator): SpanExtractor {
  if (propagator === w3cTraceContextPropagator) return (carrier) => propagator.extract(carrier);
  return (carrier) => {
    const sc = propagator.extract(carrier);
    return sc !== undefined && isSpanContextValid(sc) ? { ...sc, isRemote: true } : undefined;
  };
}
