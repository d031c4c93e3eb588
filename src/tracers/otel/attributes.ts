import type { Exception } from '@opentelemetry/api';
import type { ErrorDescription } from '../../rpcinfo/conventions/error-description.js';

/**
 * What to hand `span.recordException`: the described error under its `error.type`, so the
 * exception event says what isotrace's own span tracer says (OpenTelemetry would otherwise read
 * `name` itself, and nothing at all from a thrown non-error).
 */
export function toException(error: ErrorDescription): Exception {
  return error.stack === undefined ? { name: error.type, message: error.message } : { name: error.type, message: error.message, stack: error.stack };
}
