/**
 * The portable MIME base64 codec (RFC 2045 section 6.8): tolerant one-pass decoding over bytes and
 * line-broken encoding, in pure TypeScript for browsers. The Node platform (node.ts) uses Buffer
 * where it gives the same bytes and falls back to these functions where it would not.
 */

/** Characters per encoded line for `lineLength`: whole 4-character groups (76 stays 76); 0 = no line breaks. */
export function mimeLineChars(lineLength: number): number {
  return lineLength > 0 ? Math.max(4, lineLength - (lineLength % 4)) : 0;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_ENC = new Uint8Array(64);
/** Value of each byte in the base64 alphabet, -1 outside it. */
export const B64_DEC = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) {
  B64_ENC[i] = B64.charCodeAt(i);
  B64_DEC[B64.charCodeAt(i)] = i;
}

/**
 * Decode base64 (RFC 2045 section 6.8) in one pass. Characters outside the alphabet (line
 * breaks, spaces, junk) are skipped, decoding stops at the first `=` pad, and missing padding is
 * tolerated (a final group of 2 or 3 characters yields 1 or 2 bytes; a lone 1 is dropped).
 */
export function portableMimeBase64Decode(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((bytes.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let n = 0;
  const last = bytes.length - 3;
  for (let i = 0; i < bytes.length; i++) {
    // Fast path: four alphabet characters at a group boundary (the common case inside a line).
    if (n === 0 && i < last) {
      const a = B64_DEC[bytes[i]!]!, b = B64_DEC[bytes[i + 1]!]!, c2 = B64_DEC[bytes[i + 2]!]!, d = B64_DEC[bytes[i + 3]!]!;
      if ((a | b | c2 | d) >= 0) {
        const v4 = (a << 18) | (b << 12) | (c2 << 6) | d;
        out[o++] = v4 >> 16;
        out[o++] = (v4 >> 8) & 0xff;
        out[o++] = v4 & 0xff;
        i += 3;
        continue;
      }
    }
    const c = bytes[i]!;
    if (c === 0x3d) break; // '=' padding: RFC 2045 6.8, end of data
    const v = B64_DEC[c]!;
    if (v < 0) continue; // RFC 2045 6.8: characters not in the alphabet are ignored
    acc = (acc << 6) | v;
    if (++n === 4) {
      out[o++] = (acc >> 16) & 0xff;
      out[o++] = (acc >> 8) & 0xff;
      out[o++] = acc & 0xff;
      acc = 0;
      n = 0;
    }
  }
  if (n === 2) out[o++] = (acc >> 4) & 0xff;
  else if (n === 3) {
    out[o++] = (acc >> 10) & 0xff;
    out[o++] = (acc >> 2) & 0xff;
  }
  return out.subarray(0, o);
}

/**
 * Encode base64 with CRLF line breaks every `lineLength` characters, rounded down to whole
 * 4-character groups (RFC 2045 6.8: at most 76).
 * `lineLength` 0 puts everything on one line with no line break. The last line has no trailing CRLF.
 */
export function portableMimeBase64Encode(bytes: Uint8Array, lineLength: number): Uint8Array {
  const chars = Math.ceil(bytes.length / 3) * 4;
  // whole 4-character groups per line (76 stays 76)
  const perLine = mimeLineChars(lineLength);
  const breaks = perLine > 0 && chars > 0 ? Math.ceil(chars / perLine) - 1 : 0;
  const out = new Uint8Array(chars + breaks * 2);
  const E = B64_ENC;
  let o = 0;
  let col = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i += 3) {
    if (perLine > 0 && col === perLine) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      col = 0;
    }
    const rest = n - i;
    const v = (bytes[i]! << 16) | (rest > 1 ? bytes[i + 1]! << 8 : 0) | (rest > 2 ? bytes[i + 2]! : 0);
    out[o++] = E[(v >> 18) & 63]!;
    out[o++] = E[(v >> 12) & 63]!;
    out[o++] = rest > 1 ? E[(v >> 6) & 63]! : 0x3d;
    out[o++] = rest > 2 ? E[v & 63]! : 0x3d;
    col += 4;
  }
  return out;
}
