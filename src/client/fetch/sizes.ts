import { utf8Length } from '../../rpcinfo/sizes/utf8-length.js';

/** Whether `body` is a `ReadableStream` (probed by shape: the global may be absent or from another realm). */
export function isReadableStream(body: unknown): body is ReadableStream<Uint8Array> {
  return typeof body === 'object' && body !== null && typeof (body as ReadableStream).getReader === 'function';
}

/**
 * The byte size of a request body fetch will send, when it is knowable without reading it:
 * strings (UTF-8), `ArrayBuffer`s and views, `Blob`s, `URLSearchParams`. `undefined` for a
 * stream (count it with `countStream`), for `FormData` (its multipart encoding, boundary
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
