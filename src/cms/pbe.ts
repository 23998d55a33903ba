/**
 * Password-based decryption for private keys and PKCS#12: PBES2 with PBKDF2 (RFC 8018 6.2,
 * A.2) and the PKCS#12 PBE schemes with their key derivation (RFC 7292 appendix B, C), plus the
 * PKCS#12 MAC key (RFC 7292 B.4).
 *
 * Hand-written because PKI.js only handles PBES2 with AES, while real PKCS#12 files (NSS, older
 * OpenSSL, Windows) use pbeWithSHAAnd3-KeyTripleDES-CBC and pbeWithSHAAnd40BitRC2-CBC.
 */
import * as asn1js from 'asn1js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { SmimeBridgeError } from '../errors.js';
import { concatBytes, toArrayBuffer } from './bytes.js';
import { octetsOf } from './der.js';
import { OID, oidName } from './oids.js';
import { cbcDecryptAny, parseCipher, type CipherSpec } from './symmetric.js';

/** Limits for password-based key derivation. */
export interface PbeLimits {
  /** Maximum iteration count accepted (default 1,000,000 for the PKCS#12 KDF, 5,000,000 for PBKDF2). */
  maxIterations?: number;
  /**
   * Maximum iterations of key derivation summed over everything one file asks for: the PKCS#12
   * MAC and every encrypted entry, each key and IV derivation counted (default 3,000,000). A file
   * of many entries each just under `maxIterations` is refused before the work is done.
   */
  maxTotalIterations?: number;
}

/** Default of {@link PbeLimits.maxTotalIterations}. */
export const DEFAULT_MAX_TOTAL_ITERATIONS = 3_000_000;

/** The iterations one file may still spend (see {@link PbeLimits.maxTotalIterations}). */
export class IterationBudget {
  private left: number;
  constructor(readonly total: number) {
    this.left = total;
  }
  /** Take `n` iterations or throw `LIMIT_EXCEEDED` (before the work is done). */
  spend(n: number, where: string): void {
    if (n > this.left) {
      throw new SmimeBridgeError('LIMIT_EXCEEDED', `key derivation would exceed ${this.total} iterations in total for this file (maxTotalIterations)`, { asn1Path: where });
    }
    this.left -= n;
  }
}

/** Options of one {@link pbeDecrypt} call. */
export interface PbeDecryptOptions {
  /** The PKCS#12 password bytes to use instead of `bmpPassword(password)` (RFC 7292 B.1: the empty password has two encodings in the wild). */
  bmp?: Uint8Array;
  /** Shared budget of the whole file. */
  budget?: IterationBudget;
}

