/**
 * Object identifiers used by S/MIME (RFC 5652, RFC 5753, RFC 8017, RFC 5084, RFC 3370, RFC 8551)
 * and their readable names.
 */

/** OID constants. */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  digestedData: '1.2.840.113549.1.7.5',
  encryptedData: '1.2.840.113549.1.7.6',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  compressedData: '1.2.840.113549.1.9.16.1.9',
  // attributes
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  smimeCapabilities: '1.2.840.113549.1.9.15',
  emailAddress: '1.2.840.113549.1.9.1',
  // digests
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  md5: '1.2.840.113549.2.5',
  // public key / signature
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  pSpecified: '1.2.840.113549.1.1.9',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha224WithRSA: '1.2.840.113549.1.1.14',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  md5WithRSA: '1.2.840.113549.1.1.4',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA224: '1.2.840.10045.4.3.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  dsa: '1.2.840.10040.4.1',
  dsaWithSHA1: '1.2.840.10040.4.3',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  p521: '1.3.132.0.35',
  // key agreement (RFC 5753 7.1.4)
  dhSinglePassStdDHsha1kdf: '1.3.133.16.840.63.0.2',
  dhSinglePassStdDHsha224kdf: '1.3.132.1.11.0',
  dhSinglePassStdDHsha256kdf: '1.3.132.1.11.1',
  dhSinglePassStdDHsha384kdf: '1.3.132.1.11.2',
  dhSinglePassStdDHsha512kdf: '1.3.132.1.11.3',
  dhSinglePassCofactorDHsha1kdf: '1.3.133.16.840.63.0.3',
  dhSinglePassCofactorDHsha224kdf: '1.3.132.1.14.0',
  dhSinglePassCofactorDHsha256kdf: '1.3.132.1.14.1',
  dhSinglePassCofactorDHsha384kdf: '1.3.132.1.14.2',
  dhSinglePassCofactorDHsha512kdf: '1.3.132.1.14.3',
  // key wrap
  aes128Wrap: '2.16.840.1.101.3.4.1.5',
  aes192Wrap: '2.16.840.1.101.3.4.1.25',
  aes256Wrap: '2.16.840.1.101.3.4.1.45',
  cms3DESwrap: '1.2.840.113549.1.9.16.3.6',
  // content encryption
  aes128CBC: '2.16.840.1.101.3.4.1.2',
  aes192CBC: '2.16.840.1.101.3.4.1.22',
  aes256CBC: '2.16.840.1.101.3.4.1.42',
  aes128GCM: '2.16.840.1.101.3.4.1.6',
  aes192GCM: '2.16.840.1.101.3.4.1.26',
  aes256GCM: '2.16.840.1.101.3.4.1.46',
  desEde3CBC: '1.2.840.113549.3.7',
  rc2CBC: '1.2.840.113549.3.2',
  desCBC: '1.3.14.3.2.7',
  // PKCS#5 / PKCS#12
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA224: '1.2.840.113549.2.8',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  pbeSHA1RC4_128: '1.2.840.113549.1.12.1.1',
  pbeSHA1RC4_40: '1.2.840.113549.1.12.1.2',
  pbeSHA1TripleDES: '1.2.840.113549.1.12.1.3',
  pbeSHA1TwoKeyTripleDES: '1.2.840.113549.1.12.1.4',
  pbeSHA1RC2_128: '1.2.840.113549.1.12.1.5',
  pbeSHA1RC2_40: '1.2.840.113549.1.12.1.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  // certificate extensions
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  ekuEmailProtection: '1.3.6.1.5.5.7.3.4',
  ekuAny: '2.5.29.37.0',
} as const;

