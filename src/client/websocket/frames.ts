import { stats } from '../../rpcinfo/stats-event.js';
import { StatsLevel } from '../../rpcinfo/stats-level.js';
import type { RpcCall } from './call.js';
import type { RpcIncomingMessage, WebSocketRpcCodec } from './codec.js';
import { RpcRemoteError } from '../../rpcinfo/errors.js';
import { frameSize, type WebSocketLike } from './socket.js';

/**
 * Writes `call`'s frame: WriteStart, encode, `send`, WriteFinish, then WaitReadStart (a call) or
 * done (a notification). What encode or send throws rejects the call unchanged.
 */
export function writeCall(socket: WebSocketLike, codec: WebSocketRpcCodec, call: RpcCall): void {
  const { ri } = call;
  ri.stats.record(stats.WriteStart);
  let frame: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>;
  try {
    frame = codec.encode(call.message);
    socket.send(frame);
  } catch (error) {
    call.reject(error);
    return;
  }
  call.sent = true;
  ri.stats.record(stats.WriteFinish);
  // Counting UTF-8 bytes costs a pass over the frame: skip it when nothing records.
  if (ri.stats.level > StatsLevel.Disabled) ri.stats.sendSize = frameSize(frame);
  if (call.message.id === undefined) call.resolve(undefined);
  else ri.stats.record(stats.WaitReadStart);
}

/** A decoded frame that names a call: a response, an error, or an invalid frame with the call's id. */
export type CallFrame = Extract<RpcIncomingMessage, { kind: 'response' | 'error' | 'invalid' }>;

/**
 * Settles `call` from the frame that answered it. The wait ended when the frame `arrived` (before
 * decoding), and reading it is the decode: WaitReadFinish and ReadStart at `arrived`, ReadFinish now.
 */
export function readCall(call: RpcCall, message: CallFrame, frame: string | Uint8Array, arrived: number, invalid?: Error): void {
  const s = call.ri.stats;
  s.record(stats.WaitReadFinish, 'info', '', arrived);
  s.record(stats.ReadStart, 'info', '', arrived);
  s.record(stats.ReadFinish);
  if (s.level > StatsLevel.Disabled) s.recvSize = frameSize(frame);
  if (message.kind === 'response') call.resolve(message.result);
  else if (message.kind === 'error') call.reject(new RpcRemoteError(call.message.method, message.error));
  else call.reject(invalid);
}
