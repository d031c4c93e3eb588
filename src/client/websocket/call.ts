import type { Context } from '../../context/context.js';
import { CALLER_SERVICE_HEADER } from '../../rpcinfo/header-names.js';
import { createRPCInfo, withRPCInfo, type AttributeValue, type RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats, type StatsEvent } from '../../rpcinfo/stats-event.js';
import type { StatsLevel } from '../../rpcinfo/stats-level.js';
import type { TraceController } from '../../tracer/trace-controller.js';
import type { RpcOutgoingMessage } from './codec.js';
import { isRpcRemoteError, RpcTimeoutError } from '../../rpcinfo/errors.js';
import type { SocketEndpoint } from './socket.js';
import { describeError } from '../../rpcinfo/error-description.js';

/** What one traced call (or notification) of the WebSocket RPC client is made from. */
export interface RpcCallInit {
  controller: TraceController;
  parent: Context;
  service?: string;
  remoteService?: string;
  statsLevel: StatsLevel;
  codecName: string;
  endpoint: SocketEndpoint;
  method: string;
  params: unknown;
  /** Absent for a notification. */
  id?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called once as the call settles, before the tracers finish; `late` when a timer or the signal settled it. */
  onSettle(call: RpcCall, late: boolean): void;
}

/** One call in flight: its RPCInfo, its frame, its promise, and the two ways it ends. */
export interface RpcCall {
  readonly ri: RPCInfo;
  /** The context the tracers returned; `finish` gets this one. */
  readonly ctx: Context;
  readonly message: RpcOutgoingMessage;
  readonly promise: Promise<unknown>;
  readonly settled: boolean;
  /** Set by the client once the frame is handed to the socket. */
  sent: boolean;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

// A phase still open when a call fails is closed with status 'error', so a span timeline shows
// how long the call waited in it (e.g. WaitReadStart → a timeout) rather than a dangling start.
const PHASES: readonly [StatsEvent, StatsEvent][] = [
  [stats.ClientConnStart, stats.ClientConnFinish],
  [stats.WriteStart, stats.WriteFinish],
  [stats.WaitReadStart, stats.WaitReadFinish],
  [stats.ReadStart, stats.ReadFinish],
];

function recordFailure(ri: RPCInfo, error: unknown, jsonrpc: boolean): void {
  const type = describeError(error).type;
  for (const [start, finish] of PHASES) {
    if (ri.stats.getEvent(start) && !ri.stats.getEvent(finish)) ri.stats.record(finish, 'error', type);
  }
  ri.attributes['error.type'] = type;
  if (jsonrpc && isRpcRemoteError(error)) {
    ri.attributes['rpc.jsonrpc.error_code'] = error.code;
    ri.attributes['rpc.jsonrpc.error_message'] = error.rawMessage;
  }
}

function attributesOf(init: RpcCallInit, jsonrpc: boolean): Record<string, AttributeValue> {
  const a: Record<string, AttributeValue> = { 'rpc.system': init.codecName, 'rpc.method': init.method };
  if (init.remoteService) a['rpc.service'] = init.remoteService;
  if (jsonrpc) {
    a['rpc.jsonrpc.version'] = '2.0';
    if (init.id !== undefined) a['rpc.jsonrpc.request_id'] = String(init.id);
  }
  if (init.endpoint.hostname) a['server.address'] = init.endpoint.hostname;
  if (init.endpoint.port !== undefined) a['server.port'] = init.endpoint.port;
  return a;
}

/** What `ri.headers` holds after the tracers' `start`, plus the caller's name: the frame's `meta`. */
function metaOf(ri: RPCInfo, service: string | undefined): Record<string, string> | undefined {
  const meta: Record<string, string> = {};
  for (const key of ri.headers.keys()) {
    const value = ri.headers.get(key);
    if (value !== undefined) meta[key] = value;
  }
  if (service) meta[CALLER_SERVICE_HEADER] = service;
  // No member at all rather than an empty one: strict servers may reject unknown members.
  return Object.keys(meta).length > 0 ? meta : undefined;
}

/**
 * Starts one traced call: builds its RPCInfo, runs the tracers' `start`, arms the timeout and the
 * abort signal. Whichever of resolve, reject, timer or signal comes first settles it and runs the
 * tracers' `finish`; the others are then no-ops.
 */
export function startRpcCall(init: RpcCallInit): RpcCall {
  const { controller, method, id, signal, timeoutMs } = init;
  const jsonrpc = init.codecName === 'jsonrpc';
  const ri = createRPCInfo({
    side: 'client',
    from: { serviceName: init.service },
    to: { serviceName: init.remoteService ?? init.endpoint.host, method, address: init.endpoint.address },
    invocation: { method, seqId: id },
    config: { transport: 'websocket', codec: init.codecName, timeoutMs },
    statsLevel: init.statsLevel,
    attributes: attributesOf(init, jsonrpc),
  });
  const ctx = controller.start(withRPCInfo(init.parent, ri));
  let resolvePromise!: (value: unknown) => void;
  let rejectPromise!: (error: unknown) => void;
  const promise = new Promise<unknown>((resolve, reject) => {
    resolvePromise = resolve;
    rejectPromise = reject;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settled = false;

  const settle = (ok: boolean, value: unknown, late: boolean) => {
    if (settled) return;
    settled = true;
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    init.onSettle(call, late);
    if (!ok) recordFailure(ri, value, jsonrpc);
    // Tracers finish before the caller's continuation runs, so what it awaits is fully recorded.
    controller.finish(ctx, ok ? undefined : value);
    if (ok) resolvePromise(value);
    else rejectPromise(value);
  };
  // The signal's own reason, as fetch does; the fallback is for runtimes without `reason`.
  const abortReason = () => signal?.reason ?? new DOMException('The operation was aborted.', 'AbortError');
  const onAbort = () => settle(false, abortReason(), true);

  const call: RpcCall = {
    ri,
    ctx,
    message: { id, method, params: init.params, meta: metaOf(ri, init.service) },
    promise,
    get settled() {
      return settled;
    },
    sent: false,
    resolve: (result) => settle(true, result, false),
    reject: (error) => settle(false, error, false),
  };
  if (signal?.aborted) {
    onAbort();
    return call;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  if (timeoutMs !== undefined) {
    // setTimeout fires at once past 2^31-1 ms; such a deadline is "never" anyway.
    if (timeoutMs <= MAX_TIMER_MS) timer = setTimeout(() => settle(false, new RpcTimeoutError(method, timeoutMs), true), timeoutMs);
  }
  return call;
}