const NAMES: Record<string, string> = {};
for (const [k, v] of Object.entries(OID)) NAMES[v] = k;
// nicer names for the ones people read
Object.assign(NAMES, {
  [OID.data]: 'data',
  [OID.signedData]: 'signed-data',
  [OID.envelopedData]: 'enveloped-data',
  [OID.authEnvelopedData]: 'auth-enveloped-data',
  [OID.compressedData]: 'compressed-data',
  [OID.digestedData]: 'digested-data',
  [OID.encryptedData]: 'encrypted-data',
  [OID.sha1]: 'SHA-1',
  [OID.sha224]: 'SHA-224',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
  [OID.md5]: 'MD5',
  [OID.rsaEncryption]: 'RSA',
  [OID.rsaesOaep]: 'RSA-OAEP',
  [OID.rsassaPss]: 'RSA-PSS',
  [OID.ecPublicKey]: 'EC',
  [OID.aes128CBC]: 'AES-128-CBC',
  [OID.aes192CBC]: 'AES-192-CBC',
  [OID.aes256CBC]: 'AES-256-CBC',
  [OID.aes128GCM]: 'AES-128-GCM',
  [OID.aes192GCM]: 'AES-192-GCM',
  [OID.aes256GCM]: 'AES-256-GCM',
  [OID.desEde3CBC]: 'DES-EDE3-CBC',
  [OID.rc2CBC]: 'RC2-CBC',
  [OID.desCBC]: 'DES-CBC',
  [OID.aes128Wrap]: 'AES-128-KW',
  [OID.aes192Wrap]: 'AES-192-KW',
  [OID.aes256Wrap]: 'AES-256-KW',
  [OID.cms3DESwrap]: '3DES-KW',
});

/** Readable name for an OID, or the dotted OID itself when unknown. */
export function oidName(oid: string): string {
  return NAMES[oid] ?? oid;
}

/** WebCrypto hash name for a digest OID, or undefined. */
export function hashNameOf(oid: string): 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' | undefined {
  switch (oid) {
    case OID.sha1:
      return 'SHA-1';
    case OID.sha256:
      return 'SHA-256';
    case OID.sha384:
      return 'SHA-384';
    case OID.sha512:
      return 'SHA-512';
    default:
      return undefined;
  }
}

/** Digest OID for a WebCrypto hash name. */
export function hashOidOf(name: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'): string {
  return { 'SHA-1': OID.sha1, 'SHA-256': OID.sha256, 'SHA-384': OID.sha384, 'SHA-512': OID.sha512 }[name];
}

/** Output length in bytes of a WebCrypto hash. */
export function hashLength(name: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'): number {
  return { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[name];
}

/** Named curve (WebCrypto) for a curve OID. */
export function curveNameOf(oid: string): 'P-256' | 'P-384' | 'P-521' | undefined {
  return oid === OID.p256 ? 'P-256' : oid === OID.p384 ? 'P-384' : oid === OID.p521 ? 'P-521' : undefined;
}

const PRIMES: Record<string, 'P-256' | 'P-384' | 'P-521'> = {
  ffffffff00000001000000000000000000000000ffffffffffffffffffffffff: 'P-256',
  fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff: 'P-384',
  ['01' + 'ff'.repeat(65)]: 'P-521',
};

/**
 * Named curve for EC parameters given as an OID or, as some Bouncy Castle / .NET files do, as
 * explicit SpecifiedECDomain (RFC 3279 2.3.5) — recognised by the field prime.
 */
export function curveFromParams(params: unknown): 'P-256' | 'P-384' | 'P-521' | undefined {
  const p = params as { valueBlock?: { value?: unknown[]; toString?: () => string } ; idBlock?: { tagNumber: number } };
  if (p?.idBlock?.tagNumber === 6 && typeof p.valueBlock?.toString === 'function') return curveNameOf(p.valueBlock.toString());
  // SEQUENCE { version, fieldID SEQUENCE { prime-field OID, prime INTEGER }, ... }
  const fieldId = p?.valueBlock?.value?.[1] as { valueBlock?: { value?: { valueBlock?: { valueHexView?: Uint8Array } }[] } } | undefined;
  const prime = fieldId?.valueBlock?.value?.[1]?.valueBlock?.valueHexView;
  if (!prime) return undefined;
  let hex = '';
  for (const x of prime) hex += x.toString(16).padStart(2, '0');
  hex = hex.replace(/^(00)+/, '');
  if (hex.length % 2) hex = '0' + hex;
  return PRIMES[hex];
}

/** Curve OID for a WebCrypto named curve. */
export function curveOidOf(name: 'P-256' | 'P-384' | 'P-521'): string {
  return { 'P-256': OID.p256, 'P-384': OID.p384, 'P-521': OID.p521 }[name];
}
