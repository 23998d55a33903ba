/**
 * `inspectCms`: what a CMS blob is, without keys (RFC 5652): content type; for SignedData the
 * encapsulated content type, detached or not, digest algorithms, signers (sid, certificate
 * subject and e-mail addresses, signing time, algorithms) and certificate count; for
 * (Auth)EnvelopedData the recipients and the content-encryption algorithm.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toHex } from './bytes.js';
import { dnToString, emailsOf, matchesIssuerSerial, matchesSki, subjectOf } from './certs.js';
import { type BerLimits, guard, octetsOf } from './der.js';
import { OID, oidName } from './oids.js';
import { type Enveloped, locateContentInfo, readContentInfo, readEnvelopedDer, readSignedData } from './structure.js';
import { parseCipher } from './symmetric.js';

/** How a signer or recipient is identified (RFC 5652 5.3 SignerIdentifier, 6.2.1 RecipientIdentifier). */
export type CmsIdentifier =
  | { type: 'issuerAndSerialNumber'; issuer: string; serialHex: string }
  | { type: 'subjectKeyIdentifier'; skiHex: string };

/** One SignerInfo, described. */
export interface SignerSummary {
  sid: CmsIdentifier;
  /** Subject of the matching certificate in the SignedData, if present. */
  certSubject?: string;
  /** E-mail addresses of that certificate (subject emailAddress and SAN rfc822Name). */
  emails: string[];
  signingTime?: Date;
  digestAlgorithm: string;
  signatureAlgorithm: string;
}

/** One RecipientInfo, described. */
export interface RecipientSummary {
  type: 'ktri' | 'kari' | 'kekri' | 'pwri' | 'ori';
  keyEncryptionAlgorithm: string;
  /** Recipient identifiers (one for ktri, one per RecipientEncryptedKey for kari). */
  rids: CmsIdentifier[];
  /** kari: the key wrap algorithm inside the key-agreement parameters. */
  keyWrapAlgorithm?: string;
}

/** What {@link inspectCms} reports. */
export interface CmsInfo {
  /** `signed-data`, `enveloped-data`, `auth-enveloped-data`, `compressed-data`, `data`, or an OID. */
  contentType: string;
  contentTypeOid: string;
  signedData?: {
    eContentType: string;
    detached: boolean;
    digestAlgorithms: string[];
    signers: SignerSummary[];
    certificateCount: number;
    crlCount: number;
  };
  envelopedData?: {
    authenticated: boolean;
    recipients: RecipientSummary[];
    contentEncryptionAlgorithm: string;
    /** RC2: the effective key size in bits (RFC 3370 5.2). */
    contentEncryptionKeyBits?: number;
    encryptedContentType: string;
  };
  /** The encapsulated content of SignedData when present (not detached), or the data of `data`. */
  encapsulatedContent?: Uint8Array;
}

/** Describe a SignerIdentifier / RecipientIdentifier. */
export function describeId(v: unknown): CmsIdentifier {
  if (v instanceof pkijs.IssuerAndSerialNumber) {
    return { type: 'issuerAndSerialNumber', issuer: dnToString(v.issuer), serialHex: toHex(v.serialNumber.valueBlock.valueHexView) };
  }
  if (v instanceof pkijs.RecipientKeyIdentifier) return { type: 'subjectKeyIdentifier', skiHex: toHex(v.subjectKeyIdentifier.valueBlock.valueHexView) };
  const anyV = v as { valueBlock?: { valueHexView?: Uint8Array; value?: asn1js.AsnType[] } };
  // [0] IMPLICIT SubjectKeyIdentifier as parsed by PKI.js (primitive or constructed)
  const hex = anyV?.valueBlock?.valueHexView ?? (anyV?.valueBlock?.value?.[0] ? octetsOf(anyV.valueBlock.value[0]) : undefined);
  return { type: 'subjectKeyIdentifier', skiHex: hex ? toHex(hex) : '' };
}

/** Find the certificate a SignerInfo's sid names among `certs`. */
export function findSignerCert(si: pkijs.SignerInfo, certs: pkijs.Certificate[]): pkijs.Certificate | undefined {
  const sid = si.sid;
  if (sid instanceof pkijs.IssuerAndSerialNumber) return certs.find((c) => matchesIssuerSerial(c, sid));
  const id = describeId(sid);
  if (id.type === 'subjectKeyIdentifier') {
    const ski = new Uint8Array((id.skiHex.match(/../g) ?? []).map((h) => parseInt(h, 16)));
    return certs.find((c) => matchesSki(c, ski));
  }
  return undefined;
}

/** signingTime attribute (RFC 5652 11.3), if present. */
export function signingTimeOf(si: pkijs.SignerInfo): Date | undefined {
  const a = si.signedAttrs?.attributes.find((x) => x.type === OID.signingTime);
  const v = a?.values[0];
  if (v instanceof asn1js.UTCTime || v instanceof asn1js.GeneralizedTime) return v.toDate();
  return undefined;
}

