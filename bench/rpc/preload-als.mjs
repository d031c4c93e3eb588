// `node --import bench/rpc/preload-als.mjs bench/rpc/child.mjs`: no tracing, but each call enters
// one AsyncLocalStorage on each side (client: around fetch; server: around the handler), as any
// context-propagating tracer must. On Node 20 the first `run` turns on promise hooks for the
// whole process, so this is the floor under isotrace's and OpenTelemetry's overhead alike.
import { AsyncLocalStorage } from 'node:async_hooks';

const als = new AsyncLocalStorage();
let n = 0;
globalThis.__bench = {
  mode: 'als-only',
  wrapHandler: (handler) =>
    function (req, res) {
      return als.run({ n: n++ }, handler, req, res);
    },
  fetch: (url, init) => als.run({ n: n++ }, fetch, url, init),
  flush: async () => {},
  counts: () => ({}),
};
