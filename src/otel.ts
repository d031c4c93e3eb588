// The OpenTelemetry bridge entry, `isotrace/otel`: the only entry that imports
// `@opentelemetry/api` (an optional peer dependency), so the core never needs it.
export type { OpenTelemetryTracerOptions } from './tracers/otel/bridge.js';
export {
  createOpenTelemetryTracer,
  getOpenTelemetryContext,
  headerCarrierGetter,
  headerCarrierSetter,
} from './tracers/otel/bridge.js';