type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** RFC 7292 B.1: password as BMPString (UTF-16BE) with a two-byte zero terminator. */
export function bmpPassword(password: string): Uint8Array {
  if (password.length === 0) return new Uint8Array(0); // OpenSSL: empty password -> empty string
  const out = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

const SYNC_HASH: Record<HashName, (d: Uint8Array) => Uint8Array> = { 'SHA-1': sha1, 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 };

/** RFC 7292 B.2: the PKCS#12 key derivation function. `id` 1 = key, 2 = IV, 3 = MAC key. */
export async function pkcs12Kdf(hash: HashName, password: Uint8Array, salt: Uint8Array, iterations: number, id: 1 | 2 | 3, n: number): Promise<Uint8Array> {
  const u = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[hash];
  const v = hash === 'SHA-384' || hash === 'SHA-512' ? 128 : 64;
  const D = new Uint8Array(v).fill(id);
  const fill = (src: Uint8Array) => {
    const len = v * Math.ceil(src.length / v);
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = concatBytes(salt.length ? fill(salt) : new Uint8Array(0), password.length ? fill(password) : new Uint8Array(0));
  const c = Math.ceil(n / u);
  const out = new Uint8Array(c * u);
  for (let i = 0; i < c; i++) {
    const h = SYNC_HASH[hash];
    let A = h(concatBytes(D, I));
    for (let r = 1; r < iterations; r++) A = h(A);
    out.set(A, i * u);
    if (i === c - 1) break;
    const B = fill(A).subarray(0, v);
    for (let j = 0; j < I.length; j += v) {
      // I_j = (I_j + B + 1) mod 2^(8v)
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const s = I[j + k]! + B[k]! + carry;
        I[j + k] = s & 0xff;
        carry = s >> 8;
      }
    }
  }
  return out.subarray(0, n);
}

function badPassword(what: string): never {
  throw new SmimeBridgeError('CMS_BAD_PASSWORD', `wrong password (or corrupt ${what})`, { asn1Path: what });
}

function malformed(msg: string, where: string): never {
  throw new SmimeBridgeError('CMS_MALFORMED', msg, { asn1Path: where });
}

function intOf(v: asn1js.AsnType | undefined, where: string): number {
  if (!(v instanceof asn1js.Integer)) malformed('expected an INTEGER', where);
  const n = v.valueBlock.valueDec;
  if (!Number.isSafeInteger(n) || n < 1) malformed(`bad integer ${n}`, where);
  return n;
}

const PRF: Record<string, HashName> = {
  [OID.hmacWithSHA1]: 'SHA-1',
  [OID.hmacWithSHA256]: 'SHA-256',
  [OID.hmacWithSHA384]: 'SHA-384',
  [OID.hmacWithSHA512]: 'SHA-512',
};

/**
 * Decrypt data protected by a password-based encryption AlgorithmIdentifier (PBES2 or a PKCS#12
 * PBE scheme). Wrong password (bad padding) → `CMS_BAD_PASSWORD`.
 */
export async function pbeDecrypt(
  algOid: string,
  params: asn1js.AsnType | undefined,
  data: Uint8Array,
  password: string,
  where: string,
  limits: PbeLimits = {},
  opts: PbeDecryptOptions = {},
): Promise<Uint8Array> {
  if (algOid === OID.pbes2) {
    // RFC 8018 A.4: PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme }
    if (!(params instanceof asn1js.Sequence) || params.valueBlock.value.length < 2) malformed('PBES2 parameters', where);
    const [kdf, scheme] = params.valueBlock.value as [asn1js.Sequence, asn1js.Sequence];
    const kdfOid = (kdf.valueBlock.value[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock?.toString();
    if (kdfOid !== OID.pbkdf2) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `PBES2 key derivation ${oidName(kdfOid ?? '?')}`, { asn1Path: where });
    // RFC 8018 A.2: PBKDF2-params ::= SEQUENCE { salt, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1 }
    const kp = kdf.valueBlock.value[1];
    if (!(kp instanceof asn1js.Sequence)) malformed('PBKDF2 parameters', where);
    const items = kp.valueBlock.value;
    if (!(items[0] instanceof asn1js.OctetString)) malformed('PBKDF2 salt', where);
    const salt = octetsOf(items[0]);
    const iterations = intOf(items[1], where + '.iterationCount');
    if (iterations > (limits.maxIterations ?? 5_000_000)) throw new SmimeBridgeError('LIMIT_EXCEEDED', `PBKDF2 iteration count ${iterations}`, { asn1Path: where });
    let prf: HashName = 'SHA-1';
    for (const it of items.slice(2)) {
      if (it instanceof asn1js.Sequence) {
        const o = (it.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
        const h = PRF[o];
        if (!h) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `PBKDF2 PRF ${oidName(o)}`, { asn1Path: where });
        prf = h;
      }
    }
    const encOid = (scheme.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
    const spec = parseCipher(encOid, scheme.valueBlock.value[1], where + '.encryptionScheme');
    opts.budget?.spend(iterations * Math.ceil(spec.keyLength / { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[prf]), where);
    const pw = new TextEncoder().encode(password);
    const base = await globalThis.crypto.subtle.importKey('raw', toArrayBuffer(pw), 'PBKDF2', false, ['deriveBits']);
    const key = new Uint8Array(
      await globalThis.crypto.subtle.deriveBits({ name: 'PBKDF2', salt: toArrayBuffer(salt), iterations, hash: prf }, base, spec.keyLength * 8),
    );
    const out = await cbcDecryptAny(spec, key, data);
    return out ?? badPassword(where);
  }
  // RFC 7292 appendix C: pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }
  const pkcs12: Record<string, { keyLen: number; cipher: string; rc2Bits?: number }> = {
    [OID.pbeSHA1TripleDES]: { keyLen: 24, cipher: OID.desEde3CBC },
    [OID.pbeSHA1TwoKeyTripleDES]: { keyLen: 16, cipher: OID.desEde3CBC },
    [OID.pbeSHA1RC2_128]: { keyLen: 16, cipher: OID.rc2CBC, rc2Bits: 128 },
    [OID.pbeSHA1RC2_40]: { keyLen: 5, cipher: OID.rc2CBC, rc2Bits: 40 },
  };
  const scheme = pkcs12[algOid];
  if (!scheme) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `password-based encryption ${oidName(algOid)}`, { asn1Path: where });
  if (!(params instanceof asn1js.Sequence)) malformed('PKCS#12 PBE parameters', where);
  const [saltNode, iterNode] = params.valueBlock.value;
  if (!(saltNode instanceof asn1js.OctetString)) malformed('PKCS#12 PBE salt', where);
  const salt = octetsOf(saltNode);
  const iterations = intOf(iterNode, where + '.iterations');
  if (iterations > (limits.maxIterations ?? 1_000_000)) throw new SmimeBridgeError('LIMIT_EXCEEDED', `PKCS#12 iteration count ${iterations}`, { asn1Path: where });
  // RFC 7292 B.2: one derivation for the key (up to 20 bytes per block) and one for the IV
  opts.budget?.spend(iterations * (Math.ceil(scheme.keyLen / 20) + 1), where);
  const pw = opts.bmp ?? bmpPassword(password);
  const key = await pkcs12Kdf('SHA-1', pw, salt, iterations, 1, scheme.keyLen);
  const iv = await pkcs12Kdf('SHA-1', pw, salt, iterations, 2, 8);
  const spec: CipherSpec = { oid: scheme.cipher, name: oidName(scheme.cipher), keyLength: scheme.keyLen, mode: 'cbc', iv, rc2Bits: scheme.rc2Bits };
  const out = await cbcDecryptAny(spec, key, data);
  return out ?? badPassword(where);
}

/**
 * The iterations a decryption with this AlgorithmIdentifier will cost (as {@link pbeDecrypt}
 * counts them), read from the parameters without deriving anything; 0 when the parameters are not
 * readable (pbeDecrypt then reports the precise error).
 */
export function pbeWork(algOid: string, params: asn1js.AsnType | undefined): number {
  const int = (v: asn1js.AsnType | undefined) => (v instanceof asn1js.Integer && Number.isSafeInteger(v.valueBlock.valueDec) ? Math.max(0, v.valueBlock.valueDec) : 0);
  if (!(params instanceof asn1js.Sequence)) return 0;
  if (algOid === OID.pbes2) {
    const kp = (params.valueBlock.value[0] as asn1js.Sequence | undefined)?.valueBlock?.value?.[1];
    return kp instanceof asn1js.Sequence ? int(kp.valueBlock.value[1]) : 0;
  }
  // PKCS#12 PBE: key + IV derivations (2 for every scheme of RFC 7292 C: key <= 24 bytes needs 2 SHA-1 blocks only for 3DES)
  const keyBlocks = algOid === OID.pbeSHA1TripleDES ? 2 : 1;
  return int(params.valueBlock.value[1]) * (keyBlocks + 1);
}
