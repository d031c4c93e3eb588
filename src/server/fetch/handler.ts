import type { Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import { MapHeaderCarrier } from '../../rpcinfo/header-carrier.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { asRecordedError, reportHandlerError } from '../errors.js';
import { describeError } from '../../rpcinfo/error-description.js';
import { RequestAbortedError } from '../../rpcinfo/errors.js';
import { countStream } from '../../rpcinfo/counting-stream.js';
import { defaultPort } from '../../rpcinfo/address.js';
import { addHttpRequestAttributes, finishHttpAttributes } from '../http-attributes.js';
import { applyDescribe, nameHttpRequest, type ServerCallName } from '../naming.js';
import { addIncomingHeader, createServerRPCInfo, createServerSetup, startServerCall, type ServerSetup, type ServerTraceOptions } from '../rpcinfo.js';

/** A fetch-style handler: Hono's `app.fetch`, and what Bun, Deno and workers serve. */
export type FetchHandler<Rest extends unknown[] = unknown[]> = (request: Request, ...rest: Rest) => Response | PromiseLike<Response>;

/** What `onHandlerError` is told when the handler throws, rejects, or returns no Response. */
export interface FetchHandlerErrorEvent {
  /** What the handler threw, unchanged. */
  error: unknown;
  /** The request as the handler saw it. */
  request: Request;
  /** The call's context; the hook also runs in it. */
  ctx: Context;
}

/** Options of {@link traceFetchHandler}. */
export interface TraceFetchHandlerOptions<Rest extends unknown[] = unknown[]> extends ServerTraceOptions {
  /** Names the call; fields left out keep the default (`/pkg.Service/Method`, else `METHOD /path`). */
  describe?: (request: Request) => ServerCallName | undefined;
  /** The caller's address, which a `Request` does not carry (e.g. from Deno's `info.remoteAddr`). */
  clientAddress?: (request: Request, ...rest: Rest) => string | undefined;
  /** Called when the handler fails; a Response it returns is sent instead of a plain 500. Default: `console.error`. */
  onHandlerError?: (event: FetchHandlerErrorEvent) => Response | PromiseLike<Response> | void;
}

const FAILURE_BODY = 'Internal Server Error';

// Duck-typed: a Response from another realm or fetch implementation is still a Response.
function isResponse(value: unknown): value is Response {
  const r = value as Partial<Response> | null;
  return typeof r === 'object' && r !== null && typeof r.status === 'number' && typeof r.headers?.get === 'function' && 'body' in r;
}

function createFetchRPCInfo(setup: ServerSetup, request: Request, url: URL, describe: TraceFetchHandlerOptions['describe'], clientAddress: string | undefined): RPCInfo {
  const headers = new MapHeaderCarrier();
  request.headers.forEach((value, name) => addIncomingHeader(headers, name, value, setup.trustIncoming));
  const naming = applyDescribe(nameHttpRequest(request.method, url.pathname, headers.get('content-type')), describe, request);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const facts = { method: request.method, path: url.pathname, scheme, host: url.host, clientAddress, userAgent: headers.get('user-agent'), protocolVersion: undefined, naming } as const;
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

/**
 * `request` with its body counted as the handler reads it: a new Request (same method, URL,
 * headers and signal) over a counting stream, since a Request's body cannot be swapped. Should
 * the runtime refuse that (a body already used), the original goes through uncounted.
 */
function countedRequest(request: Request, ri: RPCInfo, finished: () => boolean): Request {
  const body = countStream(request.body!, {
    onFirstRead: () => {
      if (!finished()) ri.stats.record(stats.ReadStart);
    },
    onChunk: (bytes) => {
      if (!finished()) ri.stats.recvSize += bytes;
    },
    onEnd: () => {
      if (!finished()) ri.stats.record(stats.ReadFinish);
    },
    // The handler cancelling or failing on its own request body is its business.
    onCancel: () => {},
    onError: () => {},
  });
  try {
    return new Request(request, { body, duplex: 'half' } as RequestInit);
  } catch {
    return request;
  }
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
  const setup = createServerSetup(options);
  const { describe, onHandlerError } = options;

  return async function tracedFetchHandler(this: unknown, request: Request, ...rest: Rest): Promise<Response> {
    let address: string | undefined;
    try {
      address = options.clientAddress?.(request, ...rest);
    } catch {
      // An address is a nicety; a failing lookup must not fail the request.
    }
    const ri = createFetchRPCInfo(setup, request, new URL(request.url), describe, address);
    const ctx = startServerCall(setup, ri);
    let done = false;
    let status: number | undefined;
    const signal = request.signal;
    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      finishHttpAttributes(ri, status, ri.stats.error ?? error);
      setup.controller.finish(ctx, error);
    };
    const onAbort = (): void => finish(new RequestAbortedError('isotrace: request aborted: its signal aborted before the response was sent', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) onAbort();

    const traced = request.body === null ? request : countedRequest(request, ri, () => done);

    const fail = async (thrown: unknown): Promise<Response> => {
      if (!done) {
        const error = asRecordedError(thrown);
        ri.stats.record(stats.ServerHandleFinish, 'error');
        if (ri.stats.error === undefined) ri.stats.error = error;
        ri.attributes['error.type'] = describeError(error).type;
      }
      try {
        const replacement = await reportHandlerError(onHandlerError, { error: thrown, request: traced, ctx });
        if (isResponse(replacement)) return replacement;
      } catch {
        // A hook whose promise rejects gets the plain 500.
      }
      return new Response(FAILURE_BODY, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    };

    ri.stats.record(stats.ServerHandleStart);
    let response: Response;
    try {
      const result: unknown = await context.with(ctx, handler, this as never, traced, ...rest);
      if (isResponse(result)) {
        response = result;
        if (!done) ri.stats.record(stats.ServerHandleFinish);
      } else {
        response = await fail(new TypeError(`isotrace: the fetch handler returned ${result === null ? 'null' : typeof result}, not a Response`));
      }
    } catch (error) {
      response = await fail(error);
    }
    status = response.status;
    return respond(response);

    function respond(response: Response): Response {
      // A HEAD response's body is never sent, and a runtime may never read it: nothing to wait for.
      if (response.body === null || request.method === 'HEAD' || done) {
        if (!done) {
          ri.stats.record(stats.WriteStart);
          ri.stats.record(stats.WriteFinish);
        }
        finish();
        return response;
      }
      const body = countStream(response.body, {
        onFirstRead: () => {
          if (!done) ri.stats.record(stats.WriteStart);
        },
        onChunk: (bytes) => {
          if (!done) ri.stats.sendSize += bytes;
        },
        onEnd: () => {
          if (!done) ri.stats.record(stats.WriteFinish);
          finish();
        },
        onCancel: (reason) => finish(new RequestAbortedError('isotrace: request aborted: the response body was cancelled before it was fully sent', { cause: reason })),
        onError: (error) => finish(error),
      });
      try {
        return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      } catch {
        // A status `new Response` refuses (a 101 upgrade): pass the original through, uncounted.
        finish();
        return response;
      }
    }
  };
}
