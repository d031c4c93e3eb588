import type { Context } from '../../context/context.js';
import { now, type EventStatus } from '../../rpcinfo/rpc-stats.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import type { TraceController } from '../../tracer/trace-controller.js';
import { applyResourceTiming, type ResourceTimingWatch, type ResponseEndListener } from './resource-timing.js';
import { StatsLevel } from '../../rpcinfo/stats-level.js';
import type { StreamCounter } from '../../rpcinfo/sizes/counting-stream.js';
import { countResponseBody, type BodyObserver } from './response.js';
import { recordFinish } from '../../rpcinfo/conventions/rpc-conventions.js';
import { readProtocolStatus, type ProtocolBodyReader } from '../../rpcinfo/conventions/protocol-status.js';
import { abortReason } from '../abort-reason.js';

/** How long a finish may wait for the call's Resource Timing entry (browsers, Detailed only). */
const RESOURCE_TIMING_GRACE_MS = 100;

/** What one traced fetch is made from, once its tracers started. */
export interface FetchCallInit {
  /** The context the tracers returned; `finish` gets this one. */
  ctx: Context;
  ri: RPCInfo;
  controller: TraceController;
  /** The traced fetch's `idleTimeoutMs`; `0` for no limit. */
  idleTimeoutMs: number;
  /** The call's abort signal: an abort while the body is pending finishes the call. */
  signal: AbortSignal | undefined;
  /** The request body's size when known up front; recorded when it is handed to fetch. */
  knownSendSize: number | undefined;
}

// Each traced fetch by its RPCInfo, once a runtime reports its requests (see trackFetchWire);
// never created in browsers, so a call pays nothing for it there.
let wireCalls: WeakMap<RPCInfo, FetchCall> | undefined;

/**
 * From now on, every traced fetch can be found by its RPCInfo (in the call's context), for code
 * that sees the runtime's own requests and reports their end to `FetchCall.ended`.
 */
export function trackFetchWire(): WeakMap<RPCInfo, FetchCall> {
  return (wireCalls ??= new WeakMap());
}

// What a runtime entry installs to watch its own requests (Node: undici's diagnostics channels),
// run when the first traced fetch is made: a process that traces no fetch pays nothing for it.
let pendingWire: (() => void) | undefined;
let fetchTraced = false;

/** Has `install` run once, when the first traced fetch is made (at once if one already was). */
export function installFetchWireOnFirstUse(install: () => void): void {
  if (fetchTraced) install();
  else pendingWire = install;
}

/** A traced fetch is being made: the runtime's watch, if there is one, starts now. */
export function startFetchWire(): void {
  if (fetchTraced) return;
  fetchTraced = true;
  pendingWire?.();
  pendingWire = undefined;
}

function onIdleTimer(call: FetchCall): void {
  call.checkIdle();
}

function onUnreadProtocolBody(call: FetchCall): void {
  call.finishIfUnread();
}

/**
 * The state of one traced fetch after its tracers started: records the phases, counts the
 * response body, and finishes the RPC exactly once — at the first of the response's last byte
 * (where the runtime reports it: see `ended`), body end, body error or cancel, no body, a
 * rejected fetch, an abort, or the idle limit. It is the response body's
 * {@link BodyObserver}, and the abort signal's listener (`handleEvent`), so a call allocates no
 * closures for either. Nothing here throws into the caller.
 */
export class FetchCall implements BodyObserver, ResponseEndListener {
  private done = false;
  private reading = false;
  private readStarted = false;
  private claimed = false;
  private lastActivity = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private listening = false;
  /** The response headers reached the caller (`respond` ran). */
  responded = false;
  /** When the response's last byte arrived, as the runtime reported it (see `ended`): the call's end. */
  endTime: number | undefined;
  /** The response's size came from the wire: body reads no longer add to `recvSize`. */
  private recvKnown = false;
  /** Set when the request body is counted as it is sent; WriteFinish then waits for its end. */
  countsRequestBody = false;
  /** What reads the response's protocol status (gRPC-web, Connect, JSON-RPC, tRPC), when it has one. */
  private protocol: ProtocolBodyReader | undefined;
  /** The call's Resource Timing watch (browsers, Base and Detailed), with this call as its listener. */
  timing: ResourceTimingWatch | undefined;

