// A Connect service for the protocol-outcome tests, defined at runtime from a FileDescriptorProto
// (no generated code), served by connect-node through traceHttpHandler: `Say` echoes, `Fail`
// throws the ConnectError its request names (`not_found`, `internal`, …), `Count` streams two
// messages and then fails with `internal` (or ends, asked for `ok`). `outcomeHandlerWith` adds server interceptors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { create, createFileRegistry, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, file_google_protobuf_wrappers } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, type Interceptor, type Transport } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';

const file = create(FileDescriptorProtoSchema, {
  name: 'test/v1/outcome.proto',
  package: 'test.v1',
  syntax: 'proto3',
  dependency: ['google/protobuf/wrappers.proto'],
  service: [
    {
      name: 'OutcomeService',
      method: [
        { name: 'Say', inputType: '.google.protobuf.StringValue', outputType: '.google.protobuf.StringValue' },
        { name: 'Fail', inputType: '.google.protobuf.StringValue', outputType: '.google.protobuf.StringValue' },
        { name: 'Count', inputType: '.google.protobuf.StringValue', outputType: '.google.protobuf.StringValue', serverStreaming: true },
      ],
    },
  ],
});
const registry = createFileRegistry(file, (name) => (name === 'google/protobuf/wrappers.proto' ? file_google_protobuf_wrappers : undefined));
const OutcomeService: DescService = registry.getService('test.v1.OutcomeService')!;

/** The service's client methods, as the tests call them. */
export interface OutcomeClient {
  say(req: { value: string }): Promise<{ value: string }>;
  fail(req: { value: string }): Promise<{ value: string }>;
  count(req: { value: string }, options?: { signal?: AbortSignal }): AsyncIterable<{ value: string }>;
}

/** Connect's code for a code name in the request (`not_found` → Code.NotFound). */
function codeOf(name: string): Code {
  const key = name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase()) as keyof typeof Code;
  return Code[key] ?? Code.Unknown;
}

/** The node:http handler serving OutcomeService over Connect, gRPC-web and gRPC, with `interceptors` (none by default). */
export function outcomeHandlerWith(interceptors: Interceptor[] = []): (req: IncomingMessage, res: ServerResponse) => void {
  return connectNodeAdapter({
    interceptors,
    routes: (router) =>
      router.service(OutcomeService, {
        say: (req: { value: string }) => ({ value: req.value }),
        fail: (req: { value: string }) => {
          throw new ConnectError(`failed with ${req.value}`, codeOf(req.value));
        },
        async *count(req: { value: string }) {
          yield { value: 'one' };
          yield { value: 'two' };
          if (req.value !== 'ok') throw new ConnectError('stream broke', Code.Internal);
        },
      } as never),
  });
}

/** The node:http handler serving OutcomeService over Connect, gRPC-web and gRPC. */
export const outcomeHandler: (req: IncomingMessage, res: ServerResponse) => void = outcomeHandlerWith();

export function outcomeClient(transport: Transport): OutcomeClient {
  return createClient(OutcomeService, transport) as unknown as OutcomeClient;
}
