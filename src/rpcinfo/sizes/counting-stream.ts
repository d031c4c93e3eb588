import { utf8Length } from './utf8-length.js';

/**
 * What {@link countStream} reports as its consumer reads; a client's request and response
 * bodies and a server's request and response bodies all use it. Each hook is called inside a
 * try/catch: bookkeeping cannot break the stream.
 */
export interface StreamCounter {
  /** The consumer asked for the first chunk. */
  onFirstRead?(): void;
  /** A chunk of `bytes` bytes (`chunk` itself, for a protocol reader to look at) was handed to the consumer. */
  onChunk(bytes: number, chunk?: unknown): void;
  /** The source ended and the consumer has read all of it. */
  onEnd(): void;
  /** The source failed with `error` (the consumer sees the same object). */
  onError?(error: unknown): void;
  /** The consumer cancelled with `reason` (e.g. the peer went away). */
  onCancel?(reason: unknown): void;
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

/** A chunk's size in bytes: `byteLength` of binary, the UTF-8 length of text, 0 for anything else. */
function chunkBytes(chunk: unknown): number {
  if (typeof chunk === 'string') return utf8Length(chunk);
  const bytes = (chunk as { byteLength?: unknown } | null)?.byteLength;
  return typeof bytes === 'number' ? bytes : 0;
}

/**
 * A stream that yields exactly what `source` yields, reporting sizes and its end to `counter`.
 * It is pulled, never pushed (high-water mark 0): nothing is read from `source` before the
 * consumer asks, so the first read marks when reading began and an unread body stays unread (a
 * `pipeThrough(new TransformStream())` would read a chunk ahead, count bytes nobody consumed, and
 * in Node 20 has no cancel hook to see the consumer leave). `source` is locked lazily, on the
 * first read, so a call that fails before reading leaves the caller's stream untouched. The
 * result is a default (not byte) stream: BYOB readers are not supported on it.
 */
export function countStream<T>(source: ReadableStream<T>, counter: StreamCounter): ReadableStream<T> {
  let reader: ReadableStreamDefaultReader<T> | undefined;
  return new ReadableStream<T>(
    {
      async pull(controller) {
        if (reader === undefined) {
          reader = source.getReader();
          if (counter.onFirstRead) guard(() => counter.onFirstRead!());
        }
        if (counter.onReading) guard(() => counter.onReading!(true));
        let result: ReadableStreamReadResult<T>;
        try {
          result = await reader.read();
        } catch (error) {
          if (counter.onError) guard(() => counter.onError!(error));
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
        guard(() => counter.onChunk(chunkBytes(chunk), chunk));
        controller.enqueue(chunk);
      },
      cancel(reason) {
        if (counter.onCancel) guard(() => counter.onCancel!(reason));
        return reader !== undefined ? reader.cancel(reason) : source.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
