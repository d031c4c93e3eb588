// Checks isotrace's OTLP/HTTP JSON against the OTLP protobuf schema rather than against our own
// expectations. The schema (opentelemetry-proto 1.x: common, resource, trace, trace_service) is
// written below as descriptors for @bufbuild/protobuf, and is itself checked first: the OTel
// SDK's own protobuf bytes and JSON must decode with it. Our JSON is then parsed strictly
// (unknown fields and wrong types fail), encoded to protobuf and decoded back.
import { createFileRegistry, fromBinary, fromJson, toBinary, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { FieldDescriptorProto_Type, FileDescriptorSetSchema, type FieldDescriptorProtoJson } from '@bufbuild/protobuf/wkt';
import { ProtobufTraceSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContextManager, setContextManager } from '../../../src/context/context-api.js';
import { AsyncLocalStorageContextManager } from '../../../src/context/async-local-storage-context-manager.js';
import { MapHeaderCarrier } from '../../../src/rpcinfo/header-carrier.js';
import { traceCall } from '../../../src/client/trace-call.js';
import { createMemoryExporter } from '../../../src/tracers/exporters/memory-exporter.js';
import { createSpanTracer } from '../../../src/tracers/span/create-span-tracer.js';
import { msToUnixNano, toOtlpJson } from '../../../src/tracers/otlp/json.js';
import { serializeOtlpJson } from '../../../src/tracers/otlp/json-serialize.js';
import { createRPCInfo, withRPCInfo } from '../../../src/rpcinfo/rpcinfo.js';
import { createTraceController } from '../../../src/tracer/trace-controller.js';
import { ROOT_CONTEXT } from '../../../src/context/context.js';

const previous = getContextManager();
beforeAll(() => setContextManager(new AsyncLocalStorageContextManager()));
afterAll(() => setContextManager(previous.enable()));

// --- the OTLP schema, transcribed from opentelemetry-proto v1.x ---------------------------------
const T = FieldDescriptorProto_Type;
type FieldSpec = [name: string, number: number, type: FieldDescriptorProto_Type, typeName?: string, repeated?: boolean, oneofIndex?: number];
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const typeNames: Partial<Record<FieldDescriptorProto_Type, string>> = {
  [T.STRING]: 'TYPE_STRING',
  [T.BOOL]: 'TYPE_BOOL',
  [T.INT64]: 'TYPE_INT64',
  [T.DOUBLE]: 'TYPE_DOUBLE',
  [T.MESSAGE]: 'TYPE_MESSAGE',
  [T.BYTES]: 'TYPE_BYTES',
  [T.UINT32]: 'TYPE_UINT32',
  [T.ENUM]: 'TYPE_ENUM',
  [T.FIXED64]: 'TYPE_FIXED64',
  [T.FIXED32]: 'TYPE_FIXED32',
};
const field = ([name, number, type, typeName, repeated, oneofIndex]: FieldSpec): FieldDescriptorProtoJson => ({
  name,
  number,
  jsonName: camel(name),
  type: typeNames[type] as FieldDescriptorProtoJson['type'],
  label: repeated ? 'LABEL_REPEATED' : 'LABEL_OPTIONAL',
  ...(typeName && { typeName }),
  ...(oneofIndex !== undefined && { oneofIndex }),
});
const message = (name: string, fields: FieldSpec[], extra: object = {}) => ({ name, field: fields.map(field), ...extra });
const enumType = (name: string, values: [string, number][]) => ({ name, value: values.map(([n, number]) => ({ name: n, number })) });
const C = '.opentelemetry.proto.common.v1.';
const R = '.opentelemetry.proto.resource.v1.';
const TR = '.opentelemetry.proto.trace.v1.';

const schemaSet = {
  file: [
    {
      name: 'opentelemetry/proto/common/v1/common.proto',
      package: 'opentelemetry.proto.common.v1',
      syntax: 'proto3',
      messageType: [
        message(
          'AnyValue',
          [
            ['string_value', 1, T.STRING, undefined, false, 0],
            ['bool_value', 2, T.BOOL, undefined, false, 0],
            ['int_value', 3, T.INT64, undefined, false, 0],
            ['double_value', 4, T.DOUBLE, undefined, false, 0],
            ['array_value', 5, T.MESSAGE, `${C}ArrayValue`, false, 0],
            ['kvlist_value', 6, T.MESSAGE, `${C}KeyValueList`, false, 0],
            ['bytes_value', 7, T.BYTES, undefined, false, 0],
          ],
          { oneofDecl: [{ name: 'value' }] },
        ),
        message('ArrayValue', [['values', 1, T.MESSAGE, `${C}AnyValue`, true]]),
        message('KeyValueList', [['values', 1, T.MESSAGE, `${C}KeyValue`, true]]),
        message('KeyValue', [
          ['key', 1, T.STRING],
          ['value', 2, T.MESSAGE, `${C}AnyValue`],
        ]),
        message('InstrumentationScope', [
          ['name', 1, T.STRING],
          ['version', 2, T.STRING],
          ['attributes', 3, T.MESSAGE, `${C}KeyValue`, true],
          ['dropped_attributes_count', 4, T.UINT32],
        ]),
      ],
    },
    {
      name: 'opentelemetry/proto/resource/v1/resource.proto',
      package: 'opentelemetry.proto.resource.v1',
      syntax: 'proto3',
      dependency: ['opentelemetry/proto/common/v1/common.proto'],
      messageType: [
        message('Resource', [
          ['attributes', 1, T.MESSAGE, `${C}KeyValue`, true],
          ['dropped_attributes_count', 2, T.UINT32],
        ]),
      ],
    },
    {
      name: 'opentelemetry/proto/trace/v1/trace.proto',
      package: 'opentelemetry.proto.trace.v1',
      syntax: 'proto3',
      dependency: ['opentelemetry/proto/common/v1/common.proto', 'opentelemetry/proto/resource/v1/resource.proto'],
      messageType: [
        message('TracesData', [['resource_spans', 1, T.MESSAGE, `${TR}ResourceSpans`, true]]),
        message('ResourceSpans', [
          ['resource', 1, T.MESSAGE, `${R}Resource`],
          ['scope_spans', 2, T.MESSAGE, `${TR}ScopeSpans`, true],
          ['schema_url', 3, T.STRING],
        ]),
        message('ScopeSpans', [
          ['scope', 1, T.MESSAGE, `${C}InstrumentationScope`],
          ['spans', 2, T.MESSAGE, `${TR}Span`, true],
          ['schema_url', 3, T.STRING],
        ]),
        message(
          'Span',
          [
            ['trace_id', 1, T.BYTES],
            ['span_id', 2, T.BYTES],
            ['trace_state', 3, T.STRING],
            ['parent_span_id', 4, T.BYTES],
            ['flags', 16, T.FIXED32],
            ['name', 5, T.STRING],
            ['kind', 6, T.ENUM, `${TR}Span.SpanKind`],
            ['start_time_unix_nano', 7, T.FIXED64],
            ['end_time_unix_nano', 8, T.FIXED64],
            ['attributes', 9, T.MESSAGE, `${C}KeyValue`, true],
            ['dropped_attributes_count', 10, T.UINT32],
            ['events', 11, T.MESSAGE, `${TR}Span.Event`, true],
            ['dropped_events_count', 12, T.UINT32],
            ['links', 13, T.MESSAGE, `${TR}Span.Link`, true],
            ['dropped_links_count', 14, T.UINT32],
            ['status', 15, T.MESSAGE, `${TR}Status`],
          ],
          {
            nestedType: [
              message('Event', [
                ['time_unix_nano', 1, T.FIXED64],
                ['name', 2, T.STRING],
                ['attributes', 3, T.MESSAGE, `${C}KeyValue`, true],
                ['dropped_attributes_count', 4, T.UINT32],
              ]),
              message('Link', [
                ['trace_id', 1, T.BYTES],
                ['span_id', 2, T.BYTES],
                ['trace_state', 3, T.STRING],
                ['attributes', 4, T.MESSAGE, `${C}KeyValue`, true],
                ['dropped_attributes_count', 5, T.UINT32],
                ['flags', 6, T.FIXED32],
              ]),
            ],
            enumType: [
              enumType('SpanKind', [
                ['SPAN_KIND_UNSPECIFIED', 0],
                ['SPAN_KIND_INTERNAL', 1],
                ['SPAN_KIND_SERVER', 2],
                ['SPAN_KIND_CLIENT', 3],
                ['SPAN_KIND_PRODUCER', 4],
                ['SPAN_KIND_CONSUMER', 5],
              ]),
            ],
          },
        ),
        message(
          'Status',
          [
            ['message', 2, T.STRING],
            ['code', 3, T.ENUM, `${TR}Status.StatusCode`],
          ],
          {
            enumType: [
              enumType('StatusCode', [
                ['STATUS_CODE_UNSET', 0],
                ['STATUS_CODE_OK', 1],
                ['STATUS_CODE_ERROR', 2],
              ]),
            ],
            reservedRange: [{ start: 1, end: 2 }],
          },
        ),
      ],
      enumType: [
        enumType('SpanFlags', [
          ['SPAN_FLAGS_DO_NOT_USE', 0],
          ['SPAN_FLAGS_TRACE_FLAGS_MASK', 0xff],
          ['SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK', 0x100],
          ['SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK', 0x200],
        ]),
      ],
    },
    {
      name: 'opentelemetry/proto/collector/trace/v1/trace_service.proto',
      package: 'opentelemetry.proto.collector.trace.v1',
      syntax: 'proto3',
      dependency: ['opentelemetry/proto/trace/v1/trace.proto'],
      messageType: [message('ExportTraceServiceRequest', [['resource_spans', 1, T.MESSAGE, `${TR}ResourceSpans`, true]])],
    },
  ],
};

const registry = createFileRegistry(fromJson(FileDescriptorSetSchema, schemaSet as unknown as JsonValue));
const Request = registry.getMessage('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest') as DescMessage;

/** OTLP JSON differs from proto3 JSON in one place: ids are hex, not base64. */
function idsToBase64(json: unknown): JsonValue {
  return JSON.parse(JSON.stringify(json), (key, value) =>
    (key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof value === 'string' && /^[0-9a-f]*$/.test(value)
      ? Buffer.from(value, 'hex').toString('base64')
      : value,
  );
}

type Decoded = {
  resourceSpans: {
    resource: { attributes: { key: string; value: { value: { case: string; value: unknown } } }[] };
    scopeSpans: { scope: { name: string; version: string }; spans: DecodedSpan[] }[];
  }[];
};
type DecodedSpan = {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  traceState: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: { key: string; value: { value: { case: string; value: unknown } } }[];
  events: { name: string; timeUnixNano: bigint; attributes: unknown[] }[];
  status: { code: number; message: string };
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('the transcribed OTLP schema matches the OpenTelemetry SDK', () => {
  it("decodes the OTel SDK's protobuf bytes and parses its JSON strictly", () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const span = provider.getTracer('ref', '1.0.0').startSpan('ref-span', { kind: SpanKind.CLIENT, attributes: { s: 'x', i: 7, d: 1.5, b: true } });
    span.addEvent('evt', { k: 'v' });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'bad' });
    span.end();
    const spans = exporter.getFinishedSpans();
    const ctx = spans[0].spanContext();

    const fromProto = fromBinary(Request, ProtobufTraceSerializer.serializeRequest(spans)!) as unknown as Decoded;
    const decoded = fromProto.resourceSpans[0].scopeSpans[0].spans[0];
    expect(hex(decoded.traceId)).toBe(ctx.traceId);
    expect(decoded).toMatchObject({ name: 'ref-span', kind: 3, status: { code: 2, message: 'bad' } });
    expect(decoded.flags & 0xff).toBe(1);
    expect(decoded.events.map((e) => e.name)).toEqual(['evt']);
    expect(decoded.attributes.map((a) => [a.key, a.value.value.case])).toEqual([
      ['s', 'stringValue'],
      ['i', 'intValue'],
      ['d', 'doubleValue'],
      ['b', 'boolValue'],
    ]);

    const otelJson = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!));
    const fromOtelJson = fromJson(Request, idsToBase64(otelJson), { ignoreUnknownFields: false }) as unknown as Decoded;
    expect(hex(fromOtelJson.resourceSpans[0].scopeSpans[0].spans[0].spanId)).toBe(ctx.spanId);
  });
});