/** Certificates carried in a SignedData. */
export function certsOf(sd: pkijs.SignedData): pkijs.Certificate[] {
  return (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
}

function describeRecipient(ri: pkijs.RecipientInfo): RecipientSummary {
  const v = ri.value;
  if (v instanceof pkijs.KeyTransRecipientInfo) {
    return { type: 'ktri', keyEncryptionAlgorithm: oidName(v.keyEncryptionAlgorithm.algorithmId), rids: [describeId(v.rid)] };
  }
  if (v instanceof pkijs.KeyAgreeRecipientInfo) {
    const params = v.keyEncryptionAlgorithm.algorithmParams;
    let wrap: string | undefined;
    if (params instanceof asn1js.Sequence) {
      const o = params.valueBlock.value[0];
      if (o instanceof asn1js.ObjectIdentifier) wrap = oidName(o.valueBlock.toString());
    }
    return {
      type: 'kari',
      keyEncryptionAlgorithm: oidName(v.keyEncryptionAlgorithm.algorithmId),
      keyWrapAlgorithm: wrap,
      rids: v.recipientEncryptedKeys.encryptedKeys.map((k) => describeId(k.rid.value)),
    };
  }
  if (v instanceof pkijs.KEKRecipientInfo) return { type: 'kekri', keyEncryptionAlgorithm: oidName(v.keyEncryptionAlgorithm.algorithmId), rids: [] };
  if (v instanceof pkijs.PasswordRecipientinfo) return { type: 'pwri', keyEncryptionAlgorithm: oidName(v.keyEncryptionAlgorithm.algorithmId), rids: [] };
  return { type: 'ori', keyEncryptionAlgorithm: '', rids: [] };
}

/**
 * Describe a CMS ContentInfo. Malformed DER → `CMS_MALFORMED`, truncated → `CMS_TRUNCATED`
 * (both with the byte offset or ASN.1 path).
 */
export function inspectCms(der: Uint8Array, limits: BerLimits = {}): CmsInfo {
  return guard('ContentInfo', () => inspectImpl(der, limits));
}

function inspectImpl(der: Uint8Array, limits: BerLimits): CmsInfo {
  // Encrypted content is never decoded to be described: only its small fields are read.
  const type = locateContentInfo(der, limits).contentType;
  if (type === OID.envelopedData || type === OID.authEnvelopedData) return describeEnveloped(der, limits);
  const ci = readContentInfo(der, limits);
  const info: CmsInfo = { contentType: oidName(ci.contentType), contentTypeOid: ci.contentType };
  if (ci.contentType === OID.signedData) {
    const sd = readSignedData(ci);
    const certs = certsOf(sd);
    const eci = sd.encapContentInfo;
    const detached = !eci.eContent;
    info.signedData = {
      eContentType: oidName(eci.eContentType),
      detached,
      digestAlgorithms: sd.digestAlgorithms.map((a) => oidName(a.algorithmId)),
      signers: sd.signerInfos.map((si) => {
        const cert = findSignerCert(si, certs);
        return {
          sid: describeId(si.sid),
          certSubject: cert ? subjectOf(cert) : undefined,
          emails: cert ? emailsOf(cert) : [],
          signingTime: signingTimeOf(si),
          digestAlgorithm: oidName(si.digestAlgorithm.algorithmId),
          signatureAlgorithm: oidName(si.signatureAlgorithm.algorithmId),
        };
      }),
      certificateCount: (sd.certificates ?? []).length,
      crlCount: (sd.crls ?? []).length,
    };
    if (!detached) info.encapsulatedContent = octetsOf(eci.eContent);
  } else if (ci.contentType === OID.data) {
    info.encapsulatedContent = octetsOf(ci.content);
  }
  return info;
}

function describeEnveloped(der: Uint8Array, limits: BerLimits): CmsInfo {
  return describeEnvelopedInfo(readEnvelopedDer(der, limits));
}

/** What {@link inspectCms} says of an EnvelopedData or AuthEnvelopedData already read. */
export function describeEnvelopedInfo(env: Omit<Enveloped, 'encryptedContent'>): CmsInfo {
  const oid = env.authenticated ? OID.authEnvelopedData : OID.envelopedData;
  const info: CmsInfo = { contentType: oidName(oid), contentTypeOid: oid };
  info.envelopedData = {
    authenticated: env.authenticated,
    recipients: env.recipientInfos.map(describeRecipient),
    contentEncryptionAlgorithm: oidName(env.algorithm.algorithmId),
    encryptedContentType: oidName(env.contentType),
  };
  if (env.algorithm.algorithmId === OID.rc2CBC) {
    // RFC 3370 5.2: RC2's effective key size is a parameter (40 bits in much old mail); name it.
    try {
      info.envelopedData.contentEncryptionKeyBits = parseCipher(env.algorithm.algorithmId, env.algorithm.algorithmParams, 'EnvelopedData.contentEncryptionAlgorithm').rc2Bits;
    } catch { /* reported when decrypting */ }
  }
  return info;
}
