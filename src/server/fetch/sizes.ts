/** What {@link countingStream} reports as its consumer reads. */
export interface CountingHooks {
  /** The consumer asked for the first chunk. */
  onStart(): void;
  /** A chunk of `bytes` bytes was handed to the consumer. */
  onChunk(bytes: number): void;
  /** The source ended and the consumer has read all of it. */
  onDone(): void;
  /** The consumer cancelled the stream (e.g. the client went away). */
  onCancel(reason: unknown): void;
  /** The source failed mid-way. */
  onError(error: unknown): void;
}

function byteLength(chunk: unknown): number {
  if (ArrayBuffer.isView(chunk)) return chunk.byteLength;
  if (chunk instanceof ArrayBuffer) return chunk.byteLength;
  return typeof chunk === 'string' ? new TextEncoder().encode(chunk).byteLength : 0;
}

/**
 * A stream that yields `source`'s chunks unchanged and reports each one as it is read.
 *
 * Pull-based with a high-water mark of 0, so nothing is read from `source` before the consumer
 * asks: a `pipeThrough(new TransformStream())` would read one chunk ahead and count bytes nobody
 * consumed (and a `TransformStream` in Node 20 has no cancel hook to see the consumer leave).
 * `source` is locked only at the first read, so an unread body stays untouched.
 */
export function countingStream<T>(source: ReadableStream<T>, hooks: CountingHooks): ReadableStream<T> {
  let reader: ReadableStreamDefaultReader<T> | undefined;
  return new ReadableStream<T>(
    {
      async pull(controller) {
        if (reader === undefined) {
          hooks.onStart();
          reader = source.getReader();
        }
        let result: ReadableStreamReadResult<T>;
        try {
          result = await reader.read();
        } catch (error) {
          hooks.onError(error);
          controller.error(error);
          return;
        }
        if (result.done) {
          controller.close();
          hooks.onDone();
          return;
        }
        hooks.onChunk(byteLength(result.value));
        controller.enqueue(result.value);
      },
      cancel(reason) {
        hooks.onCancel(reason);
        return (reader ?? source).cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
