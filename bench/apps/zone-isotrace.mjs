// bench/context-zone.mjs page script: isotrace's ZoneContextManager (zone.js loaded first).
import 'zone.js';
import { ZoneContextManager, ROOT_CONTEXT, createContextKey } from '../../dist/browser.mjs';

const mgr = new ZoneContextManager();
const ctx = ROOT_CONTEXT.setValue(createContextKey('bench'), 1);
globalThis.__bench = { mgr, ctx };
