import { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Context } from '../../context/context.js';
import { now } from '../../rpcinfo/rpc-stats.js';
import { stats } from '../../rpcinfo/stats-event.js';
import { reportHandlerError } from '../errors.js';
import { describeError } from '../../rpcinfo/conventions/error-description.js';
import { isJsonRpcError, RequestAbortedError } from '../../rpcinfo/errors.js';
import { JSON_RPC_MEMBERS, JsonRpcErrorCode } from '../../rpcinfo/jsonrpc.js';
import { addServerAttributes } from '../http-attributes.js';
import { errorFrame, parseJsonRpcRequest, standardError, type JsonRpcRequest } from './jsonrpc.js';
import { createServerSetup, formatAddress, type ServerTraceOptions } from '../rpcinfo.js';
import { invokeWebSocketCall, startWebSocketCall, type ConnectionFacts, type FrameTimes, type JsonRpcMethods, type WebSocketCall } from './call.js';

// `any` arguments, so that ws's own overloaded `on`/`off` signatures are assignable to these.
type Listener = (...args: any[]) => void;

/** The part of a `ws` WebSocket this server uses; structural, so `ws` stays an optional peer. */
export interface ServerWebSocketLike {
  send(data: string, cb?: (error?: Error) => void): void;
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
}

/** The part of a `ws` `WebSocketServer` this server uses. */
export interface WebSocketServerLike {
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
}

/** What `onHandlerError` is told when a method throws (or returns what JSON cannot carry). */
export interface WebSocketRpcErrorEvent {
  /** What the method threw, unchanged. */
  error: unknown;
  request: JsonRpcRequest;
  ws: ServerWebSocketLike;
  /** The call's context; the hook also runs in it. */
  ctx: Context;
}

/** Options of {@link traceWebSocketRpcServer}. */
export interface TraceWebSocketRpcServerOptions extends ServerTraceOptions {
  /**
   * The request member holding trace headers and the caller's name; default `meta`, as the client
   * sends. A request without it may carry them in `params._meta`, as the Model Context Protocol does.
   */
  metaMember?: string;
  /** Called for every error a method throws. Default: `console.error`, except for a {@link JsonRpcError}, which is an answer. */
  onHandlerError?: (event: WebSocketRpcErrorEvent) => void;
  /** Called when `ws` reports a connection error (e.g. a frame over `maxPayload`); `ws` then closes that connection. Default: ignored. */
  onConnectionError?: (event: { error: unknown; ws: ServerWebSocketLike }) => void;
}

/** A running {@link traceWebSocketRpcServer}. */
export interface WebSocketRpcServer {
  /** Detaches every listener it added to the server and its connections; closes nothing. */
  close(): void;
}

interface Connection extends ConnectionFacts {
  readonly ws: ServerWebSocketLike;
  /** Calls started and not yet finished: a close finishes them, so none is left open. */
  readonly calls: Set<WebSocketCall>;
  readonly listeners: ReadonlyArray<readonly [string, Listener]>;
}

/** A response to send, and the call it answers (none for an invalid request). */
interface Outcome {
  text: string;
  call?: WebSocketCall;
}

/** The bytes of a `ws` message, whatever `binaryType` the socket uses. */
function frameBytes(data: unknown): Buffer | undefined {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (typeof data === 'string') return Buffer.from(data);
  return undefined;
}

/** The serialised size of one batch member: the frame is shared, so each call gets its own part. */
function memberBytes(message: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(message));
  } catch {
    // Nesting deep enough to overflow `stringify`: the size is unknown, the call still runs.
    return 0;
  }
}

/**
 * Serves JSON-RPC 2.0 over a `ws` `WebSocketServer`, each request a traced server RPC in its own
 * context, with the caller's trace headers and name read from the request's `meta` member, or,
 * from a third-party client, `params._meta` (`traceparent`, `tracestate`, `baggage`).
 * Notifications get no response; a batch gets one array (none when it held only notifications).
 * Errors become JSON-RPC error objects: -32700 for a frame that is not JSON, -32600 for an
 * invalid request, -32601 for an unknown method, the code of a thrown {@link JsonRpcError}
 * (e.g. -32602), and -32603 for anything else, without its message. A bad frame never closes
 * the connection, and one connection's failure never touches another. Set the server's
 * `maxPayload` to bound frame sizes.
 *
 * @example
 * const wss = new WebSocketServer({ port: 8080, maxPayload: 1 << 20 });
 * traceWebSocketRpcServer(wss, { add: ([a, b]) => a + b }, { service: 'calc', tracers: [spanTracer] });
 */
