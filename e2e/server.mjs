// @ts-check
// The e2e test server: plain node:http, no framework. It serves
//   /dist/...      -> <repo>/dist/                       (the built bundles)
//   /zone.js/...   -> <repo>/node_modules/zone.js/bundles/ (zone.js for pages that load it themselves)
//   /...           -> <repo>/e2e/pages/                   (the test pages)
// and, before any of those, the dynamic routes (RPC endpoints for later tests).
//
// In-process:   const { url, close, addRoute } = await startServer({ port: 0, routes: [...] });
// Standalone:   node e2e/server.mjs            (PORT=8080 node e2e/server.mjs to pick the port)
//
// Written as plain ESM JavaScript (with JSDoc types) so that any Node runs it without a loader;
// Playwright's TypeScript files import it as they would a .ts module.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const E2E_DIR = fileURLToPath(new URL('.', import.meta.url));
const REPO_ROOT = resolve(E2E_DIR, '..');

/**
 * Static mounts, first match wins. `prefix` is a URL path prefix ending in `/`.
 * @type {readonly { prefix: string, dir: string }[]}
 */
export const STATIC_MOUNTS = Object.freeze([
  { prefix: '/dist/', dir: join(REPO_ROOT, 'dist') },
  { prefix: '/zone.js/', dir: join(REPO_ROOT, 'node_modules', 'zone.js', 'bundles') },
  { prefix: '/', dir: join(E2E_DIR, 'pages') },
]);

/** @type {Record<string, string>} */
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

/**
 * @typedef {import('node:http').IncomingMessage} Req
 * @typedef {import('node:http').ServerResponse} Res
 */

/**
 * A dynamic route. `method` is an HTTP method or `'*'`; `path` an exact pathname (string) or a
 * RegExp tested against the pathname. The handler owns the response (it may be async; a throw
 * becomes a 500).
 * @typedef {object} Route
 * @property {string} method
 * @property {string | RegExp} path
 * @property {(req: Req, res: Res, url: URL) => void | Promise<void>} handler
 */

/**
 * Sends `body` as JSON with `status`.
 * @param {Res} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * Reads the whole request body as a string (for JSON-RPC style endpoints).
 * @param {Req} req
 * @returns {Promise<string>}
 */
export async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Routes: RPC endpoints for the e2e tests go here (or are passed to startServer({ routes }), or
// added at run time with the returned addRoute()). They are matched before the static files.
// ---------------------------------------------------------------------------------------------
/** @type {readonly Route[]} */
export const DEFAULT_ROUTES = Object.freeze([
  {
    method: 'GET',
    path: '/__e2e/health',
    handler: (_req, res) => sendJson(res, 200, { ok: true }),
  },
  {
    // Browsers ask for it unprompted; a 404 would show up as a console error.
    method: 'GET',
    path: '/favicon.ico',
    handler: (_req, res) => {
      res.writeHead(204, { 'cache-control': 'no-store' });
      res.end();
    },
  },
]);

/**
 * @param {Route} route
 * @param {string} method
 * @param {string} pathname
 */
function matches(route, method, pathname) {
  if (route.method !== '*' && route.method.toUpperCase() !== method) return false;
  return typeof route.path === 'string' ? route.path === pathname : route.path.test(pathname);
}

/**
 * Serves a file under one of the static mounts; false when no mount has it.
 * @param {Req} req
 * @param {Res} res
 * @param {string} pathname
 */
async function serveStatic(req, res, pathname, mounts = STATIC_MOUNTS) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  for (const { prefix, dir } of mounts) {
    if (!pathname.startsWith(prefix)) continue;
    let rel = pathname.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = resolve(dir, '.' + sep + rel);
    if (file !== dir && !file.startsWith(dir + sep)) continue; // no escaping the mount (../)
    let info;
    try {
      info = await stat(file);
    } catch {
      continue; // not in this mount: try the next one
    }
    if (!info.isFile()) continue;
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
  return false;
}

/**
 * @typedef {object} StartedServer
 * @property {string} url          Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`.
 * @property {number} port
 * @property {import('node:http').Server} server  The raw server (e.g. to attach a WebSocket server).
 * @property {(route: Route) => () => void} addRoute  Adds a route; returns a function removing it.
 * @property {() => Promise<void>} close
 */

/**
 * Starts the server on `port` (default: `$PORT`, else 0 = any free port) on 127.0.0.1.
 * `mounts` are extra static mounts, tried before the default ones (e.g. the demo's page).
 * @param {{ port?: number, host?: string, routes?: readonly Route[], mounts?: readonly { prefix: string, dir: string }[] }} [options]
 * @returns {Promise<StartedServer>}
 */
export async function startServer(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? Number(process.env.PORT ?? 0);
  /** @type {Route[]} */
  const routes = [...DEFAULT_ROUTES, ...(options.routes ?? [])];
  const mounts = [...(options.mounts ?? []).map(({ prefix, dir }) => ({ prefix, dir: resolve(dir) })), ...STATIC_MOUNTS];

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
      const method = (req.method ?? 'GET').toUpperCase();
      let pathname;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        return sendJson(res, 400, { error: 'bad path' });
      }
      // Later routes win over earlier ones, so a test can override a default.
      for (let i = routes.length - 1; i >= 0; i--) {
        if (matches(routes[i], method, pathname)) return await routes[i].handler(req, res, url);
      }
      if (await serveStatic(req, res, pathname, mounts)) return;
      sendJson(res, 404, { error: 'not found', path: pathname });
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      else res.destroy();
    }
  });
  // Keep-alive sockets from the browser would otherwise hold close() open.
  server.keepAliveTimeout = 1000;

  await new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolveListen(undefined);
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('e2e server: no TCP address');

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    addRoute(route) {
      routes.push(route);
      return () => {
        const i = routes.indexOf(route);
        if (i >= 0) routes.splice(i, 1);
      };
    },
    close() {
      return new Promise((resolveClose, rejectClose) => {
        server.close((error) => (error ? rejectClose(error) : resolveClose()));
        server.closeAllConnections();
      });
    },
  };
}

// Standalone: `node e2e/server.mjs` (port from $PORT, else a free one).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { url, close } = await startServer();
  console.log(`isotrace e2e server on ${url}`);
  console.log(`  ${url}/zone-on-page.html\n  ${url}/zone-bundled.html`);
  const stop = () => close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
