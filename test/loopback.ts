// Loopback servers on 127.0.0.1, port 0, for every test folder: start one (node:http or `ws`),
// and stop it with its idle keep-alive sockets or open WebSockets.
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';

/** Listens on 127.0.0.1, port 0 (with room for `backlog` pending connections); resolves with the base URL. */
export async function listen(server: Server, backlog = 511): Promise<string> {
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog }, resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A `node:http` server for `listener` on loopback, and a way to stop it (idle keep-alive sockets too). */
export async function serve(listener: RequestListener, options: { backlog?: number } = {}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(listener);
  const url = await listen(server, options.backlog);
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A `ws` `WebSocketServer` on loopback, and a way to stop it (terminating its open sockets). */
export async function wsServer(options: ServerOptions = {}): Promise<{ wss: WebSocketServer; url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  await once(wss, 'listening');
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  return {
    wss,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** A `ws` client socket to `url`, once open. */
export async function openWs(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await once(ws, 'open');
  return ws;
}
