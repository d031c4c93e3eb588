/**
 * Percent-encoding for W3C Baggage values: UTF-8 bytes as `%XX`, everything outside
 * `baggage-octet` (and `%` itself) encoded, as the Baggage spec requires.
 */

const HEX_DIGITS = '0123456789ABCDEF';
const PERCENT = 0x25;
const REPLACEMENT_CHARACTER = 0xfffd;

// TextDecoder is a global in every browser and in Node, unlike Buffer.
// ignoreBOM keeps a decoded leading U+FEFF: stripping it would make decode(encode(x)) !== x.
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Whether the char code is a `baggage-octet`: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E. */
export function isBaggageOctet(code: number): boolean {
  return code === 0x21 || (code >= 0x23 && code <= 0x2b) || (code >= 0x2d && code <= 0x3a) || (code >= 0x3c && code <= 0x5b) || (code >= 0x5d && code <= 0x7e);
}

/**
 * `value` with every character outside `baggage-octet`, and `%`, percent-encoded as UTF-8.
 * A lone surrogate cannot be UTF-8, so it is encoded as U+FFFD (`%EF%BF%BD`).
 */
export function percentEncode(value: string): string {
  if (isAllBaggageOctets(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code !== PERCENT && isBaggageOctet(code)) {
      out += value[i];
      continue;
    }
    // Hand-rolled UTF-8: a TextEncoder call per character is several times slower.
    let point = code;
    if (code >= 0xd800 && code <= 0xdfff) {
      const low = value.charCodeAt(i + 1);
      if (code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        point = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else {
        point = REPLACEMENT_CHARACTER;
      }
    }
    out += utf8Escapes(point);
  }
  return out;
}

/**
 * `value` with `%XX` sequences decoded as UTF-8; never throws.
 *
 * A `%` not followed by two hex digits is kept literally (unlike `decodeURIComponent`, which
 * throws). Well-formed escapes whose bytes are not valid UTF-8 decode to U+FFFD, which is what
 * the Baggage spec prescribes for them.
 */
export function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  const whole = tryDecodeURIComponent(value);
  if (whole !== undefined) return whole;
  let out = '';
  let runStart = -1;
  for (let i = 0; i < value.length; i++) {
    if (isEscapeAt(value, i)) {
      if (runStart === -1) runStart = i;
      i += 2;
      continue;
    }
    // Adjacent escapes must be decoded together: one character may span several of them.
    if (runStart !== -1) {
      out += decodeEscapes(value.slice(runStart, i));
      runStart = -1;
    }
    out += value[i];
  }
  if (runStart !== -1) out += decodeEscapes(value.slice(runStart));
  return out;
}

/** A run of well-formed `%XX` escapes as UTF-8, with U+FFFD for invalid byte sequences. */
function decodeEscapes(run: string): string {
  const fast = tryDecodeURIComponent(run);
  if (fast !== undefined) return fast;
  const bytes = new Uint8Array(run.length / 3);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = hexValue(run.charCodeAt(3 * i + 1)) * 16 + hexValue(run.charCodeAt(3 * i + 2));
  }
  return decoder.decode(bytes);
}

// decodeURIComponent is far faster than TextDecoder and agrees with it on valid UTF-8; it
// throws on anything else, which then takes the slow path.
function tryDecodeURIComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function isEscapeAt(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== PERCENT) return false;
  return hexValue(text.charCodeAt(i + 1)) !== -1 && hexValue(text.charCodeAt(i + 2)) !== -1;
}

function isAllBaggageOctets(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === PERCENT || !isBaggageOctet(code)) return false;
  }
  return true;
}

function utf8Escapes(point: number): string {
  if (point < 0x80) return hexEscape(point);
  if (point < 0x800) return hexEscape(0xc0 | (point >> 6)) + hexEscape(0x80 | (point & 0x3f));
  if (point < 0x10000) {
    return hexEscape(0xe0 | (point >> 12)) + hexEscape(0x80 | ((point >> 6) & 0x3f)) + hexEscape(0x80 | (point & 0x3f));
  }
  return (
    hexEscape(0xf0 | (point >> 18)) + hexEscape(0x80 | ((point >> 12) & 0x3f)) + hexEscape(0x80 | ((point >> 6) & 0x3f)) + hexEscape(0x80 | (point & 0x3f))
  );
}

function hexEscape(byte: number): string {
  return '%' + HEX_DIGITS[byte >> 4] + HEX_DIGITS[byte & 0xf];
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}
