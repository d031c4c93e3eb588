import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from '../../context/context.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { RequestAbortedError } from '../../rpcinfo/errors.js';
import { reportHandlerError } from '../errors.js';
import { recordHandlerFailure } from '../handler-failure.js';
import { finishHttpAttributes } from '../http-attributes.js';
import { readProtocolStatus, type HeaderSource, type ProtocolBodyReader } from '../../rpcinfo/conventions/protocol-status.js';
import type { ServerCallName } from '../naming.js';
import { startServerCall, type ServerSetup } from '../rpcinfo.js';
import { instrumentRequest, instrumentResponse, type HttpCallState } from './instrument.js';
import { createHttpRPCInfo } from './rpcinfo.js';

/** What `onHandlerError` is told when the handler throws or rejects. */
export interface HttpHandlerErrorEvent<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> {
  /** What the handler threw, unchanged. */
  error: unknown;
  req: Req;
  res: Res;
  /** The call's context; the hook also runs in it. */
  ctx: Context;
}

/** What every call of one traced `node:http` handler shares; built once per wrapper. */
export interface HttpServerSetup<Req extends IncomingMessage, Res extends ServerResponse> extends ServerSetup {
  readonly describe: ((req: Req) => ServerCallName | undefined) | undefined;
  readonly onHandlerError: ((event: HttpHandlerErrorEvent<Req, Res>) => void) | undefined;
}

const FAILURE_BODY = 'Internal Server Error';

/** After a handler failure: a clean 500 when nothing was sent yet; else cut the response, which is incomplete. */
function answerFailure(res: ServerResponse): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.headersSent) {
    // Ending it normally would tell the client a truncated body was complete.
    res.destroy();
    return;
  }
  try {
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': FAILURE_BODY.length });
    res.end(FAILURE_BODY);
  } catch {
    res.destroy();
  }
}

/** A header in what `writeHead` takes: an object, or an array of names and values (flat or in pairs). */
function headerIn(headers: unknown, name: string): unknown {
  if (Array.isArray(headers)) {
    const pairs = Array.isArray(headers[0]);
    for (let i = 0; i < headers.length; i += pairs ? 1 : 2) {
      const [key, value] = pairs ? (headers[i] as unknown[]) : [headers[i], headers[i + 1]];
      if (String(key).toLowerCase() === name) return value;
    }
  } else if (typeof headers === 'object' && headers !== null) {
    for (const key in headers) if (key.toLowerCase() === name) return (headers as Record<string, unknown>)[key];
  }
  return undefined;
}

/**
 * One served `node:http` request: its RPC's state, and what ends it. One object per request, no
 * closures: `req` and `res` are instrumented with shared wrappers that find the call on them.
 */
export class HttpServerCall<Req extends IncomingMessage, Res extends ServerResponse> implements HttpCallState, HeaderSource {
  readonly ri: RPCInfo;
  readonly ctx: Context;
  done = false;
  /** The headers `writeHead` was given: node keeps them out of `getHeader` when none were set before. */
  private headHeaders: unknown;
  /** What reads the response's protocol status, once the response's head is known. */
  private protocol: ProtocolBodyReader | undefined;
  private protocolRead = false;
  private readonly setup: HttpServerSetup<Req, Res>;
  private readonly req: Req;
  private readonly res: Res;

  /** Builds the call's RPCInfo, runs the tracers' `start`, and instruments `req` and `res`. */
  constructor(setup: HttpServerSetup<Req, Res>, req: Req, res: Res) {
    this.setup = setup;
    this.req = req;
    this.res = res;
    this.ri = createHttpRPCInfo(setup, req, setup.describe);
    this.ctx = startServerCall(setup, this.ri);
    instrumentRequest(req, this);
    instrumentResponse(req, res, this);
  }

  /** Finishes the RPC once: the status code, `error.type`, then the tracers' finish. */
  finish(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    const { ri, res } = this;
    const protocol = res.headersSent ? this.readProtocol() : undefined;
    protocol?.end();
    finishHttpAttributes(ri, res.headersSent ? res.statusCode : undefined, ri.stats.error ?? error, protocol?.message);
    this.setup.controller.finish(this.ctx, error);
  }

  onWriteHead(headers: unknown): void {
    this.headHeaders = headers;
  }

  onBodyChunk(chunk: unknown): void {
    this.readProtocol()?.chunk(chunk);
  }

  /** The response's reader of its protocol status, made at its first body chunk (or its end). */
  private readProtocol(): ProtocolBodyReader | undefined {
    if (!this.protocolRead) {
      this.protocolRead = true;
      this.protocol = readProtocolStatus(this.ri, this.res.statusCode, this);
    }
    return this.protocol;
  }

  /** A response header ({@link HeaderSource}): set with `setHeader`, or given to `writeHead`. */
  get(name: string): string | undefined {
    const value = this.res.getHeader(name) ?? headerIn(this.headHeaders, name);
    return value === undefined ? undefined : String(value);
  }

  onResponseFinish(): void {
    if (!this.done) this.ri.stats.record(stats.WriteFinish);
    this.finish();
  }

  onResponseClose(): void {
    if (!this.res.writableFinished) this.finish(new RequestAbortedError());
  }

  /** The handler returned, or its promise resolved. */
  handled(): void {
    if (!this.done) this.ri.stats.record(stats.ServerHandleFinish);
  }

  /** The handler threw or rejected: record it, tell the hook, answer a 500 (or cut the response). */
  handlerFailed(thrown: unknown): void {
    const { req, res } = this;
    if (!this.done) recordHandlerFailure(this.ri, thrown);
    reportHandlerError(this.setup.onHandlerError, { error: thrown, req, res, ctx: this.ctx });
    answerFailure(res);
  }
}
