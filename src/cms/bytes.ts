/**
 * Small byte helpers for the CMS layer (browser-safe: Uint8Array only, no Buffer).
 *
 * Hand-written because they are a few lines each and pulling a dependency for them would cost
 * more than it saves.
 */
import { platform } from '../platform/index.js';

/** Concatenate byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Byte-wise equality (not constant time; use {@link ctEqual} for secrets). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Constant-time equality of two equal-length byte arrays (length itself is not secret). */
export function ctEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Lower-case hex of bytes. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Copy a view or ArrayBuffer into a fresh, exactly-sized ArrayBuffer (what WebCrypto and asn1js want). */
export function toArrayBuffer(b: Uint8Array | ArrayBuffer): ArrayBuffer {
  if (b instanceof ArrayBuffer) return b;
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

/** Big-endian unsigned bytes to bigint. */
export function bytesToBigInt(b: Uint8Array): bigint {
  let hex = toHex(b);
  if (hex === '') hex = '0';
  return BigInt('0x' + hex);
}

/** bigint to big-endian unsigned bytes, left-padded to `len` bytes. Throws if it does not fit. */
export function bigIntToBytes(x: bigint, len: number): Uint8Array {
  let hex = x.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const n = hex.length / 2;
  if (n > len) throw new RangeError('integer too large');
  const out = new Uint8Array(len);
  for (let i = 0; i < n; i++) out[len - n + i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** Decode base64 (whitespace ignored). Returns null on a character outside the alphabet. Through the platform (Buffer in Node). */
export function base64Decode(text: string): Uint8Array | null {
  return platform().base64Decode(text);
}

/** Encode bytes as base64 (no line breaks). Through the platform (Buffer in Node). */
export function base64Encode(b: Uint8Array): string {
  return platform().base64Encode(b);
}

/** Cryptographically random bytes from WebCrypto. */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues is limited to 65536 bytes per call.
  for (let o = 0; o < n; o += 65536) globalThis.crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

/**
 * RFC 8551 3.1.1 / RFC 5751: canonical line ends. Converts bare LF to CRLF (an existing CRLF is
 * kept, a bare CR is kept). Returns null when the input has no bare LF (nothing would change).
 */
export function lfToCrlf(b: Uint8Array): Uint8Array | null {
  let bare = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a && (i === 0 || b[i - 1] !== 0x0d)) bare++;
  if (bare === 0) return null;
  const out = new Uint8Array(b.length + bare);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a && (i === 0 || b[i - 1] !== 0x0d)) out[o++] = 0x0d;
    out[o++] = b[i]!;
  }
  return out;
}
