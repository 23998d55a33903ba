/**
 * RSA primitives in bigint arithmetic for what WebCrypto lacks: RSAES-PKCS1-v1_5 decryption with
 * implicit rejection and encryption (RFC 8017 7.2), and RSAES-OAEP with a MGF1 hash different
 * from the label hash (RFC 8017 7.1, RFC 8017 appendix A.2.1 parameters as sent by some tools).
 *
 * Hand-written because WebCrypto offers neither PKCS#1 v1.5 encryption nor OAEP with mixed
 * hashes. The private operation RSADP itself comes from the platform (src/platform): in Node
 * `node:crypto` `privateDecrypt` with RSA_NO_PADDING (OpenSSL, blinded), in browsers the blinded
 * bigint ladder of src/platform/bigint-rsa.ts. The decoding here is the same on both. The implicit-rejection design makes a padding failure
 * indistinguishable in *result* (a deterministic pseudo-random key is returned), which is what
 * closes the Bleichenbacher/Marvin padding oracle at the CMS level (the error surfaces later as
 * the one generic CMS_DECRYPT_FAILED).
 */
import { type RsaPrivateParts, publicModPow } from '../platform/bigint-rsa.js';
import { platform } from '../platform/index.js';
import { bigIntToBytes, bytesToBigInt, concatBytes, randomBytes } from './bytes.js';

export type { RsaPrivateParts } from '../platform/bigint-rsa.js';

/** RSA public key components. */
export interface RsaPublicParts {
  n: bigint;
  e: bigint;
}

/** Byte length of the modulus. */
export function modulusBytes(n: bigint): number {
  return Math.ceil(n.toString(16).length / 2);
}

/** RSAEP (RFC 8017 5.1.1); public values only. */
export function rsaPublic(key: RsaPublicParts, m: bigint): bigint {
  return publicModPow(m, key.e, key.n);
}

/** RSADP (RFC 8017 5.1.2) through the platform (node:crypto in Node, blinded bigint ladder elsewhere). */
async function rsadp(key: RsaPrivateParts, c: Uint8Array): Promise<Uint8Array> {
  return platform().rsaPrivateRaw(key, c);
}

const hmacSha256 = (key: Uint8Array, data: Uint8Array) => platform().hmacSha256(key, data);

/**
 * Implicit-rejection key derivation (modelled on draft-irtf-cfrg-rsa-guidance / OpenSSL 3.2):
 * KDK = HMAC-SHA256(SHA-256(d), C), synthetic = HMAC-SHA256(KDK, label ‖ counter) truncated to `len`.
 */
async function syntheticKey(key: RsaPrivateParts, cBytes: Uint8Array, len: number): Promise<Uint8Array> {
  const k = modulusBytes(key.n);
  const dHash = await platform().digest('SHA-256', bigIntToBytes(key.d, k));
  const kdk = await hmacSha256(dHash, cBytes);
  const label = new TextEncoder().encode('smime-bridge implicit rejection');
  const out = new Uint8Array(len);
  for (let i = 0, o = 0; o < len; i++) {
    const block = await hmacSha256(kdk, concatBytes(label, new Uint8Array([i >>> 24, i >>> 16, i >>> 8, i])));
    out.set(block.subarray(0, Math.min(block.length, len - o)), o);
    o += block.length;
  }
  return out;
}

/**
 * RSAES-PKCS1-v1_5 decryption of a content-encryption key with implicit rejection: always returns
 * `expectedLen` bytes. If the padding is wrong or the message length is not `expectedLen`, the
 * result is a key derived deterministically from the private key and the ciphertext, so a caller
 * cannot tell the cases apart except by the later (generic) content decryption failure.
 */
export async function rsaPkcs1v15DecryptImplicit(key: RsaPrivateParts, ciphertext: Uint8Array, expectedLen: number): Promise<Uint8Array> {
  return (await rsaPkcs1v15DecryptFlagged(key, ciphertext, expectedLen)).key;
}

/**
 * {@link rsaPkcs1v15DecryptImplicit}, also returning whether the padding was valid (1) or the key
 * is the synthetic one (0). Only for ranking several candidate keys of one message internally
 * (decrypt.ts); the flag must never reach a caller or change the error reported.
 */
export async function rsaPkcs1v15DecryptFlagged(key: RsaPrivateParts, ciphertext: Uint8Array, expectedLen: number): Promise<{ key: Uint8Array; valid: number }> {
  const k = modulusBytes(key.n);
  const cPadded = new Uint8Array(k);
  if (ciphertext.length <= k) cPadded.set(ciphertext, k - ciphertext.length);
  const synthetic = await syntheticKey(key, cPadded, expectedLen);
  const c = bytesToBigInt(ciphertext);
  let good = ciphertext.length === k && c < key.n ? 1 : 0;
  const em = good ? await rsadp(key, ciphertext) : new Uint8Array(k);
  // RFC 8017 7.2.2 step 3, evaluated without early exits
  good &= em[0] === 0 ? 1 : 0;
  good &= em[1] === 2 ? 1 : 0;
  let zeroIdx = 0;
  let found = 0;
  for (let i = 2; i < k; i++) {
    const isZero = em[i] === 0 ? 1 : 0;
    const take = isZero & (found ^ 1);
    zeroIdx = take ? i : zeroIdx;
    found |= isZero;
  }
  good &= found;
  good &= zeroIdx >= 10 ? 1 : 0; // at least 8 bytes of PS
  good &= k - zeroIdx - 1 === expectedLen ? 1 : 0;
  const out = new Uint8Array(expectedLen);
  const mask = -good & 0xff;
  const start = Math.max(0, Math.min(k - expectedLen, zeroIdx + 1));
  for (let i = 0; i < expectedLen; i++) out[i] = (em[start + i]! & mask) | (synthetic[i]! & ~mask & 0xff);
  return { key: out, valid: good };
}

