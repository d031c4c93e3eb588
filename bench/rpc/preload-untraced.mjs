// `node --import bench/rpc/preload-untraced.mjs bench/rpc/child.mjs`: no tracing at all.
globalThis.__bench = {
  mode: 'untraced',
  wrapHandler: (handler) => handler,
  fetch: globalThis.fetch,
  flush: async () => {},
  counts: () => ({}),
};
