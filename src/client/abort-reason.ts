/**
 * Why `signal` aborted: its own `reason`, as fetch rejects with it, else (older runtimes) an
 * `AbortError` with the message Node's fetch uses.
 */
export function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const DOMExceptionCtor = (globalThis as { DOMException?: typeof DOMException }).DOMException;
  return DOMExceptionCtor ? new DOMExceptionCtor('This operation was aborted', 'AbortError') : new Error('This operation was aborted');
}
