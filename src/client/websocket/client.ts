import { now } from '../../rpcinfo/rpc-stats.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { assertStatsLevel, defaultStatsLevel } from '../../rpcinfo/stats-level.js';
import { createTraceController } from '../../tracer/trace-controller.js';
import { RpcCall, type RpcCallRequest, type RpcClientSetup } from './call.js';
import { clientCodec } from './codec.js';
import { protocolErrorReporter, routeFrame, type FrameRoutes } from './dispatch.js';
import { RpcConnectionClosedError, type RpcConnectionClosedInit } from '../../rpcinfo/errors.js';
import { writeCall } from './frames.js';
import {
  checkClose,
  checkTimeout,
  type WebSocketCallOptions,
  type WebSocketNotifyOptions,
  type WebSocketRpcClient,
  type WebSocketRpcClientOptions,
} from './options.js';
import { ReadyState, describeEndpoint, openSocket, type WebSocketLike } from './socket.js';

// Late responses to timed-out or aborted calls are expected, not protocol errors; remember the
// most recent ids (bounded, so a server that never answers cannot grow it).
const MAX_ABANDONED = 1024;

/**
 * A JSON-RPC 2.0 client over one WebSocket (browser, Node's global, or `ws`) whose every call is
 * a traced client RPC: trace headers go in each request's `meta`, responses are matched by id,
 * and every call settles (result, remote error, timeout, abort or close) with its tracers
 * finished exactly once. Calls made before the socket opens wait for it.
 *
 * @example
 * import { WebSocket } from 'ws'; // only on Node 20; browsers and Node >= 22 have a global one
 * const client = createWebSocketRpcClient('wss://api.example.com/rpc', { WebSocket, tracers, service: 'web', timeoutMs: 5000 });
 * const sum = await client.call<number>('add', [1, 2]);
 * await client.close();
 */
