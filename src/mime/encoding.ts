/**
 * Content-Transfer-Encodings (RFC 2045 section 6): base64 (6.8) and quoted-printable (6.7),
 * plus helpers that take an entity's body out of its transfer encoding.
 *
 * Hand-written rather than `atob`/Buffer: decoding must be one tolerant pass over bytes (junk and
 * line breaks skipped, missing padding accepted) and run in browsers without Buffer.
 */
import { SmimeBridgeError } from '../errors.js';
import { platform } from '../platform/index.js';
import { B64_DEC } from '../platform/mime-base64.js';
import { decodeCharset } from './charset.js';
import { DEFAULT_LIMITS, type MimeEntity, type MimeLimits } from './types.js';

/**
 * Decode base64 (RFC 2045 section 6.8) in one pass. Characters outside the alphabet (line
 * breaks, spaces, junk) are skipped, decoding stops at the first `=` pad, and missing padding is
 * tolerated (a final group of 2 or 3 characters yields 1 or 2 bytes; a lone 1 is dropped).
 * Through the platform: `Buffer` in Node, pure TypeScript elsewhere, with identical results.
 */
export function decodeBase64(bytes: Uint8Array): Uint8Array {
  return platform().mimeBase64Decode(bytes);
}

/**
 * Encode base64 with CRLF line breaks every `lineLength` characters, rounded down to whole
 * 4-character groups (RFC 2045 6.8: at most 76).
 * `lineLength` 0 puts everything on one line with no line break. The last line has no trailing CRLF.
 */
export function encodeBase64(bytes: Uint8Array, lineLength = 76): Uint8Array {
  return platform().mimeBase64Encode(bytes, lineLength);
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57; // lower case tolerated (RFC 2045 6.7 note)
  return -1;
}

/**
 * Decode quoted-printable (RFC 2045 section 6.7). Soft line breaks (`=` + optional WSP + CRLF or
 * LF) are removed; `=XX` (upper or lower case hex) becomes a byte; an `=` not followed by two hex
 * digits is kept literally; hard line breaks are kept as they are in the input (CRLF stays CRLF,
 * LF stays LF). Trailing WSP on a line is KEPT, although rule 3 says to delete it: format=flowed
 * (RFC 3676 4.2) and the `-- ` signature separator depend on it, and other decoders (python's
 * email, MimeKit) keep it too.
 */
export function decodeQuotedPrintable(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let o = 0;
  const len = bytes.length;
  for (let i = 0; i < len; i++) {
    const c = bytes[i]!;
    if (c === 0x3d) {
      const h1 = i + 1 < len ? hexVal(bytes[i + 1]!) : -1;
      const h2 = i + 2 < len ? hexVal(bytes[i + 2]!) : -1;
      if (h1 >= 0 && h2 >= 0) {
        out[o++] = (h1 << 4) | h2;
        i += 2;
        continue;
      }
      // soft line break: '=' [WSP*] (CRLF | LF) | end of data (rule 5)
      let j = i + 1;
      while (j < len && (bytes[j] === 0x20 || bytes[j] === 0x09)) j++;
      if (j >= len) {
        i = len;
        continue;
      }
      if (bytes[j] === 0x0a) {
        i = j;
        continue;
      }
      if (bytes[j] === 0x0d && j + 1 < len && bytes[j + 1] === 0x0a) {
        i = j + 1;
        continue;
      }
      out[o++] = c; // invalid '=': kept literally
      continue;
    }
    out[o++] = c;
  }
  return out.subarray(0, o);
}

/** Exact number of bytes {@link decodeBase64} will produce, without allocating. */
export function base64DecodedLength(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x3d) break;
    if (B64_DEC[c]! >= 0) n++;
  }
  return Math.floor(n / 4) * 3 + (n % 4 === 2 ? 1 : n % 4 === 3 ? 2 : 0);
}

const HEX = '0123456789ABCDEF';

