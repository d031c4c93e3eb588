/**
 * Optional whitespace (OWS) as RFC 7230 §3.2.3 defines it: spaces and horizontal tabs only.
 * W3C Trace Context and Baggage both reuse this rule, so CR, LF and Unicode spaces are
 * deliberately *not* whitespace here — a header carrying them is malformed, not padded.
 */

const SPACE = 0x20;
const TAB = 0x09;

/** Whether the UTF-16 code unit at `index` of `text` is a space or a horizontal tab. */
export function isOws(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code === SPACE || code === TAB;
}

/** `text` without leading and trailing spaces and horizontal tabs. */
export function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isOws(text, start)) start++;
  while (end > start && isOws(text, end - 1)) end--;
  // Skipping the copy keeps the common already-trimmed case allocation-free.
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
