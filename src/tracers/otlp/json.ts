// Spans as an OTLP/HTTP JSON `ExportTraceServiceRequest` (opentelemetry-proto 1.x). The JSON
// mapping is proto3's, with OTLP's exceptions: trace and span ids are hex strings, not base64,
// and enums are integers. 64-bit integers (times, `intValue`) are decimal strings.
import type { AttributeValue } from '../../rpcinfo/rpcinfo.js';
import type { InstrumentationScope, Resource, SpanAttributes, SpanData, SpanKind } from '../span/span.js';

/** An OTLP `AnyValue` as isotrace writes it: one of the four scalar kinds. */
export type OtlpAnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number | string };

/** An OTLP `KeyValue`. */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** An OTLP `Span` in the JSON mapping. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: { timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }[];
  status: { code: number; message?: string };
}

/** The body of a `POST /v1/traces` in OTLP/HTTP JSON. */
export interface OtlpTraceRequest {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: { scope: { name: string; version: string }; spans: OtlpSpan[] }[];
  }[];
}

/** OTLP's `SpanKind` enum. */
export const OTLP_SPAN_KIND: Readonly<Record<SpanKind, number>> = Object.freeze({ internal: 1, server: 2, client: 3, producer: 4, consumer: 5 });

/** OTLP's `Status.StatusCode` enum. */
export const OTLP_STATUS_CODE = Object.freeze({ unset: 0, ok: 1, error: 2 } as const);
/** OTLP 1.x `SpanFlags`: bit 8 says bit 9 is meaningful, bit 9 says the parent is remote. */
const CONTEXT_HAS_IS_REMOTE = 0x100;
const CONTEXT_IS_REMOTE = 0x200;

/** A span's OTLP `flags`: the W3C trace flags in the low byte, and whether the parent is remote. */
export function otlpSpanFlags(span: SpanData): number {
  return (span.traceFlags & 0xff) | CONTEXT_HAS_IS_REMOTE | (span.parentIsRemote ? CONTEXT_IS_REMOTE : 0);
}

/**
 * Epoch milliseconds (with a fraction) as decimal epoch nanoseconds. The whole milliseconds and
 * the fraction are converted apart: `ms × 1e6` would pass 2^53 and lose the low digits.
 */
export function msToUnixNano(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  let whole = Math.floor(ms);
  // Exact: `ms - whole` is a multiple of the double's ulp, and so is its product with 1e6 here.
  let nanos = Math.round((ms - whole) * 1e6);
  if (nanos >= 1e6) {
    whole += 1;
    nanos -= 1e6;
  }
  // `nanos + 1e6` has seven digits, the last six of which are `nanos` zero-padded to six.
  return whole === 0 ? String(nanos) : whole + String(nanos + 1e6).slice(1);
}

/** An attribute value as an OTLP `AnyValue`; integers beyond 2^53 are sent as doubles. */
export function toAnyValue(value: AttributeValue): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Number.isSafeInteger(value)) return { intValue: String(value) };
  // proto3 JSON spells the non-finite doubles as strings.
  if (!Number.isFinite(value)) return { doubleValue: Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity' };
  return { doubleValue: value };
}

/** Attributes as OTLP `KeyValue`s. */
export function toKeyValues(attributes: Readonly<SpanAttributes>): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const key of Object.keys(attributes)) out.push({ key, value: toAnyValue(attributes[key]) });
  return out;
}

function toOtlpSpan(span: SpanData): OtlpSpan {
  const out: OtlpSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    flags: otlpSpanFlags(span),
    name: span.name,
    kind: OTLP_SPAN_KIND[span.kind] ?? OTLP_SPAN_KIND.internal,
    startTimeUnixNano: msToUnixNano(span.startTime),
    endTimeUnixNano: msToUnixNano(span.endTime),
    attributes: toKeyValues(span.attributes),
    events: span.events.map((e) => ({ timeUnixNano: msToUnixNano(e.time), name: e.name, attributes: toKeyValues(e.attributes) })),
    status: span.status.message ? { code: OTLP_STATUS_CODE[span.status.code], message: span.status.message } : { code: OTLP_STATUS_CODE[span.status.code] },
  };
  if (span.parentSpanId !== undefined) out.parentSpanId = span.parentSpanId;
  if (span.traceState) out.traceState = span.traceState;
  return out;
}

// A tracer's resource is one frozen object shared by its spans: convert it once.
const resourceCache = new WeakMap<Resource, OtlpKeyValue[]>();

function resourceAttributes(resource: Resource): OtlpKeyValue[] {
  let kv = resourceCache.get(resource);
  if (kv === undefined) resourceCache.set(resource, (kv = toKeyValues(resource)));
  return kv;
}

/** Spans grouped by resource (object identity: one per span tracer), then by instrumentation scope. */
export function groupSpans(spans: readonly SpanData[]): [Resource, { scope: InstrumentationScope; spans: SpanData[] }[]][] {
  // The usual batch comes from one tracer: one resource and one scope object; skip the maps.
  const first = spans[0];
  if (first !== undefined && spans.every((s) => s.resource === first.resource && s.scope === first.scope)) {
    return [[first.resource, [{ scope: first.scope, spans: spans.slice() }]]];
  }
  const byResource = new Map<Resource, Map<string, { scope: InstrumentationScope; spans: SpanData[] }>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (scopes === undefined) byResource.set(span.resource, (scopes = new Map()));
    const key = `${span.scope.name}@${span.scope.version}`;
    let group = scopes.get(key);
    if (group === undefined) scopes.set(key, (group = { scope: span.scope, spans: [] }));
    group.spans.push(span);
  }
  return [...byResource].map(([resource, scopes]) => [resource, [...scopes.values()]]);
}

/**
 * Spans as an OTLP/HTTP JSON `ExportTraceServiceRequest` object, grouped by resource and
 * instrumentation scope. The exporter sends `serializeOtlpJson(spans)`, the same JSON written
 * directly as a string.
 *
 * @example
 * const request = toOtlpJson(memory.spans);
 */
export function toOtlpJson(spans: readonly SpanData[]): OtlpTraceRequest {
  return {
    resourceSpans: groupSpans(spans).map(([resource, scopes]) => ({
      resource: { attributes: resourceAttributes(resource) },
      scopeSpans: scopes.map(({ scope, spans }) => ({ scope: { name: scope.name, version: scope.version }, spans: spans.map(toOtlpSpan) })),
    })),
  };
}
