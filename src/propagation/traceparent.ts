import { isValidSpanId, isValidTraceId, KNOWN_FLAGS, type SpanContext } from './span-context.js';
import { trimOws } from './ows.js';

/** The three fields a `traceparent` header carries. */
export type TraceParent = Pick<SpanContext, 'traceId' | 'spanId' | 'traceFlags'>;

/** `version "-" trace-id "-" parent-id "-" trace-flags`: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
const BASE_LENGTH = 55;
const SUPPORTED_VERSION = '00';
const FORBIDDEN_VERSION = 'ff';
const HEX2 = /^[0-9a-f]{2}$/;

/**
 * Parses a `traceparent` header value per W3C Trace Context Level 2; `undefined` when invalid.
 *
 * Leading and trailing OWS is ignored. Version `00` must be exactly 55 characters. A higher
 * version (not `ff`) is read by its first four fields, which must be followed by the end of
 * the value or by `-`; its unknown flag bits are dropped. For version `00` the flags byte is
 * returned as received so callers can see it; {@link formatTraceParent} zeroes the unknown
 * bits on the way out. A value containing a comma is two folded headers and is rejected.
 * Never throws.
 */
export function parseTraceParent(value: string | undefined): TraceParent | undefined {
  if (typeof value !== 'string') return undefined;
  // The spec allows a single traceparent; Node and carriers fold repeats into "a, b".
  if (value.includes(',')) return undefined;
  const header = trimOws(value);
  if (header.length < BASE_LENGTH) return undefined;

  const version = header.slice(0, 2);
  if (!HEX2.test(version) || version === FORBIDDEN_VERSION) return undefined;
  const isSupported = version === SUPPORTED_VERSION;
  if (isSupported && header.length !== BASE_LENGTH) return undefined;
  // Later versions may append fields, but only after another dash.
  if (!isSupported && header.length > BASE_LENGTH && header[BASE_LENGTH] !== '-') return undefined;
  if (header[2] !== '-' || header[35] !== '-' || header[52] !== '-') return undefined;

  const traceId = header.slice(3, 35);
  const spanId = header.slice(36, 52);
  const flagsHex = header.slice(53, 55);
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId) || !HEX2.test(flagsHex)) return undefined;

  const flags = parseInt(flagsHex, 16);
  // A future version may give its extra bits meanings we cannot know, so only ours survive.
  return { traceId, spanId, traceFlags: isSupported ? flags : flags & KNOWN_FLAGS };
}

/**
 * Formats `sc` as a version-`00` `traceparent` value, or `''` when its ids are invalid.
 *
 * Only the sampled (0x01) and random (0x02) flags are written: the spec says bits it does not
 * define MUST be set to zero when propagating, so `00-…-ff` is re-sent as `00-…-03`.
 */
export function formatTraceParent(sc: TraceParent): string {
  if (typeof sc !== 'object' || sc === null) return '';
  if (!isValidTraceId(sc.traceId) || !isValidSpanId(sc.spanId)) return '';
  const flags = (Number(sc.traceFlags) & KNOWN_FLAGS).toString(16).padStart(2, '0');
  return `${SUPPORTED_VERSION}-${sc.traceId}-${sc.spanId}-${flags}`;
}