/**
 * Encode quoted-printable (RFC 2045 section 6.7) with lines of at most 76 characters and CRLF
 * line ends. A CRLF pair in the input becomes a hard line break; a lone CR or LF is encoded
 * (`=0D`, `=0A`), so `decodeQuotedPrintable(encodeQuotedPrintable(x))` returns `x` for any bytes.
 * Text with bare LF line ends should be converted to canonical CRLF first (RFC 2049 section 4).
 * WSP before a line break or at the end is encoded (rule 3).
 */
export function encodeQuotedPrintable(bytes: Uint8Array): Uint8Array {
  const len = bytes.length;
  // worst case: every byte as =XX, plus a soft break "=\r\n" per 25 encoded bytes
  const out = new Uint8Array(len * 3 + Math.ceil(len / 25) * 3 + 3);
  let o = 0;
  let col = 0;
  for (let i = 0; i < len; i++) {
    const c = bytes[i]!;
    if (c === 0x0d && i + 1 < len && bytes[i + 1] === 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      col = 0;
      i++;
      continue;
    }
    const atLineEnd = i + 1 >= len || (bytes[i + 1] === 0x0d && i + 2 < len && bytes[i + 2] === 0x0a);
    // rule 2 (literal), rule 3 (WSP not at the end of a line), rule 1 (everything else as =XX)
    const literal = (c >= 0x21 && c <= 0x7e && c !== 0x3d) || ((c === 0x20 || c === 0x09) && !atLineEnd);
    const width = literal ? 1 : 3;
    // rule 5: encoded lines no longer than 76 characters, keeping room for the soft break '='
    if (col + width > 75) {
      out[o++] = 0x3d;
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      col = 0;
    }
    if (literal) out[o++] = c;
    else {
      out[o++] = 0x3d;
      out[o++] = HEX.charCodeAt(c >> 4);
      out[o++] = HEX.charCodeAt(c & 15);
    }
    col += width;
  }
  return out.subarray(0, o);
}

/** True for the Content-Transfer-Encodings of RFC 2045 section 6.1 that {@link decodeBody} understands. */
export function isKnownTransferEncoding(cte: string): boolean {
  return ['7bit', '8bit', 'binary', 'base64', 'quoted-printable'].includes(cte.toLowerCase());
}

/**
 * The body of `e` with its Content-Transfer-Encoding removed (RFC 2045 section 6).
 * 7bit/8bit/binary (and unknown encodings, which the caller may warn about) return the raw body
 * bytes as a subarray of the source, with no copy. base64 and quoted-printable are decoded; a
 * result larger than `limits.maxDecodedBytes` throws `LIMIT_EXCEEDED`.
 */
export function decodeBody(e: MimeEntity, limits?: Partial<MimeLimits>): Uint8Array {
  const max = limits?.maxDecodedBytes ?? DEFAULT_LIMITS.maxDecodedBytes;
  const raw = e.source.subarray(e.body.start, e.body.end);
  const cte = e.transferEncoding;
  if (cte === 'base64' || cte === 'quoted-printable') {
    const out =
      cte === 'base64'
        ? Math.floor((raw.length * 3) / 4) > max && base64DecodedLength(raw) > max
          ? undefined // refuse before allocating
          : decodeBase64(raw)
        : decodeQuotedPrintable(raw); // never larger than its input, which is already in memory
    if (out === undefined || out.length > max) {
      throw new SmimeBridgeError('LIMIT_EXCEEDED', `decoded ${cte} body larger than maxDecodedBytes (${max})`, {
        offset: e.body.start,
        partPath: e.path,
      });
    }
    return out;
  }
  return raw;
}

/**
 * The body of `e` as text: {@link decodeBody} then the `charset` parameter of its Content-Type
 * (default us-ascii, read tolerantly: UTF-8 when valid, else windows-1252). An unknown charset
 * decodes as latin1.
 */
export function bodyText(e: MimeEntity): string {
  return decodeCharset(decodeBody(e), e.contentType.params['charset'] ?? 'us-ascii');
}

/** The whole entity (header and body) as a subarray of its source: `source[range.start, range.end)`. */
export function entityBytes(e: MimeEntity): Uint8Array {
  return e.source.subarray(e.range.start, e.range.end);
}
