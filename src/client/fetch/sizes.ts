import { utf8Length } from '../../rpcinfo/utf8-length.js';

/** Whether `body` is a `ReadableStream` (probed by shape: the global may be absent or from another realm). */
export function isReadableStream(body: unknown): body is ReadableStream<Uint8Array> {
  return typeof body === 'object' && body !== null && typeof (body as ReadableStream).getReader === 'function';
}

/**
 * The byte size of a request body fetch will send, when it is knowable without reading it:
 * strings (UTF-8), `ArrayBuffer`s and views, `Blob`s, `URLSearchParams`. `undefined` for a
 * stream (count it with {@link countStream}), for `FormData` (its multipart encoding, boundary
 * included, is chosen by the runtime and cannot be computed cheaply), and for anything else.
 */
export function knownBodySize(body: unknown): number | undefined {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return utf8Length(body);
  if (typeof body !== 'object') return undefined;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  const g = globalThis as { Blob?: typeof Blob; URLSearchParams?: typeof URLSearchParams };
  if (g.Blob !== undefined && body instanceof g.Blob) return body.size;
  if (g.URLSearchParams !== undefined && body instanceof g.URLSearchParams) return utf8Length(body.toString());
  return undefined;
}

/** What {@link countStream} reports. Each hook is called inside a try/catch: it cannot break the stream. */
export interface StreamCounter {
  /** Before the first read: the consumer started reading. */
  onFirstRead?(): void;
  /** A chunk of `bytes` passed through. */
  onChunk(bytes: number): void;
  /** The source ended. */
  onEnd(): void;
  /** The source failed with `error` (the consumer sees the same object). */
  onError(error: unknown): void;
  /** The consumer cancelled with `reason`. */
  onCancel(reason: unknown): void;
  /** A read is pending (`true`) or was answered (`false`); for idle detection. */
  onReading?(reading: boolean): void;
}

function guard(fn: () => void): void {
  try {
    fn();
  } catch {
    // Bookkeeping must never break the user's stream.
  }
}

/**
 * A stream that yields exactly what `source` yields, reporting sizes and its end to `counter`.
 * It is pulled, never pushed (high-water mark 0): nothing is read from `source` before the
 * consumer asks, so the first read marks when reading began and an unread body stays unread.
 * `source` is locked lazily, on the first read, so a fetch that rejects before reading leaves
 * the caller's stream untouched. The result is a default (not byte) stream: BYOB readers are
 * not supported on it.
 */
export function countStream(source: ReadableStream<Uint8Array>, counter: StreamCounter): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (reader === undefined) {
          reader = source.getReader();
          if (counter.onFirstRead) guard(() => counter.onFirstRead!());
        }
        if (counter.onReading) guard(() => counter.onReading!(true));
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          guard(() => counter.onError(error));
          controller.error(error);
          return;
        } finally {
          if (counter.onReading) guard(() => counter.onReading!(false));
        }
        if (result.done) {
          controller.close();
          guard(() => counter.onEnd());
          return;
        }
        const chunk = result.value;
        const bytes = (chunk as { byteLength?: unknown })?.byteLength;
        if (typeof bytes === 'number') guard(() => counter.onChunk(bytes));
        controller.enqueue(chunk);
      },
      cancel(reason) {
        guard(() => counter.onCancel(reason));
        return reader !== undefined ? reader.cancel(reason) : source.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
