import { urlHost, urlPort } from '../../rpcinfo/conventions/address.js';
import { utf8Length } from '../../rpcinfo/sizes/utf8-length.js';

// One shape for the browser WebSocket, Node's global WebSocket (Node >= 22) and the `ws` package:
// all three speak the browser API (addEventListener, send, readyState, close), so the client has
// a single code path and never imports `ws` itself (this folder runs in browsers).

/** The part of the browser WebSocket API the RPC client uses; `ws` sockets have it too. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed (the same numbers everywhere). */
  readonly readyState: number;
  readonly url?: string;
  /** Set to `arraybuffer` when it is `blob`, since a Blob cannot be read synchronously. */
  binaryType?: string;
  // ArrayBufferView<ArrayBuffer>: the DOM type takes no views of a SharedArrayBuffer.
  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  // `any`: each implementation types its events differently; the client reads them defensively.
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
  removeEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
}

/** A WebSocket class: the browser's, Node's global one, or `WebSocket` from `ws`. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** `readyState` values. */
export const ReadyState = { Connecting: 0, Open: 1, Closing: 2, Closed: 3 } as const;

/** What the client needs to open a socket itself. */
export interface OpenSocketOptions {
  WebSocket?: WebSocketConstructor;
  protocols?: string | string[];
}

/** The socket for `target`: `target` itself, or a new one from `options.WebSocket ?? globalThis.WebSocket`. */
export function openSocket(target: string | URL | WebSocketLike, options: OpenSocketOptions): WebSocketLike {
  let socket: WebSocketLike;
  if (typeof target === 'string' || target instanceof URL) {
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof Ctor !== 'function') {
      throw new TypeError(
        'isotrace: no WebSocket class: this runtime has no global WebSocket (Node before 22). ' +
          "Pass one: createWebSocketRpcClient(url, { WebSocket }) with `import { WebSocket } from 'ws'`, or pass a socket.",
      );
    }
    socket = new Ctor(String(target), options.protocols);
  } else if (typeof target?.send === 'function' && typeof target.addEventListener === 'function') {
    socket = target;
  } else {
    throw new TypeError('isotrace: createWebSocketRpcClient needs a URL or a WebSocket (browser, Node or `ws`)');
  }
  if (socket.binaryType === 'blob') socket.binaryType = 'arraybuffer';
  return socket;
}

/** A received `event.data` as the codec takes it, or `undefined` for a type the client cannot read (a Blob). */
export function readFrame(data: unknown): string | Uint8Array | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  // A Node Buffer is a Uint8Array: viewed, not copied.
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // `ws` with binaryType 'fragments' hands over the frame's pieces.
  if (Array.isArray(data) && data.every((d) => ArrayBuffer.isView(d))) {
    const parts = data as ArrayBufferView[];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
      at += p.byteLength;
    }
    return out;
  }
  return undefined;
}

/** A frame's payload size in bytes: UTF-8 length of text, `byteLength` of binary. */
export function frameSize(frame: string | ArrayBuffer | ArrayBufferView): number {
  return typeof frame === 'string' ? utf8Length(frame) : frame.byteLength;
}

/** Where a socket points, for `ri.to.address` and the `server.*` attributes. */
export interface SocketEndpoint {
  /** `ws[s]://host[:port]/path`: no credentials, query or fragment, which often hold tokens. */
  address: string;
  /** `host[:port]`. */
  host: string;
  /** The host alone; an IPv6 address without brackets. */
  hostname: string;
  /** The port, explicit or the scheme's default; undefined when unknown. */
  port?: number;
}

/** Parses `url` (relative URLs against the page's), or an empty endpoint when it is missing or bad. */
export function describeEndpoint(url: string | undefined): SocketEndpoint {
  if (!url) return { address: '', host: '', hostname: '' };
  try {
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    const u = new URL(String(url), base);
    return { address: `${u.protocol}//${u.host}${u.pathname}`, host: u.host, hostname: urlHost(u), port: urlPort(u) };
  } catch {
    return { address: '', host: '', hostname: '' };
  }
}
