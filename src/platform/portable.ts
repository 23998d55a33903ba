/**
 * The portable {@link Platform}: WebCrypto for digests, RSA signing and AES, pure TypeScript for
 * what WebCrypto lacks (raw RSA decryption in bigint-rsa.ts, DES-EDE3 in src/cms/des.ts, SHA-224
 * from @noble/hashes, base64). No Node imports: this is what browsers run.
 */
import { sha224 } from '@noble/hashes/sha2.js';
import { TripleDes, cbcDecrypt as cbc64Decrypt } from '../cms/des.js';
import { type RsaPrivateParts, bitLength, rsaPrivateBigint } from './bigint-rsa.js';
import type { CbcCipher, DigestName, Platform, SignatureScheme } from './index.js';
import { portableMimeBase64Decode, portableMimeBase64Encode } from './mime-base64.js';

function ab(b: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

function toBig(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

function fromBig(x: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new RangeError('integer too large');
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** RFC 4648 4 base64 decoding; whitespace ignored, anything else outside the alphabet → null. */
export function portableBase64Decode(text: string): Uint8Array | null {
  const clean = text.replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return null;
  const body = clean.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((body.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    acc = ((acc << 6) | DECODE[body.charCodeAt(i)]!) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o < out.length) out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** RFC 4648 4 base64 encoding without line breaks. */
export function portableBase64Encode(b: Uint8Array): string {
  const parts: string[] = [];
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
    if (s.length >= 65536) {
      parts.push(s);
      s = '';
    }
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((i + 1 < b.length ? b[i + 1]! : 0) << 8);
    s += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    s += i + 1 < b.length ? ALPHABET[(n >> 6) & 63]! : '=';
    s += '=';
  }
  parts.push(s);
  return parts.join('');
}

async function rsaPrivateRaw(key: RsaPrivateParts, c: Uint8Array): Promise<Uint8Array> {
  const k = Math.ceil(bitLength(key.n) / 8);
  const x = toBig(c);
  if (c.length !== k || x >= key.n) throw new RangeError('RSA input out of range');
  return fromBig(rsaPrivateBigint(key, x), k);
}

async function rsaSignPkcs1(pkcs8: Uint8Array, hash: Exclude<DigestName, 'SHA-224'>, data: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  const k = await subtle.importKey('pkcs8', ab(pkcs8), { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
  return new Uint8Array(await subtle.sign('RSASSA-PKCS1-v1_5', k, ab(data)));
}

async function verifySignature(spki: Uint8Array, scheme: SignatureScheme, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const subtle = globalThis.crypto.subtle;
  try {
    if (scheme.kind === 'ecdsa') {
      const key = await subtle.importKey('spki', ab(spki), { name: 'ECDSA', namedCurve: scheme.curve }, false, ['verify']);
      return await subtle.verify({ name: 'ECDSA', hash: scheme.hash }, key, ab(signature), ab(data));
    }
    if (scheme.kind === 'rsa-pss') {
      const key = await subtle.importKey('spki', ab(spki), { name: 'RSA-PSS', hash: scheme.hash }, false, ['verify']);
      return await subtle.verify({ name: 'RSA-PSS', saltLength: scheme.saltLength }, key, ab(signature), ab(data));
    }
    const key = await subtle.importKey('spki', ab(spki), { name: 'RSASSA-PKCS1-v1_5', hash: scheme.hash }, false, ['verify']);
    return await subtle.verify('RSASSA-PKCS1-v1_5', key, ab(signature), ab(data));
  } catch {
    return false;
  }
}

async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await globalThis.crypto.subtle.importKey('raw', ab(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', k, ab(data)));
}

async function digest(hash: DigestName, data: Uint8Array): Promise<Uint8Array> {
  // WebCrypto has no SHA-224 (W3C WebCrypto 30.1 lists SHA-1/256/384/512)
  if (hash === 'SHA-224') return sha224(data);
  return new Uint8Array(await globalThis.crypto.subtle.digest(hash, ab(data)));
}

async function cbcDecrypt(cipher: CbcCipher, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array | null> {
  if (cipher === 'DES-EDE3') {
    if (key.length !== 24 && key.length !== 16 && key.length !== 8) return null;
    return cbc64Decrypt(new TripleDes(key), iv, data);
  }
  if (![16, 24, 32].includes(key.length) || iv.length !== 16 || data.length === 0 || data.length % 16) return null;
  try {
    const k = await globalThis.crypto.subtle.importKey('raw', ab(key), 'AES-CBC', false, ['decrypt']);
    return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'AES-CBC', iv: ab(iv) }, k, ab(data)));
  } catch {
    return null;
  }
}

async function gcmDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, tag: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null> {
  if (![16, 24, 32].includes(key.length) || tag.length < 12 || tag.length > 16 || iv.length === 0) return null;
  try {
    const k = await globalThis.crypto.subtle.importKey('raw', ab(key), 'AES-GCM', false, ['decrypt']);
    const joined = new Uint8Array(data.length + tag.length);
    joined.set(data);
    joined.set(tag, data.length);
    return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv: ab(iv), additionalData: ab(aad), tagLength: tag.length * 8 }, k, ab(joined)));
  } catch {
    return null;
  }
}

/** WebCrypto + pure TypeScript: runs wherever `globalThis.crypto.subtle` exists. */
export const portablePlatform: Platform = {
  name: 'portable',
  rsaPrivateRaw,
  rsaSignPkcs1,
  digest,
  hmacSha256,
  verifySignature,
  base64Decode: portableBase64Decode,
  base64Encode: portableBase64Encode,
  mimeBase64Decode: portableMimeBase64Decode,
  mimeBase64Encode: portableMimeBase64Encode,
  cbcDecrypt,
  gcmDecrypt,
};
