import { context } from '../../context/context-api.js';
import { stats } from '../../rpcinfo/stats-event.js';
import type { ServerCallName } from '../naming.js';
import { createServerSetup, type ServerTraceOptions } from '../rpcinfo.js';
import { FetchServerCall, isResponse, type FetchHandlerErrorEvent, type FetchServerSetup } from './call.js';

export type { FetchHandlerErrorEvent } from './call.js';

/** A fetch-style handler: Hono's `app.fetch`, and what Bun, Deno and workers serve. */
export type FetchHandler<Rest extends unknown[] = unknown[]> = (request: Request, ...rest: Rest) => Response | PromiseLike<Response>;

/** Options of {@link traceFetchHandler}. */
export interface TraceFetchHandlerOptions<Rest extends unknown[] = unknown[]> extends ServerTraceOptions {
  /** Names the call; fields left out keep the default (`/pkg.Service/Method`, else the HTTP method and route). */
  describe?: (request: Request) => ServerCallName | undefined;
  /** The caller's address, which a `Request` does not carry (e.g. from Deno's `info.remoteAddr`). */
  clientAddress?: (request: Request, ...rest: Rest) => string | undefined;
  /** Called when the handler fails; a Response it returns is sent instead of a plain 500. Default: `console.error`. */
  onHandlerError?: (event: FetchHandlerErrorEvent) => Response | PromiseLike<Response> | void;
}

/**
 * Wraps a fetch-style handler so each request is a traced server RPC: the handler and its async
 * work run in the call's context; the request body is counted as the handler reads it, and the
 * response body is streamed through unchanged and counted as the runtime sends it. The RPC
 * finishes when the body has been fully read out, when it is cancelled or the request's signal
 * aborts (a {@link RequestAbortedError}), or at once for a response without a body. A failing
 * handler is recorded and answered with a 500 (or `onHandlerError`'s Response).
 *
 * @example
 * const app = new Hono();
 * export default { fetch: traceFetchHandler(app.fetch, { service: 'users', tracers: [spanTracer] }) };
 */
export function traceFetchHandler<Rest extends unknown[] = unknown[]>(
  handler: FetchHandler<Rest>,
  options: TraceFetchHandlerOptions<Rest> = {},
): (request: Request, ...rest: Rest) => Promise<Response> {
  if (typeof handler !== 'function') throw new TypeError('isotrace: traceFetchHandler(handler, options) needs a handler function');
  const setup: FetchServerSetup = { ...createServerSetup(options), describe: options.describe, onHandlerError: options.onHandlerError };

  return async function tracedFetchHandler(this: unknown, request: Request, ...rest: Rest): Promise<Response> {
    let address: string | undefined;
    try {
      address = options.clientAddress?.(request, ...rest);
    } catch {
      // An address is a nicety; a failing lookup must not fail the request.
    }
    const call = new FetchServerCall(setup, request, address);
    const traced = call.handlerRequest();
    call.ri.stats.record(stats.ServerHandleStart);
    let response: Response;
    try {
      const result: unknown = await context.with(call.ctx, handler, this, traced, ...rest);
      if (isResponse(result)) {
        response = result;
        call.handled();
      } else {
        response = await call.handlerFailed(
          new TypeError(`isotrace: the fetch handler returned ${result === null ? 'null' : typeof result}, not a Response`),
          traced,
        );
      }
    } catch (error) {
      response = await call.handlerFailed(error, traced);
    }
    return call.respond(response);
  };
}
