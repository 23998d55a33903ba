/**
 * Character set decoding for MIME text (RFC 2045 section 5.1 `charset`, RFC 2047, RFC 2231).
 *
 * Uses the platform `TextDecoder` (WHATWG Encoding labels) when it knows a label and falls back
 * to iconv-lite (pure JavaScript, browser-safe) for the rest (UTF-7, old code pages). An unknown
 * charset decodes as latin1; it is the caller's job to warn (`MIME_CHARSET_UNKNOWN`).
 */
import { codePages } from './codepages.js';
import { isAscii, latin1 } from './bytes.js';

const decoders = new Map<string, TextDecoder | null>();

/**
 * Node 20's TextDecoder decodes the WHATWG "windows-1252" encoding (labels windows-1252,
 * iso-8859-1, latin1, ascii, ...) like ISO 8859-1: bytes 0x80-0x9F become C1 controls instead of
 * `€`, `“`, ... When the platform has that bug, iconv-lite decodes windows-1252 instead.
 */
const PLATFORM_1252_OK = (() => {
  try { return new TextDecoder('windows-1252').decode(Uint8Array.of(0x80)) === '\u20ac'; } catch { return false; }
})();

function decodeWindows1252(bytes: Uint8Array): string {
  if (PLATFORM_1252_OK) return new TextDecoder('windows-1252').decode(bytes);
  const cp = codePages();
  return cp ? cp.decode(bytes, 'windows-1252') : latin1(bytes);
}

/** Normalise a charset label: trim, unquote, lower-case, drop an RFC 2231 `*language` suffix. */
export function normalizeCharset(label: string): string {
  let s = label.trim().toLowerCase();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1).trim();
  const star = s.indexOf('*'); // RFC 2231 section 5: charset*language in encoded-words
  if (star >= 0) s = s.slice(0, star);
  return s;
}

function textDecoder(label: string): TextDecoder | null {
  let d = decoders.get(label);
  if (d !== undefined) return d;
  try {
    d = new TextDecoder(label, { fatal: false });
    // WHATWG maps some dangerous labels (iso-2022-kr, hz-gb-2312, ...) to "replacement".
    if (d.encoding === 'replacement') d = null;
  } catch {
    d = null;
  }
  if (decoders.size < 256) decoders.set(label, d);
  return d;
}

function iconvKnows(label: string): boolean {
  try {
    return codePages()?.encodingExists(label) ?? false;
  } catch {
    return false;
  }
}

const ASCII_LABELS = new Set(['', 'us-ascii', 'ascii', 'ansi_x3.4-1968', 'iso646-us', 'us', 'cp367', 'ibm367', '646']);

/** True when {@link decodeCharset} knows the label (TextDecoder or iconv-lite), i.e. will not fall back to latin1. */
export function isKnownCharset(label: string): boolean {
  const l = normalizeCharset(label);
  return ASCII_LABELS.has(l) || l === 'utf-7' || textDecoder(l) !== null || iconvKnows(l);
}

/** Decode UTF-8 strictly; `undefined` when the bytes are not valid UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decode `bytes` in `charset`. Never throws.
 *
 * - US-ASCII (and an empty label) is treated tolerantly: pure ASCII decodes as is; 8-bit bytes are
 *   read as UTF-8 when valid, else as windows-1252 (what mislabelled mail almost always is).
 * - Labels the platform `TextDecoder` knows use it (`fatal: false`, so bad bytes become U+FFFD).
 * - Otherwise iconv-lite; an unknown label decodes as latin1 (see {@link isKnownCharset}).
 */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const label = normalizeCharset(charset);
  if (ASCII_LABELS.has(label)) {
    if (isAscii(bytes)) return latin1(bytes);
    return decodeUtf8Strict(bytes) ?? decodeWindows1252(bytes);
  }
  if (label !== 'utf-7' && label !== 'utf7') {
    const d = textDecoder(label);
    if (d) return d.encoding === 'windows-1252' ? decodeWindows1252(bytes) : d.decode(bytes);
  }
  if (iconvKnows(label)) {
    try {
      return codePages()!.decode(bytes, label);
    } catch {
      /* fall through to latin1 */
    }
  }
  return latin1(bytes);
}

/** Encode a string as UTF-8 bytes. */
export function encodeUtf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
