/**
 * DSA signature verification (FIPS 186-4 4.7; RFC 3279 2.2.2 / 2.3.2 encodings) with bigint.
 * WebCrypto has no DSA, and PKITS 4.1.4-4.1.6 (and old S/MIME mail) use it. Verification only
 * handles public values, so a plain square-and-multiply is fine here. Parameters may be
 * inherited from the issuer (RFC 5280 6.1.4 (e)/(f)): the caller passes them.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesToBigInt, toArrayBuffer } from '../bytes.js';
import { publicModPow as modPow } from '../../platform/bigint-rsa.js';
import { platform } from '../../platform/index.js';

/** DSA domain parameters (RFC 3279 2.3.2 Dss-Parms). */
export interface DsaParams {
  p: bigint;
  q: bigint;
  g: bigint;
}

/** id-dsa (RFC 3279 2.3.2). */
export const ID_DSA = '1.2.840.10040.4.1';
/** DSA signature algorithms and their hashes (RFC 3279 2.2.2, RFC 5758 3.1). */
export const DSA_SIG_HASH: Record<string, 'SHA-1' | 'SHA-256'> = {
  '1.2.840.10040.4.3': 'SHA-1',
  '2.16.840.1.101.3.4.3.2': 'SHA-256',
};

function int(v: asn1js.AsnType | undefined): bigint | undefined {
  return v instanceof asn1js.Integer ? bytesToBigInt(new Uint8Array(v.valueBlock.valueHexView)) : undefined;
}

/** The Dss-Parms of a DSA SPKI, undefined when absent (to be inherited) or malformed. */
export function dsaParamsOf(spki: pkijs.PublicKeyInfo): DsaParams | undefined {
  const prm = spki.algorithm.algorithmParams;
  if (!(prm instanceof asn1js.Sequence)) return undefined;
  const [p, q, g] = prm.valueBlock.value.map(int);
  return p && q && g ? { p, q, g } : undefined;
}

/** The public value y of a DSA SPKI. */
export function dsaPublicOf(spki: pkijs.PublicKeyInfo): bigint | undefined {
  const r = asn1js.fromBER(toArrayBuffer(new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView)));
  return r.offset === -1 ? undefined : int(r.result);
}

function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [m, ((a % m) + m) % m, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

/** Verify a DER Dss-Sig-Value over `data` (FIPS 186-4 4.7). */
export async function dsaVerify(params: DsaParams, y: bigint, hash: 'SHA-1' | 'SHA-256', data: Uint8Array, sigDer: Uint8Array): Promise<boolean> {
  const r0 = asn1js.fromBER(toArrayBuffer(sigDer));
  if (r0.offset === -1 || !(r0.result instanceof asn1js.Sequence)) return false;
  const [r, s] = r0.result.valueBlock.value.map(int);
  const { p, q, g } = params;
  if (r === undefined || s === undefined || r <= 0n || r >= q || s <= 0n || s >= q) return false;
  const h = await platform().digest(hash, data);
  const n = q.toString(2).length;
  let z = bytesToBigInt(h);
  if (h.length * 8 > n) z >>= BigInt(h.length * 8 - n); // leftmost min(N, outlen) bits
  const w = modInv(s, q);
  const u1 = (z * w) % q;
  const u2 = (r * w) % q;
  const v = ((modPow(g, u1, p) * modPow(y, u2, p)) % p) % q;
  return v === r;
}
