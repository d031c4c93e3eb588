import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '../../context/context-api.js';
import { stats } from '../../rpcinfo/stats-event.js';
import type { ServerCallName } from '../naming.js';
import { createServerSetup, type ServerTraceOptions } from '../rpcinfo.js';
import { HttpServerCall, type HttpHandlerErrorEvent, type HttpServerSetup } from './call.js';

export type { HttpHandlerErrorEvent } from './call.js';

/** A `node:http`/`node:https` request listener: an Express or Koa app's handler has this shape. */
export type HttpHandler<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse> = (req: Req, res: Res) => unknown;

/** Options of {@link traceHttpHandler}. */
export interface TraceHttpHandlerOptions<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>
  extends ServerTraceOptions {
  /** Names the call; fields left out keep the default (`/pkg.Service/Method`, else the HTTP method and route). */
  describe?: (req: Req) => ServerCallName | undefined;
  /**
   * Called when the handler throws or rejects, before the wrapper answers: a hook that sends its
   * own response (headers not yet sent) replaces the plain 500. Default: `console.error`.
   */
  onHandlerError?: (event: HttpHandlerErrorEvent<Req, Res>) => void;
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
  const setup: HttpServerSetup<Req, Res> = { ...createServerSetup(options), describe: options.describe, onHandlerError: options.onHandlerError };

  return function tracedHttpHandler(this: unknown, req: Req, res: Res): void {
    const call = new HttpServerCall(setup, req, res);
    call.ri.stats.record(stats.ServerHandleStart);
    let result: unknown;
    try {
      result = context.with(call.ctx, handler, this, req, res);
    } catch (error) {
      call.handlerFailed(error);
      return;
    }
    if ((typeof result === 'object' || typeof result === 'function') && result !== null && 'then' in result && typeof result.then === 'function') {
      Promise.resolve(result).then(
        () => call.handled(),
        (error: unknown) => call.handlerFailed(error),
      );
    } else {
      call.handled();
    }
  };
}