/** RSAES-PKCS1-v1_5 encryption (RFC 8017 7.2.1). */
export function rsaPkcs1v15Encrypt(key: RsaPublicParts, msg: Uint8Array): Uint8Array {
  const k = modulusBytes(key.n);
  if (msg.length > k - 11) throw new RangeError('message too long for RSA modulus');
  const ps = new Uint8Array(k - msg.length - 3);
  for (let i = 0; i < ps.length; i++) {
    let b = 0;
    while (b === 0) b = randomBytes(1)[0]!;
    ps[i] = b;
  }
  const em = concatBytes(new Uint8Array([0, 2]), ps, new Uint8Array([0]), msg);
  return bigIntToBytes(rsaPublic(key, bytesToBigInt(em)), k);
}

type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

async function digest(h: HashName, data: Uint8Array): Promise<Uint8Array> {
  return platform().digest(h, data);
}

async function mgf1(h: HashName, seed: Uint8Array, len: number): Promise<Uint8Array> {
  const out = new Uint8Array(len);
  for (let i = 0, o = 0; o < len; i++) {
    const block = await digest(h, concatBytes(seed, new Uint8Array([i >>> 24, i >>> 16, i >>> 8, i])));
    out.set(block.subarray(0, Math.min(block.length, len - o)), o);
    o += block.length;
  }
  return out;
}

/**
 * RSAES-OAEP decryption (RFC 8017 7.1.2) with independent label hash and MGF1 hash. Returns null
 * on any decoding error (one outcome, no detail).
 */
export async function rsaOaepDecrypt(
  key: RsaPrivateParts,
  ciphertext: Uint8Array,
  hash: HashName,
  mgfHash: HashName,
  label: Uint8Array,
): Promise<Uint8Array | null> {
  const k = modulusBytes(key.n);
  const lHash = await digest(hash, label);
  const hLen = lHash.length;
  if (ciphertext.length !== k || k < 2 * hLen + 2) return null;
  const c = bytesToBigInt(ciphertext);
  if (c >= key.n) return null;
  const em = await rsadp(key, ciphertext);
  const maskedSeed = em.subarray(1, 1 + hLen);
  const maskedDb = em.subarray(1 + hLen);
  const seedMask = await mgf1(mgfHash, maskedDb, hLen);
  const seed = maskedSeed.map((x, i) => x ^ seedMask[i]!);
  const dbMask = await mgf1(mgfHash, seed, k - hLen - 1);
  const db = maskedDb.map((x, i) => x ^ dbMask[i]!);
  let bad = em[0]!;
  for (let i = 0; i < hLen; i++) bad |= db[i]! ^ lHash[i]!;
  let oneIdx = 0;
  let found = 0;
  for (let i = hLen; i < db.length; i++) {
    const isOne = db[i] === 1 ? 1 : 0;
    const isZero = db[i] === 0 ? 1 : 0;
    const take = isOne & (found ^ 1);
    oneIdx = take ? i : oneIdx;
    // a non-zero, non-one byte before the separator is an error
    bad |= (found ^ 1) & (isZero ^ 1) & (isOne ^ 1);
    found |= isOne;
  }
  bad |= found ^ 1;
  return bad ? null : db.slice(oneIdx + 1);
}

/** RSAES-OAEP encryption (RFC 8017 7.1.1). */
export async function rsaOaepEncrypt(key: RsaPublicParts, msg: Uint8Array, hash: HashName, mgfHash: HashName, label: Uint8Array): Promise<Uint8Array> {
  const k = modulusBytes(key.n);
  const lHash = await digest(hash, label);
  const hLen = lHash.length;
  if (msg.length > k - 2 * hLen - 2) throw new RangeError('message too long for RSA-OAEP');
  const db = concatBytes(lHash, new Uint8Array(k - msg.length - 2 * hLen - 2), new Uint8Array([1]), msg);
  const seed = randomBytes(hLen);
  const dbMask = await mgf1(mgfHash, seed, k - hLen - 1);
  const maskedDb = db.map((x, i) => x ^ dbMask[i]!);
  const seedMask = await mgf1(mgfHash, maskedDb, hLen);
  const maskedSeed = seed.map((x, i) => x ^ seedMask[i]!);
  const em = concatBytes(new Uint8Array([0]), maskedSeed, maskedDb);
  return bigIntToBytes(rsaPublic(key, bytesToBigInt(em)), k);
}
