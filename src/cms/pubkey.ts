/**
 * Signature checking with a certificate's public key through WebCrypto: RSASSA-PKCS1-v1_5,
 * RSASSA-PSS (RFC 4055 / RFC 8017 8.1) and ECDSA (RFC 5480, RFC 5753 signature encoding), plus
 * the algorithm-identifier mapping from CMS OIDs to WebCrypto parameters.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from './bytes.js';
import { encodeDer } from './der.js';
import { platform } from '../platform/index.js';
import { OID, curveFromParams, curveOidOf, hashNameOf } from './oids.js';

type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** A signature algorithm resolved to WebCrypto terms, or why it cannot be. */
export type ResolvedSignature =
  | { ok: true; kind: 'rsa-pkcs1'; hash: HashName; name: string }
  | { ok: true; kind: 'rsa-pss'; hash: HashName; saltLength: number; name: string }
  | { ok: true; kind: 'ecdsa'; hash: HashName; name: string }
  | { ok: false; name: string; why: string };

const RSA_SIG: Record<string, HashName> = {
  [OID.sha1WithRSA]: 'SHA-1',
  [OID.sha256WithRSA]: 'SHA-256',
  [OID.sha384WithRSA]: 'SHA-384',
  [OID.sha512WithRSA]: 'SHA-512',
};
const ECDSA_SIG: Record<string, HashName> = {
  [OID.ecdsaWithSHA1]: 'SHA-1',
  [OID.ecdsaWithSHA256]: 'SHA-256',
  [OID.ecdsaWithSHA384]: 'SHA-384',
  [OID.ecdsaWithSHA512]: 'SHA-512',
};

/**
 * Resolve a SignerInfo's signatureAlgorithm (with its digestAlgorithm) to WebCrypto parameters.
 * RFC 5652 5.3 / RFC 3370 3.2: `rsaEncryption` means PKCS#1 v1.5 with the digest algorithm.
 */
export function resolveSignature(sigAlg: pkijs.AlgorithmIdentifier, digestOid: string): ResolvedSignature {
  const oid = sigAlg.algorithmId;
  const digest = hashNameOf(digestOid);
  if (oid === OID.rsaEncryption) {
    return digest ? { ok: true, kind: 'rsa-pkcs1', hash: digest, name: `RSA-PKCS1-v1_5 with ${digest}` } : { ok: false, name: 'RSA-PKCS1-v1_5', why: `digest ${digestOid}` };
  }
  if (RSA_SIG[oid]) return { ok: true, kind: 'rsa-pkcs1', hash: RSA_SIG[oid]!, name: `RSA-PKCS1-v1_5 with ${RSA_SIG[oid]}` };
  if (ECDSA_SIG[oid]) return { ok: true, kind: 'ecdsa', hash: ECDSA_SIG[oid]!, name: `ECDSA with ${ECDSA_SIG[oid]}` };
  if (oid === OID.ecPublicKey) {
    return digest ? { ok: true, kind: 'ecdsa', hash: digest, name: `ECDSA with ${digest}` } : { ok: false, name: 'ECDSA', why: `digest ${digestOid}` };
  }
  if (oid === OID.rsassaPss) {
    // RFC 4055 3.1: RSASSA-PSS-params; defaults SHA-1, MGF1-SHA-1, salt 20, trailer 1
    let params: pkijs.RSASSAPSSParams;
    try {
      params = sigAlg.algorithmParams instanceof asn1js.Sequence ? new pkijs.RSASSAPSSParams({ schema: sigAlg.algorithmParams }) : new pkijs.RSASSAPSSParams();
    } catch {
      return { ok: false, name: 'RSA-PSS', why: 'malformed RSASSA-PSS parameters' };
    }
    const hash = hashNameOf(params.hashAlgorithm.algorithmId);
    const mgfHashAlg = params.maskGenAlgorithm.algorithmParams;
    let mgfHash: HashName | undefined = 'SHA-1';
    if (mgfHashAlg instanceof asn1js.Sequence) {
      const o = mgfHashAlg.valueBlock.value[0];
      mgfHash = o instanceof asn1js.ObjectIdentifier ? hashNameOf(o.valueBlock.toString()) : undefined;
    }
    if (!hash || params.maskGenAlgorithm.algorithmId !== OID.mgf1 || mgfHash !== hash || params.trailerField !== 1) {
      return { ok: false, name: 'RSA-PSS', why: 'RSA-PSS with a MGF hash different from the message hash (WebCrypto cannot check it)' };
    }
    return { ok: true, kind: 'rsa-pss', hash, saltLength: params.saltLength, name: `RSA-PSS with ${hash}` };
  }
  return { ok: false, name: oid, why: `signature algorithm ${oid}` };
}

