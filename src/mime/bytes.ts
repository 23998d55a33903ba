/**
 * Small byte helpers shared by the MIME modules: latin1 (byte = code unit) conversion and
 * byte-sequence search. Hand-written because they are a few lines each and must work on plain
 * `Uint8Array` in browsers (no Buffer).
 */

const CHUNK = 0x2000;

/** Decode bytes as ISO-8859-1 (one byte = one UTF-16 code unit; no windows-1252 remapping). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  for (let i = start; i < end; i += CHUNK) {
    const stop = Math.min(end, i + CHUNK);
    out += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return out;
}

/** Encode a string whose code units are all < 256 as bytes (higher code units are truncated to their low byte). */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** True when every byte of `bytes[start..end)` is below 0x80. */
export function isAscii(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/** Index of `needle` in `hay` at or after `from`, or -1. Uses `indexOf` on the first byte. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  if (needle.length === 0) return from <= hay.length ? from : -1;
  const first = needle[0]!;
  const last = hay.length - needle.length;
  let i = from;
  while (i <= last) {
    i = hay.indexOf(first, i);
    if (i < 0 || i > last) return -1;
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
    i++;
  }
  return -1;
}

/** Concatenate byte chunks into one new buffer. */
export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
