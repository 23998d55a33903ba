/**
 * {@link CertSummary} of a certificate (names, serial, validity, SHA-256 fingerprint, key type and
 * size, keyUsage, EKU, addresses) and the weak algorithms of a path (MD5, SHA-1, RSA/DSA keys
 * under 2048 bits).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer, toHex } from '../bytes.js';
import { certDer, emailsOf, issuerOf, serialHexOf, subjectOf } from '../certs.js';
import { OID, curveFromParams } from '../oids.js';
import { platform } from '../../platform/index.js';
import { dsaParamsOf } from './dsa.js';
import { EXT, extOf, isCaCert, isSelfIssued, keyUsageOf } from './ext.js';
import type { CertSummary } from './types.js';

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

const KEY_TYPES: Record<string, string> = {
  [OID.rsaEncryption]: 'RSA',
  [OID.rsassaPss]: 'RSA-PSS',
  [OID.ecPublicKey]: 'EC',
  [OID.dsa]: 'DSA',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

function bitLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

/** Key type and size of a SubjectPublicKeyInfo. */
export function keyInfo(spki: pkijs.PublicKeyInfo): { keyType: string; keyBits?: number; curve?: string } {
  const oid = spki.algorithm.algorithmId;
  const keyType = KEY_TYPES[oid] ?? oid;
  if (oid === OID.rsaEncryption || oid === OID.rsassaPss) {
    const r = asn1js.fromBER(toArrayBuffer(new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView)));
    const n = (r.result as asn1js.Sequence).valueBlock?.value?.[0];
    return { keyType, keyBits: n instanceof asn1js.Integer ? bitLength(new Uint8Array(n.valueBlock.valueHexView)) : undefined };
  }
  if (oid === OID.ecPublicKey) {
    const curve = curveFromParams(spki.algorithm.algorithmParams);
    return { keyType, curve, keyBits: curve ? { 'P-256': 256, 'P-384': 384, 'P-521': 521 }[curve] : undefined };
  }
  if (oid === OID.dsa) {
    const p = dsaParamsOf(spki)?.p;
    return { keyType, keyBits: p ? p.toString(2).length : undefined };
  }
  if (keyType === 'Ed25519') return { keyType, keyBits: 256 };
  return { keyType };
}

/** Describe a certificate. */
export async function summarize(cert: pkijs.Certificate, trustAnchor: boolean): Promise<CertSummary> {
  const der = certDer(cert);
  const sha256 = toHex(await platform().digest('SHA-256', der));
  const ku = keyUsageOf(cert);
  const eku = extOf(cert, EXT.extKeyUsage)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return {
    subject: subjectOf(cert),
    issuer: issuerOf(cert),
    serialHex: serialHexOf(cert),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    sha256,
    ...keyInfo(cert.subjectPublicKeyInfo),
    keyUsage: ku ? [...ku] : undefined,
    extKeyUsage: eku ? eku.keyPurposes.map((p) => EKU_NAMES[p] ?? p) : undefined,
    emails: emailsOf(cert),
    isCa: isCaCert(cert),
    selfIssued: isSelfIssued(cert),
    trustAnchor,
  };
}

const SIG_WEAK: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'MD5',
  '1.2.840.113549.1.1.2': 'MD2',
  [OID.sha1WithRSA]: 'SHA-1',
  [OID.ecdsaWithSHA1]: 'SHA-1',
  [OID.dsaWithSHA1]: 'SHA-1',
};

/**
 * Weak algorithms of a path (signer first, anchor last if `anchorLast`): signature algorithms of
 * every certificate but the anchor (its self-signature is not relied on), key sizes of all.
 */
export function weakAlgorithms(path: pkijs.Certificate[], anchorLast: boolean): string[] {
  const out = new Set<string>();
  path.forEach((c, i) => {
    const isAnchor = anchorLast && i === path.length - 1;
    if (!isAnchor) {
      const w = SIG_WEAK[c.signatureAlgorithm.algorithmId];
      if (w) out.add(w);
    }
    const k = keyInfo(c.subjectPublicKeyInfo);
    if ((k.keyType === 'RSA' || k.keyType === 'RSA-PSS' || k.keyType === 'DSA') && k.keyBits !== undefined && k.keyBits < 2048) out.add(`${k.keyType}-${k.keyBits}`);
  });
  return [...out];
}
