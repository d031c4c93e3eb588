/**
 * What every tracer, metric and transport says about something thrown: one shape for anything,
 * as Connect's `ConnectError.from(reason)` makes one.
 */
export interface ErrorDescription {
  /**
   * OpenTelemetry's `error.type` (and `exception.type`): the value's `name` when it is a
   * non-empty string (`TypeError`, a DOMException's `AbortError`, a thrown `{ name: 'Boom' }`),
   * else the constructor's name of an Error subclass, else `_OTHER`, semconv's value for an error
   * without a low-cardinality name. A {@link RequestAbortedError} is `aborted`.
   */
  type: string;
  /** The error's `message` when it is a string, else the value as a string (`''` when it has none). */
  message: string;
  /** The stack, when the value has one. */
  stack?: string;
  /** The value described, as it was thrown. */
  cause: unknown;
}

/** `String(value)`, or what can be said of a value without one (no prototype, a throwing `toString`). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '';
    }
  }
}

/**
 * Describes anything thrown or rejected (an Error, a DOMException, a plain object, a string) by
 * one rule, so every tracer and metric names and words a failure the same way. Never throws.
 *
 * @example
 * describeError(new DOMException('timed out', 'TimeoutError')); // { type: 'TimeoutError', message: 'timed out', … }
 * describeError('oops'); // { type: '_OTHER', message: 'oops', cause: 'oops' }
 */
export function describeError(reason: unknown): ErrorDescription {
  let type = '_OTHER';
  let message: string | undefined;
  let stack: string | undefined;
  if (typeof reason === 'object' && reason !== null) {
    try {
      const e = reason as { name?: unknown; message?: unknown; stack?: unknown };
      const name = e.name;
      if (typeof name === 'string' && name !== '') type = name;
      else if (reason instanceof Error && typeof reason.constructor?.name === 'string' && reason.constructor.name !== '') type = reason.constructor.name;
      if (typeof e.message === 'string') message = e.message;
      if (typeof e.stack === 'string') stack = e.stack;
    } catch {
      // A throwing getter or a revoked proxy: what was read so far stands.
    }
  }
  // The servers' rule for a caller that went away; by name (as isRequestAbortedError also
  // matches), so this module needs no error class and bundles without the server stay small.
  if (type === 'RequestAbortedError') type = 'aborted';
  const description: ErrorDescription = { type, message: message ?? safeString(reason), cause: reason };
  if (stack !== undefined) description.stack = stack;
  return description;
}
