/**
 * The Node {@link Platform}: `node:crypto` (OpenSSL) for RSA, digests and AES/DES-EDE3
 * decryption, `Buffer` for base64. The only module of the core allowed to import `node:*`
 * (test/browser/scan.ts); installed by `src/node.ts`.
 *
 * RSA decryption uses `privateDecrypt` with RSA_NO_PADDING: OpenSSL's blinded, constant-time
 * RSADP; the PKCS#1 v1.5 implicit-rejection and OAEP decoding stay in src/cms/rsa.ts, so the
 * padding check is the same code on every platform.
 */
import { Buffer } from 'node:buffer';
import * as crypto from 'node:crypto';
import type { RsaPrivateParts } from './bigint-rsa.js';
import type { CbcCipher, CbcDecipher, DigestName, Platform } from './index.js';
import { portablePlatform } from './portable.js';
import { mimeLineChars, portableMimeBase64Decode, portableMimeBase64Encode } from './mime-base64.js';

const NODE_CURVE = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;
const NODE_HASH: Record<DigestName, string> = { 'SHA-1': 'sha1', 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function b64url(x: bigint): string {
  let hex = x.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex').toString('base64url');
}

const rsaKeys = new WeakMap<RsaPrivateParts, crypto.KeyObject>();
function rsaKeyObject(key: RsaPrivateParts): crypto.KeyObject {
  let k = rsaKeys.get(key);
  if (!k) {
    // RFC 7518 6.3.2: the JWK form carries exactly the RFC 8017 3.2 components
    k = crypto.createPrivateKey({
      key: { kty: 'RSA', n: b64url(key.n), e: b64url(key.e), d: b64url(key.d), p: b64url(key.p), q: b64url(key.q), dp: b64url(key.dp), dq: b64url(key.dq), qi: b64url(key.qi) },
      format: 'jwk',
    });
    rsaKeys.set(key, k);
  }
  return k;
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);
const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.length);

/** OpenSSL's name of a CBC cipher for this key and IV, if it has one. */
function cbcName(cipher: CbcCipher, key: Uint8Array, iv: Uint8Array): string | undefined {
  if (cipher === 'AES' && [16, 24, 32].includes(key.length) && iv.length === 16) return `aes-${key.length * 8}-cbc`;
  if (cipher === 'DES-EDE3' && iv.length === 8) return key.length === 24 ? 'des-ede3-cbc' : key.length === 16 ? 'des-ede-cbc' : undefined;
  return undefined;
}

/** RFC 5652 6.3 padding of the last block: the pad length, or 0 when it is not valid. */
function padLength(last: Uint8Array, bs: number): number {
  const pad = last[last.length - 1]!;
  if (pad === 0 || pad > bs || pad > last.length) return 0;
  for (let i = last.length - pad; i < last.length; i++) if (last[i] !== pad) return 0;
  return pad;
}

