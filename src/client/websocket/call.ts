import type { Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import { CALLER_SERVICE_HEADER } from '../../rpcinfo/header-names.js';
import { createRPCInfo, withRPCInfo, type AttributeValue, type RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats, type StatsEvent } from '../../rpcinfo/stats-event.js';
import type { StatsLevel } from '../../rpcinfo/stats-level.js';
import type { TraceController } from '../../tracer/trace-controller.js';
import type { RpcOutgoingMessage } from './codec.js';
import { isRpcRemoteError, RpcTimeoutError } from '../../rpcinfo/errors.js';
import type { SocketEndpoint } from './socket.js';
import { describeError } from '../../rpcinfo/conventions/error-description.js';
import { abortReason } from '../abort-reason.js';

/** What every call of one WebSocket RPC client shares; built once per client. */
export interface RpcClientSetup {
  readonly controller: TraceController;
  readonly service: string | undefined;
  readonly remoteService: string | undefined;
  readonly statsLevel: StatsLevel;
  readonly codecName: string;
  readonly endpoint: SocketEndpoint;
  /** The client's `ctx` option. */
  readonly ctx: Context | undefined;
  /** Called once as a call settles, before the tracers finish; `late` when a timer or the signal settled it. */
  onSettle(call: RpcCall, late: boolean): void;
}

/** What one call (or notification) asks for. */
export interface RpcCallRequest {
  /** The parent context; default: the client's `ctx`, else the active one. */
  ctx: Context | undefined;
  method: string;
  params: unknown;
  /** Absent for a notification. */
  id?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
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
    ri.attributes['rpc.jsonrpc.error_message'] = error.message;
  }
}

function attributesOf(setup: RpcClientSetup, request: RpcCallRequest, jsonrpc: boolean): Record<string, AttributeValue> {
  const a: Record<string, AttributeValue> = { 'rpc.system': setup.codecName, 'rpc.method': request.method };
  if (setup.remoteService) a['rpc.service'] = setup.remoteService;
  if (jsonrpc) {
    a['rpc.jsonrpc.version'] = '2.0';
    if (request.id !== undefined) a['rpc.jsonrpc.request_id'] = String(request.id);
  }
  if (setup.endpoint.hostname) a['server.address'] = setup.endpoint.hostname;
  if (setup.endpoint.port !== undefined) a['server.port'] = setup.endpoint.port;
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

function onCallTimeout(call: RpcCall): void {
  call.timedOut();
}

/**
 * One traced call in flight: its RPCInfo, its frame, its promise, and the ways it ends. The
 * constructor builds the RPCInfo, runs the tracers' `start`, and arms the timeout and the abort
 * signal (the call is the signal's listener, `handleEvent`, so it allocates no closures for it).
 * Whichever of resolve, reject, timer or signal comes first settles it and runs the tracers'
 * `finish`; the others are then no-ops.
 */
export class RpcCall {
  readonly ri: RPCInfo;
  /** The context the tracers returned; `finish` gets this one. */
  readonly ctx: Context;
  readonly message: RpcOutgoingMessage;
  readonly promise: Promise<unknown>;
  /** Set by the client once the frame is handed to the socket. */
  sent = false;
  /** Set once the call settled (read-only outside the call). */
  settled = false;
  private resolvePromise: ((value: unknown) => void) | undefined;
  private rejectPromise: ((error: unknown) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly setup: RpcClientSetup;
  private readonly signal: AbortSignal | undefined;

  constructor(setup: RpcClientSetup, request: RpcCallRequest) {
    const { method, id, signal, timeoutMs } = request;
    this.setup = setup;
    this.signal = signal;
    const jsonrpc = setup.codecName === 'jsonrpc';
    const ri = createRPCInfo({
      side: 'client',
      from: { serviceName: setup.service },
      to: { serviceName: setup.remoteService ?? setup.endpoint.host, method, address: setup.endpoint.address },
      invocation: { method, seqId: id },
      config: { transport: 'websocket', codec: setup.codecName, timeoutMs },
      statsLevel: setup.statsLevel,
      attributes: attributesOf(setup, request, jsonrpc),
    });
    this.ri = ri;
    this.ctx = setup.controller.start(withRPCInfo(request.ctx ?? setup.ctx ?? context.active(), ri));
    this.promise = new Promise<unknown>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    this.message = { id, method, params: request.params, meta: metaOf(ri, setup.service) };
    if (signal?.aborted) {
      this.handleEvent();
      return;
    }
    signal?.addEventListener('abort', this);
    // setTimeout fires at once past 2^31-1 ms; such a deadline is "never" anyway.
    if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) this.timer = setTimeout(onCallTimeout, timeoutMs, this);
  }

  resolve(result: unknown): void {
    this.settle(true, result, false);
  }

  reject(error: unknown): void {
    this.settle(false, error, false);
  }

  /** The signal aborted: the call rejects with its reason, as fetch does. */
  handleEvent(): void {
    if (this.signal !== undefined) this.settle(false, abortReason(this.signal), true);
  }

  /** The timer fired before a response came. */
  timedOut(): void {
    this.timer = undefined;
    this.settle(false, new RpcTimeoutError(this.message.method, this.ri.config.timeoutMs ?? 0), true);
  }

  private settle(ok: boolean, value: unknown, late: boolean): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this);
    this.setup.onSettle(this, late);
    if (!ok) recordFailure(this.ri, value, this.setup.codecName === 'jsonrpc');
    // Tracers finish before the caller's continuation runs, so what it awaits is fully recorded.
    this.setup.controller.finish(this.ctx, ok ? undefined : value);
    if (ok) this.resolvePromise?.(value);
    else this.rejectPromise?.(value);
  }
}
