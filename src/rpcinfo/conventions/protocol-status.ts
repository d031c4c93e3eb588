// What an RPC protocol says of a call's result where HTTP says less: gRPC-web's `grpc-status`
// (a header of a trailers-only response, else the trailer frame ending the body), Connect's error
// codes (a unary JSON error body, or the end-stream message of a stream), JSON-RPC 2.0 and tRPC
// error objects. The readers record it under OpenTelemetry's keys; `protocolFailure` judges it
// for the side that recorded it, and every tracer and transport judges by that one rule.
import type { RPCInfo } from '../rpcinfo.js';

/** gRPC status names by code (Connect's codes are the same names in lower case). */
const GRPC_CODES =
  'OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS PERMISSION_DENIED RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE UNIMPLEMENTED INTERNAL UNAVAILABLE DATA_LOSS UNAUTHENTICATED'.split(
    ' ',
  );

/** The name of a gRPC status code (`5` → `NOT_FOUND`), or the code as a string when it has none. */
export function grpcStatusName(code: number): string {
  return GRPC_CODES[code] ?? String(code);
}

const SERVER_FAULTS = /^(unknown|deadline_exceeded|unimplemented|internal|unavailable|data_loss)$/i;

/**
 * Whether a gRPC status name or Connect code (`INTERNAL`, `not_found`) is the server's fault, by
 * OpenTelemetry's rule for gRPC and Connect servers: UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED,
 * INTERNAL, UNAVAILABLE and DATA_LOSS are; the others (NOT_FOUND, INVALID_ARGUMENT, …) are the caller's.
 */
export function isServerFault(code: string): boolean {
  return SERVER_FAULTS.test(code);
}

/**
 * Whether a call failed by what its protocol said, judged for `ri.side`, and if so its
 * `error.type`; `undefined` when it succeeded. The first of these that was recorded decides:
 * - `rpc.grpc.status_code` (gRPC, gRPC-web): any status but OK fails a client; only a server
 *   fault ({@link isServerFault}) fails a server; `error.type` is the status name (`NOT_FOUND`);
 * - `rpc.connect_rpc.error_code`: the same rule; `error.type` is the Connect code (`not_found`);
 * - `rpc.jsonrpc.error_code`: any error fails both sides (as the WebSocket transport does);
 *   `error.type` is the code (`-32601`);
 * - `http.response.status_code`: 500 or more fails both sides, 400 or more fails a client (a
 *   server's 4xx is the caller's fault); `error.type` is tRPC's code when one was read
 *   (`isotrace.trpc.error_code`, e.g. `NOT_FOUND`), else the status code (`404`).
 */
export function protocolFailure(ri: RPCInfo): string | undefined {
  const a = ri.attributes;
  const client = ri.side === 'client';
  const grpc = a['rpc.grpc.status_code'];
  const code = typeof grpc === 'number' ? (grpc === 0 ? undefined : grpcStatusName(grpc)) : a['rpc.connect_rpc.error_code'];
  if (typeof grpc === 'number' || typeof code === 'string') return code !== undefined && (client || isServerFault(String(code))) ? String(code) : undefined;
  const jsonRpc = a['rpc.jsonrpc.error_code'];
  if (jsonRpc !== undefined) return String(jsonRpc);
  const status = Number(a['http.response.status_code']);
  if (status >= 500 || (status >= 400 && client)) return String(a['isotrace.trpc.error_code'] ?? status);
  return undefined;
}

/** `value` as bytes when it is bytes; `undefined` for anything else (a Blob, a string). */
function asBytes(value: unknown): Uint8Array | undefined {
  // Streams hand on Uint8Arrays (a Buffer is one); whole-body reads an ArrayBuffer.
  return value instanceof ArrayBuffer ? new Uint8Array(value) : value instanceof Uint8Array ? value : undefined;
}

/** The most a reader keeps of a body: trailers and error bodies are small; a larger one is not read. */
const LIMIT = 16_384;

type Json = Record<string, unknown> | undefined;
const object = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : undefined);

/** Records a gRPC status (from a header or a trailer frame) and returns its message, percent-decoded. */
function recordGrpcStatus(ri: RPCInfo, status: string | null | undefined, message: string | null | undefined): string {
  if (!status || !/^\d+$/.test(status)) return '';
  ri.attributes['rpc.grpc.status_code'] = +status;
  try {
    return decodeURIComponent(message ?? '');
  } catch {
    return message!;
  }
}

/** Records a Connect error (`{ "code": "not_found", "message": … }`) and returns its message. */
function recordConnectError(ri: RPCInfo, error: Json): string {
  if (typeof error?.code !== 'string') return '';
  ri.attributes['rpc.connect_rpc.error_code'] = error.code;
  return String(error.message ?? '');
}