export function traceWebSocketRpcServer(wss: WebSocketServerLike, methods: JsonRpcMethods, options: TraceWebSocketRpcServerOptions = {}): WebSocketRpcServer {
  if (typeof wss?.on !== 'function' || typeof wss.off !== 'function') throw new TypeError('isotrace: traceWebSocketRpcServer needs a ws WebSocketServer');
  if (typeof methods !== 'object' || methods === null) throw new TypeError('isotrace: traceWebSocketRpcServer needs an object of methods');
  const metaMember = options.metaMember ?? 'meta';
  if (typeof metaMember !== 'string' || metaMember === '' || JSON_RPC_MEMBERS.has(metaMember)) {
    throw new TypeError(`isotrace: metaMember must be a non-empty string other than a JSON-RPC member name, got ${String(metaMember)}`);
  }
  const setup = createServerSetup(options);
  const connections = new Set<Connection>();

  const end = (connection: Connection, call: WebSocketCall, error?: unknown): void => {
    if (call.done) return;
    call.done = true;
    connection.calls.delete(call);
    if (error !== undefined && call.ri.attributes['error.type'] === undefined) call.ri.attributes['error.type'] = describeError(error).type;
    setup.controller.finish(call.ctx, error);
  };

  const onMethodError = (connection: Connection, call: WebSocketCall, error: unknown): void => {
    if (options.onHandlerError === undefined && isJsonRpcError(error)) return;
    reportHandlerError(options.onHandlerError, { error, request: call.request, ws: connection.ws, ctx: call.ctx });
  };

  const handle = async (connection: Connection, message: unknown, frame: FrameTimes, size: number | undefined): Promise<Outcome | undefined> => {
    const parsed = parseJsonRpcRequest(message, metaMember);
    if (!parsed.ok) return { text: errorFrame(parsed.id, standardError(JsonRpcErrorCode.InvalidRequest)) };
    const call = startWebSocketCall(setup, connection, parsed.request, frame, size ?? memberBytes(message));
    connection.calls.add(call);
    const text = await invokeWebSocketCall(call, methods, (c, error) => onMethodError(connection, c, error));
    if (text !== undefined) return { text, call };
    end(connection, call); // a notification is done once its method is
    return undefined;
  };

  const send = (connection: Connection, outcomes: ReadonlyArray<Outcome | undefined>, batch: boolean): void => {
    const sent = outcomes.filter((o): o is Outcome => o !== undefined);
    if (sent.length === 0) return;
    const frame = batch ? `[${sent.map((o) => o.text).join(',')}]` : sent[0].text;
    for (const { text, call } of sent) {
      if (call === undefined || call.done) continue;
      call.ri.stats.record(stats.WriteStart);
      call.ri.stats.sendSize += Buffer.byteLength(text);
    }
    // ws calls back with `null` on success: only an actual error fails the calls.
    const written = (error?: Error | null): void => {
      const failure = error
        ? new RequestAbortedError(`isotrace: request aborted: the response could not be sent (${error.message})`, { cause: error })
        : undefined;
      for (const { call } of sent) {
        if (call === undefined) continue;
        if (!failure && !call.done) call.ri.stats.record(stats.WriteFinish);
        end(connection, call, failure);
      }
    };
    try {
      connection.ws.send(frame, written);
    } catch (error) {
      written(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const onMessage = (connection: Connection, data: unknown): void => {
    const receivedAt = now();
    const bytes = frameBytes(data);
    let message: unknown;
    try {
      message = JSON.parse(bytes === undefined ? '' : bytes.toString('utf8'));
    } catch {
      send(connection, [{ text: errorFrame(null, standardError(JsonRpcErrorCode.ParseError)) }], false);
      return;
    }
    const frame: FrameTimes = { receivedAt, parsedAt: now() };
    if (!Array.isArray(message)) {
      void handle(connection, message, frame, bytes!.byteLength).then((outcome) => send(connection, [outcome], false));
    } else if (message.length === 0) {
      send(connection, [{ text: errorFrame(null, standardError(JsonRpcErrorCode.InvalidRequest)) }], false);
    } else {
      void Promise.all(message.map((m) => handle(connection, m, frame, undefined))).then((outcomes) => send(connection, outcomes, true));
    }
  };

  const onConnection = (ws: ServerWebSocketLike, req: IncomingMessage | undefined): void => {
    const socket = req?.socket;
    const host = req?.headers.host;
    const listeners: Array<readonly [string, Listener]> = [
      ['message', (data: unknown) => onMessage(connection, data)],
      [
        'error',
        (error: unknown) => {
          // Without a listener, ws's 'error' (a frame over maxPayload, bad UTF-8) would crash the process.
          if (options.onConnectionError === undefined) return;
          try {
            options.onConnectionError({ error, ws });
          } catch (thrown) {
            console.error('isotrace: onConnectionError threw', thrown);
          }
        },
      ],
      [
        'close',
        (code: number) => {
          connections.delete(connection);
          for (const call of [...connection.calls]) {
            end(connection, call, new RequestAbortedError(`isotrace: request aborted: the WebSocket closed (code ${code}) before the response was sent`));
          }
        },
      ],
    ];
    const connection: Connection = {
      ws,
      calls: new Set(),
      clientAddress: formatAddress(socket?.remoteAddress, socket?.remotePort),
      serverAddress: host ?? formatAddress(socket?.localAddress, socket?.localPort),
      addAttributes(attributes) {
        if (socket?.remoteAddress) attributes['client.address'] = socket.remoteAddress;
        addServerAttributes(attributes, host, socket?.localPort);
      },
      listeners,
    };
    connections.add(connection);
    for (const [event, listener] of listeners) ws.on(event, listener);
  };

  wss.on('connection', onConnection);
  return {
    close() {
      wss.off('connection', onConnection);
      for (const connection of connections) {
        for (const [event, listener] of connection.listeners) connection.ws.off(event, listener);
      }
      connections.clear();
    },
  };
}
