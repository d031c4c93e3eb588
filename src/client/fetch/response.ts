import { countStream, type StreamCounter } from '../../rpcinfo/sizes/counting-stream.js';

/** What a counted response reports to; the first body consumer claims it, later ones pass through. */
export interface BodyObserver extends StreamCounter {
  /** `true` for the first consumer of the body (a read method or the `body` stream), `false` after. */
  claim(): boolean;
  /** The body failed: the call finishes with `error`. */
  onError(error: unknown): void;
}

interface Counted {
  observer: BodyObserver;
  /** The `Response.prototype` the native members come from. */
  base: Response;
  /** The body stream `wrapper` counts; the response's own changes when `clone()` tees it. */
  source: ReadableStream<Uint8Array> | null;
  wrapper: ReadableStream<Uint8Array> | null;
}

// Per-response state sits under a symbol, so the shared methods below need no per-call closures.
const STATE = Symbol('isotrace.countedResponse');
type CountedResponse = Response & { [STATE]?: Counted };
type Native = Response & { bytes(): Promise<Uint8Array> };

let decoder: TextDecoder | undefined;
/** UTF-8 decode with BOM stripping and replacement, as `Response.text()` decodes. */
const decode = (buf: ArrayBuffer) => (decoder ??= new TextDecoder()).decode(buf);
const byteLength = (v: { byteLength: number }) => v.byteLength;
const globalResponse = () => (globalThis as { Response: typeof Response }).Response;

/** The native members for `res`: its counted state's base, else the global `Response.prototype`. */
const native = (res: CountedResponse): Native => (res?.[STATE]?.base ?? globalResponse().prototype) as Native;

/** The observer when this read is the body's first consumer, else `undefined` (read untracked). */
function claim(res: CountedResponse): BodyObserver | undefined {
  const observer = res?.[STATE]?.observer;
  return observer?.claim() ? observer : undefined;
}

/**
 * Counts one whole-body read: ReadStart now, then `bytes(value)` received, ReadFinish and the
 * RPC's finish when `read` settles (or the RPC's error, the same object the caller gets), and
 * hands `map(value)` to the caller — in one reaction, so a counted read costs no extra tick.
 */
function count<T, R>(observer: BodyObserver, read: Promise<T>, bytes: (value: T) => number, map: (value: T) => R): Promise<R> {
  observer.onFirstRead?.();
  observer.onReading?.(true);
  return read.then(
    (value) => {
      observer.onReading?.(false);
      observer.onChunk(bytes(value), value);
      observer.onEnd();
      return map(value);
    },
    (error: unknown) => {
      observer.onReading?.(false);
      observer.onError(error);
      throw error;
    },
  );
}

const same = <T>(value: T) => value;

const methods = {
  arrayBuffer(this: CountedResponse) {
    const o = claim(this);
    const read = native(this).arrayBuffer.call(this);
    return o ? count(o, read, byteLength, same) : read;
  },
  bytes(this: CountedResponse) {
    const o = claim(this);
    const read = native(this).bytes.call(this);
    return o ? count(o, read, byteLength, same) : read;
  },
  blob(this: CountedResponse) {
    const o = claim(this);
    const read = native(this).blob.call(this);
    return o ? count(o, read, (b) => b.size, same) : read;
  },
  // text and json read bytes and decode here, so the count is the bytes received, not characters.
  text(this: CountedResponse) {
    const o = claim(this);
    return o ? count(o, native(this).arrayBuffer.call(this), byteLength, decode) : native(this).text.call(this);
  },
  json(this: CountedResponse) {
    const o = claim(this);
    const parse = (buf: ArrayBuffer): unknown => JSON.parse(decode(buf));
    return o ? count(o, native(this).arrayBuffer.call(this), byteLength, parse) : native(this).json.call(this);
  },
  formData(this: CountedResponse) {
    const o = claim(this);
    if (o === undefined) return native(this).formData.call(this);
    // Rare for RPC: count the bytes, then let a Response over them parse the form.
    const headers = this.headers;
    return count(o, native(this).arrayBuffer.call(this), byteLength, (buf) => new (globalResponse())(buf, { headers }).formData());
  },
};

let nativeBodyGetter: (() => ReadableStream<Uint8Array> | null) | undefined;

function body(this: CountedResponse): ReadableStream<Uint8Array> | null {
  nativeBodyGetter ??= Object.getOwnPropertyDescriptor(globalResponse().prototype, 'body')!.get as () => ReadableStream<Uint8Array> | null;
  const source = nativeBodyGetter.call(this);
  const state = this[STATE];
  if (state === undefined || source === null) return source;
  if (state.source !== source) {
    state.source = source;
    state.wrapper = countStream(source, state.observer);
  }
  return state.wrapper;
}

let countedProto: { base: object; proto: object } | undefined;

/** `Response.prototype` with the counting members on top; built once per `Response` class. */
function countingPrototype(base: object): object {
  if (countedProto?.base === base) return countedProto.proto;
  const map: PropertyDescriptorMap = { body: { get: body, configurable: true } };
  for (const [name, value] of Object.entries(methods)) {
    // `bytes()` is recent; a runtime without it keeps none.
    if (name === 'bytes' && typeof (base as { bytes?: unknown }).bytes !== 'function') continue;
    map[name] = { value, configurable: true, writable: true };
  }
  countedProto = { base, proto: Object.create(base, map) as object };
  return countedProto.proto;
}

/**
 * Makes `res` — the very object fetch returned, so `url`, `headers`, `status`, `redirected`,
 * `type` and `instanceof Response` are the original's — count its body as it is consumed,
 * without cloning or buffering. Its prototype becomes one that sits on `Response.prototype` and
 * overrides the body methods (`text`, `json`, `arrayBuffer`, `blob`, `bytes`, `formData`) to
 * call the native ones and report the byte count, and `body` to return the original stream
 * passed through {@link countStream} (a default stream: BYOB readers are not supported). One
 * prototype swap per call is far cheaper than wrapping the body in a new stream and `Response`
 * (on Node 20 every web stream costs ~10 µs to create). Only the first consumer is counted;
 * reads that bypass these members (`Response.prototype.text.call(res)`, reading only a
 * `clone()`, `caches.put(req, res)`) are not seen, and the idle limit then finishes the call.
 * Returns `false` when `res` has no body or is not this realm's extensible `Response`.
 */
export function countResponseBody(res: Response, observer: BodyObserver): boolean {
  if (res.body === null || res.body === undefined) return false;
  const R = (globalThis as { Response?: typeof Response }).Response;
  if (R === undefined || Object.getPrototypeOf(res) !== R.prototype || !Object.isExtensible(res)) return false;
  const state: Counted = { observer, base: R.prototype, source: null, wrapper: null };
  (res as CountedResponse)[STATE] = state;
  Object.setPrototypeOf(res, countingPrototype(R.prototype));
  return true;
}