export function createWebSocketRpcClient(target: string | URL | WebSocketLike, options: WebSocketRpcClientOptions = {}): WebSocketRpcClient {
  const codec = clientCodec(options);
  const defaultTimeout = checkTimeout(options.timeoutMs, 'timeoutMs');
  const controller = createTraceController(options);
  const statsLevel = options.statsLevel ?? defaultStatsLevel(controller.tracers.length);
  assertStatsLevel(statsLevel);
  const socket = openSocket(target, options);
  const isUrl = typeof target === 'string' || target instanceof URL;
  const endpoint = describeEndpoint(socket.url || (isUrl ? String(target) : undefined));

  const calls = new Map<number | string, RpcCall>(); // every unsettled call with an id
  const queue: RpcCall[] = []; // calls and notifications waiting for `open`
  const abandoned = new Set<number | string>();
  let nextId = 1;
  // A socket passed in while closing is "connecting" here: its calls wait, and its close fails them.
  let state: 'connecting' | 'open' | 'closing' | 'closed' =
    socket.readyState === ReadyState.Open ? 'open' : socket.readyState === ReadyState.Closed ? 'closed' : 'connecting';
  let closedWith: RpcConnectionClosedInit | undefined = state === 'closed' ? { code: 1006, reason: '' } : undefined;
  let socketError: unknown;
  const closeWaiters: (() => void)[] = [];

  const routes: FrameRoutes = { codec, calls, abandoned, report: protocolErrorReporter(options) };

  function onSettle(call: RpcCall, late: boolean): void {
    const id = call.message.id;
    if (id === undefined) return;
    calls.delete(id);
    if (late && call.sent) {
      abandoned.add(id);
      if (abandoned.size > MAX_ABANDONED) abandoned.delete(abandoned.values().next().value as number);
    }
  }

  function failAll(init: RpcConnectionClosedInit): void {
    const waiting = new Set([...calls.values(), ...queue]);
    queue.length = 0;
    for (const call of waiting) call.reject(new RpcConnectionClosedError({ ...init, method: call.message.method }));
  }

  function onOpen(): void {
    if (state !== 'connecting') return;
    state = 'open';
    const time = now();
    for (const call of queue.splice(0)) {
      if (call.settled) continue;
      call.ri.stats.record(stats.ClientConnFinish, 'info', '', time);
      writeCall(socket, codec, call);
    }
  }

  function onMessage(event: { data?: unknown }): void {
    // After close() every call has been rejected; what still arrives is nobody's.
    if (state !== 'open') return;
    const arrived = now();
    routeFrame(routes, options, event?.data, arrived);
  }

  function onError(event: { error?: unknown }): void {
    // Every implementation follows `error` with `close`; the close fails the calls, with this as cause.
    socketError = event?.error ?? event;
  }

  function onClose(event: { code?: unknown; reason?: unknown; wasClean?: unknown }): void {
    const code = typeof event?.code === 'number' ? event.code : 1006;
    shutdown({ code, reason: String(event?.reason ?? ''), wasClean: event?.wasClean === true, cause: socketError });
  }

  function shutdown(init: RpcConnectionClosedInit): void {
    if (state === 'closed') return;
    state = 'closed';
    closedWith ??= init;
    for (const [type, listener] of listeners) socket.removeEventListener(type, listener);
    failAll(init);
    for (const resolve of closeWaiters.splice(0)) resolve();
  }

  const listeners = [
    ['open', onOpen],
    ['message', onMessage],
    ['error', onError],
    ['close', onClose],
  ] as const;
  if (state !== 'closed') for (const [type, listener] of listeners) socket.addEventListener(type, listener);

  const setup: RpcClientSetup = {
    controller,
    service: options.service,
    remoteService: options.remoteService,
    statsLevel,
    codecName: codec.name,
    endpoint,
    ctx: options.ctx,
    onSettle,
  };

  function begin(request: RpcCallRequest): RpcCall {
    const call = new RpcCall(setup, request);
    const { method, id } = request;
    if (call.settled) return call;
    if (state === 'closing' || state === 'closed') {
      call.reject(new RpcConnectionClosedError({ ...(closedWith ?? { code: 1006, reason: '' }), method }));
      return call;
    }
    if (id !== undefined) calls.set(id, call);
    if (state === 'open') {
      const time = now();
      // Already open: the connection phase is recorded with zero length, so every call has it.
      call.ri.stats.record(stats.ClientConnStart, 'info', '', time);
      call.ri.stats.record(stats.ClientConnFinish, 'info', '', time);
      writeCall(socket, codec, call);
    } else {
      call.ri.stats.record(stats.ClientConnStart);
      queue.push(call);
    }
    return call;
  }

  return {
    call<T>(method: string, params?: unknown, callOptions: WebSocketCallOptions = {}): Promise<T> {
      try {
        if (typeof method !== 'string' || method === '') throw new TypeError('isotrace: call(method) needs a non-empty method name');
        const timeoutMs = callOptions.timeoutMs === undefined ? defaultTimeout : checkTimeout(callOptions.timeoutMs, 'timeoutMs');
        return begin({ ctx: callOptions.ctx, method, params, id: nextId++, timeoutMs, signal: callOptions.signal }).promise as Promise<T>;
      } catch (error) {
        return Promise.reject(error);
      }
    },
    notify(method: string, params?: unknown, notifyOptions: WebSocketNotifyOptions = {}): Promise<void> {
      let promise: Promise<void>;
      try {
        if (typeof method !== 'string' || method === '') throw new TypeError('isotrace: notify(method) needs a non-empty method name');
        promise = begin({ ctx: notifyOptions.ctx, method, params }).promise as Promise<void>;
      } catch (error) {
        promise = Promise.reject(error);
      }
      // Notifications are fire-and-forget: a failure the caller does not await is not an unhandled rejection.
      promise.catch(() => {});
      return promise;
    },
    close(code?: number, reason?: string): Promise<void> {
      if (state === 'closed') return Promise.resolve();
      try {
        checkClose(code, reason);
      } catch (error) {
        return Promise.reject(error);
      }
      const done = new Promise<void>((resolve) => closeWaiters.push(resolve));
      if (state !== 'closing') {
        state = 'closing';
        closedWith = { code: code ?? 1000, reason: reason ?? '', byClient: true };
        failAll(closedWith);
        try {
          socket.close(code, reason);
        } catch (cause) {
          // Not expected after checkClose; a socket that will not close must not hang close() either.
          shutdown({ ...closedWith, cause });
        }
      }
      return done;
    },
    get pending() {
      return calls.size;
    },
    socket,
  };
}