async function cbcDecrypt(cipher: CbcCipher, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array | null> {
  const name = cbcName(cipher, key, iv);
  if (!name || data.length === 0 || data.length % (cipher === 'AES' ? 16 : 8)) return portablePlatform.cbcDecrypt(cipher, key, iv, data);
  let d: crypto.Decipher;
  try {
    d = crypto.createDecipheriv(name, buf(key), buf(iv));
  } catch {
    // a cipher this OpenSSL build does not offer (single DES lives in the legacy provider)
    return portablePlatform.cbcDecrypt(cipher, key, iv, data);
  }
  // Padding removed here (RFC 5652 6.3, the checks OpenSSL's EVP makes): with auto padding,
  // final() returns the last block separately and joining it copied the whole content once more.
  d.setAutoPadding(false);
  const out = d.update(buf(data));
  d.final();
  const pad = padLength(out, cipher === 'AES' ? 16 : 8);
  return pad ? u8(out).subarray(0, out.length - pad) : null;
}

/** {@link Platform.cbcDecipher} through one OpenSSL decipher; the padding check is cbcDecrypt's. */
function cbcDecipher(cipher: CbcCipher, key: Uint8Array, iv: Uint8Array): CbcDecipher | undefined {
  const name = cbcName(cipher, key, iv);
  if (!name) return undefined;
  let d: crypto.Decipher;
  try {
    d = crypto.createDecipheriv(name, buf(key), buf(iv));
  } catch {
    return undefined;
  }
  d.setAutoPadding(false);
  const bs = cipher === 'AES' ? 16 : 8;
  let held: Uint8Array = new Uint8Array(0); // plaintext not given out yet: at most the last block
  let total = 0;
  return {
    update(data) {
      total += data.length;
      const out = u8(d.update(buf(data)));
      if (out.length === 0) return [];
      const give: Uint8Array[] = held.length ? [held] : [];
      const keep = Math.min(bs, out.length);
      if (out.length > keep) give.push(out.subarray(0, out.length - keep));
      held = out.subarray(out.length - keep);
      return give;
    },
    final() {
      try {
        d.final(); // throws when the ciphertext was not a whole number of blocks
      } catch {
        return null;
      }
      if (total === 0 || total % bs || held.length !== bs) return null;
      const pad = padLength(held, bs);
      return pad ? held.subarray(0, bs - pad) : null;
    },
  };
}

async function gcmDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, tag: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null> {
  if (![16, 24, 32].includes(key.length) || tag.length < 12 || tag.length > 16 || iv.length === 0) return null;
  try {
    const d = crypto.createDecipheriv(`aes-${key.length * 8}-gcm` as crypto.CipherGCMTypes, buf(key), buf(iv), { authTagLength: tag.length });
    d.setAAD(buf(aad));
    d.setAuthTag(buf(tag));
    const a = d.update(buf(data));
    const b = d.final();
    return u8(b.length ? Buffer.concat([a, b]) : a);
  } catch {
    return null;
  }
}

/** Above this, the latin1/base64 strings Buffer needs would come near V8's string length limit: portable path. */
const MAX_NATIVE = 192 << 20;

/** Outputs this small come from Buffer's shared pool: copied, so no caller sees the pool through `.buffer`. */
const POOLED = 4096;
const own = (b: Buffer): Uint8Array => (b.length < POOLED ? new Uint8Array(b) : u8(b));

/**
 * RFC 2045 6.8 decoding through Buffer. Buffer's decoder skips characters outside the alphabet
 * and stops at `=` like the portable one, but also reads the URL-safe `-` and `_` (RFC 4648 5) as
 * 62 and 63: inputs with either byte take the portable path, so both give the same bytes.
 */
function mimeBase64Decode(bytes: Uint8Array): Uint8Array {
  const b = buf(bytes); // Buffer's indexOf is memchr; TypedArray's is a byte loop
  if (bytes.length > MAX_NATIVE || b.indexOf(0x2d) >= 0 || b.indexOf(0x5f) >= 0) return portableMimeBase64Decode(bytes);
  return own(Buffer.from(b.toString('latin1'), 'base64'));
}

/**
 * Buffer's base64 for one-line output; line-broken output stays portable (copying the CRLFs into
 * Buffer's output line by line measured slower than the one-pass TypeScript encoder).
 */
function mimeBase64Encode(bytes: Uint8Array, lineLength: number): Uint8Array {
  if (mimeLineChars(lineLength) > 0 || bytes.length < 64 || bytes.length > MAX_NATIVE) return portableMimeBase64Encode(bytes, lineLength);
  return own(Buffer.from(buf(bytes).toString('base64'), 'latin1'));
}

/** `node:crypto` and `Buffer`. */
export const nodePlatform: Platform = {
  name: 'node',
  async rsaPrivateRaw(key, c) {
    return u8(crypto.privateDecrypt({ key: rsaKeyObject(key), padding: crypto.constants.RSA_NO_PADDING }, buf(c)));
  },
  async rsaSignPkcs1(pkcs8, hash, data) {
    const k = crypto.createPrivateKey({ key: buf(pkcs8), format: 'der', type: 'pkcs8' });
    return u8(crypto.sign(NODE_HASH[hash], buf(data), { key: k, padding: crypto.constants.RSA_PKCS1_PADDING }));
  },
  async verifySignature(spki, scheme, data, signature) {
    // the same schemes as WebCrypto's: PSS with MGF1 over the same hash, ECDSA as r‖s
    try {
      const key = crypto.createPublicKey({ key: buf(spki), format: 'der', type: 'spki' });
      const expected = scheme.kind === 'ecdsa' ? 'ec' : 'rsa';
      if (key.asymmetricKeyType !== expected || (scheme.kind === 'ecdsa' && key.asymmetricKeyDetails?.namedCurve !== NODE_CURVE[scheme.curve])) return false;
      const opts: crypto.VerifyKeyObjectInput | crypto.VerifyPublicKeyInput =
        scheme.kind === 'ecdsa' ? { key, dsaEncoding: 'ieee-p1363' }
        : scheme.kind === 'rsa-pss' ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength }
        : { key, padding: crypto.constants.RSA_PKCS1_PADDING };
      return crypto.verify(NODE_HASH[scheme.hash], buf(data), opts, buf(signature));
    } catch {
      return false;
    }
  },
  async digest(hash, data) {
    return u8(crypto.createHash(NODE_HASH[hash]).update(buf(data)).digest());
  },
  async hmacSha256(key, data) {
    return u8(crypto.createHmac('sha256', buf(key)).update(buf(data)).digest());
  },
  base64Decode(text) {
    // Buffer skips characters outside the alphabet; the strict check keeps the portable semantics
    if (!/^[A-Za-z0-9+/\s]*(=\s*){0,2}$/.test(text)) return null;
    return u8(Buffer.from(text, 'base64'));
  },
  base64Encode(bytes) {
    return buf(bytes).toString('base64');
  },
  mimeBase64Decode,
  mimeBase64Encode,
  cbcDecrypt,
  cbcDecipher,
  gcmDecrypt,
};
