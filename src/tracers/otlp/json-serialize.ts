// The exporter's request body, written as a string. `JSON.stringify(toOtlpJson(spans))` builds
// some 25 small objects per span and then walks them; writing the text directly is faster, and
// serialization is most of what exporting a span costs. The output is byte for byte the same (a
// test holds it to that), so `toOtlpJson` stays the readable definition.
//
// The whole body is appended piece by piece to one string and flattened once at the end. V8
// represents `a + b` as a rope and copies it into a flat string when it is read; joining each
// span's pieces with `Array#join` first (per span, per event list, per attribute list) copied the
// same bytes several times and was about a third slower.
import type { AttributeValue } from '../../rpcinfo/rpcinfo.js';
import { groupSpans, msToUnixNano, OTLP_SPAN_KIND, OTLP_STATUS_CODE, otlpSpanFlags } from './json.js';
import type { Resource, SpanAttributes, SpanData } from '../span/span.js';

// JSON.stringify of a lone string escapes exactly as it would inside an object.
const str = JSON.stringify;

function anyValue(value: AttributeValue): string {
  if (typeof value === 'string') return '{"stringValue":' + str(value) + '}';
  if (typeof value === 'boolean') return value ? '{"boolValue":true}' : '{"boolValue":false}';
  if (Number.isSafeInteger(value)) return '{"intValue":"' + value + '"}';
  if (!Number.isFinite(value)) return `{"doubleValue":"${Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'}"}`;
  return '{"doubleValue":' + str(value) + '}';
}

// Most of a span's text repeats from span to span: attribute keys and most string values
// (`rpc.method`, `peer.service`, `http.request.method`, …), span names, event names. Each such
// piece is written once, flattened, and reused: a rope of fewer, longer pieces is faster to build
// and to flatten, and leaves less garbage. The caches hold at most MAX_CACHED pieces together and
// are emptied when full, so names or values an app makes up per call cannot grow them without
// end, and they follow what the app sends now rather than what it sent first.
const MAX_CACHED = 1024;
let cached = 0;

/** Keeps `text`, flattened so it is one piece wherever it is reused. */
function remember(cache: Map<string, string>, key: string, text: string): string {
  if (++cached > MAX_CACHED) {
    keyPrefixes.clear();
    stringKeyValues.clear();
    nameAndKinds.length = 0;
    bareEventEnds.clear();
    cached = 1;
  }
  text.charCodeAt(0); // V8 flattens a rope on first read
  cache.set(key, text);
  return text;
}

const keyPrefixes = new Map<string, string>();
const keyPrefix = (key: string): string => keyPrefixes.get(key) ?? remember(keyPrefixes, key, '{"key":' + str(key) + ',"value":');

// Whole `KeyValue`s of string attributes, by key, then by value.
const stringKeyValues = new Map<string, Map<string, string>>();

function stringKeyValue(key: string, value: string): string {
  let byValue = stringKeyValues.get(key);
  const text = byValue?.get(value);
  if (text !== undefined) return text;
  const made = keyPrefix(key) + '{"stringValue":' + str(value) + '}}';
  if (byValue === undefined) stringKeyValues.set(key, (byValue = new Map()));
  return remember(byValue, value, made);
}

function keyValues(attributes: Readonly<SpanAttributes>): string {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = attributes[key];
    if (i !== 0) out += ',';
    out += typeof value === 'string' ? stringKeyValue(key, value) : keyPrefix(key) + anyValue(value) + '}';
  }
  return out + ']';
}

// What follows a span's flags up to its start time (name and kind), by OTLP kind (1–5), then name.
const nameAndKinds: Map<string, string>[] = [];

function nameAndKind(name: string, kind: number): string {
  const byName = (nameAndKinds[kind] ??= new Map());
  return byName.get(name) ?? remember(byName, name, ',"name":' + str(name) + ',"kind":' + kind + ',"startTimeUnixNano":"');
}

// What follows the time of an event without attributes (as stats events are): its name.
const bareEventEnds = new Map<string, string>();
const bareEventEnd = (name: string): string => bareEventEnds.get(name) ?? remember(bareEventEnds, name, '","name":' + str(name) + ',"attributes":[]}');

function span(s: SpanData): string {
  // An RPC span's first and last events are RPCStart and RPCFinish, at its start and end time.
  const start = msToUnixNano(s.startTime);
  const end = msToUnixNano(s.endTime);
  let out =
    '{"traceId":' +
    str(s.traceId) +
    ',"spanId":' +
    str(s.spanId) +
    ',"flags":' +
    otlpSpanFlags(s) +
    nameAndKind(s.name, OTLP_SPAN_KIND[s.kind] ?? OTLP_SPAN_KIND.internal) +
    start +
    '","endTimeUnixNano":"' +
    end +
    '","attributes":' +
    keyValues(s.attributes) +
    ',"events":[';
  const events = s.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const time = e.time === s.startTime ? start : e.time === s.endTime ? end : msToUnixNano(e.time);
    const attributes = keyValues(e.attributes);
    out += (i === 0 ? '{"timeUnixNano":"' : ',{"timeUnixNano":"') + time;
    out += attributes === '[]' ? bareEventEnd(e.name) : '","name":' + str(e.name) + ',"attributes":' + attributes + '}';
  }
  const code = OTLP_STATUS_CODE[s.status.code];
  out += s.status.message ? '],"status":{"code":' + code + ',"message":' + str(s.status.message) + '}' : '],"status":{"code":' + code + '}';
  if (s.parentSpanId !== undefined) out += ',"parentSpanId":' + str(s.parentSpanId);
  if (s.traceState) out += ',"traceState":' + str(s.traceState);
  return out + '}';
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
  let out = '{"resourceSpans":[';
  let groups = 0;
  for (const [r, scopes] of groupSpans(spans)) {
    out += (groups++ === 0 ? '' : ',') + '{"resource":' + resource(r) + ',"scopeSpans":[';
    for (let i = 0; i < scopes.length; i++) {
      const { scope, spans: list } = scopes[i];
      out += (i === 0 ? '' : ',') + '{"scope":{"name":' + str(scope.name) + ',"version":' + str(scope.version) + '},"spans":[';
      for (let j = 0; j < list.length; j++) out += (j === 0 ? '' : ',') + span(list[j]);
      out += ']}';
    }
    out += ']}';
  }
  out += ']}';
  // Reading a character makes V8 copy the rope into a flat string, in place. Whoever sends the
  // body would do that anyway; doing it here keeps the cost in the serializer, where profiles and
  // benchmarks (whose discarding fetch never reads the body) see it.
  out.charCodeAt(0);
  return out;
}
