import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { asRecordedError, reportHandlerError } from '../errors.js';
import { describeError } from '../../rpcinfo/error-description.js';
import { RequestAbortedError } from '../../rpcinfo/errors.js';
import { finishHttpAttributes } from '../http-attributes.js';
import { createHttpRPCInfo } from './rpcinfo.js';
import { instrumentRequest, instrumentResponse, type HttpCallState } from './call.js';
import type { ServerCallName } from '../naming.js';
import { createServerSetup, startServerCall, type ServerSetup, type ServerTraceOptions } from '../rpcinfo.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';

/** A `node:http`/`node:https` request listener: an Express or Koa app's handler has this shape. */
export type HttpHandler<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> = (
  req: Req,
  res: Res,
) => unknown;

/** What `onHandlerError` is told when the handler throws or rejects. */
export interface HttpHandlerErrorEvent<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> {
  /** What the handler threw, unchanged. */
  error: unknown;
  req: Req;
  res: Res;
  /** The call's context; the hook also runs in it. */
  ctx: Context;
}

/** Options of {@link traceHttpHandler}. */
export interface TraceHttpHandlerOptions<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>
  extends ServerTraceOptions {
  /** Names the call; fields left out keep the default (`/pkg.Service/Method`, else `METHOD /path`). */
  describe?: (req: Req) => ServerCallName | undefined;
  /**
   * Called when the handler throws or rejects, before the wrapper answers: a hook that sends its
   * own response (headers not yet sent) replaces the plain 500. Default: `console.error`.
   */
  onHandlerError?: (event: HttpHandlerErrorEvent<Req, Res>) => void;
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

type HandlerErrorHook = (event: HttpHandlerErrorEvent) => void;

/** One served request: its RPC's state, and what ends it. One object per request, no closures. */
class HttpServerCall implements HttpCallState {
  done = false;

  constructor(
    private readonly setup: ServerSetup,
    readonly ri: RPCInfo,
    readonly ctx: Context,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly onHandlerError: HandlerErrorHook | undefined,
  ) {}

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
    const { ri, req, res } = this;
    if (!this.done) {
      const error = asRecordedError(thrown);
      ri.stats.record(stats.ServerHandleFinish, 'error');
      if (ri.stats.error === undefined) ri.stats.error = error;
      ri.attributes['error.type'] = describeError(error).type;
    }
    reportHandlerError(this.onHandlerError, { error: thrown, req, res, ctx: this.ctx });
    answerFailure(res);
  }
}

/**
 * Wraps a `node:http` request listener so each request is a traced server RPC: the handler and
 * all its async work (and its `req`/`res` listeners) run in the call's context; the RPC finishes
 * when the response is finished, or with a {@link RequestAbortedError} when the client
 * disconnects first. A throwing or rejecting handler is recorded, answered with a 500 (or the
 * response is cut when headers were already sent), and never crashes the process.
 *
 * A handler that takes node's own `IncomingMessage` and `ServerResponse` (an Express 5 or Koa
 * app's `callback()`, an unannotated `(req, res) => …`) gives a plain `node:http` listener.
 *
 * @example
 * import { createServer } from 'node:http';
 * const server = createServer(traceHttpHandler(app, { service: 'users', tracers: [spanTracer] }));
 */
export function traceHttpHandler(handler: HttpHandler, options?: TraceHttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void;
/**
 * Wraps a listener of a server made with its own request and response classes
 * (`createServer({ IncomingMessage: MyRequest, ServerResponse: MyResponse }, …)`): the traced
 * listener, `describe` and `onHandlerError` take the same types as the handler.
 */
export function traceHttpHandler<Req extends IncomingMessage, Res extends ServerResponse>(
  handler: HttpHandler<Req, Res>,
  options?: TraceHttpHandlerOptions<Req, Res>,
): (req: Req, res: Res) => void;
export function traceHttpHandler<Req extends IncomingMessage, Res extends ServerResponse>(
  handler: HttpHandler<Req, Res>,
  options: TraceHttpHandlerOptions<Req, Res> = {},
): (req: Req, res: Res) => void {
  if (typeof handler !== 'function') throw new TypeError('isotrace: traceHttpHandler(handler, options) needs a handler function');
  const setup = createServerSetup(options);
  const { describe, onHandlerError } = options;

  return function tracedHttpHandler(this: unknown, req: Req, res: Res): void {
    const ri = createHttpRPCInfo(setup, req, describe);
    const call = new HttpServerCall(setup, ri, startServerCall(setup, ri), req, res, onHandlerError as HandlerErrorHook | undefined);
    instrumentRequest(req, call);
    instrumentResponse(req, res, call);

    ri.stats.record(stats.ServerHandleStart);
    let result: unknown;
    try {
      result = context.with(call.ctx, handler, this as never, req, res);
    } catch (error) {
      call.handlerFailed(error);
      return;
    }
    if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      Promise.resolve(result).then(
        () => call.handled(),
        (error: unknown) => call.handlerFailed(error),
      );
    } else {
      call.handled();
    }
  };
}
