/**
 * isotrace's version, reported as the instrumentation scope (by the span tracer and the
 * OpenTelemetry bridge) and as `telemetry.sdk.version`. Kept in step with package.json.
 */
export const ISOTRACE_VERSION = '0.1.0';
