import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from '../context/context.js';
import { context } from '../context/context-api.js';
import type { RPCInfo } from '../rpcinfo/rpcinfo.js';
import { stats } from '../rpcinfo/stats-event.js';

/** One served HTTP call, as its instrumentation shares it. */
export interface HttpCallState {
  readonly ri: RPCInfo;
  readonly ctx: Context;
  /** Set once the RPC finished: later events and bytes are not the call's any more. */
  done: boolean;
}

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

/**
 * Emits `event` with its listeners in the call's context. Entering the context costs an
 * AsyncLocalStorage run: skipped when no listener would see it, or when it is already active.
 */
function emitInCall(target: IncomingMessage | ServerResponse, emit: Emit, ctx: Context, event: string | symbol, args: unknown[]): boolean {
  if (target.listenerCount(event) === 0 || context.active() === ctx) return emit.call(target, event, ...args);
  return context.with(ctx, emit, target, event, ...args);
}

/** The bytes of a body chunk: a string in `encoding` (UTF-8 by default), or a buffer/typed array. */
export function chunkBytes(chunk: unknown, encoding: string | null | undefined): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, (encoding ?? 'utf8') as BufferEncoding);
  return ArrayBuffer.isView(chunk) ? chunk.byteLength : 0;
}

/**
 * Instruments `req` by wrapping its `emit`, and nothing else, so the handler's way of reading is
 * untouched. Listening for `data` ourselves would switch the stream to flowing mode and hand the
 * body to nobody before a handler that reads later (`for await`, `read()`) gets to it; but every
 * way of consuming a Readable (`data` listeners, `pipe`, `read()`, async iteration) delivers each
 * chunk through `emit('data')`, and the end through `emit('end')`. So the count is exactly what
 * the handler consumed, when it consumed it. With `setEncoding`, chunks are strings and are
 * counted back into bytes in that encoding.
 *
 * The wrapper also runs every listener of `req` in the call's context: Node emits request events
 * from the socket's context, where a listener added by the handler would lose its RPCInfo.
 */
export function instrumentRequest(req: IncomingMessage, call: HttpCallState): void {
  const emit = req.emit as Emit;
  const { ri, ctx } = call;
  req.emit = function (this: IncomingMessage, event: string | symbol, ...args: unknown[]): boolean {
    // After the RPC finished, Node may still drain an unread body (`_dump`): not the handler's read.
    if (!call.done) {
      if (event === 'data') {
        ri.stats.record(stats.ReadStart);
        ri.stats.recvSize += chunkBytes(args[0], this.readableEncoding);
      } else if (event === 'end') {
        ri.stats.record(stats.ReadStart);
        ri.stats.record(stats.ReadFinish);
      }
    }
    return emitInCall(this, emit, ctx, event, args);
  } as IncomingMessage['emit'];
}

/**
 * Instruments `res`: WriteStart at the first `writeHead`, `write` or `end`, and `sendSize` from
 * the chunks passed to `write`/`end` in their encoding (Node's `end` does not go through `write`,
 * so nothing is counted twice). Bytes Node discards are not counted: writes after `end`, and
 * bodies of HEAD, 204 and 304 responses. Listeners of `res` run in the call's context, as for
 * `req`; `onFinish` and `onClose` are called from the same `emit` wrapper, before the listeners,
 * which spares two listener registrations per request.
 */
export function instrumentResponse(req: IncomingMessage, res: ServerResponse, call: HttpCallState, onFinish: () => void, onClose: () => void): void {
  const { ri, ctx } = call;
  const { writeHead, write, end } = res;
  const emit = res.emit as Emit;
  const startWrite = (): void => {
    if (!call.done) ri.stats.record(stats.WriteStart);
  };
  const count = (chunk: unknown, encoding: unknown): void => {
    if (call.done || chunk == null || typeof chunk === 'function' || res.writableEnded) return;
    const status = res.statusCode;
    if (req.method === 'HEAD' || status === 204 || status === 304) return;
    ri.stats.sendSize += chunkBytes(chunk, typeof encoding === 'string' ? encoding : undefined);
  };
  res.writeHead = function (this: ServerResponse) {
    startWrite();
    return writeHead.apply(this, arguments as never);
  } as ServerResponse['writeHead'];
  res.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown) {
    startWrite();
    count(chunk, encoding);
    return write.apply(this, arguments as never);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown) {
    startWrite();
    count(chunk, encoding);
    return end.apply(this, arguments as never);
  } as ServerResponse['end'];
  res.emit = function (this: ServerResponse, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'finish') onFinish();
    else if (event === 'close') onClose();
    return emitInCall(this, emit, ctx, event, args);
  } as ServerResponse['emit'];
}
