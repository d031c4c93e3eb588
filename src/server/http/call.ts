import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from '../../context/context.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { RequestAbortedError } from '../../rpcinfo/errors.js';
import { reportHandlerError } from '../errors.js';
import { recordHandlerFailure } from '../handler-failure.js';
import { finishHttpAttributes } from '../http-attributes.js';
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

/**
 * One served `node:http` request: its RPC's state, and what ends it. One object per request, no
 * closures: `req` and `res` are instrumented with shared wrappers that find the call on them.
 */
export class HttpServerCall<Req extends IncomingMessage, Res extends ServerResponse> implements HttpCallState {
  readonly ri: RPCInfo;
  readonly ctx: Context;
  done = false;
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
    finishHttpAttributes(ri, res.headersSent ? res.statusCode : undefined, ri.stats.error ?? error);
    this.setup.controller.finish(this.ctx, error);
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
