// A minimal node:http → fetch-handler adapter for the tests, doing what @hono/node-server does:
// a Request with the body as a stream and a signal that aborts when the client goes away, and
// the Response body written with backpressure and cancelled when the client goes away.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

export interface AdapterEnv {
  remoteAddress: string | undefined;
}

export function nodeAdapter(handler: (request: Request, env: AdapterEnv) => Promise<Response> | Response): RequestListener {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const ac = new AbortController();
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    res.on('close', () => {
      if (res.writableFinished) return;
      ac.abort(new Error('client closed the connection'));
      reader?.cancel(new Error('client closed the connection')).catch(() => {});
    });
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
      signal: ac.signal,
      duplex: 'half',
    } as RequestInit);
    const response = await handler(request, { remoteAddress: req.socket.remoteAddress });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body === null || req.method === 'HEAD') {
      res.end();
      return;
    }
    reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!res.write(value))
          await new Promise((resolve) => {
            res.once('drain', resolve);
            res.once('close', resolve);
          });
      }
      res.end();
    } catch {
      res.destroy();
    }
  };
}
