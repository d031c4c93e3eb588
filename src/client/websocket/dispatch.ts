import type { RpcCall } from './call.js';
import type { RpcIncomingMessage, WebSocketRpcCodec } from './codec.js';
import { RpcProtocolError } from '../../rpcinfo/errors.js';
import { readCall } from './frames.js';
import type { WebSocketRpcClientOptions } from './options.js';
import { readFrame } from './socket.js';

/** What routing an incoming frame needs from its client. */
export interface FrameRoutes {
  readonly codec: WebSocketRpcCodec;
  /** Every unsettled call with an id. */
  readonly calls: ReadonlyMap<number | string, RpcCall>;
  /** Ids of calls that timed out or were aborted after they were sent: their late responses are expected. */
  readonly abandoned: Set<number | string>;
  /** Tells of a dropped frame; never throws. */
  report(error: RpcProtocolError, frame: unknown): void;
}

/**
 * The client's protocol-error reporter: the `onProtocolError` hook, guarded (a throwing hook
 * must not break the message loop), or one `console.warn` per client.
 */
export function protocolErrorReporter(options: WebSocketRpcClientOptions): FrameRoutes['report'] {
  let warned = false;
  const onProtocolError =
    options.onProtocolError ??
    (({ error }) => {
      if (warned) return;
      warned = true;
      console.warn(`${error.message} (further dropped frames of this client are not logged; pass onProtocolError to see them)`);
    });
  return (error, frame) => {
    try {
      onProtocolError({ error, frame });
    } catch {
      // A throwing hook must not break the message loop.
    }
  };
}

/** Hands a pushed notification to the app's `onNotification`. */
function notifyApp(options: WebSocketRpcClientOptions, method: string, params: unknown): void {
  try {
    options.onNotification?.({ method, params });
  } catch (error) {
    // The app's own error: surface it as any throwing listener would, outside the message loop.
    queueMicrotask(() => {
      throw error;
    });
  }
}

/**
 * Decodes one incoming frame (`data`, which `arrived` at that time) and routes it: a response or
 * error to the call waiting for its id, a notification or event to the app, a batch member by
 * member; what cannot be routed is reported.
 */
export function routeFrame(routes: FrameRoutes, options: WebSocketRpcClientOptions, data: unknown, arrived: number): void {
  const frame = readFrame(data);
  if (frame === undefined) return routes.report(new RpcProtocolError('a frame of a type the client cannot read (a Blob: keep binaryType "arraybuffer")'), data);
  route(routes, options, frame, data, arrived, false);
}

/** Routes one `frame` (the whole `data`, or one member of a batch in it). */
function route(routes: FrameRoutes, options: WebSocketRpcClientOptions, frame: string | Uint8Array, data: unknown, arrived: number, inBatch: boolean): void {
  const { codec, calls, report } = routes;
  let message: RpcIncomingMessage;
  try {
    message = codec.decode(frame);
  } catch (cause) {
    return report(new RpcProtocolError(`the ${codec.name} codec threw decoding a frame`, { cause }), data);
  }
  switch (message?.kind) {
    case 'response':
    case 'error': {
      const { id } = message;
      if (id === null) {
        const detail = message.kind === 'error' ? `: [${message.error.code}] ${message.error.message}` : '';
        return report(new RpcProtocolError(`an error response with id null (the server could not read a request)${detail}`), data);
      }
      const call = calls.get(id);
      if (call?.sent) return readCall(call, message, frame, arrived);
      if (routes.abandoned.delete(id)) return;
      return report(new RpcProtocolError(`a response to id ${JSON.stringify(id)}, which no call is waiting for`), data);
    }
    case 'invalid': {
      const error = new RpcProtocolError(String(message.reason));
      report(error, data);
      const call = message.id === undefined ? undefined : calls.get(message.id);
      // The frame still names a waiting call: fail it now rather than leave it to a timeout.
      if (call?.sent) readCall(call, message, frame, arrived, error);
      return;
    }
    case 'notification':
      return notifyApp(options, message.method, message.params);
    case 'batch':
      // One level only, as JSON-RPC defines it: a nested batch is not routed member by member.
      if (inBatch) return report(new RpcProtocolError('a batch inside a batch'), data);
      for (const member of message.frames) route(routes, options, member, data, arrived, true);
      return;
    case 'ignore':
      return;
    default:
      return report(new RpcProtocolError(`the ${codec.name} codec returned no known kind`), data);
  }
}
