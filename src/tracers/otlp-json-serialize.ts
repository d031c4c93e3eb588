// The exporter's request body, written as a string. `JSON.stringify(toOtlpJson(spans))` builds
// some 25 small objects per span and then walks them; writing the text directly is about 2.5×
// faster, and serialization is most of what exporting a span costs. The output is byte for byte
// the same (a test holds it to that), so `toOtlpJson` stays the readable definition.
import type { AttributeValue } from '../rpcinfo/rpcinfo.js';
import { groupSpans, msToUnixNano, OTLP_SPAN_KIND, OTLP_STATUS_CODE, otlpSpanFlags } from './otlp-json.js';
import type { Resource, SpanAttributes, SpanData, SpanEvent } from './span.js';

// JSON.stringify of a lone string escapes exactly as it would inside an object.
const str = JSON.stringify;

function anyValue(value: AttributeValue): string {
  if (typeof value === 'string') return `{"stringValue":${str(value)}}`;
  if (typeof value === 'boolean') return `{"boolValue":${value}}`;
  if (Number.isSafeInteger(value)) return `{"intValue":"${value}"}`;
  if (!Number.isFinite(value)) return `{"doubleValue":"${Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'}"}`;
  return `{"doubleValue":${str(value)}}`;
}

// Attribute keys repeat on every span (`rpc.method`, `server.address`, …): escape each once.
// Bounded, so keys an app makes up per call cannot grow it without end.
const keyPrefixes = new Map<string, string>();
const MAX_CACHED_KEYS = 512;

function keyPrefix(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `{"key":${str(key)},"value":`;
    if (keyPrefixes.size < MAX_CACHED_KEYS) keyPrefixes.set(key, prefix);
  }
  return prefix;
}

function keyValues(attributes: Readonly<SpanAttributes>): string {
  let out = '[';
  for (const key of Object.keys(attributes)) {
    if (out.length > 1) out += ',';
    out += `${keyPrefix(key)}${anyValue(attributes[key])}}`;
  }
  return `${out}]`;
}

function event(e: SpanEvent): string {
  return `{"timeUnixNano":"${msToUnixNano(e.time)}","name":${str(e.name)},"attributes":${keyValues(e.attributes)}}`;
}

function span(s: SpanData): string {
  const status = s.status.message
    ? `{"code":${OTLP_STATUS_CODE[s.status.code]},"message":${str(s.status.message)}}`
    : `{"code":${OTLP_STATUS_CODE[s.status.code]}}`;
  let out =
    `{"traceId":${str(s.traceId)},"spanId":${str(s.spanId)},"flags":${otlpSpanFlags(s)},"name":${str(s.name)}` +
    `,"kind":${OTLP_SPAN_KIND[s.kind] ?? OTLP_SPAN_KIND.internal},"startTimeUnixNano":"${msToUnixNano(s.startTime)}"` +
    `,"endTimeUnixNano":"${msToUnixNano(s.endTime)}","attributes":${keyValues(s.attributes)}` +
    `,"events":[${s.events.map(event).join(',')}],"status":${status}`;
  if (s.parentSpanId !== undefined) out += `,"parentSpanId":${str(s.parentSpanId)}`;
  if (s.traceState) out += `,"traceState":${str(s.traceState)}`;
  return `${out}}`;
}

// A tracer's resource is one frozen object shared by its spans: write it once.
const resourceCache = new WeakMap<Resource, string>();

function resource(r: Resource): string {
  let text = resourceCache.get(r);
  if (text === undefined) resourceCache.set(r, (text = `{"attributes":${keyValues(r)}}`));
  return text;
}

/**
 * Spans as the text of an OTLP/HTTP JSON `ExportTraceServiceRequest`: what
 * `JSON.stringify(toOtlpJson(spans))` gives, written directly.
 */
export function serializeOtlpJson(spans: readonly SpanData[]): string {
  const groups = groupSpans(spans).map(([r, scopes]) => {
    const scopeSpans = scopes.map(
      ({ scope, spans: list }) => `{"scope":{"name":${str(scope.name)},"version":${str(scope.version)}},"spans":[${list.map(span).join(',')}]}`,
    );
    return `{"resource":${resource(r)},"scopeSpans":[${scopeSpans.join(',')}]}`;
  });
  return `{"resourceSpans":[${groups.join(',')}]}`;
}
