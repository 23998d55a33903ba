/**
 * Reading X.509 certificates (RFC 5280) for S/MIME: readable names, e-mail addresses (subject
 * emailAddress and subjectAltName rfc822Name, RFC 8550 3), identifiers (issuer+serial, subject
 * key identifier), key usage and extended key usage for e-mail protection (RFC 8550 4.4).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual, toHex } from './bytes.js';
import { OID } from './oids.js';

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.12': 'title',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  [OID.emailAddress]: 'emailAddress',
};

function valueText(v: unknown): string {
  const b = (v as { valueBlock?: { value?: unknown } }).valueBlock;
  if (b && typeof b.value === 'string') return b.value;
  return '#' + toHex(new Uint8Array((v as asn1js.BaseBlock).toBER(false)));
}

/** A distinguished name as `CN=Alice, O=Example, C=US` (in encoded order). */
export function dnToString(rdn: pkijs.RelativeDistinguishedNames): string {
  return rdn.typesAndValues.map((tv) => `${SHORT[tv.type] ?? tv.type}=${valueText(tv.value)}`).join(', ');
}

/** Subject of a certificate as text. */
export function subjectOf(cert: pkijs.Certificate): string {
  return dnToString(cert.subject);
}

/** Issuer of a certificate as text. */
export function issuerOf(cert: pkijs.Certificate): string {
  return dnToString(cert.issuer);
}

/** Serial number as lower-case hex (no leading zero bytes beyond what DER needs). */
export function serialHexOf(cert: pkijs.Certificate): string {
  return toHex(cert.serialNumber.valueBlock.valueHexView);
}

function extension(cert: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  return cert.extensions?.find((e) => e.extnID === oid);
}

/** E-mail addresses from the subject (emailAddress) and subjectAltName rfc822Name, lower-cased, unique. */
export function emailsOf(cert: pkijs.Certificate): string[] {
  const out = new Set<string>();
  for (const tv of cert.subject.typesAndValues) if (tv.type === OID.emailAddress) out.add(valueText(tv.value).toLowerCase());
  const san = extension(cert, OID.subjectAltName)?.parsedValue as pkijs.AltName | undefined;
  for (const n of san?.altNames ?? []) if (n.type === 1 && typeof n.value === 'string') out.add(n.value.toLowerCase());
  return [...out];
}

/** Subject key identifier bytes, when the extension is present. */
export function skiOf(cert: pkijs.Certificate): Uint8Array | undefined {
  const ext = extension(cert, OID.subjectKeyIdentifier);
  const v = ext?.parsedValue as asn1js.OctetString | undefined;
  return v?.valueBlock ? new Uint8Array(v.valueBlock.valueHexView) : undefined;
}

/** True when the certificate is a CA (basicConstraints cA). */
export function isCa(cert: pkijs.Certificate): boolean {
  const bc = extension(cert, OID.basicConstraints)?.parsedValue as pkijs.BasicConstraints | undefined;
  return !!bc?.cA;
}

/**
 * RFC 8550 4.4.2 / 4.4.4: may this certificate sign S/MIME? keyUsage (if present) must allow
 * digitalSignature or nonRepudiation; extKeyUsage (if present) must include emailProtection or
 * anyExtendedKeyUsage.
 */
export function allowsEmailSigning(cert: pkijs.Certificate): boolean {
  const ku = extension(cert, OID.keyUsage)?.parsedValue as asn1js.BitString | undefined;
  if (ku?.valueBlock) {
    const bits = new Uint8Array(ku.valueBlock.valueHexView);
    const first = bits[0] ?? 0;
    if ((first & 0xc0) === 0) return false; // bit 0 digitalSignature, bit 1 nonRepudiation
  }
  const eku = extension(cert, OID.extKeyUsage)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  if (eku?.keyPurposes) {
    if (!eku.keyPurposes.includes(OID.ekuEmailProtection) && !eku.keyPurposes.includes(OID.ekuAny)) return false;
  }
  return true;
}

/** Does `cert` match an IssuerAndSerialNumber (RFC 5652 10.2.4)? */
export function matchesIssuerSerial(cert: pkijs.Certificate, ias: pkijs.IssuerAndSerialNumber): boolean {
  return bytesEqual(new Uint8Array(cert.serialNumber.valueBlock.valueHexView), new Uint8Array(ias.serialNumber.valueBlock.valueHexView)) && namesMatch(cert.issuer, ias.issuer);
}

/**
 * PKI.js's Name comparison, with its answer for identical encodings taken from the bytes: two
 * Names decoded from the same DER are equal under it, and its string comparison
 * (String.prototype.localeCompare) costs ~30 ms of ICU collator set-up on a command's first call.
 */
function namesMatch(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  const da = new Uint8Array(a.valueBeforeDecode), db = new Uint8Array(b.valueBeforeDecode);
  if (da.length > 0 && bytesEqual(da, db)) return true;
  return a.isEqual(b);
}

/** Does `cert` carry subject key identifier `ski`? */
export function matchesSki(cert: pkijs.Certificate, ski: Uint8Array): boolean {
  const own = skiOf(cert);
  return !!own && bytesEqual(own, ski);
}

/** The bytes certificates were read from (parseCertificate, a SignedData's certificates). */
const originalDer = new WeakMap<pkijs.Certificate, Uint8Array>();

/** Record that `cert` was decoded from `der` (for {@link certDer}). */
export function rememberDer(cert: pkijs.Certificate, der: Uint8Array): void {
  originalDer.set(cert, der);
}

/** DER of a certificate: the bytes it was read from, else PKI.js's encoding of it. */
export function certDer(cert: pkijs.Certificate): Uint8Array {
  return originalDer.get(cert) ?? new Uint8Array(cert.toSchema(true).toBER(false));
}

/** DER of a certificate's SubjectPublicKeyInfo. */
export function spkiDer(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
}

/** Is `cert` within its validity period at `t` (RFC 5280 4.1.2.5)? */
export function validAt(cert: pkijs.Certificate, t: Date): boolean {
  return cert.notBefore.value.getTime() <= t.getTime() && t.getTime() <= cert.notAfter.value.getTime();
}
