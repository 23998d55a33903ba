/**
 * Certificate and CRL extensions as path validation needs them (RFC 5280 4.2, 5.2, 5.3), read
 * from PKI.js's parsed values, plus the list of extensions this validator processes (anything
 * else marked critical makes the certificate or CRL unusable, RFC 5280 4.2 / 6.1.4 (o) / 5.2).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual } from '../bytes.js';
import { namesEqual } from './names.js';

/** Extension OIDs (RFC 5280 4.2.1, 4.2.2, 5.2, 5.3). */
export const EXT = {
  authorityKeyIdentifier: '2.5.29.35',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  subjectDirectoryAttributes: '2.5.29.9',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  crlDistributionPoints: '2.5.29.31',
  inhibitAnyPolicy: '2.5.29.54',
  freshestCrl: '2.5.29.46',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  subjectInfoAccess: '1.3.6.1.5.5.7.1.11',
  // CRL extensions (5.2) and entry extensions (5.3)
  crlNumber: '2.5.29.20',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  reasonCode: '2.5.29.21',
  holdInstructionCode: '2.5.29.23',
  invalidityDate: '2.5.29.24',
  certificateIssuer: '2.5.29.29',
} as const;

/** anyPolicy (RFC 5280 4.2.1.4). */
export const ANY_POLICY = '2.5.29.32.0';

/** Certificate extensions this validator processes (6.1.4 (o), 6.1.5 (f)). */
export const KNOWN_CERT_EXTENSIONS = new Set<string>([
  EXT.authorityKeyIdentifier, EXT.subjectKeyIdentifier, EXT.keyUsage, EXT.certificatePolicies, EXT.policyMappings,
  EXT.subjectAltName, EXT.issuerAltName, EXT.basicConstraints, EXT.nameConstraints, EXT.policyConstraints,
  EXT.extKeyUsage, EXT.crlDistributionPoints, EXT.inhibitAnyPolicy, EXT.freshestCrl, EXT.authorityInfoAccess,
  EXT.subjectInfoAccess, EXT.subjectDirectoryAttributes,
]);
/** CRL extensions processed (RFC 5280 5.2). */
export const KNOWN_CRL_EXTENSIONS = new Set<string>([EXT.authorityKeyIdentifier, EXT.issuerAltName, EXT.crlNumber, EXT.deltaCrlIndicator, EXT.issuingDistributionPoint, EXT.freshestCrl, EXT.authorityInfoAccess]);
/** CRL entry extensions processed (RFC 5280 5.3). */
export const KNOWN_CRL_ENTRY_EXTENSIONS = new Set<string>([EXT.reasonCode, EXT.holdInstructionCode, EXT.invalidityDate, EXT.certificateIssuer]);

/** The extension `oid` of a certificate. */
export function extOf(cert: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  return cert.extensions?.find((e) => e.extnID === oid);
}

/** The extension `oid` of a list (CRL or CRL entry). */
export function extIn(exts: pkijs.Extensions | undefined, oid: string): pkijs.Extension | undefined {
  return exts?.extensions.find((e) => e.extnID === oid);
}

/** Critical extensions not in `known`. */
export function unknownCritical(exts: pkijs.Extension[] | undefined, known: Set<string>): string[] {
  return (exts ?? []).filter((e) => e.critical && !known.has(e.extnID)).map((e) => e.extnID);
}

/** Bits of a BIT STRING, bit 0 first (X.690 8.6). */
export function bitsOf(b: asn1js.BitString | undefined): boolean[] {
  if (!b?.valueBlock) return [];
  const bytes = new Uint8Array(b.valueBlock.valueHexView);
  const out: boolean[] = [];
  const total = bytes.length * 8 - (b.valueBlock.unusedBits ?? 0);
  for (let i = 0; i < total; i++) out.push(((bytes[i >> 3]! >> (7 - (i & 7))) & 1) === 1);
  return out;
}

/** keyUsage bit names (RFC 5280 4.2.1.3), in bit order. */
export const KEY_USAGE_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

/** The keyUsage names set, or undefined when the extension is absent. */
export function keyUsageOf(cert: pkijs.Certificate): Set<KeyUsageName> | undefined {
  const e = extOf(cert, EXT.keyUsage);
  if (!e) return undefined;
  const bits = bitsOf(e.parsedValue as asn1js.BitString);
  return new Set(KEY_USAGE_NAMES.filter((_, i) => bits[i]));
}

/** basicConstraints (4.2.1.9): cA and pathLenConstraint, undefined when absent. */
export function basicConstraintsOf(cert: pkijs.Certificate): { cA: boolean; pathLen?: number } | undefined {
  const e = extOf(cert, EXT.basicConstraints);
  if (!e) return undefined;
  const bc = e.parsedValue as pkijs.BasicConstraints | undefined;
  if (!bc) return { cA: false };
  const pl = bc.pathLenConstraint as number | asn1js.Integer | undefined;
  const pathLen = pl === undefined ? undefined : typeof pl === 'number' ? pl : Number.MAX_SAFE_INTEGER;
  return { cA: !!bc.cA, pathLen };
}

/** Is `cert` a CA: basicConstraints cA TRUE (4.2.1.9)? */
export function isCaCert(cert: pkijs.Certificate): boolean {
  return !!basicConstraintsOf(cert)?.cA;
}

/** Subject key identifier bytes (4.2.1.2). */
export function skiBytes(cert: pkijs.Certificate): Uint8Array | undefined {
  const v = extOf(cert, EXT.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
  return v?.valueBlock ? new Uint8Array(v.valueBlock.valueHexView) : undefined;
}

/** Authority key identifier keyIdentifier bytes (4.2.1.1) of a certificate or CRL extension list. */
export function akiBytes(exts: pkijs.Extension[] | undefined): Uint8Array | undefined {
  const e = exts?.find((x) => x.extnID === EXT.authorityKeyIdentifier);
  const aki = e?.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
  return aki?.keyIdentifier ? new Uint8Array(aki.keyIdentifier.valueBlock.valueHexView) : undefined;
}

/** How well `issuer` matches a key identifier: 2 = SKI equals AKI, 1 = cannot tell, 0 = they differ. */
export function keyIdMatch(aki: Uint8Array | undefined, issuer: pkijs.Certificate): 0 | 1 | 2 {
  const ski = skiBytes(issuer);
  if (!aki || !ski) return 1;
  return bytesEqual(aki, ski) ? 2 : 0;
}

/** Is the certificate self-issued: subject and issuer names equal (RFC 5280 6.1)? */
export function isSelfIssued(cert: pkijs.Certificate): boolean {
  return namesEqual(cert.subject, cert.issuer);
}

/** subjectAltName GeneralNames (4.2.1.6). */
export function subjectAltNames(cert: pkijs.Certificate): pkijs.GeneralName[] {
  return (extOf(cert, EXT.subjectAltName)?.parsedValue as pkijs.AltName | undefined)?.altNames ?? [];
}

/** A small INTEGER extension value (inhibitAnyPolicy, CRL number...), as a bigint. */
export function integerOf(v: unknown): bigint | undefined {
  if (!(v instanceof asn1js.Integer)) return undefined;
  const h = new Uint8Array(v.valueBlock.valueHexView);
  let x = 0n;
  for (const b of h) x = (x << 8n) | BigInt(b);
  if (h.length && h[0]! & 0x80) x -= 1n << BigInt(8 * h.length);
  return x;
}