  readonly ctx: Context;
  readonly ri: RPCInfo;
  private readonly init: FetchCallInit;

  constructor(init: FetchCallInit) {
    this.init = init;
    this.ctx = init.ctx;
    this.ri = init.ri;
    wireCalls?.set(init.ri, this);
  }

  /** fetch has taken the request. An in-memory body is written without further input from us. */
  handedOff(): void {
    if (this.countsRequestBody) return;
    if (this.init.knownSendSize !== undefined) this.ri.stats.sendSize = this.init.knownSendSize;
    this.writeFinished();
  }

  /** The request is written: WriteFinish, and the wait for response headers begins. */
  writeFinished(): void {
    const t = now();
    this.ri.stats.record(stats.WriteFinish, 'info', '', t);
    this.ri.stats.record(stats.WaitReadStart, 'info', '', t);
  }

  /** A {@link StreamCounter} for a streamed request body. */
  requestCounter(): StreamCounter {
    this.countsRequestBody = true;
    return {
      onChunk: (bytes) => {
        if (!this.done) this.ri.stats.sendSize += bytes;
      },
      onEnd: () => this.writeFinished(),
      onError: () => {},
      onCancel: () => {},
    };
  }

  /** Response headers arrived: returns `res`, its body counted when it has one. */
  respond(res: Response): Response {
    try {
      const { ri } = this;
      // A server may answer before a streamed upload ends; the write phase then ends here.
      this.writeFinished();
      // The whole response may have arrived before fetch resolved (ended ran first): headers were no later.
      ri.stats.record(stats.WaitReadFinish, 'info', '', this.endTime);
      const status = res.status;
      ri.attributes['http.response.status_code'] = status;
      this.protocol = readProtocolStatus(ri, status, res.headers);
      if (!countResponseBody(res, this)) {
        this.finish();
        return res;
      }
      this.lastActivity = now();
      this.armIdle(this.init.idleTimeoutMs);
      if (this.init.signal !== undefined && !this.done) {
        if (this.init.signal.aborted) this.finish(abortReason(this.init.signal));
        else {
          this.init.signal.addEventListener('abort', this);
          this.listening = true;
        }
      }
      this.responded = true;
      if (this.endTime !== undefined) this.ended(this.endTime);
      return res;
    } catch {
      this.finish();
      return res;
    }
  }

  /** The signal aborted while the body was pending; after its last byte arrived, that is a normal end (tRPC aborts once it has read all). */
  handleEvent(): void {
    this.finish(this.endTime === undefined ? abortReason(this.init.signal!) : undefined);
  }

  /**
   * The response's last byte arrived at `time` (reported by the runtime: on Node, undici's
   * diagnostics channels), with `recvSize` body bytes when the runtime counted them. Once the
   * response is here, the call ends, read or not — unless a read under way is what will tell its
   * size; RPCFinish is recorded at `time` either way.
   */
  ended(time: number, recvSize?: number): void {
    if (this.done) return;
    this.endTime = time;
    if (recvSize !== undefined) {
      this.ri.stats.recvSize = recvSize;
      this.recvKnown = true;
    }
    if (!this.responded) return;
    const s = this.ri.stats;
    s.record(stats.ReadStart, 'info', '', s.getEvent(stats.WaitReadFinish)?.time);
    s.record(stats.ReadFinish, 'info', '', time);
    if (this.protocol !== undefined) {
      // The body carries the protocol's status (gRPC-web trailers, a Connect end-stream, an error
      // object): its read ends the call and sees that status; RPCFinish keeps `time`. An app that
      // has not begun to read by the next task (ky throwing on a status) leaves it unread: end then.
      if (!this.claimed) setTimeout(onUnreadProtocolBody, 0, this);
      return;
    }
    if (this.recvKnown || !this.claimed) this.finish();
  }

  /** The response has arrived whole and nobody began to read it: the call ends without its body's protocol status. */
  finishIfUnread(): void {
    if (!this.claimed) this.finish();
  }

