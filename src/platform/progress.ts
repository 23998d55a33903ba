/**
 * Progress per byte for long work (the page's worker uses it): the library asks its platform
 * for base64 decoding, digests and AES-CBC decryption; this platform does the same
 * work in 1 MiB pieces on large inputs and reports the fraction done after each piece. The bytes
 * are those of the platform it wraps (test/platform/progress.test.ts compares them with Node's): only the
 * reporting is added. AES-GCM and DES-EDE3 are done in one piece (GCM checks its tag at the end).
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { DigestName, Platform } from './index.js';
import { B64_DEC } from './mime-base64.js';

/** Size of one piece. */
export const PIECE = 1 << 20;
/** Inputs up to this size are done in one piece, without reports. */
export const LARGE = 2 * PIECE;

/** Where a step reports: what it does, bytes done, bytes in all. */
export type ByteReport = (what: string, done: number, total: number) => void;

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * MIME base64 (RFC 2045 6.8) decoded piece by piece. Each piece but the last is cut after a whole
 * number of 4-character groups (characters outside the alphabet do not count), so every piece
 * decodes to whole bytes; a piece with the `=` pad ends the data, as in one pass.
 */
export function piecewiseBase64(decode: (b: Uint8Array) => Uint8Array, bytes: Uint8Array, report: ByteReport): Uint8Array {
  if (bytes.length <= LARGE) return decode(bytes);
  const parts: Uint8Array[] = [];
  let carry = new Uint8Array(0);
  for (let start = 0; start < bytes.length; start += PIECE) {
    const end = Math.min(bytes.length, start + PIECE);
    let piece = bytes.subarray(start, end);
    if (carry.length) piece = concat([carry, piece]);
    if (end === bytes.length || piece.indexOf(0x3d) >= 0) {
      parts.push(decode(piece));
      report('decoding base64', bytes.length, bytes.length);
      break;
    }
    let count = 0;
    for (let i = 0; i < piece.length; i++) if (B64_DEC[piece[i]!]! >= 0) count++;
    // Cut before the last (count % 4) alphabet characters: they start the next piece.
    let cut = piece.length;
    for (let r = count % 4; r > 0;) if (B64_DEC[piece[--cut]!]! >= 0) r--;
    parts.push(decode(piece.subarray(0, cut)));
    carry = new Uint8Array(piece.subarray(cut));
    report('decoding base64', end, bytes.length);
  }
  return concat(parts);
}

const HASHES = { 'SHA-1': sha1, 'SHA-224': sha224, 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 };

/** A digest (FIPS 180-4) fed piece by piece (@noble/hashes: WebCrypto has no incremental digest). */
export async function piecewiseDigest(hash: DigestName, data: Uint8Array, report: ByteReport, what = `computing the ${hash} digest`): Promise<Uint8Array> {
  const h = HASHES[hash].create();
  for (let at = 0; at < data.length; at += PIECE) {
    h.update(data.subarray(at, Math.min(data.length, at + PIECE)));
    report(what, Math.min(data.length, at + PIECE), data.length);
  }
  return h.digest();
}

/** A copy as its own ArrayBuffer (a Node Buffer may be a view of a larger pool). */
const ab = (b: Uint8Array) => new Uint8Array(b).buffer;

/**
 * AES-CBC decryption (RFC 5652 6.3, RFC 3565) piece by piece with WebCrypto, which removes the
 * padding of every call: each piece but the last gets one more block, the encryption of a full
 * padding block (16 bytes of 16) chained after the piece, so WebCrypto's padding removal takes
 * exactly that block away. The next piece is chained on the last cipher block of this one.
 */
export async function piecewiseAesCbc(base: Platform, key: Uint8Array, iv: Uint8Array, data: Uint8Array, report: ByteReport): Promise<Uint8Array | null> {
  const subtle = globalThis.crypto.subtle;
  let k: CryptoKey;
  try { k = await subtle.importKey('raw', ab(key), 'AES-CBC', false, ['encrypt', 'decrypt']); } catch { return null; }
  const parts: Uint8Array[] = [];
  let chain = iv;
  for (let at = 0; at < data.length; at += PIECE) {
    const end = Math.min(data.length, at + PIECE);
    const piece = data.subarray(at, end);
    if (end === data.length) {
      const last = await base.cbcDecrypt('AES', key, chain, piece);
      if (!last) return null;
      parts.push(last);
    } else {
      const lastBlock = new Uint8Array(piece.subarray(piece.length - 16));
      try {
        const pad = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv: ab(lastBlock) }, k, ab(new Uint8Array(16).fill(16)))).subarray(0, 16);
        parts.push(new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: ab(chain) }, k, ab(concat([piece, pad])))));
      } catch { return null; }
      chain = lastBlock;
    }
    report('decrypting the content', end, data.length);
  }
  return concat(parts);
}

/** `base` with progress reports on large inputs (`report()` gives the current sink, or none). */
export function progressPlatform(base: Platform, report: () => ByteReport | undefined): Platform {
  return {
    ...base,
    name: `${base.name}+progress`,
    mimeBase64Decode(bytes) {
      const r = report();
      return r ? piecewiseBase64((b) => base.mimeBase64Decode(b), bytes, r) : base.mimeBase64Decode(bytes);
    },
    async digest(hash, data) {
      const r = report();
      return r && data.length > LARGE ? piecewiseDigest(hash, data, r) : base.digest(hash, data);
    },
    async cbcDecrypt(cipher, key, iv, data) {
      const r = report();
      const aes = cipher === 'AES' && [16, 24, 32].includes(key.length) && iv.length === 16 && data.length % 16 === 0;
      return r && aes && data.length > LARGE ? piecewiseAesCbc(base, key, iv, data, r) : base.cbcDecrypt(cipher, key, iv, data);
    },
    async gcmDecrypt(key, iv, data, tag, aad) {
      const r = report();
      r?.('decrypting the content (AES-GCM, one piece)', 0, data.length);
      const out = await base.gcmDecrypt(key, iv, data, tag, aad);
      r?.('decrypting the content (AES-GCM, one piece)', data.length, data.length);
      return out;
    },
  };
}
