/**
 * ECDH key agreement for CMS (RFC 5753 3.1, RFC 8418 style KDF): the ANSI X9.63 KDF with
 * ECC-CMS-SharedInfo, and AES key wrap (RFC 3394) through WebCrypto's AES-KW.
 *
 * Used by decrypt.ts (recipient side) and encrypt.ts (originator side).
 */
import * as asn1js from 'asn1js';
import { SmimeBridgeError } from '../errors.js';
import { platform } from '../platform/index.js';
import { concatBytes, toArrayBuffer } from './bytes.js';
import { encodeDer } from './der.js';
import { OID, oidName } from './oids.js';

type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** RFC 5753 7.1.4: key agreement algorithm → KDF hash. Cofactor variants equal standard ones on P-curves (h = 1). */
export const KARI_HASH: Record<string, HashName> = {
  [OID.dhSinglePassStdDHsha1kdf]: 'SHA-1',
  [OID.dhSinglePassStdDHsha256kdf]: 'SHA-256',
  [OID.dhSinglePassStdDHsha384kdf]: 'SHA-384',
  [OID.dhSinglePassStdDHsha512kdf]: 'SHA-512',
  [OID.dhSinglePassCofactorDHsha1kdf]: 'SHA-1',
  [OID.dhSinglePassCofactorDHsha256kdf]: 'SHA-256',
  [OID.dhSinglePassCofactorDHsha384kdf]: 'SHA-384',
  [OID.dhSinglePassCofactorDHsha512kdf]: 'SHA-512',
};

/** AES key wrap OID → KEK length in bytes. */
export const WRAP_KEY_LEN: Record<string, number> = { [OID.aes128Wrap]: 16, [OID.aes192Wrap]: 24, [OID.aes256Wrap]: 32 };

/** Bits of the ECDH shared secret per curve. */
export const CURVE_BITS = { 'P-256': 256, 'P-384': 384, 'P-521': 528 } as const;

/** RFC 5753 7.2: ECC-CMS-SharedInfo DER. */
export function sharedInfo(wrapOid: string, ukm: Uint8Array | undefined, kekBytes: number): Uint8Array {
  const bits = kekBytes * 8;
  const items: asn1js.AsnType[] = [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: wrapOid })] })];
  if (ukm) items.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: toArrayBuffer(ukm) })] }));
  items.push(
    new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 2 },
      value: [new asn1js.OctetString({ valueHex: toArrayBuffer(new Uint8Array([bits >>> 24, bits >>> 16, bits >>> 8, bits])) })],
    }),
  );
  return encodeDer(new asn1js.Sequence({ value: items }));
}

/** ANSI X9.63 KDF (SEC 1 3.6.1): Hash(Z ‖ counter ‖ SharedInfo) blocks. */
export async function x963Kdf(hash: HashName, z: Uint8Array, info: Uint8Array, len: number): Promise<Uint8Array> {
  const out = new Uint8Array(len);
  for (let i = 1, o = 0; o < len; i++) {
    const block = await platform().digest(hash, concatBytes(z, new Uint8Array([i >>> 24, i >>> 16, i >>> 8, i]), info));
    out.set(block.subarray(0, Math.min(block.length, len - o)), o);
    o += block.length;
  }
  return out;
}

/** Resolve kari keyEncryptionAlgorithm (KDF hash + wrap OID from its parameters). */
export function resolveKari(algOid: string, params: asn1js.AsnType | undefined, where: string): { hash: HashName; wrapOid: string; kekLen: number } {
  const hash = KARI_HASH[algOid];
  if (!hash) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `key agreement algorithm ${oidName(algOid)}`, { asn1Path: where });
  const wrap = params instanceof asn1js.Sequence ? params.valueBlock.value[0] : undefined;
  const wrapOid = wrap instanceof asn1js.ObjectIdentifier ? wrap.valueBlock.toString() : '';
  const kekLen = WRAP_KEY_LEN[wrapOid];
  if (!kekLen) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `key wrap algorithm ${oidName(wrapOid || '(missing)')}`, { asn1Path: where });
  return { hash, wrapOid, kekLen };
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
