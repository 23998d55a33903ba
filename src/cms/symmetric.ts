/**
 * Content-encryption algorithms of CMS (RFC 3370 5, RFC 3565, RFC 5084): parameter parsing, key
 * sizes, and CBC/GCM encryption and decryption. AES and DES-EDE3 decryption go through the
 * platform (node:crypto in Node; WebCrypto / des.ts elsewhere), encryption through WebCrypto and
 * des.ts; RC2 is always the pure-TypeScript rc2.ts (neither WebCrypto nor OpenSSL 3's default
 * provider has it).
 */
import * as asn1js from 'asn1js';
import { SmimeBridgeError } from '../errors.js';
import { type CbcDecipher, platform } from '../platform/index.js';
import { toArrayBuffer } from './bytes.js';
import { TripleDes, cbcDecrypt as cbc64Decrypt, cbcEncrypt as cbc64Encrypt } from './des.js';
import { octetsOf } from './der.js';
import { OID, oidName } from './oids.js';
import { Rc2, rc2EffectiveBits } from './rc2.js';

/** A content-encryption algorithm with its parsed parameters. */
export interface CipherSpec {
  oid: string;
  name: string;
  /** Key length in bytes. */
  keyLength: number;
  mode: 'cbc' | 'gcm';
  iv: Uint8Array;
  /** RC2 effective key bits. */
  rc2Bits?: number;
  /** GCM ICV length in bytes (RFC 5084 3.2, default 12). */
  tagLength?: number;
}

const AES_CBC: Record<string, number> = { [OID.aes128CBC]: 16, [OID.aes192CBC]: 24, [OID.aes256CBC]: 32 };
const AES_GCM: Record<string, number> = { [OID.aes128GCM]: 16, [OID.aes192GCM]: 24, [OID.aes256GCM]: 32 };

function unsupported(oid: string, where: string): never {
  throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `content encryption algorithm ${oidName(oid)} is not supported`, { asn1Path: where });
}

function bad(msg: string, where: string): never {
  throw new SmimeBridgeError('CMS_MALFORMED', msg, { asn1Path: where });
}

/** Parse a content-encryption AlgorithmIdentifier (OID and its parameters). */
export function parseCipher(oid: string, params: asn1js.AsnType | undefined, where: string): CipherSpec {
  if (AES_CBC[oid]) {
    // RFC 3565 4.1: AES-IV ::= OCTET STRING (SIZE(16))
    if (!(params instanceof asn1js.OctetString)) bad('AES-CBC parameters are not an OCTET STRING IV', where);
    const iv = octetsOf(params);
    if (iv.length !== 16) bad(`AES-CBC IV is ${iv.length} bytes, not 16`, where);
    return { oid, name: oidName(oid), keyLength: AES_CBC[oid]!, mode: 'cbc', iv };
  }
  if (AES_GCM[oid]) {
    // RFC 5084 3.2: GCMParameters ::= SEQUENCE { aes-nonce OCTET STRING, aes-ICVlen INTEGER DEFAULT 12 }
    if (!(params instanceof asn1js.Sequence)) bad('AES-GCM parameters are not a SEQUENCE', where);
    const items = params.valueBlock.value;
    const nonce = items[0];
    if (!(nonce instanceof asn1js.OctetString)) bad('AES-GCM nonce missing', where);
    const icv = items[1] instanceof asn1js.Integer ? items[1].valueBlock.valueDec : 12;
    if (![12, 13, 14, 15, 16].includes(icv)) bad(`AES-GCM ICV length ${icv} is not allowed`, where);
    const iv = octetsOf(nonce);
    if (iv.length < 1 || iv.length > 64) bad(`AES-GCM nonce of ${iv.length} bytes`, where);
    return { oid, name: oidName(oid), keyLength: AES_GCM[oid]!, mode: 'gcm', iv, tagLength: icv };
  }
  if (oid === OID.desEde3CBC || oid === OID.desCBC) {
    // RFC 3370 5.1: CBCParameter ::= IV ::= OCTET STRING (SIZE(8))
    if (!(params instanceof asn1js.OctetString)) bad('DES parameters are not an OCTET STRING IV', where);
    const iv = octetsOf(params);
    if (iv.length !== 8) bad(`DES IV is ${iv.length} bytes, not 8`, where);
    return { oid, name: oidName(oid), keyLength: oid === OID.desCBC ? 8 : 24, mode: 'cbc', iv };
  }
  if (oid === OID.rc2CBC) {
    // RFC 3370 5.2: RC2CBCParameter ::= SEQUENCE { rc2ParameterVersion INTEGER, iv OCTET STRING (SIZE(8)) }
    let version = 160; // absent version: RFC 8018 B.2.3 says 32 bits, but S/MIME tools use 40
    let ivNode: asn1js.AsnType | undefined;
    if (params instanceof asn1js.Sequence) {
      const items = params.valueBlock.value;
      if (items[0] instanceof asn1js.Integer) {
        version = items[0].valueBlock.valueDec;
        ivNode = items[1];
      } else ivNode = items[0];
    } else ivNode = params;
    if (!(ivNode instanceof asn1js.OctetString)) bad('RC2 IV missing', where);
    const iv = octetsOf(ivNode);
    if (iv.length !== 8) bad(`RC2 IV is ${iv.length} bytes, not 8`, where);
    const bits = rc2EffectiveBits(version);
    if (bits < 1 || bits > 1024) bad(`RC2 parameter version ${version} is not known`, where);
    return { oid, name: `RC2-${bits}-CBC`, keyLength: Math.ceil(bits / 8), mode: 'cbc', iv, rc2Bits: bits };
  }
  return unsupported(oid, where);
}

