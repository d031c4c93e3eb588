import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from '../../context/context.js';
import { context } from '../../context/context-api.js';
import type { RPCInfo } from '../../rpcinfo/rpcinfo.js';
import { stats } from '../../rpcinfo/stats-event.js';

/** One served HTTP call, as its instrumentation shares it. */
export interface HttpCallState {
  readonly ri: RPCInfo;
  readonly ctx: Context;
  /** Set once the RPC finished: later events and bytes are not the call's any more. */
  done: boolean;
  /** The response emitted `finish`: it was handed to the OS whole. */
  onResponseFinish(): void;
  /** The response emitted `close`. */
  onResponseClose(): void;
  /** `writeHead` was called; `headers` is its last argument (the headers, when it was given them). */
  onWriteHead(headers: unknown): void;
  /** A body chunk counted as sent, for reading the protocol's status. */
  onBodyChunk(chunk: unknown): void;
}

// The wrappers below are shared by every request (a request allocates no closures for them):
// each finds its call and the methods it replaced under these keys of the `req` or `res` it
// was called on. Their `this` types say so: they are only ever installed on an object whose key
// was set in the same step, so no wrapper has to assert it.
const REQUEST = Symbol('isotrace.httpRequest');
const RESPONSE = Symbol('isotrace.httpResponse');

interface RequestHooks {
  readonly call: HttpCallState;
  readonly emit: IncomingMessage['emit'];
}

interface ResponseHooks {
  readonly call: HttpCallState;
  readonly req: IncomingMessage;
  readonly emit: ServerResponse['emit'];
  readonly writeHead: ServerResponse['writeHead'];
  readonly write: ServerResponse['write'];
  readonly end: ServerResponse['end'];
}

type InstrumentedRequest = IncomingMessage & { readonly [REQUEST]: RequestHooks };
type InstrumentedResponse = ServerResponse & { readonly [RESPONSE]: ResponseHooks };

/** What a body-writing method was told the encoding of a string chunk is (or its callback, in that place). */
type EncodingArgument = BufferEncoding | ((error?: Error | null) => void) | undefined;

function callEmit(emit: IncomingMessage['emit'], target: unknown, args: IArguments): boolean {
  return Reflect.apply(emit, target, args);
}

/**
 * Emits an event (`args` are `emit`'s own arguments) with its listeners in the call's context.
 * Entering the context costs an AsyncLocalStorage run: skipped when no listener would see it,
 * or when it is already active.
 */
function emitInCall(target: IncomingMessage | ServerResponse, emit: IncomingMessage['emit'], ctx: Context, args: IArguments): boolean {
  if (target.listenerCount(args[0]) === 0 || context.active() === ctx) return Reflect.apply(emit, target, args);
  return context.with(ctx, callEmit, undefined, emit, target, args);
}

/** The bytes of a body chunk: a string in `encoding` (UTF-8 by default), or a buffer/typed array. */
export function chunkBytes(chunk: unknown, encoding: BufferEncoding | null | undefined): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, encoding ?? 'utf8');
  return ArrayBuffer.isView(chunk) ? chunk.byteLength : 0;
}

function requestEmit(this: InstrumentedRequest, event: string | symbol, chunk?: unknown): boolean {
  const hooks = this[REQUEST];
  const { call } = hooks;
  // After the RPC finished, Node may still drain an unread body (`_dump`): not the handler's read.
  if (!call.done) {
    if (event === 'data') {
      call.ri.stats.record(stats.ReadStart);
      call.ri.stats.recvSize += chunkBytes(chunk, this.readableEncoding);
    } else if (event === 'end') {
      call.ri.stats.record(stats.ReadStart);
      call.ri.stats.record(stats.ReadFinish);
    }
  }
  return emitInCall(this, hooks.emit, call.ctx, arguments);
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
  const hooks: RequestHooks = { call, emit: req.emit };
  Reflect.set(req, REQUEST, hooks);
  req.emit = requestEmit;
}

function startWrite(call: HttpCallState): void {
  if (!call.done) call.ri.stats.record(stats.WriteStart);
}

function countWrite(hooks: ResponseHooks, res: ServerResponse, chunk: unknown, encoding: EncodingArgument): void {
  const { call } = hooks;
  if (call.done || chunk == null || typeof chunk === 'function' || res.writableEnded) return;
  const status = res.statusCode;
  if (hooks.req.method === 'HEAD' || status === 204 || status === 304) return;
  call.ri.stats.sendSize += chunkBytes(chunk, typeof encoding === 'string' ? encoding : undefined);
  call.onBodyChunk(chunk);
}

function responseWriteHead(this: InstrumentedResponse): InstrumentedResponse {
  const hooks = this[RESPONSE];
  startWrite(hooks.call);
  if (!hooks.call.done) hooks.call.onWriteHead(arguments[arguments.length - 1]);
  return Reflect.apply(hooks.writeHead, this, arguments);
}

function responseWrite(this: InstrumentedResponse, chunk: unknown, encoding?: EncodingArgument): boolean {
  const hooks = this[RESPONSE];
  startWrite(hooks.call);
  countWrite(hooks, this, chunk, encoding);
  return Reflect.apply(hooks.write, this, arguments);
}

function responseEnd(this: InstrumentedResponse, chunk?: unknown, encoding?: EncodingArgument): InstrumentedResponse {
  const hooks = this[RESPONSE];
  startWrite(hooks.call);
  countWrite(hooks, this, chunk, encoding);
  return Reflect.apply(hooks.end, this, arguments);
}

function responseEmit(this: InstrumentedResponse, event: string | symbol): boolean {
  const hooks = this[RESPONSE];
  if (event === 'finish') hooks.call.onResponseFinish();
  else if (event === 'close') hooks.call.onResponseClose();
  return emitInCall(this, hooks.emit, hooks.call.ctx, arguments);
}

/**
 * Instruments `res`: WriteStart at the first `writeHead`, `write` or `end`, and `sendSize` from
 * the chunks passed to `write`/`end` in their encoding (Node's `end` does not go through `write`,
 * so nothing is counted twice). Bytes Node discards are not counted: writes after `end`, and
 * bodies of HEAD, 204 and 304 responses. Listeners of `res` run in the call's context, as for
 * `req`; the call's `onResponseFinish` and `onResponseClose` are called from the same `emit`
 * wrapper, before the listeners, which spares two listener registrations per request.
 */
export function instrumentResponse(req: IncomingMessage, res: ServerResponse, call: HttpCallState): void {
  const hooks: ResponseHooks = {
    call,
    req,
    emit: res.emit,
    writeHead: res.writeHead,
    write: res.write,
    end: res.end,
  };
  Reflect.set(res, RESPONSE, hooks);
  res.writeHead = responseWriteHead;
  res.write = responseWrite;
  res.end = responseEnd;
  res.emit = responseEmit;
}
