// Loopback servers on 127.0.0.1, port 0, for every test folder: start one, and stop it with its
// idle keep-alive sockets.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
