// A Connect-ES server interceptor for connect-node's adapter (and any Connect router) served
// through traceHttpHandler or traceFetchHandler: names the served call by the method descriptor
// and records the `ConnectError` a handler throws, or a stream fails with partway, before
// Connect turns it into a response, so the trace keeps its message and stack. Only types come
// from @connectrpc/connect.
import type { Interceptor, StreamResponse } from '@connectrpc/connect';
import type { Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import { isServerFault } from '../../rpcinfo/conventions/protocol-status.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { connectRpcSystem, recordConnectCode } from '../../rpcinfo/conventions/connect-code.js';
import { nameServerCall, servedCall } from '../call-name.js';
import { recordServerError } from '../handler-failure.js';

/**
 * Records what a handler threw on the served call: its code under its protocol's key (as the
 * wire reader would); the error itself only when it is the server's fault (`internal`,
 * `unknown`, …, or no `ConnectError` at all), with the code as `error.type`. A `not_found` is
 * the caller's: the call keeps its success.
 */
function recordThrown(ri: RPCInfo, ctx: Context, error: unknown): void {
  const code = recordConnectCode(ri, error);
  if (code !== undefined && !isServerFault(code)) return;
  recordServerError(error, ctx);
  if (code !== undefined) ri.attributes['error.type'] = code;
}

/** The handler's messages, passed on as they come; an error partway is recorded before Connect sends it. */
async function* servedMessages<T>(messages: AsyncIterable<T>, ri: RPCInfo, ctx: Context): AsyncGenerator<T> {
  try {
    yield* messages;
  } catch (error) {
    recordThrown(ri, ctx, error);
    throw error;
  }
}

/**
 * A Connect-ES interceptor for the server side, for `connectNodeAdapter({ routes, interceptors })`
 * (or any Connect router) whose requests are traced by `traceHttpHandler` (isotrace/node) or
 * `traceFetchHandler`: the served call is named by the method descriptor (`rpc.service`,
 * `rpc.method`), and a `ConnectError` the handler throws, or its response stream fails with
 * partway, is recorded before Connect answers it: its code (`rpc.connect_rpc.error_code`, or
 * `rpc.grpc.status_code` for gRPC and gRPC-web) always; the error itself (type, message, stack)
 * only when the code is the server's fault by OpenTelemetry's rule (`internal`, `unknown`,
 * `unavailable`, …; any error that is not a `ConnectError`), so a `not_found` leaves the served
 * call a success. Outside a traced request it does nothing.
 *
 * @example
 * import { connectNodeAdapter } from '@connectrpc/connect-node';
 * import { connectServerInterceptor } from 'isotrace/connect';
 * import { traceHttpHandler } from 'isotrace/node';
 * const handler = traceHttpHandler(connectNodeAdapter({ routes, interceptors: [connectServerInterceptor()] }), { tracers });
 */
export function connectServerInterceptor(): Interceptor {
  return (next) => async (req) => {
    const ctx = context.active();
    const ri = servedCall(ctx, 'connectServerInterceptor');
    if (ri === undefined) return next(req);
    const typeName = req.service.typeName;
    nameServerCall({ service: typeName, method: req.method.name, package: typeName.slice(0, Math.max(0, typeName.lastIndexOf('.'))) }, ctx);
    ri.attributes['rpc.system'] ??= connectRpcSystem(req.header);
    let res: Awaited<ReturnType<typeof next>>;
    try {
      res = await next(req);
    } catch (error) {
      recordThrown(ri, ctx, error);
      throw error;
    }
    return res.stream ? ({ ...res, message: servedMessages(res.message, ri, ctx) } as StreamResponse) : res;
  };
}
