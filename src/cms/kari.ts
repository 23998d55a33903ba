/**
 * ECDH key agreement for CMS (RFC 5753 3.1, RFC 8418 style KDF): the ANSI X9.63 KDF with
 * ECC-CMS-SharedInfo, AES key wrap (RFC 3394) through WebCrypto's AES-KW, and the Triple-DES key
 * wrap of RFC 3217 (OpenSSL's `-wrap des3-wrap`) in TypeScript over des.ts.
 *
 * Used by decrypt.ts (recipient side) and encrypt.ts (originator side).
 */
import * as asn1js from 'asn1js';
import { SmimeBridgeError } from '../errors.js';
import { type DigestName, platform } from '../platform/index.js';
import { concatBytes, ctEqual, toArrayBuffer } from './bytes.js';
import { TripleDes } from './des.js';
import { encodeDer } from './der.js';
import { OID, oidName } from './oids.js';

/**
 * RFC 5753 7.1.4 (SHA-1, SHA-2) and SEC 1 / RFC 8418-era OIDs (SHA-224): key agreement algorithm
 * → KDF hash. Cofactor variants equal the standard ones on the P-curves (cofactor h = 1).
 */
export const KARI_HASH: Record<string, DigestName> = {
  [OID.dhSinglePassStdDHsha1kdf]: 'SHA-1',
  [OID.dhSinglePassStdDHsha224kdf]: 'SHA-224',
  [OID.dhSinglePassStdDHsha256kdf]: 'SHA-256',
  [OID.dhSinglePassStdDHsha384kdf]: 'SHA-384',
  [OID.dhSinglePassStdDHsha512kdf]: 'SHA-512',
  [OID.dhSinglePassCofactorDHsha1kdf]: 'SHA-1',
  [OID.dhSinglePassCofactorDHsha224kdf]: 'SHA-224',
  [OID.dhSinglePassCofactorDHsha256kdf]: 'SHA-256',
  [OID.dhSinglePassCofactorDHsha384kdf]: 'SHA-384',
  [OID.dhSinglePassCofactorDHsha512kdf]: 'SHA-512',
};

/** Key wrap OID → KEK length in bytes (RFC 3565 2.3.2 AES, RFC 3217 / RFC 3370 4.3.1 Triple-DES). */
export const WRAP_KEY_LEN: Record<string, number> = { [OID.aes128Wrap]: 16, [OID.aes192Wrap]: 24, [OID.aes256Wrap]: 32, [OID.cms3DESwrap]: 24 };

/** Bits of the ECDH shared secret per curve. */
export const CURVE_BITS = { 'P-256': 256, 'P-384': 384, 'P-521': 528 } as const;

/** A DER TLV with a short or long definite length (X.690 8.1.3). */
function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concatBytes(new Uint8Array([tag, ...len]), content);
}

/** DER of a key-wrap AlgorithmIdentifier as we send it (RFC 3565 2.3.2: AES wrap parameters absent; RFC 3370 4.3.1: 3DES wrap NULL). */
export function wrapAlgorithmDer(wrapOid: string): Uint8Array {
  const items: asn1js.AsnType[] = [new asn1js.ObjectIdentifier({ value: wrapOid })];
  if (wrapOid === OID.cms3DESwrap) items.push(new asn1js.Null());
  return encodeDer(new asn1js.Sequence({ value: items }));
}

/**
 * RFC 5753 7.2: ECC-CMS-SharedInfo ::= SEQUENCE { keyInfo AlgorithmIdentifier, entityUInfo [0]
 * EXPLICIT OCTET STRING OPTIONAL, suppPubInfo [2] EXPLICIT OCTET STRING }. `keyInfoDer` is the
 * key-wrap AlgorithmIdentifier exactly as the originator encoded it (a NULL parameter or its
 * absence changes the KDF input, so the recipient must use the received bytes).
 */
export function sharedInfo(keyInfoDer: Uint8Array, ukm: Uint8Array | undefined, kekBytes: number): Uint8Array {
  const bits = kekBytes * 8;
  const parts = [keyInfoDer];
  if (ukm) parts.push(tlv(0xa0, tlv(0x04, ukm)));
  parts.push(tlv(0xa2, tlv(0x04, new Uint8Array([bits >>> 24, bits >>> 16, bits >>> 8, bits]))));
  return tlv(0x30, concatBytes(...parts));
}

/** ANSI X9.63 KDF (SEC 1 3.6.1): Hash(Z ‖ counter ‖ SharedInfo) blocks. */
export async function x963Kdf(hash: DigestName, z: Uint8Array, info: Uint8Array, len: number): Promise<Uint8Array> {
  const out = new Uint8Array(len);
  for (let i = 1, o = 0; o < len; i++) {
    const block = await platform().digest(hash, concatBytes(z, new Uint8Array([i >>> 24, i >>> 16, i >>> 8, i]), info));
    out.set(block.subarray(0, Math.min(block.length, len - o)), o);
    o += block.length;
  }
  return out;
}

/** The resolved keyEncryptionAlgorithm of a KeyAgreeRecipientInfo. */
export interface KariAlgorithm {
  hash: DigestName;
  wrapOid: string;
  kekLen: number;
  /** The key-wrap AlgorithmIdentifier as received (for the SharedInfo). */
  wrapAlgDer: Uint8Array;
}

/**
 * Resolve kari keyEncryptionAlgorithm (RFC 5753 7.1.5: its parameters are the KeyWrapAlgorithm).
 * Anything we cannot use is a precise `CMS_UNSUPPORTED_ALGORITHM`, never the generic decryption failure.
 */
