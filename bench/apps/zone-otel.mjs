// bench/context-zone.mjs page script: OpenTelemetry's ZoneContextManager (it imports zone.js).
import { ZoneContextManager } from '@opentelemetry/context-zone';
import { ROOT_CONTEXT, createContextKey } from '@opentelemetry/api';

const mgr = new ZoneContextManager().enable();
const ctx = ROOT_CONTEXT.setValue(createContextKey('bench'), 1);
globalThis.__bench = { mgr, ctx };
