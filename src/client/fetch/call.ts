import type { Context } from '../../context/context.js';
import { now, type EventStatus } from '../../rpcinfo/rpc-stats.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';
import type { TraceController } from '../../tracer/trace-controller.js';
import { applyResourceTiming, type ResourceTimingWatch } from './resource-timing.js';
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
  /** The Resource Timing watch, in browsers at Detailed. */
  timing: ResourceTimingWatch | undefined;
  /** The request body's size when known up front; recorded when it is handed to fetch. */
  knownSendSize: number | undefined;
}

function onIdleTimer(call: FetchCall): void {
  call.checkIdle();
}

/**
 * The state of one traced fetch after its tracers started: records the phases, counts the
 * response body, and finishes the RPC exactly once — at the first of body end, body error or
 * cancel, no body, a rejected fetch, an abort, or the idle limit. It is the response body's
 * {@link BodyObserver}, and the abort signal's listener (`handleEvent`), so a call allocates no
 * closures for either. Nothing here throws into the caller.
 */
export class FetchCall implements BodyObserver {
  private done = false;
  private reading = false;
  private readStarted = false;
  private claimed = false;
  private lastActivity = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private listening = false;
  /** Set when the request body is counted as it is sent; WriteFinish then waits for its end. */
  countsRequestBody = false;
  /** What reads the response's protocol status (gRPC-web, Connect, JSON-RPC, tRPC), when it has one. */
  private protocol: ProtocolBodyReader | undefined;

  readonly ctx: Context;
  readonly ri: RPCInfo;
  private readonly init: FetchCallInit;

  constructor(init: FetchCallInit) {
    this.init = init;
    this.ctx = init.ctx;
    this.ri = init.ri;
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
      ri.stats.record(stats.WaitReadFinish);
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
      return res;
    } catch {
      this.finish();
      return res;
    }
  }

  /** The signal aborted while the body was pending. */
  handleEvent(): void {
    if (this.init.signal !== undefined) this.finish(abortReason(this.init.signal));
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
    this.ri.stats.recvSize += bytes;
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
    this.finish(error);
  }

  onCancel(): void {
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
   * Finishes the RPC once: records RPCFinish by the shared rule (`recordFinish`) — `error` for a
   * thrown error, a 4xx or 5xx, or a failure the protocol reported (a gRPC status, a Connect code,
   * a JSON-RPC or tRPC error); `warn` with `info` for a body that was cancelled or left unread — then runs the tracers' finish (in
   * browsers at Detailed, after the Resource Timing entry or a short bounded grace).
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
      recordFinish(this.ri, error, status, info || protocol?.message);
    } catch {
      // Bookkeeping failed; the tracers still get their finish.
    }
    const timing = this.init.timing;
    if (timing === undefined) return this.init.controller.finish(this.ctx, error);
    if (error !== undefined) {
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
