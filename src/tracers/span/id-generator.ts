// Trace and span ids from the platform's secure random source. Ids are minted on every traced
// call, so random bytes are fetched in one large block and hex-encoded through a lookup table
// instead of one `getRandomValues` call and `toString(16)` per byte.

/** Bytes fetched per `getRandomValues` call; the Web Crypto limit is 65,536. */
const POOL_SIZE = 4096;
/** The char codes of each byte's two lower-case hex digits. */
const HEX_CODES = new Uint16Array(512);
for (let byte = 0; byte < 256; byte++) {
  const hex = byte.toString(16).padStart(2, '0');
  HEX_CODES[2 * byte] = hex.charCodeAt(0);
  HEX_CODES[2 * byte + 1] = hex.charCodeAt(1);
}
// One char-code array per id length, reused. `String.fromCharCode` over it makes one flat string;
// appending two-character pieces made a rope that every later use (the traceparent header, the
// OTLP JSON) had to flatten first — about 120 ns more per span (Node 20, ad-hoc script).
const CODES: Record<number, number[]> = { 8: new Array<number>(16).fill(0), 16: new Array<number>(32).fill(0) };

let pool: Uint8Array | undefined;
let offset = POOL_SIZE;

type RandomFill = (array: Uint8Array) => Uint8Array;

// Probed on first use, never at module load: the script-tag bundle may be evaluated in a realm
// where `crypto` is defined later, or not at all.
function randomSource(): RandomFill | undefined {
  const crypto = (globalThis as { crypto?: { getRandomValues?: RandomFill } }).crypto;
  return typeof crypto?.getRandomValues === 'function' ? crypto.getRandomValues.bind(crypto) : undefined;
}

/**
 * Throws a `TypeError` when the platform has no `crypto.getRandomValues` (every browser and
 * Node ≥ 20 have it). Ids must be unpredictable, and W3C Level 2's `random` flag promises so.
 */
export function assertRandomSource(): void {
  if (randomSource() === undefined) {
    throw new TypeError('isotrace: span ids need globalThis.crypto.getRandomValues (Node >= 20 and every modern browser have it)');
  }
}

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL_SIZE) {
      const fill = randomSource();
      if (fill === undefined) assertRandomSource();
      pool ??= new Uint8Array(POOL_SIZE);
      fill!(pool);
      offset = 0;
    }
    const codes = CODES[bytes];
    let nonZero = 0;
    for (let i = 0; i < bytes; i++) {
      const byte = pool![offset + i];
      nonZero |= byte;
      codes[2 * i] = HEX_CODES[2 * byte];
      codes[2 * i + 1] = HEX_CODES[2 * byte + 1];
    }
    offset += bytes;
    // An all-zero id is invalid in W3C Trace Context; drawing one is a 2^-64 event, so retry.
    if (nonZero !== 0) return String.fromCharCode.apply(null, codes);
  }
}

/**
 * A new trace id: 16 random bytes as 32 lower-case hex characters, never all zero. Every byte
 * is random, so a trace started here may carry W3C Level 2's `random` flag (0x02).
 */
export function generateTraceId(): string {
  return randomHex(16);
}

/** A new span id: 8 random bytes as 16 lower-case hex characters, never all zero. */
export function generateSpanId(): string {
  return randomHex(8);
}
