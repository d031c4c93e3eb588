// The browser entry (and the script-tag bundle): the core, plus the zone.js manager, installed
// on load when zone.js is on the page. Without zone.js the stack manager stays: pass `ctx`.
import { setContextManager } from './context/context-api.js';
import { ZoneContextManager } from './context/zone-context-manager.js';

export * from './index.js';
export { ZoneContextManager };

if (typeof (globalThis as { Zone?: unknown }).Zone !== 'undefined') setContextManager(new ZoneContextManager());
