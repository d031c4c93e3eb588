import type { Context } from '../../context/context.js';
import { MapHeaderCarrier } from '../../rpcinfo/header-carrier.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { RequestAbortedError } from '../../rpcinfo/errors.js';
import { defaultPort } from '../../rpcinfo/conventions/address.js';
import { countStream, type StreamCounter } from '../../rpcinfo/sizes/counting-stream.js';
import { readProtocolStatus, type ProtocolBodyReader } from '../../rpcinfo/conventions/protocol-status.js';
import { reportHandlerError } from '../errors.js';
import { recordHandlerFailure } from '../handler-failure.js';
import { addHttpRequestAttributes, finishHttpAttributes } from '../http-attributes.js';
import { applyDescribe, nameHttpRequest, type ServerCallName } from '../naming.js';
import { addIncomingHeader, createServerRPCInfo, startServerCall, type ServerSetup } from '../rpcinfo.js';

/** What `onHandlerError` is told when the handler throws, rejects, or returns no Response. */
export interface FetchHandlerErrorEvent {
  /** What the handler threw, unchanged. */
  error: unknown;
  /** The request as the handler saw it. */
  request: Request;
  /** The call's context; the hook also runs in it. */
  ctx: Context;
}

/** What every call of one traced fetch handler shares; built once per wrapper. */
export interface FetchServerSetup extends ServerSetup {
  readonly describe: ((request: Request) => ServerCallName | undefined) | undefined;
  readonly onHandlerError: ((event: FetchHandlerErrorEvent) => Response | PromiseLike<Response> | void) | undefined;
}

const FAILURE_BODY = 'Internal Server Error';

// Duck-typed: a Response from another realm or fetch implementation is still a Response.
export function isResponse(value: unknown): value is Response {
  const r = value as Partial<Response> | null;
  return typeof r === 'object' && r !== null && typeof r.status === 'number' && typeof r.headers?.get === 'function' && 'body' in r;
}

function createFetchRPCInfo(setup: FetchServerSetup, request: Request, clientAddress: string | undefined): RPCInfo {
  const url = new URL(request.url);
  const headers = new MapHeaderCarrier();
  request.headers.forEach((value, name) => {
    addIncomingHeader(headers, name, value, setup.trustIncoming);
  });
  const naming = applyDescribe(nameHttpRequest(url.pathname, headers.get('content-type')), setup.describe, request);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const facts = {
    method: request.method,
    path: url.pathname,
    scheme,
    host: url.host,
    clientAddress,
    userAgent: headers.get('user-agent'),
    protocolVersion: undefined,
    naming,
  } as const;
  const ri = createServerRPCInfo(setup, {
    transport: 'fetch',
    headers,
    clientAddress: clientAddress ?? '',
    serverAddress: url.host,
    service: naming.service,
    method: naming.method,
    package: naming.package,
  });
  addHttpRequestAttributes(ri.attributes, facts, defaultPort(url.protocol));
  return ri;
}

/** Counts the request body as the handler reads it; the handler cancelling or failing on it is its business. */
class RequestBodyCount implements StreamCounter {
  constructor(private readonly call: FetchServerCall) {}

  onFirstRead(): void {
    if (!this.call.done) this.call.ri.stats.record(stats.ReadStart);
  }

  onChunk(bytes: number): void {
    if (!this.call.done) this.call.ri.stats.recvSize += bytes;
  }

  onEnd(): void {
    if (!this.call.done) this.call.ri.stats.record(stats.ReadFinish);
  }

  onCancel(): void {}

  onError(): void {}
}

/**
 * One request served by a traced fetch handler: its RPC's state, and what ends it. The call is
 * the request signal's abort listener (`handleEvent`) and the response body's
 * {@link StreamCounter}, so a request allocates no closures for either.
 */
