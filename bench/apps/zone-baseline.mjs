// bench/context-zone.mjs page script: zone.js loaded, no context manager (fn called directly).
import 'zone.js';

const ctx = {};
const mgr = { with: (_ctx, fn) => fn(), active: () => ctx };
globalThis.__bench = { mgr, ctx };