/** Decrypt CBC content with PKCS#7 padding; null on bad length/padding (caller maps to one error). */
export async function cbcDecryptAny(spec: CipherSpec, key: Uint8Array, data: Uint8Array): Promise<Uint8Array | null> {
  if (spec.mode !== 'cbc') return null;
  if (AES_CBC[spec.oid]) {
    if (key.length !== spec.keyLength || data.length === 0 || data.length % 16) return null;
    return platform().cbcDecrypt('AES', key, spec.iv, data);
  }
  if (spec.oid === OID.desEde3CBC || spec.oid === OID.desCBC) {
    if (key.length !== 24 && key.length !== 16 && key.length !== 8) return null;
    return platform().cbcDecrypt('DES-EDE3', key, spec.iv, data);
  }
  if (spec.oid === OID.rc2CBC) {
    if (key.length < 1 || key.length > 128) return null;
    return cbc64Decrypt(new Rc2(key, spec.rc2Bits ?? key.length * 8), spec.iv, data);
  }
  return null;
}

/**
 * An incremental decryption of AES-CBC or DES-EDE3-CBC content (the same bytes as
 * {@link cbcDecryptAny}), or undefined where the platform has none or for other ciphers.
 */
export function cbcDecipherFor(spec: CipherSpec, key: Uint8Array): CbcDecipher | undefined {
  if (spec.mode !== 'cbc') return undefined;
  if (AES_CBC[spec.oid] && key.length === spec.keyLength) return platform().cbcDecipher?.('AES', key, spec.iv);
  if (spec.oid === OID.desEde3CBC && key.length === 24) return platform().cbcDecipher?.('DES-EDE3', key, spec.iv);
  return undefined;
}

/** Encrypt with CBC and PKCS#7 padding. */
export async function cbcEncryptAny(spec: CipherSpec, key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  if (AES_CBC[spec.oid]) {
    const k = await globalThis.crypto.subtle.importKey('raw', toArrayBuffer(key), 'AES-CBC', false, ['encrypt']);
    return new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'AES-CBC', iv: toArrayBuffer(spec.iv) }, k, toArrayBuffer(data)));
  }
  if (spec.oid === OID.desEde3CBC || spec.oid === OID.desCBC) return cbc64Encrypt(new TripleDes(key), spec.iv, data);
  if (spec.oid === OID.rc2CBC) return cbc64Encrypt(new Rc2(key, spec.rc2Bits ?? key.length * 8), spec.iv, data);
  return unsupported(spec.oid, 'encrypt');
}

/** AES-GCM decryption (RFC 5084); `data` is ciphertext, `tag` the mac. Null on failure. */
export async function gcmDecrypt(spec: CipherSpec, key: Uint8Array, data: Uint8Array, tag: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null> {
  if (key.length !== spec.keyLength || tag.length !== (spec.tagLength ?? 12)) return null;
  return platform().gcmDecrypt(key, spec.iv, data, tag, aad);
}

/** AES-GCM encryption; returns ciphertext and tag separately. */
export async function gcmEncrypt(spec: CipherSpec, key: Uint8Array, data: Uint8Array, aad: Uint8Array): Promise<{ ciphertext: Uint8Array; tag: Uint8Array }> {
  const tagLen = spec.tagLength ?? 16;
  const k = await globalThis.crypto.subtle.importKey('raw', toArrayBuffer(key), 'AES-GCM', false, ['encrypt']);
  const out = new Uint8Array(
    await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv: toArrayBuffer(spec.iv), additionalData: toArrayBuffer(aad), tagLength: tagLen * 8 }, k, toArrayBuffer(data)),
  );
  return { ciphertext: out.subarray(0, out.length - tagLen), tag: out.subarray(out.length - tagLen) };
}