/** SPKI DER usable by WebCrypto: an RSA-PSS key (id-RSASSA-PSS) is re-labelled rsaEncryption, explicit EC parameters become a curve OID. */
export function spkiForWebCrypto(spki: pkijs.PublicKeyInfo): Uint8Array {
  if (spki.algorithm.algorithmId === OID.rsassaPss) {
    const copy = new pkijs.PublicKeyInfo({
      algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() }),
      subjectPublicKey: spki.subjectPublicKey,
    });
    return encodeDer(copy.toSchema());
  }
  const curve = spkiCurve(spki);
  if (curve && !(spki.algorithm.algorithmParams instanceof asn1js.ObjectIdentifier)) {
    // explicit curve parameters (RFC 3279 2.3.5) → named curve, the only form WebCrypto imports
    const copy = new pkijs.PublicKeyInfo({
      algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecPublicKey, algorithmParams: new asn1js.ObjectIdentifier({ value: curveOidOf(curve) }) }),
      subjectPublicKey: spki.subjectPublicKey,
    });
    return encodeDer(copy.toSchema());
  }
  return encodeDer(spki.toSchema());
}

/** The named curve of an EC SPKI. */
export function spkiCurve(spki: pkijs.PublicKeyInfo): 'P-256' | 'P-384' | 'P-521' | undefined {
  return spki.algorithm.algorithmId === OID.ecPublicKey ? curveFromParams(spki.algorithm.algorithmParams) : undefined;
}

/** ECDSA-Sig-Value (RFC 5753 / X9.62 DER SEQUENCE { r, s }) → WebCrypto's r‖s. Null if malformed. */
export function ecdsaDerToRaw(der: Uint8Array, n: number): Uint8Array | null {
  const res = asn1js.fromBER(toArrayBuffer(der));
  if (res.offset === -1 || !(res.result instanceof asn1js.Sequence)) return null;
  const [r, s] = res.result.valueBlock.value;
  if (!(r instanceof asn1js.Integer) || !(s instanceof asn1js.Integer)) return null;
  const out = new Uint8Array(2 * n);
  const put = (x: Uint8Array, o: number): boolean => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    const v = x.subarray(i);
    if (v.length > n) return false;
    out.set(v, o + n - v.length);
    return true;
  };
  if (!put(new Uint8Array(r.valueBlock.valueHexView), 0) || !put(new Uint8Array(s.valueBlock.valueHexView), n)) return null;
  return out;
}

/** WebCrypto's r‖s → DER ECDSA-Sig-Value. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const n = raw.length / 2;
  const int = (x: Uint8Array) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    let v = x.slice(i);
    if (v[0]! & 0x80) {
      const w = new Uint8Array(v.length + 1);
      w.set(v, 1);
      v = w;
    }
    return new asn1js.Integer({ valueHex: toArrayBuffer(v) });
  };
  return encodeDer(new asn1js.Sequence({ value: [int(raw.subarray(0, n)), int(raw.subarray(n))] }));
}

/** Verify `signature` over `data` with `spki`. Returns false for any failure (never throws). */
export async function verifyWithSpki(spki: pkijs.PublicKeyInfo, alg: ResolvedSignature, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (!alg.ok) return false;
  try {
    const spkiDer = spkiForWebCrypto(spki);
    if (alg.kind === 'ecdsa') {
      const curve = spkiCurve(spki);
      if (!curve) return false;
      const raw = ecdsaDerToRaw(signature, { 'P-256': 32, 'P-384': 48, 'P-521': 66 }[curve]);
      if (!raw) return false;
      return await platform().verifySignature(spkiDer, { kind: 'ecdsa', hash: alg.hash, curve }, data, raw);
    }
    if (alg.kind === 'rsa-pss') return await platform().verifySignature(spkiDer, { kind: 'rsa-pss', hash: alg.hash, saltLength: alg.saltLength }, data, signature);
    return await platform().verifySignature(spkiDer, { kind: 'rsa-pkcs1', hash: alg.hash }, data, signature);
  } catch {
    return false;
  }
}

/** True when `spki` is a key type we can verify with. */
export function isSupportedKey(spki: pkijs.PublicKeyInfo): boolean {
  const a = spki.algorithm.algorithmId;
  return a === OID.rsaEncryption || a === OID.rsassaPss || (a === OID.ecPublicKey && !!spkiCurve(spki));
}
