/**
 * The UTF-8 byte length of `text`, as `TextEncoder` (and a WebSocket text frame) would encode it:
 * a lone surrogate becomes U+FFFD, 3 bytes. Counted without encoding, so sizing a large body or
 * frame for `ri.stats` allocates nothing. Shared by the transports that count `sendSize`/`recvSize`.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