export class FetchServerCall implements StreamCounter {
  readonly ri: RPCInfo;
  readonly ctx: Context;
  /** Set once the RPC finished: later events and bytes are not the call's any more. */
  done = false;
  private status: number | undefined;
  /** What reads the response's protocol status (gRPC-web, Connect, tRPC errors), when it has one. */
  private protocol: ProtocolBodyReader | undefined;
  private readonly setup: FetchServerSetup;
  private readonly request: Request;

  /** Builds the call's RPCInfo, runs the tracers' `start`, and listens for the request's abort. */
  constructor(setup: FetchServerSetup, request: Request, clientAddress: string | undefined) {
    this.setup = setup;
    this.request = request;
    this.ri = createFetchRPCInfo(setup, request, clientAddress);
    this.ctx = startServerCall(setup, this.ri);
    request.signal.addEventListener('abort', this);
    if (request.signal.aborted) this.handleEvent();
  }

  /** The request's signal aborted. */
  handleEvent(): void {
    this.finish(new RequestAbortedError('isotrace: request aborted: its signal aborted before the response was sent', { cause: this.request.signal.reason }));
  }

  /** Finishes the RPC once: the status code, `error.type`, then the tracers' finish. */
  finish(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.request.signal.removeEventListener('abort', this);
    const { ri, protocol } = this;
    protocol?.end();
    finishHttpAttributes(ri, this.status, ri.stats.error ?? error, protocol?.message);
    this.setup.controller.finish(this.ctx, error);
  }

  /**
   * The request the handler gets: with its body counted as the handler reads it, a new Request
   * (same method, URL, headers and signal) over a counting stream, since a Request's body cannot
   * be swapped. Should the runtime refuse that (a body already used), the original goes through uncounted.
   */
  handlerRequest(): Request {
    const { request } = this;
    if (request.body === null) return request;
    // `duplex` is required for a stream body, and missing from older DOM typings.
    const init: RequestInit & { duplex: 'half' } = { body: countStream(request.body, new RequestBodyCount(this)), duplex: 'half' };
    try {
      return new Request(request, init);
    } catch {
      return request;
    }
  }

  /** The handler returned its Response. */
  handled(): void {
    if (!this.done) this.ri.stats.record(stats.ServerHandleFinish);
  }

  /** The handler failed: record it, tell the hook, and answer with the hook's Response or a plain 500. */
  async handlerFailed(thrown: unknown, request: Request): Promise<Response> {
    if (!this.done) recordHandlerFailure(this.ri, thrown);
    try {
      const replacement = await reportHandlerError(this.setup.onHandlerError, { error: thrown, request, ctx: this.ctx });
      if (isResponse(replacement)) return replacement;
    } catch {
      // A hook whose promise rejects gets the plain 500.
    }
    return new Response(FAILURE_BODY, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  /** The response to send: its body streamed through and counted; the RPC finishes once it is sent. */
  respond(response: Response): Response {
    this.status = response.status;
    if (!this.done) this.protocol = readProtocolStatus(this.ri, response.status, response.headers);
    // A HEAD response's body is never sent, and a runtime may never read it: nothing to wait for.
    if (response.body === null || this.request.method === 'HEAD' || this.done) {
      if (!this.done) {
        this.ri.stats.record(stats.WriteStart);
        this.ri.stats.record(stats.WriteFinish);
      }
      this.finish();
      return response;
    }
    const body = countStream(response.body, this);
    try {
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch {
      // A status `new Response` refuses (a 101 upgrade): pass the original through, uncounted.
      this.finish();
      return response;
    }
  }

  onFirstRead(): void {
    if (!this.done) this.ri.stats.record(stats.WriteStart);
  }

  onChunk(bytes: number, chunk?: unknown): void {
    if (this.done) return;
    this.ri.stats.sendSize += bytes;
    this.protocol?.chunk(chunk);
  }

  onEnd(): void {
    if (!this.done) this.ri.stats.record(stats.WriteFinish);
    this.finish();
  }

  onCancel(reason: unknown): void {
    this.finish(new RequestAbortedError('isotrace: request aborted: the response body was cancelled before it was fully sent', { cause: reason }));
  }

  onError(error: unknown): void {
    this.finish(error);
  }
}