describe('isotrace OTLP JSON', () => {
  async function sampleSpans() {
    const memory = createMemoryExporter();
    const web = createSpanTracer({ serviceName: 'web', exporter: memory, resource: { 'service.version': '1.2.3', 'host.cpus': 8 } });
    const users = createSpanTracer({ serviceName: 'users', exporter: memory });
    await traceCall({ tracers: [web], callee: 'users', method: 'GetUser' }, async (ctx) => {
      const { getRPCInfo } = await import('../../../src/rpcinfo/rpcinfo.js');
      const sent = getRPCInfo(ctx)!.headers;
      const ri = createRPCInfo({
        side: 'server',
        to: { serviceName: 'users', method: 'GetUser' },
        headers: new MapHeaderCarrier([
          ['traceparent', sent.get('traceparent')!],
          ['tracestate', 'vendor=a,other=b'],
        ]),
      });
      ri.attributes['http.response.status_code'] = 503;
      ri.attributes['ratio'] = 0.25;
      ri.attributes['big'] = 2 ** 60;
      ri.attributes['ok'] = false;
      const controller = createTraceController({ tracers: [users] });
      const sctx = controller.start(withRPCInfo(ROOT_CONTEXT, ri));
      controller.finish(sctx, new Error('db down'));
    });
    const click = web.startSpan('click');
    click.end(click.startTime + 12.345678);
    return memory.spans;
  }

  it('is a valid ExportTraceServiceRequest: strict JSON parse, protobuf round trip, ids of 16 and 8 bytes', async () => {
    const spans = await sampleSpans();
    // The body the exporter sends.
    const json = JSON.parse(serializeOtlpJson(spans));
    const message = fromJson(Request, idsToBase64(json), { ignoreUnknownFields: false });
    const roundTrip = fromBinary(Request, toBinary(Request, message)) as unknown as Decoded;

    expect(roundTrip.resourceSpans).toHaveLength(2); // one per tracer (resource)
    const all = roundTrip.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(all).toHaveLength(3);
    for (const s of all) {
      expect(s.traceId).toHaveLength(16);
      expect(s.spanId).toHaveLength(8);
      expect(s.endTimeUnixNano).toBeGreaterThanOrEqual(s.startTimeUnixNano);
    }
    const byName = (n: string, kind: number) => all.find((s) => s.name === n && s.kind === kind)!;
    const client = byName('users/GetUser', 3);
    const server = byName('users/GetUser', 2);
    const click = byName('click', 1);
    expect(hex(server.parentSpanId)).toBe(hex(client.spanId));
    expect(server.parentSpanId).toHaveLength(8);
    expect(client.parentSpanId).toHaveLength(0);
    expect(server.traceState).toBe('vendor=a,other=b');
    // W3C flags in the low byte; 0x100 says bit 0x200 (remote parent) is meaningful.
    expect(client.flags).toBe(0x103);
    expect(server.flags).toBe(0x303);
    expect(server.status).toMatchObject({ code: 2, message: 'db down' });
    const attr = (s: DecodedSpan, k: string) => s.attributes.find((a) => a.key === k)?.value.value;
    expect(attr(server, 'http.response.status_code')).toEqual({ case: 'intValue', value: 503n });
    expect(attr(server, 'ratio')).toEqual({ case: 'doubleValue', value: 0.25 });
    expect(attr(server, 'big')).toEqual({ case: 'doubleValue', value: 2 ** 60 });
    expect(attr(server, 'ok')).toEqual({ case: 'boolValue', value: false });
    expect(attr(server, 'error.type')).toEqual({ case: 'stringValue', value: 'Error' });
    expect(server.events.map((e) => e.name)).toEqual(['RPCStart', 'RPCFinish', 'exception']);
    expect(click.endTimeUnixNano - click.startTimeUnixNano).toBeGreaterThanOrEqual(12_345_000n);
    expect(click.endTimeUnixNano - click.startTimeUnixNano).toBeLessThanOrEqual(12_346_000n);

    const web = roundTrip.resourceSpans.find((r) => r.resource.attributes.some((a) => a.key === 'service.name' && a.value.value.value === 'web'))!;
    expect(web.scopeSpans[0].scope).toMatchObject({ name: 'isotrace' });
    expect(web.resource.attributes.find((a) => a.key === 'host.cpus')!.value.value).toEqual({ case: 'intValue', value: 8n });
  });

  it('the exporter body is byte for byte JSON.stringify(toOtlpJson(spans)), odd values included', async () => {
    const spans = await sampleSpans();
    const memory = createMemoryExporter();
    const odd = createSpanTracer({ serviceName: 'odd "svc"\n', exporter: memory });
    odd.startSpan('quote " \\ \u2028 \ud800', { attributes: { nan: NaN, inf: -Infinity, neg: -0, tiny: 5e-324, huge: 1e21, s: '\u0000' } }).end();
    for (const batch of [spans, memory.spans, [...spans, ...memory.spans], []]) {
      expect(serializeOtlpJson(batch)).toBe(JSON.stringify(toOtlpJson(batch)));
    }
  });

  it('stays byte for byte the same past the bound of its caches of repeated pieces', () => {
    // The serializer reuses the text of names and string values it has seen; more distinct ones
    // than it keeps must be written in full, and spans seen again must still match.
    const memory = createMemoryExporter();
    const tracer = createSpanTracer({ serviceName: 'many', exporter: memory });
    for (let i = 0; i < 3000; i++) {
      const span = tracer.startSpan(`op ${i % 1500}`, { attributes: { [`key.${i % 700}`]: `value ${i}`, same: 'x', n: i } });
      span.addEvent(`event ${i % 1200}`);
      span.addEvent('with attributes', { at: `v${i}` });
      span.end();
    }
    for (const batch of [memory.spans.slice(0, 1500), memory.spans.slice(1500), memory.spans]) {
      expect(serializeOtlpJson(batch)).toBe(JSON.stringify(toOtlpJson(batch)));
    }
  });

  it('fails the strict parse for a field the schema lacks (the check has teeth)', async () => {
    const json = JSON.parse(JSON.stringify(toOtlpJson(await sampleSpans())));
    json.resourceSpans[0].scopeSpans[0].spans[0].durationMs = 3;
    expect(() => fromJson(Request, idsToBase64(json), { ignoreUnknownFields: false })).toThrow(/durationMs/);
  });
});

describe('msToUnixNano', () => {
  it('converts without passing through a float above 2^53', () => {
    expect(msToUnixNano(1_717_000_000_123)).toBe('1717000000123000000');
    expect(msToUnixNano(1_717_000_000_123.5)).toBe('1717000000123500000');
    expect(msToUnixNano(0.25)).toBe('250000');
    expect(msToUnixNano(NaN)).toBe('0');
    // Against exact arithmetic: doubles near 1.7e12 ms are multiples of 2^-12 ms.
    let x = 7;
    for (let i = 0; i < 1000; i++) {
      x = (Math.imul(x, 48271) + 11) >>> 0;
      const ms = 1_717_000_000_000 + x / 997;
      const exact = (BigInt(ms * 4096) * 1_000_000n + 2048n) / 4096n;
      expect(msToUnixNano(ms)).toBe(exact.toString());
    }
  });
});
