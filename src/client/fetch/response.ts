import { countStream, type StreamCounter } from '../../rpcinfo/sizes/counting-stream.js';

/** What a counted response reports to; the first body consumer claims it, later ones pass through. */
export interface BodyObserver extends StreamCounter {
  /** `true` for the first consumer of the body (a read method or the `body` stream), `false` after. */
  claim(): boolean;
  /** The body failed: the call finishes with `error`. */
  onError(error: unknown): void;
}

/** A `Response` class's prototype, the counting one built on it, and its native `body` getter. */
interface CountingProto {
  base: Response;
  proto: object;
  body: () => ReadableStream<Uint8Array> | null;
}

interface Counted {
  observer: BodyObserver;
  /** The prototype the native members come from: the response's own class, whatever the global is. */
  kind: CountingProto;
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

/** The native members for `res`: its own class's, found when it was counted. */
const native = (res: CountedResponse): Native => res[STATE]!.kind.base as Native;

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
    const R = native(this).constructor as typeof Response;
    return count(o, native(this).arrayBuffer.call(this), byteLength, (buf) => new R(buf, { headers }).formData());
  },
};

function body(this: CountedResponse): ReadableStream<Uint8Array> | null {
  const state = this[STATE]!;
  const source = state.kind.body.call(this);
  if (source === null) return source;
  if (state.source !== source) {
    state.source = source;
    state.wrapper = countStream(source, state.observer);
  }
  return state.wrapper;
}

let counting: CountingProto | undefined;

/** The native `body` getter on `base` or the prototypes it inherits from. */
function bodyGetter(base: object | null): CountingProto['body'] | undefined {
  for (; base !== null; base = Object.getPrototypeOf(base)) {
    const get = Object.getOwnPropertyDescriptor(base, 'body')?.get;
    if (get !== undefined) return get as CountingProto['body'];
  }
  return undefined;
}

/** `base` with the counting members on top; built once per `Response` class (the last one is kept). */
function countingPrototype(base: Response): CountingProto | undefined {
  if (counting?.base === base) return counting;
  const get = bodyGetter(base);
  if (get === undefined || typeof base.arrayBuffer !== 'function') return undefined;
  const map: PropertyDescriptorMap = { body: { get: body, configurable: true } };
  for (const [name, value] of Object.entries(methods)) {
    // `bytes()` is recent; a runtime without it keeps none.
    if (name === 'bytes' && typeof (base as { bytes?: unknown }).bytes !== 'function') continue;
    map[name] = { value, configurable: true, writable: true };
  }
  counting = { base, proto: Object.create(base, map) as object, body: get };
  return counting;
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
 * The members come from `res`'s own class, not the global `Response` (a server library may have
 * replaced that global, as `@hono/node-server` does, while fetch still returns its own class).
 * Returns `false` when `res` has no body, is not extensible or has no `body` getter to wrap.
 */
export function countResponseBody(res: Response, observer: BodyObserver): boolean {
  // Already counted (a traced fetch inside a traced fetch): the inner call counts it.
  if (res.body === null || res.body === undefined || !Object.isExtensible(res) || (res as CountedResponse)[STATE] !== undefined) return false;
  const kind = countingPrototype(Object.getPrototypeOf(res) as Response);
  if (kind === undefined) return false;
  (res as CountedResponse)[STATE] = { observer, kind, source: null, wrapper: null };
  Object.setPrototypeOf(res, kind.proto);
  return true;
}
