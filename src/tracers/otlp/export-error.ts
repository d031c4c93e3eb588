/**
 * A batch of spans the collector did not take: an HTTP status other than 2xx (after retries for
 * 429 and 5xx), or a 2xx whose `partialSuccess` rejected some spans. `status` is the last HTTP
 * status (0 when no response came); `cause` keeps what `fetch` threw, if anything.
 */
export class OtlpExportError extends Error {
  override readonly name = 'OtlpExportError';
  /** The last HTTP status, or 0 when no response came (network error, timeout). */
  readonly status: number;
  /** Requests made for this batch, retries included. */
  readonly attempts: number;
  /** The start of the collector's response body, when it sent one: it often says what was wrong. */
  readonly responseText: string;

  constructor(message: string, init: { status: number; attempts: number; responseText?: string; cause?: unknown }) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.attempts = init.attempts;
    this.responseText = init.responseText ?? '';
  }
}

/** Whether `error` is an {@link OtlpExportError}. */
export function isOtlpExportError(error: unknown): error is OtlpExportError {
  return error instanceof OtlpExportError;
}
