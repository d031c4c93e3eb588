/**
 * OpenTelemetry's `error.type` for what a call failed with, as transports record it in
 * `ri.attributes`: the error's `name` (`TypeError`, `AbortError`, …), or `_OTHER` — semconv's value
 * for an error without a low-cardinality name — for anything else thrown.
 */
export function errorType(error: unknown): string {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : '_OTHER';
}
