/**
 * Certificates described for an analyst (worker side): every certificate a signed layer carries
 * and every trust anchor the user added. Fields read with PKI.js, the library the CMS code uses.
 */
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeBody } from '../../src/mime/encoding.js';
import { parseMime } from '../../src/mime/parse.js';
import type { MimeEntity } from '../../src/mime/types.js';
import { certDer, emailsOf, issuerOf, serialHexOf, subjectOf } from '../../src/cms/index.js';
import type { OpenedMessage } from '../../src/secure/index.js';
import type { CertView } from './protocol.js';

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':').toUpperCase();

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth', '1.3.6.1.5.5.7.3.2': 'clientAuth', '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection', '1.3.6.1.5.5.7.3.8': 'timeStamping', '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};
// RFC 5280 4.2.1.3: KeyUsage bit names, bit 0 first.
const KU_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];
const CURVES: Record<string, string> = { '1.2.840.10045.3.1.7': 'P-256', '1.3.132.0.34': 'P-384', '1.3.132.0.35': 'P-521' };

function keyUsageOf(c: pkijs.Certificate): string[] {
  const ext = c.extensions?.find((e) => e.extnID === '2.5.29.15');
  const bits = ext?.parsedValue as asn1js.BitString | undefined;
  if (!bits?.valueBlock) return [];
  const v = new Uint8Array(bits.valueBlock.valueHexView);
  return KU_NAMES.filter((_, i) => ((v[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
}

function extKeyUsageOf(c: pkijs.Certificate): string[] {
  const ext = c.extensions?.find((e) => e.extnID === '2.5.29.37');
  const eku = ext?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return (eku?.keyPurposes ?? []).map((o) => EKU_NAMES[o] ?? o);
}

function isCaOf(c: pkijs.Certificate): boolean {
  const ext = c.extensions?.find((e) => e.extnID === '2.5.29.19');
  return (ext?.parsedValue as pkijs.BasicConstraints | undefined)?.cA === true;
}

function keyTypeOf(c: pkijs.Certificate): string {
  const spki = c.subjectPublicKeyInfo;
  const alg = spki.algorithm.algorithmId;
  try {
    if (alg === '1.2.840.113549.1.1.1' || alg === '1.2.840.113549.1.1.10') {
      const rsa = spki.parsedKey as pkijs.RSAPublicKey | undefined;
      let n = new Uint8Array(rsa?.modulus.valueBlock.valueHexView ?? []);
      while (n.length && n[0] === 0) n = n.subarray(1);
      const bits = n.length ? (n.length - 1) * 8 + (32 - Math.clz32(n[0]!)) : 0;
      return `RSA ${bits} bits`;
    }
    if (alg === '1.2.840.10045.2.1') {
      const ec = spki.parsedKey as pkijs.ECPublicKey | undefined;
      return `EC ${CURVES[ec?.namedCurve ?? ''] ?? ec?.namedCurve ?? ''}`.trim();
    }
    if (alg === '1.3.101.112') return 'Ed25519';
    if (alg === '1.3.101.110') return 'X25519';
  } catch { /* fall through to the OID */ }
  return alg;
}

/** Describe one certificate. */
export function describeCert(c: pkijs.Certificate, source: string): CertView {
  const der = certDer(c);
  const subject = subjectOf(c);
  const issuer = issuerOf(c);
  return {
    source, subject, issuer, serialHex: serialHexOf(c),
    notBefore: c.notBefore.value.toISOString(), notAfter: c.notAfter.value.toISOString(),
    sha256: hex(sha256(der)), keyType: keyTypeOf(c), keyUsage: keyUsageOf(c), extKeyUsage: extKeyUsageOf(c),
    emails: emailsOf(c), isCa: isCaOf(c), selfIssued: subject === issuer,
  };
}

function certsInSignedData(der: Uint8Array): pkijs.Certificate[] {
  const ci = pkijs.ContentInfo.fromBER(der as Uint8Array<ArrayBuffer>);
  const sd = new pkijs.SignedData({ schema: ci.content });
  return (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
}

/**
 * The certificates of every signed layer, walking the layers as openMessage did (RFC 8551 3.5
 * clear-signed: the second part; 3.2 opaque: the entity's body), each tagged with its layer.
 */
export function layerCertificates(message: Uint8Array, opened: OpenedMessage): CertView[] {
  const out: CertView[] = [];
  let current: MimeEntity | undefined = parseMime(message).root;
  opened.layers.forEach((l, i) => {
    if (!current) return;
    let next: Uint8Array | undefined;
    try {
      if (l.kind === 'clear-signed') {
        const sig = current.children[1];
        const first = current.children[0];
        if (sig) out.push(...certsInSignedData(decodeBody(sig)).map((c) => describeCert(c, `layer ${i + 1}`)));
        next = first ? first.source.subarray(first.range.start, first.range.end) : undefined;
      } else {
        if (l.kind === 'opaque-signed' || l.kind === 'certs-only') out.push(...certsInSignedData(decodeBody(current)).map((c) => describeCert(c, `layer ${i + 1}`)));
        next = l.innerContent;
      }
    } catch { /* the layer's own error is in the verdict */ }
    current = next ? parseMime(next).root : undefined;
  });
  return out;
}