export function resolveKari(algOid: string, params: asn1js.AsnType | undefined, where: string): KariAlgorithm {
  const hash = KARI_HASH[algOid];
  if (!hash) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `key agreement algorithm ${oidName(algOid)}`, { asn1Path: where });
  if (!(params instanceof asn1js.Sequence)) throw new SmimeBridgeError('CMS_MALFORMED', 'key agreement algorithm without its KeyWrapAlgorithm parameter', { asn1Path: where });
  const [wrap, wrapParams, ...extra] = params.valueBlock.value;
  const wrapOid = wrap instanceof asn1js.ObjectIdentifier ? wrap.valueBlock.toString() : '';
  const kekLen = WRAP_KEY_LEN[wrapOid];
  if (!kekLen) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `key wrap algorithm ${oidName(wrapOid || '(missing)')}`, { asn1Path: where + '.parameters' });
  // RFC 3565 2.3.2 (absent; NULL is what some writers send) and RFC 3370 4.3.1 (NULL)
  if (extra.length || (wrapParams && !(wrapParams instanceof asn1js.Null))) {
    throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `key wrap algorithm ${oidName(wrapOid)} with parameters other than NULL`, { asn1Path: where + '.parameters' });
  }
  const wrapAlgDer = new Uint8Array(params.valueBeforeDecodeView);
  return { hash, wrapOid, kekLen, wrapAlgDer: wrapAlgDer.length ? wrapAlgDer.slice() : encodeDer(params) };
}

/** Unwrap a content-encryption key with the KEK; null on an integrity failure (one outcome). */
export async function keyUnwrap(wrapOid: string, kek: Uint8Array, wrapped: Uint8Array): Promise<Uint8Array | null> {
  return wrapOid === OID.cms3DESwrap ? tripleDesKeyUnwrap(kek, wrapped) : aesKeyUnwrap(kek, wrapped);
}

/** RFC 3394 AES key unwrap via WebCrypto. Null on integrity failure. */
export async function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Promise<Uint8Array | null> {
  if (wrapped.length < 24 || wrapped.length % 8) return null;
  try {
    const k = await globalThis.crypto.subtle.importKey('raw', toArrayBuffer(kek), 'AES-KW', false, ['unwrapKey']);
    // unwrap into an HMAC key (accepts any length) only to read the raw bytes back
    const bits = (wrapped.length - 8) * 8;
    const key = await globalThis.crypto.subtle.unwrapKey('raw', toArrayBuffer(wrapped), k, 'AES-KW', { name: 'HMAC', hash: 'SHA-256', length: bits }, true, ['sign']);
    return new Uint8Array(await globalThis.crypto.subtle.exportKey('raw', key));
  } catch {
    return null;
  }
}

/** RFC 3394 AES key wrap via WebCrypto. `cek` length must be a multiple of 8. */
export async function aesKeyWrap(kek: Uint8Array, cek: Uint8Array): Promise<Uint8Array> {
  const k = await globalThis.crypto.subtle.importKey('raw', toArrayBuffer(kek), 'AES-KW', false, ['wrapKey']);
  const inner = await globalThis.crypto.subtle.importKey('raw', toArrayBuffer(cek), { name: 'HMAC', hash: 'SHA-256', length: cek.length * 8 }, true, ['sign']);
  return new Uint8Array(await globalThis.crypto.subtle.wrapKey('raw', inner, k, 'AES-KW'));
}

/** RFC 3217 3.2 step 2: the fixed IV of the outer encryption. */
const WRAP_IV = new Uint8Array([0x4a, 0xdd, 0xa2, 0x2c, 0x79, 0xe8, 0x21, 0x05]);

/** CBC decryption without padding over 8-byte blocks (RFC 3217 uses no padding). */
function cbcRaw(des: TripleDes, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const out = data.slice();
  let prev = iv;
  for (let o = 0; o < out.length; o += 8) {
    const c = data.subarray(o, o + 8);
    des.decryptBlock(out, o);
    for (let i = 0; i < 8; i++) out[o + i] ^= prev[i]!;
    prev = c;
  }
  return out;
}

/**
 * RFC 3217 3.2 Triple-DES key unwrap: decrypt with IV 0x4adda22c79e82105, reverse the octets,
 * split IV ‖ TEMP1, decrypt TEMP1 to CEK ‖ ICV, check ICV = first 8 octets of SHA-1(CEK)
 * (the CMS key checksum, RFC 3217 2). RFC 3217 wraps a 24-byte 3DES key (40 octets wrapped);
 * OpenSSL applies the same steps to any CEK length that is a multiple of 8, so we accept that too.
 * Null on an integrity failure.
 */
export async function tripleDesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Promise<Uint8Array | null> {
  if (kek.length !== 24 || wrapped.length < 24 || wrapped.length % 8) return null;
  const des = new TripleDes(kek);
  const temp3 = cbcRaw(des, WRAP_IV, wrapped);
  const temp2 = temp3.reverse();
  const cekIcv = cbcRaw(des, temp2.subarray(0, 8), temp2.subarray(8));
  const cek = cekIcv.subarray(0, cekIcv.length - 8);
  const icv = cekIcv.subarray(cekIcv.length - 8);
  const check = (await platform().digest('SHA-1', cek)).subarray(0, 8);
  return ctEqual(icv, check) ? cek.slice() : null;
}