  /**
   * The browser's Resource Timing entry says the response ended: the call ends there unless the
   * app reads the body (its read then ends it, with the bytes read). An entry for a call still
   * waiting for its headers, or with another status, is another call's. The network may have
   * ended before the page took the headers (WaitReadFinish): the end is then that moment, so
   * the events stay in order.
   */
  onResponseEnd(time: number, recvSize: number | undefined, status: number): void {
    if (this.done || this.claimed || !this.responded) return;
    if (status !== 0 && status !== this.ri.attributes['http.response.status_code']) return;
    this.ended(Math.max(time, this.ri.stats.getEvent(stats.WaitReadFinish)?.time ?? 0), recvSize);
  }

  claim(): boolean {
    if (this.claimed) return false;
    return (this.claimed = true);
  }

  onFirstRead(): void {
    this.claimed = true;
    this.readStarted = true;
    this.ri.stats.record(stats.ReadStart);
  }

  onChunk(bytes: number, chunk?: unknown): void {
    if (this.done) return;
    if (!this.recvKnown) this.ri.stats.recvSize += bytes;
    this.protocol?.chunk(chunk);
  }

  onReading(reading: boolean): void {
    this.reading = reading;
    if (!reading) this.lastActivity = now();
  }

  onEnd(): void {
    this.ri.stats.record(stats.ReadFinish);
    this.finish();
  }

  onError(error: unknown): void {
    // An abort after the last byte arrived ends the call normally; the read it broke was not needed.
    this.finish(this.endTime !== undefined && this.init.signal?.aborted ? undefined : error);
  }

  onCancel(): void {
    if (this.endTime !== undefined) return this.finish();
    this.finish(undefined, 'warn', 'the response body was cancelled before its end');
  }

  private armIdle(delay: number): void {
    if (this.init.idleTimeoutMs <= 0 || this.done) return;
    const timer = setTimeout(onIdleTimer, delay, this);
    // Never keep Node alive for a body nobody reads.
    (timer as { unref?: () => void }).unref?.();
    this.idleTimer = timer;
  }

  /** The idle timer fired: finish when no read has been pending for `idleTimeoutMs`. */
  checkIdle(): void {
    this.idleTimer = undefined;
    if (this.done) return;
    // A pending read is a consumer waiting for data (a slow stream), not an abandoned body.
    if (this.reading) return this.armIdle(this.init.idleTimeoutMs);
    const idle = now() - this.lastActivity;
    if (idle < this.init.idleTimeoutMs) return this.armIdle(Math.max(1, Math.ceil(this.init.idleTimeoutMs - idle)));
    const info = this.readStarted
      ? `the response body was not read to its end: no read for ${this.init.idleTimeoutMs} ms`
      : `the response body was not read within ${this.init.idleTimeoutMs} ms`;
    this.finish(undefined, 'warn', info);
  }

  /**
   * Finishes the RPC once: records RPCFinish by the shared rule (`recordFinish`), at the
   * response's last byte when the runtime reported it, else now: `error` for a thrown error, a 4xx
   * or 5xx, or a failure the protocol reported (a gRPC status, a Connect code, a JSON-RPC or tRPC
   * error); `warn` with `info` for a body that was cancelled or left unread. Then runs the
   * tracers' finish (in browsers at Detailed, after the Resource Timing entry or a short bounded grace).
   */
  finish(error?: unknown, status?: EventStatus, info = ''): void {
    if (this.done) return;
    this.done = true;
    try {
      if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
      if (this.listening) this.init.signal!.removeEventListener('abort', this);
      // Recorded now, so a deferred tracer finish (below) does not move the call's end.
      const protocol = this.protocol;
      protocol?.end();
      recordFinish(this.ri, error, status, info || protocol?.message, this.endTime);
    } catch {
      // Bookkeeping failed; the tracers still get their finish.
    }
    const timing = this.timing;
    if (timing === undefined) return this.init.controller.finish(this.ctx, error);
    if (error !== undefined || this.ri.stats.level !== StatsLevel.Detailed) {
      timing.cancel();
      return this.init.controller.finish(this.ctx, error);
    }
    try {
      timing.take(RESOURCE_TIMING_GRACE_MS, (entry) => {
        try {
          applyResourceTiming(this.ri, entry, performance.timeOrigin);
        } catch {
          // An odd entry must not cost the tracers their finish.
        }
        this.init.controller.finish(this.ctx);
      });
    } catch {
      this.init.controller.finish(this.ctx);
    }
  }
}