/** Records an error object from a JSON body (Connect unary, tRPC, JSON-RPC; a batch's first) and returns its message. */
function recordJsonError(ri: RPCInfo, body: unknown): string {
  const a = ri.attributes;
  const value = object(Array.isArray(body) ? body.find((item) => object(item)?.error) : body);
  const error = object(value?.error);
  const trpc = object(error?.data)?.code;
  if (typeof trpc === 'string') {
    // tRPC: its code names the error; the procedures (`a,b` for a batch) end the URL's path.
    const path = String(a['url.path'] ?? a['url.full']).split('?')[0];
    a['isotrace.trpc.error_code'] = trpc;
    a['rpc.system'] ??= 'trpc';
    a['rpc.method'] = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  } else if (value?.jsonrpc === '2.0' && typeof error?.code === 'number') {
    a['rpc.jsonrpc.error_code'] = error.code;
    a['rpc.jsonrpc.error_message'] = String(error.message);
  } else return a['rpc.system'] === 'connect_rpc' ? recordConnectError(ri, value) : '';
  return String(error!.message ?? '');
}

/**
 * What reads a response body's protocol status from the chunks a counting stream hands on,
 * without reading the body again; what it finds goes into `ri.attributes`.
 */
export interface ProtocolBodyReader {
  /** The protocol's status message (`grpc-message`, an error's `message`), once read. */
  message: string;
  /** One chunk of the body, as its consumer got it. Never throws. */
  chunk(chunk: unknown): void;
  /** The body ended (or stopped): a JSON body is parsed now. Never throws. */
  end(): void;
}

/** A response's headers, as much as a reader needs of them. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

/**
 * Starts reading what a response's protocol says of the call. A `grpc-status` header (a
 * trailers-only gRPC-web response) is recorded at once. The body is read only for gRPC-web
 * (binary) and Connect streams (`application/connect+…`), scanned frame by frame with only the
 * end frame kept (gRPC-web trailers, flag 0x80; Connect end-stream, flag 0x02), and for
 * `application/json` when the call is JSON-RPC or the status is not 200 (Connect unary and tRPC
 * errors, 207 for a tRPC batch), kept up to 16 Ki characters and parsed at its end. A call with no `rpc.system` that succeeded
 * at the HTTP level costs nothing, not even a header read. `undefined` when there is nothing to read.
 */
export function readProtocolStatus(ri: RPCInfo, status: number, headers: HeaderSource): ProtocolBodyReader | undefined {
  const system = ri.attributes['rpc.system'];
  // 207: a tRPC batch whose procedures did not all succeed.
  if (system === undefined && status < 400 && status !== 207) return undefined;
  const grpcStatus = headers.get('grpc-status');
  const type = headers.get('content-type') ?? '';
  // gRPC-web's binary form (not `grpc-web-text`, base64) and Connect streams are enveloped.
  const envelopes = /^application\/(connect\+|grpc-web(?!-text))/i.test(type);
  const json = /^application\/json\s*(;|$)/i.test(type) && (status !== 200 || system === 'jsonrpc');
  if (grpcStatus == null && !envelopes && !json) return undefined;
  // One decoder per read body: it carries a character split between chunks.
  const decoder = new TextDecoder();
  const head = new Uint8Array(5);
  let headLength = 0;
  let left = 0;
  let keeping = json;
  let text = '';
  const reader: ProtocolBodyReader = {
    // A trailers-only response: the status is in the headers.
    message: recordGrpcStatus(ri, grpcStatus, headers.get('grpc-message')),
    chunk(chunk) {
      try {
        if (json) {
          // A string is a node:http server's `res.end(json)`.
          if (keeping) text += typeof chunk === 'string' ? chunk : decoder.decode(asBytes(chunk), { stream: true });
          keeping = text.length <= LIMIT;
          return;
        }
        const bytes = envelopes ? asBytes(chunk) : undefined;
        for (let i = 0; bytes !== undefined && i < bytes.length; ) {
          if (headLength < 5) {
            head[headLength++] = bytes[i++];
            if (headLength < 5) continue;
            left = head[1] * 0x1000000 + ((head[2] << 16) | (head[3] << 8) | head[4]);
            // Only an uncompressed end frame of bounded size is kept; message frames are skipped.
            keeping = (head[0] & 0x82) !== 0 && (head[0] & 1) === 0 && left <= LIMIT;
            text = '';
          } else {
            const n = Math.min(left, bytes.length - i);
            if (keeping) text += decoder.decode(bytes.subarray(i, i + n), { stream: true });
            i += n;
            left -= n;
          }
          if (headLength === 5 && left === 0) {
            headLength = 0;
            if (keeping) endFrame(head[0]);
          }
        }
      } catch {
        keeping = false;
      }
    },
    end() {
      try {
        if (json && keeping) reader.message = recordJsonError(ri, JSON.parse(text + decoder.decode()));
      } catch {
        // Not JSON, or cut short: nothing to record.
      }
      keeping = false;
    },
  };
  function endFrame(flags: number): void {
    text += decoder.decode();
    // Connect: `{"error":{"code":"internal","message":…},"metadata":{…}}`; no `error` is a success.
    if (flags & 2) reader.message = recordConnectError(ri, object(object(JSON.parse(text))?.error));
    // gRPC-web: HTTP/1 header lines, `grpc-status: 5\r\ngrpc-message: …\r\n`.
    else reader.message = recordGrpcStatus(ri, /grpc-status:\s*(\d+)/i.exec(text)?.[1], /grpc-message:[ \t]*([^\r\n]*)/i.exec(text)?.[1]);
  }
  return reader;
}
