// A Connect-ES client interceptor: each call through any Connect transport (connect-web's
// Connect and gRPC-web transports, connect-node's) is one traced client RPC, named by the
// method descriptor, ended by the code of the `ConnectError` it threw, or by its stream's end.
// Only types come from @connectrpc/connect, so this adds no runtime dependency.
import type { Interceptor, StreamResponse } from '@connectrpc/connect';
import type { Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import { urlHost, urlPort } from '../../rpcinfo/conventions/address.js';
import { recordFinish } from '../../rpcinfo/conventions/rpc-conventions.js';
import { mediaTypeEssence } from '../../rpcinfo/conventions/rpc-path.js';
import { CALLER_SERVICE_HEADER } from '../../rpcinfo/header-names.js';
import { createRPCInfo, withRPCInfo, type RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { assertStatsLevel, defaultStatsLevel, type StatsLevel } from '../../rpcinfo/stats-level.js';
import { isTracingSuppressed, suppressTracing } from '../../tracer/suppress-tracing.js';
import { createTraceController, type TraceController, type TraceControllerOptions } from '../../tracer/trace-controller.js';
import { compilePropagateTo, type PropagateTo } from '../fetch/propagate-to.js';
import { connectRpcSystem, recordConnectCode } from '../../rpcinfo/conventions/connect-code.js';

/** Options of {@link connectClientInterceptor}. */
export interface ConnectClientTracingOptions extends TraceControllerOptions {
  /** This (the calling) service's name: `ri.from.serviceName`, and sent as the caller header where trace headers go. */
  service?: string;
  /** Where trace headers may go; default: same origin in browsers, everywhere in Node (as traceFetch). */
  propagateTo?: PropagateTo;
  /** Default: Detailed with tracers, Disabled without. */
  statsLevel?: StatsLevel;
  /** A fixed parent context for every call; default: the context active when the call starts. */
  ctx?: Context;
}

/** One traced call: its context (the tracers' own), its RPCInfo and who finishes it. */
interface ConnectCall {
  readonly ctx: Context;
  readonly ri: RPCInfo;
  readonly controller: TraceController;
  ended: boolean;
}

/** What the call's code is when its signal aborts before its stream ended: Connect's `canceled`. */
const CANCELED = { name: 'ConnectError', code: 1 };

/**
 * Ends the call, once, by the one outcome rule: the error's Connect code first (`canceled` for
 * an abort of an unfinished stream), then RPCFinish and the tracers' finish.
 */
function end(call: ConnectCall, error?: unknown, canceled = false): void {
  if (call.ended) return;
  call.ended = true;
  if (error !== undefined && recordConnectCode(call.ri, error) === undefined && canceled) recordConnectCode(call.ri, CANCELED);
  recordFinish(call.ri, error);
  call.controller.finish(call.ctx, error);
}

/** The response's messages, passed on as they come; the call ends with the stream (its end, its error, or the consumer stopping). */
async function* tracedMessages<T>(messages: AsyncIterable<T>, call: ConnectCall): AsyncGenerator<T> {
  let error: unknown;
  let first = true;
  try {
    for await (const message of messages) {
      if (first) call.ri.stats.record(stats.ReadStart);
      first = false;
      yield message;
    }
    call.ri.stats.record(stats.ReadFinish);
  } catch (thrown) {
    error = thrown;
    throw thrown;
  } finally {
    end(call, error);
  }
}

function fail(what: string, value: unknown): never {
  throw new TypeError(`isotrace: connectClientInterceptor option ${what}, got ${value === null ? 'null' : typeof value}`);
}

/**
 * A Connect-ES interceptor that traces every call of the client it is given to as one client
 * RPC (transport `connect`), whatever the transport: `rpc.service` and `rpc.method` from the
 * method descriptor (`test.v1.EchoService`, `Say`), `rpc.system` from the request's content
 * type (`connect_rpc`, `grpc_web`, `grpc`), the tracers' trace headers on the request (where
 * `propagateTo` allows). A call that throws a `ConnectError` fails with its code:
 * `rpc.connect_rpc.error_code` (`not_found`), or `rpc.grpc.status_code` for gRPC and gRPC-web,
 * as `error.type`. A streamed response ends the call when it ends: read to its end (ReadStart
 * at the first message, ReadFinish at the end), failed partway (an error with its code, after
 * the messages that came), or aborted before its end by the call's signal or timeout (an error,
 * `canceled`). Connect-ES tells a stream nothing when its consumer leaves the loop: abort the
 * call's signal then, or the call ends only when the transport gives up.
 *
 * One call, one RPC: the transport runs under `suppressTracing`, so a `traceFetch` given to the
 * same transport stands aside and the call is not traced twice. That needs the context to reach
 * the transport's fetch: always on Node; in browsers with zone.js, for unary calls (connect-web
 * awaits a stream's request body before its fetch, where zone.js has lost the context), so give
 * a transport that streams in a browser a plain fetch. Put the interceptor last, next to the
 * transport. With no tracers, calls go straight on.
 *
 * @example
 * import { createConnectTransport } from '@connectrpc/connect-web';
 * import { connectClientInterceptor } from 'isotrace/connect';
 * const transport = createConnectTransport({ baseUrl, interceptors: [connectClientInterceptor({ tracers })] });
 */
export function connectClientInterceptor(options: ConnectClientTracingOptions = {}): Interceptor {
  if (typeof options !== 'object' || options === null) fail('must be an object', options);
  if (options.tracers !== undefined && !Array.isArray(options.tracers)) fail('tracers must be an array of Tracers', options.tracers);
  if (options.service !== undefined && typeof options.service !== 'string') fail('service must be a string', options.service);
  const fixed = options.ctx as { getValue?: unknown } | undefined;
  if (fixed !== undefined && typeof fixed?.getValue !== 'function') fail('ctx must be a Context', fixed);
  const controller = createTraceController(options);
  const statsLevel = options.statsLevel ?? defaultStatsLevel(controller.tracers.length);
  assertStatsLevel(statsLevel);
  const propagateTo = compilePropagateTo(options.propagateTo);
  const service = options.service === '' ? undefined : options.service;
  const traced = controller.tracers.length > 0;

  return (next) => async (req) => {
    const parent = options.ctx ?? context.active();
    if (!traced || isTracingSuppressed(parent)) return next(req);
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return next(req);
    }
    const typeName = req.service.typeName;
    const method = req.method.name;
    const type = mediaTypeEssence(req.header.get('content-type') ?? undefined);
    const ri = createRPCInfo({
      side: 'client',
      from: { serviceName: service },
      to: { serviceName: typeName, method, address: url.origin },
      invocation: { service: typeName, method, package: typeName.slice(0, Math.max(0, typeName.lastIndexOf('.'))) },
      config: { transport: 'connect', codec: type.startsWith('application/') ? type.slice(12) : undefined },
      statsLevel,
    });
    const a = ri.attributes;
    a['rpc.system'] = connectRpcSystem(req.header);
    a['server.address'] = urlHost(url);
    const port = urlPort(url);
    if (port !== undefined) a['server.port'] = port;
    const call: ConnectCall = { ctx: controller.start(withRPCInfo(parent, ri)), ri, controller, ended: false };
    if (propagateTo(url)) {
      for (const key of ri.headers.keys()) req.header.set(key, ri.headers.get(key)!);
      if (service !== undefined) req.header.set(CALLER_SERVICE_HEADER, service);
    }
    ri.stats.record(stats.WriteStart);
    let res: Awaited<ReturnType<typeof next>>;
    try {
      // Suppressed beneath: a traceFetch under this transport stands aside (one call, one RPC).
      res = await context.with(suppressTracing(call.ctx), next, undefined, req);
    } catch (error) {
      end(call, error);
      throw error;
    }
    ri.stats.record(stats.WaitReadFinish);
    if (!res.stream) {
      end(call);
      return res;
    }
    // Connect-ES gives a stream's consumer no way to stop it but the call's signal (its client
    // omits `return`): an abort before the stream ended ends the call, as canceled.
    const signal = req.signal;
    signal.addEventListener('abort', () => end(call, signal.reason ?? new Error('aborted'), true), { once: true });
    return { ...res, message: tracedMessages(res.message, call) } as StreamResponse;
  };
}
