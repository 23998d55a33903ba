/**
 * Loading keys and certificates: PEM (RFC 7468), X.509 DER, private keys as PKCS#8 (RFC 5958),
 * encrypted PKCS#8 (RFC 5958 3, PBES2 or PKCS#12 PBE), PKCS#1 RSAPrivateKey (RFC 8017 A.1.2),
 * SEC1 ECPrivateKey (RFC 5915), and PKCS#12 files (RFC 7292) with MAC check.
 *
 * A private key is held as a {@link PrivateKey}: its PKCS#8 DER (for WebCrypto import) plus the
 * RSA components as bigints (for the PKCS#1 v1.5 / OAEP code in rsa.ts that WebCrypto lacks).
 * PKCS#12 parsing uses PKI.js structures; decryption is ours (pbe.ts) because PKI.js does not do
 * the 3DES/RC2 PBE schemes most .p12 files use.
 */
import { md5 } from '@noble/hashes/legacy.js';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../errors.js';
import { base64Decode, bytesEqual, bytesToBigInt, concatBytes, ctEqual, toArrayBuffer } from './bytes.js';
import { emailsOf, isCa, rememberDer } from './certs.js';
import { encodeDer, fromSchema, guardAsync, octetsOf, parseBer } from './der.js';
import { ensureEngine } from './engine.js';
import { OID, curveFromParams, curveOidOf, hashNameOf, oidName } from './oids.js';
import { DEFAULT_MAX_TOTAL_ITERATIONS, IterationBudget, bmpPassword, pbeDecrypt, pbeWork, pkcs12Kdf, type PbeLimits } from './pbe.js';
import type { RsaPrivateParts } from './rsa.js';
import { type CipherSpec, cbcDecryptAny } from './symmetric.js';

/** A private key usable by WebCrypto (via `pkcs8`) and by the bigint RSA code (via `rsa`). */
export interface PrivateKey {
  readonly type: 'rsa' | 'ec';
  /** DER PrivateKeyInfo (unencrypted PKCS#8). */
  readonly pkcs8: Uint8Array;
  /** RSA components (type 'rsa'). */
  readonly rsa?: RsaPrivateParts;
  /** Curve (type 'ec'). */
  readonly namedCurve?: 'P-256' | 'P-384' | 'P-521';
  /** EC public point (uncompressed), when the key file carries it. */
  readonly ecPublicPoint?: Uint8Array;
}

/** One PEM block. */
export interface PemBlock {
  /** The label after BEGIN, e.g. `CERTIFICATE`, `PRIVATE KEY`. */
  label: string;
  der: Uint8Array;
  /** RFC 1421 headers (`Proc-Type`, `DEK-Info`) of legacy OpenSSL encrypted PEM, when present. */
  headers?: Record<string, string>;
}

/** Limits (and, for PKCS#12, a selection) for key loading. */
export interface KeyLoadLimits extends PbeLimits {
  /** Maximum number of PEM blocks / PKCS#12 bags read (default 1000). */
  maxItems?: number;
  /** PKCS#12: pick the key whose friendlyName (RFC 7292 4.2, "alias" in Java keystores) is this. */
  friendlyName?: string;
  /** Largest RSA key accepted, in modulus bits (default 16384); larger keys are `LIMIT_EXCEEDED`. */
  maxRsaBits?: number;
}

/** Default of {@link KeyLoadLimits.maxRsaBits}. */
export const DEFAULT_MAX_RSA_BITS = 16384;

/** `-----<word> LABEL-----` at `at`: the label (RFC 7468 section 2, [A-Z0-9 ]+) and where the marker ends. */
function pemMarker(text: string, at: number, word: string): { label: string; end: number } | undefined {
  let i = at + 5 + word.length + 1;
  const start = i;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x20)) break;
  }
  if (i === start || !text.startsWith('-----', i)) return undefined;
  return { label: text.slice(start, i), end: i + 5 };
}

/**
 * The blocks `-----BEGIN X-----` body `-----END X-----` of `text`, each BEGIN paired with the next
 * END of the same label (what `/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g` finds,
 * without its quadratic time on many BEGIN lines that have no END; issue 12). The END markers
 * are indexed once per label, then each BEGIN looks its END up by binary search.
 */
function pemMatches(text: string): { index: number; label: string; body: string }[] {
  const ends = new Map<string, number[]>();
  for (let at = text.indexOf('-----END '); at >= 0; at = text.indexOf('-----END ', at + 1)) {
    const mk = pemMarker(text, at, 'END');
    if (!mk) continue;
    let list = ends.get(mk.label);
    if (!list) ends.set(mk.label, (list = []));
    list.push(at);
  }
  const out: { index: number; label: string; body: string }[] = [];
  for (let at = text.indexOf('-----BEGIN '); at >= 0;) {
    const mk = pemMarker(text, at, 'BEGIN');
    const list = mk && ends.get(mk.label);
    let lo = 0, hi = list ? list.length : 0;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (list![mid]! < mk!.end) lo = mid + 1; else hi = mid; }
    if (!mk || !list || lo === list.length) { at = text.indexOf('-----BEGIN ', at + 1); continue; }
    const endAt = list[lo]!;
    out.push({ index: at, label: mk.label, body: text.slice(mk.end, endAt) });
    at = text.indexOf('-----BEGIN ', endAt + 9 + mk.label.length + 5);
  }
  return out;
}

/** Parse every `-----BEGIN X-----` ... `-----END X-----` block of `text` (RFC 7468). */
export function parsePem(text: string, limits: KeyLoadLimits = {}): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of pemMatches(text)) {
    if (out.length >= (limits.maxItems ?? 1000)) throw new SmimeBridgeError('LIMIT_EXCEEDED', `more than ${limits.maxItems ?? 1000} PEM blocks`, { offset: m.index });
    // RFC 1421 4.6 style headers (Proc-Type / DEK-Info): legacy OpenSSL encrypted PEM
    let body = m.body;
    let headers: Record<string, string> | undefined;
    const hm = /^\s*((?:[A-Za-z-]+:[^\n]*\n)+)\s*\n/.exec(body.replace(/\r/g, ''));
    if (hm) {
      headers = {};
      for (const line of hm[1]!.split('\n')) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      body = body.replace(/\r/g, '').slice(hm[0].length);
    }
    body = body.trim();
    const der = base64Decode(body);
    if (!der) throw new SmimeBridgeError('CMS_KEY_MALFORMED', `PEM block ${m.label} is not valid base64`, { offset: m.index });
    out.push(headers ? { label: m.label, der, headers } : { label: m.label, der });
  }
  return out;
}

function asText(x: string | Uint8Array): string | null {
  if (typeof x === 'string') return x;
  // a PEM file handed over as bytes
  const head = new TextDecoder('latin1').decode(x.subarray(0, Math.min(x.length, 4096)));
  return head.includes('-----BEGIN ') ? new TextDecoder('latin1').decode(x) : null;
}

/** Parse one certificate from DER. */
export function parseCertificate(der: Uint8Array, where = 'Certificate'): pkijs.Certificate {
  const asn = parseBer(der, {}, where);
  const cert = fromSchema(() => new pkijs.Certificate({ schema: asn }), where);
  rememberDer(cert, (asn as asn1js.BaseBlock).valueBeforeDecodeView);
  return cert;
}

/** Load X.509 certificates from PEM text (all CERTIFICATE blocks) or one DER certificate. */
export function loadCertificates(pemOrDer: string | Uint8Array): pkijs.Certificate[] {
  const text = asText(pemOrDer);
  if (text !== null) {
    const blocks = parsePem(text).filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
    if (!blocks.length) throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'no CERTIFICATE block in PEM input', { offset: 0 });
    return blocks.map((b, i) => parseCertificate(b.der, `Certificate[${i}]`));
  }
  return [parseCertificate(pemOrDer as Uint8Array)];
}

function rsaPartsOf(k: pkijs.RSAPrivateKey): RsaPrivateParts {
  const b = (x: asn1js.Integer) => bytesToBigInt(new Uint8Array(x.valueBlock.valueHexView));
  return {
    n: b(k.modulus),
    e: b(k.publicExponent),
    d: b(k.privateExponent),
    p: b(k.prime1),
    q: b(k.prime2),
    dp: b(k.exponent1),
    dq: b(k.exponent2),
    qi: b(k.coefficient),
  };
}

/** Build a {@link PrivateKey} from DER PrivateKeyInfo (PKCS#8). RSA keys over `limits.maxRsaBits` are refused. */
export function privateKeyFromPkcs8(der: Uint8Array, limits: Pick<KeyLoadLimits, 'maxRsaBits'> = {}): PrivateKey {
  const asn = parseBer(der, {}, 'PrivateKeyInfo');
  const pki = fromSchema(() => new pkijs.PrivateKeyInfo({ schema: asn }), 'PrivateKeyInfo');
  const alg = pki.privateKeyAlgorithm.algorithmId;
  const inner = octetsOf(pki.privateKey);
  if (alg === OID.rsaEncryption || alg === OID.rsassaPss) {
    const rk = fromSchema(() => new pkijs.RSAPrivateKey({ schema: parseBer(inner, {}, 'RSAPrivateKey') }), 'PrivateKeyInfo.privateKey.RSAPrivateKey');
    const rsa = rsaPartsOf(rk);
    // bound the work a hostile key file could ask of every later RSA operation
    const bits = rsa.n.toString(2).length;
    const max = limits.maxRsaBits ?? DEFAULT_MAX_RSA_BITS;
    if (bits > max) throw new SmimeBridgeError('LIMIT_EXCEEDED', `RSA key of ${bits} bits, more than ${max} (maxRsaBits)`, { asn1Path: 'PrivateKeyInfo.privateKey' });
    if (rsa.e > 1n << 64n || rsa.p.toString(2).length > max || rsa.q.toString(2).length > max) {
      throw new SmimeBridgeError('LIMIT_EXCEEDED', 'RSA key with an out-of-range public exponent or prime', { asn1Path: 'PrivateKeyInfo.privateKey' });
    }
    return { type: 'rsa', pkcs8: der, rsa };
  }
  if (alg === OID.ecPublicKey) {
    const params = pki.privateKeyAlgorithm.algorithmParams;
    const namedCurve = curveFromParams(params);
    if (!namedCurve) {
      const curveOid = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : '(explicit parameters)';
      throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `EC key on curve ${curveOid}`, { asn1Path: 'PrivateKeyInfo.privateKeyAlgorithm' });
    }
    const ek = parseSec1(inner, 'PrivateKeyInfo.privateKey.ECPrivateKey');
    if (!(params instanceof asn1js.ObjectIdentifier) || ek.hasParams) {
      // normalise to the named-curve form WebCrypto accepts (RFC 5915 3: parameters by OID, omitted inside PKCS#8)
      return { type: 'ec', pkcs8: namedEcPkcs8(inner, namedCurve, ek.publicKey), namedCurve, ecPublicPoint: ek.publicKey };
    }
    return { type: 'ec', pkcs8: der, namedCurve, ecPublicPoint: ek.publicKey };
  }
  throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `private key algorithm ${oidName(alg)}`, { asn1Path: 'PrivateKeyInfo.privateKeyAlgorithm' });
}

function wrapPkcs8(algOid: string, params: asn1js.AsnType | undefined, inner: Uint8Array): Uint8Array {
  const pki = new pkijs.PrivateKeyInfo({
    version: 0,
    privateKeyAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: algOid, algorithmParams: params ?? new asn1js.Null() }),
    privateKey: new asn1js.OctetString({ valueHex: toArrayBuffer(inner) }),
  });
  return encodeDer(pki.toSchema());
}

/** PKCS#1 RSAPrivateKey DER → PrivateKey. */
function fromPkcs1(der: Uint8Array, limits: KeyLoadLimits = {}): PrivateKey {
  return privateKeyFromPkcs8(wrapPkcs8(OID.rsaEncryption, new asn1js.Null(), der), limits);
}

/**
 * RFC 5915 3: ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING,
 * parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }. Read by hand because
 * PKI.js rejects a key that has a publicKey but no parameters (the usual form inside PKCS#8).
 */
function parseSec1(der: Uint8Array, where: string): { curveOid?: string; curve?: 'P-256' | 'P-384' | 'P-521'; publicKey?: Uint8Array; hasParams?: boolean } {
  const asn = parseBer(der, {}, where);
  if (!(asn instanceof asn1js.Sequence)) throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'ECPrivateKey is not a SEQUENCE', { asn1Path: where });
  const items = asn.valueBlock.value;
  if (!(items[0] instanceof asn1js.Integer) || !(items[1] instanceof asn1js.OctetString)) {
    throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'ECPrivateKey lacks version or privateKey', { asn1Path: where });
  }
  const out: { curveOid?: string; curve?: 'P-256' | 'P-384' | 'P-521'; publicKey?: Uint8Array; hasParams?: boolean } = {};
  for (const it of items.slice(2)) {
    const tag = it.idBlock.tagClass === 3 ? it.idBlock.tagNumber : -1;
    const inner = (it as asn1js.Constructed).valueBlock.value?.[0];
    if (tag === 0) {
      out.hasParams = true;
      out.curve = curveFromParams(inner);
      if (out.curve) out.curveOid = curveOidOf(out.curve);
    }
    if (tag === 1 && inner instanceof asn1js.BitString) out.publicKey = new Uint8Array(inner.valueBlock.valueHexView);
  }
  return out;
}

/** PKCS#8 for an EC key with the curve named by OID and no parameters inside ECPrivateKey. */
function namedEcPkcs8(sec1: Uint8Array, curve: 'P-256' | 'P-384' | 'P-521', publicKey: Uint8Array | undefined): Uint8Array {
  const asn = parseBer(sec1, {}, 'ECPrivateKey') as asn1js.Sequence;
  const [version, priv] = asn.valueBlock.value;
  const items: asn1js.AsnType[] = [version!, priv!];
  if (publicKey) items.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.BitString({ valueHex: toArrayBuffer(publicKey) })] }));
  const inner = encodeDer(new asn1js.Sequence({ value: items }));
  return wrapPkcs8(OID.ecPublicKey, new asn1js.ObjectIdentifier({ value: curveOidOf(curve) }), inner);
}

/** SEC1 ECPrivateKey DER → PrivateKey (curve from its parameters field, RFC 5915 3). */
function fromSec1(der: Uint8Array, curveHint?: string): PrivateKey {
  const ek = parseSec1(der, 'ECPrivateKey');
  const curveOid = ek.curveOid ?? curveHint;
  if (!curveOid) throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'EC private key names no curve', { asn1Path: 'ECPrivateKey.parameters' });
  return privateKeyFromPkcs8(wrapPkcs8(OID.ecPublicKey, new asn1js.ObjectIdentifier({ value: curveOid }), der));
}

/** Decrypt an EncryptedPrivateKeyInfo (RFC 5958 3) to PrivateKeyInfo DER. */
async function decryptPkcs8(der: Uint8Array, password: string, limits: KeyLoadLimits): Promise<Uint8Array> {
  const asn = parseBer(der, {}, 'EncryptedPrivateKeyInfo');
  if (!(asn instanceof asn1js.Sequence) || asn.valueBlock.value.length !== 2) {
    throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'not an EncryptedPrivateKeyInfo', { asn1Path: 'EncryptedPrivateKeyInfo' });
  }
  const alg = fromSchema(() => new pkijs.AlgorithmIdentifier({ schema: asn.valueBlock.value[0] }), 'EncryptedPrivateKeyInfo.encryptionAlgorithm');
  const data = octetsOf(asn.valueBlock.value[1]);
  const plain = await pbeDecrypt(alg.algorithmId, alg.algorithmParams, data, password, 'EncryptedPrivateKeyInfo', limits);
  // a wrong password that happens to pass the padding check yields garbage: report it as such
  try {
    privateKeyFromPkcs8(plain);
  } catch {
    throw new SmimeBridgeError('CMS_BAD_PASSWORD', 'wrong password (decrypted key is not a PrivateKeyInfo)', { asn1Path: 'EncryptedPrivateKeyInfo' });
  }
  return plain;
}

/**
 * OpenSSL's legacy PEM encryption (RFC 1421 headers, `DEK-Info: CIPHER,IVHEX`): key from
 * EVP_BytesToKey(MD5, salt = first 8 IV bytes, one iteration). Read-only support for old key files.
 */
async function decryptLegacyPem(b: PemBlock, password: string | undefined): Promise<Uint8Array> {
  if (password === undefined) throw new SmimeBridgeError('CMS_BAD_PASSWORD', 'the private key is encrypted and no password was given', { asn1Path: b.label });
  const dek = /^([A-Z0-9-]+),([0-9A-Fa-f]+)$/.exec(b.headers?.['dek-info'] ?? '');
  const ciphers: Record<string, [string, number]> = {
    'DES-EDE3-CBC': [OID.desEde3CBC, 24],
    'DES-CBC': [OID.desCBC, 8],
    'AES-128-CBC': [OID.aes128CBC, 16],
    'AES-192-CBC': [OID.aes192CBC, 24],
    'AES-256-CBC': [OID.aes256CBC, 32],
  };
  const c = dek ? ciphers[dek[1]!] : undefined;
  if (!dek || !c) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `legacy PEM encryption ${b.headers?.['dek-info'] ?? '(no DEK-Info)'}`, { asn1Path: b.label });
  const iv = new Uint8Array((dek[2]!.match(/../g) ?? []).map((h) => parseInt(h, 16)));
  const pw = new TextEncoder().encode(password);
  let key: Uint8Array = new Uint8Array(0);
  let prev: Uint8Array = new Uint8Array(0);
  while (key.length < c[1]) {
    prev = md5(concatBytes(prev, pw, iv.subarray(0, 8)));
    key = concatBytes(key, prev);
  }
  const spec: CipherSpec = { oid: c[0], name: dek[1]!, keyLength: c[1], mode: 'cbc', iv };
  const plain = await cbcDecryptAny(spec, key.subarray(0, c[1]), b.der);
  if (!plain || looksLike(plain) === 'unknown') throw new SmimeBridgeError('CMS_BAD_PASSWORD', 'wrong password for the encrypted PEM key', { asn1Path: b.label });
  return plain;
}

function looksLike(der: Uint8Array): 'pkcs8' | 'encrypted-pkcs8' | 'pkcs1' | 'sec1' | 'unknown' {
  try {
    const asn = parseBer(der, {}, 'key');
    if (!(asn instanceof asn1js.Sequence)) return 'unknown';
    const v = asn.valueBlock.value;
    if (v[0] instanceof asn1js.Sequence && v[1] instanceof asn1js.OctetString && v.length === 2) return 'encrypted-pkcs8';
    if (v[0] instanceof asn1js.Integer && v[1] instanceof asn1js.Sequence) return 'pkcs8';
    if (v[0] instanceof asn1js.Integer && v[1] instanceof asn1js.Integer && v.length >= 9) return 'pkcs1';
    if (v[0] instanceof asn1js.Integer && v[1] instanceof asn1js.OctetString) return 'sec1';
  } catch {
    /* fall through */
  }
  return 'unknown';
}

/**
 * Load a private key from PEM (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `RSA PRIVATE KEY`,
 * `EC PRIVATE KEY`) or DER (any of those encodings). An encrypted key needs `password`; a wrong
 * one gives `CMS_BAD_PASSWORD`.
 */
export async function loadPrivateKey(pemOrDer: string | Uint8Array, password?: string, limits: KeyLoadLimits = {}): Promise<PrivateKey> {
  try {
    return await loadPrivateKeyImpl(pemOrDer, password, limits);
  } catch (e) {
    if (e instanceof SmimeBridgeError) throw e;
    throw new SmimeBridgeError('CMS_KEY_MALFORMED', `unreadable private key (${e instanceof Error ? e.message : String(e)})`, {}, { cause: e });
  }
}

async function loadPrivateKeyImpl(pemOrDer: string | Uint8Array, password: string | undefined, limits: KeyLoadLimits): Promise<PrivateKey> {
  ensureEngine();
  const text = asText(pemOrDer);
  let der: Uint8Array;
  let kind: ReturnType<typeof looksLike>;
  let curveHint: string | undefined;
  if (text !== null) {
    const blocks = parsePem(text, limits);
    const params = blocks.find((b) => b.label === 'EC PARAMETERS');
    if (params) {
      const p = parseBer(params.der, {}, 'ECParameters');
      if (p instanceof asn1js.ObjectIdentifier) curveHint = p.valueBlock.toString();
    }
    const b = blocks.find((x) => /PRIVATE KEY$/.test(x.label));
    if (!b) throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'no PRIVATE KEY block in PEM input', { offset: 0 });
    der = b.headers?.['proc-type']?.includes('ENCRYPTED') ? await decryptLegacyPem(b, password) : b.der;
    kind =
      b.label === 'ENCRYPTED PRIVATE KEY' ? 'encrypted-pkcs8' : b.label === 'RSA PRIVATE KEY' ? 'pkcs1' : b.label === 'EC PRIVATE KEY' ? 'sec1' : b.label === 'PRIVATE KEY' ? 'pkcs8' : looksLike(b.der);
  } else {
    der = pemOrDer as Uint8Array;
    kind = looksLike(der);
  }
  try {
    switch (kind) {
      case 'pkcs8':
        return privateKeyFromPkcs8(der, limits);
      case 'pkcs1':
        return fromPkcs1(der, limits);
      case 'sec1':
        return fromSec1(der, curveHint);
      case 'encrypted-pkcs8':
        if (password === undefined) throw new SmimeBridgeError('CMS_BAD_PASSWORD', 'the private key is encrypted and no password was given', { asn1Path: 'EncryptedPrivateKeyInfo' });
        return privateKeyFromPkcs8(await decryptPkcs8(der, password, limits), limits);
      default:
        throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'not a PKCS#8, PKCS#1 or SEC1 private key', { offset: 0 });
    }
  } catch (e) {
    if (e instanceof SmimeBridgeError && (e.code === 'CMS_MALFORMED' || e.code === 'CMS_TRUNCATED')) {
      throw new SmimeBridgeError('CMS_KEY_MALFORMED', e.message, e.location, { cause: e });
    }
    throw e;
  }
}

/** Result of {@link loadPkcs12}. */
export interface Pkcs12Contents {
  key: PrivateKey;
  /** The certificate belonging to `key`. */
  cert: pkijs.Certificate;
  /** The other certificates in the file (CA and intermediates). */
  chain: pkijs.Certificate[];
}

const LOCAL_KEY_ID = '1.2.840.113549.1.9.21';
const FRIENDLY_NAME = '1.2.840.113549.1.9.20';

function friendlyName(attrs: pkijs.Attribute[] | undefined): string | undefined {
  const v = attrs?.find((x) => x.type === FRIENDLY_NAME)?.values[0] as { valueBlock?: { value?: unknown } } | undefined;
  return typeof v?.valueBlock?.value === 'string' ? v.valueBlock.value : undefined;
}

function localKeyId(attrs: pkijs.Attribute[] | undefined): Uint8Array | undefined {
  const a = attrs?.find((x) => x.type === LOCAL_KEY_ID);
  const v = a?.values[0];
  return v instanceof asn1js.OctetString ? octetsOf(v) : undefined;
}

/** True when `cert`'s public key belongs to `key`. */
export function certMatchesKey(cert: pkijs.Certificate, key: PrivateKey): boolean {
  const spki = cert.subjectPublicKeyInfo;
  if (key.type === 'rsa' && key.rsa) {
    const pub = spki.parsedKey;
    if (!(pub instanceof pkijs.RSAPublicKey)) return false;
    return bytesToBigInt(new Uint8Array(pub.modulus.valueBlock.valueHexView)) === key.rsa.n;
  }
  if (key.type === 'ec' && key.ecPublicPoint) {
    return bytesEqual(new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView), key.ecPublicPoint);
  }
  return false;
}

/**
 * Read a PKCS#12 (PFX) file (RFC 7292): check the MAC, decrypt the bags, return the private key,
 * its certificate and the other certificates. Wrong password → `CMS_BAD_PASSWORD`; a file
 * without a key → `CMS_KEY_MALFORMED`.
 */
export async function loadPkcs12(der: Uint8Array | string, password: string, limits: KeyLoadLimits = {}): Promise<Pkcs12Contents> {
  return guardAsync('PFX', () => loadPkcs12Impl(pkcs12Bytes(der), password, limits));
}

/**
 * The DER of a PKCS#12 file given as DER, as PEM (`-----BEGIN PKCS12-----`, RFC 7468 has no label
 * for it but OpenSSL-based tools and Java keytool exports write this one) or as bare base64 text.
 */
function pkcs12Bytes(input: Uint8Array | string): Uint8Array {
  if (typeof input !== 'string' && (input[0] === 0x30 || input.length === 0)) return input; // X.690 SEQUENCE: DER/BER
  const text = typeof input === 'string' ? input : new TextDecoder('latin1').decode(input);
  if (text.includes('-----BEGIN ')) {
    const block = parsePem(text).find((b) => /^(PKCS ?#?12|PFX)$/.test(b.label));
    if (!block) throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'PEM input holds no PKCS12 block', { offset: 0 });
    return block.der;
  }
  const der = /^[A-Za-z0-9+/=\s]+$/.test(text) ? base64Decode(text) : null;
  if (der && der[0] === 0x30) return der;
  return typeof input === 'string' ? new TextEncoder().encode(input) : input;
}

/**
 * RFC 7292 B.1 password bytes to try. The empty password is written both as the two-byte zero
 * terminator alone (RFC 7292 B.1 read literally; OpenSSL, GnuPG and NSS write this) and as no bytes
 * at all (OpenSSL's NULL password; it tries both when reading, and so do we).
 */
function passwordEncodings(password: string): Uint8Array[] {
  return password === '' ? [new Uint8Array(2), new Uint8Array(0)] : [bmpPassword(password)];
}

/** Try `attempt` with each password encoding; a wrong-password outcome moves on to the next. */
async function withEncodings<T>(encodings: Uint8Array[], attempt: (bmp: Uint8Array) => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt(encodings[i]!);
    } catch (e) {
      if (!(e instanceof SmimeBridgeError && e.code === 'CMS_BAD_PASSWORD') || i === encodings.length - 1) throw e;
    }
  }
}

async function loadPkcs12Impl(der: Uint8Array, password: string, limits: KeyLoadLimits): Promise<Pkcs12Contents> {
  ensureEngine();
  const maxItems = limits.maxItems ?? 1000;
  const budget = new IterationBudget(limits.maxTotalIterations ?? DEFAULT_MAX_TOTAL_ITERATIONS);
  const pfx = fromSchema(() => new pkijs.PFX({ schema: parseBer(der, {}, 'PFX') }), 'PFX');
  if (pfx.authSafe.contentType !== OID.data) {
    throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `PFX authSafe of type ${oidName(pfx.authSafe.contentType)} (public-key integrity mode)`, { asn1Path: 'PFX.authSafe' });
  }
  const authSafeBytes = octetsOf(pfx.authSafe.content as asn1js.AsnType);
  const safe = fromSchema(() => new pkijs.AuthenticatedSafe({ schema: parseBer(authSafeBytes, {}, 'AuthenticatedSafe') }), 'AuthenticatedSafe');
  if (safe.safeContents.length > maxItems) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${safe.safeContents.length} PKCS#12 entries, more than ${maxItems}`, { asn1Path: 'AuthenticatedSafe' });
  // Bound the whole file's key-derivation work before doing any of it: the MAC, every encrypted
  // entry and every shrouded key visible without a password (RFC 7292 4.1, 4.2.2).
  let visible = pfx.macData ? (pfx.macData.iterations ?? 1) : 0;
  const plainSafes = new Map<number, pkijs.SafeContents>();
  const encryptedSafes = new Map<number, pkijs.EncryptedData>();
  for (const [i, ci] of safe.safeContents.entries()) {
    const where = `AuthenticatedSafe[${i}]`;
    if (ci.contentType === OID.encryptedData) {
      const ed = fromSchema(() => new pkijs.EncryptedData({ schema: ci.content }), where + '.EncryptedData');
      encryptedSafes.set(i, ed);
      visible += pbeWork(ed.encryptedContentInfo.contentEncryptionAlgorithm.algorithmId, ed.encryptedContentInfo.contentEncryptionAlgorithm.algorithmParams);
    } else if (ci.contentType === OID.data) {
      const sc = fromSchema(() => new pkijs.SafeContents({ schema: parseBer(octetsOf(ci.content as asn1js.AsnType), {}, where + '.SafeContents') }), where + '.SafeContents');
      if (sc.safeBags.length > maxItems) throw new SmimeBridgeError('LIMIT_EXCEEDED', `more than ${maxItems} PKCS#12 bags`, { asn1Path: where });
      plainSafes.set(i, sc);
      for (const bag of sc.safeBags) {
        if (bag.bagId === OID.pkcs8ShroudedKeyBag) {
          const sk = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
          visible += pbeWork(sk.encryptionAlgorithm.algorithmId, sk.encryptionAlgorithm.algorithmParams);
        }
      }
    }
  }
  if (visible > budget.total) {
    throw new SmimeBridgeError('LIMIT_EXCEEDED', `the file asks for ${visible} iterations of key derivation, more than ${budget.total} in total (maxTotalIterations)`, { asn1Path: 'PFX' });
  }
  let encodings = passwordEncodings(password);
  // RFC 7292 4 / B.4: password integrity, HMAC with a key from the PKCS#12 KDF (ID 3)
  if (pfx.macData) {
    const md = pfx.macData;
    const hash = hashNameOf(md.mac.digestAlgorithm.algorithmId);
    if (!hash) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `PFX MAC digest ${oidName(md.mac.digestAlgorithm.algorithmId)}`, { asn1Path: 'PFX.macData' });
    const iterations = md.iterations ?? 1;
    if (iterations > (limits.maxIterations ?? 1_000_000)) throw new SmimeBridgeError('LIMIT_EXCEEDED', `PFX MAC iteration count ${iterations}`, { asn1Path: 'PFX.macData' });
    const hlen = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[hash];
    const salt = octetsOf(md.macSalt);
    const expected = octetsOf(md.mac.digest);
    const check = async (pw: Uint8Array) => {
      budget.spend(iterations, 'PFX.macData');
      const mk = await pkcs12Kdf(hash, pw, salt, iterations, 3, hlen);
      const k = await globalThis.crypto.subtle.importKey('raw', toArrayBuffer(mk), { name: 'HMAC', hash }, false, ['sign']);
      const mac = new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', k, toArrayBuffer(authSafeBytes)));
      return ctEqual(mac, expected);
    };
    let matched: Uint8Array | undefined;
    for (const pw of encodings) {
      if (await check(pw)) {
        matched = pw;
        break;
      }
    }
    if (!matched) throw new SmimeBridgeError('CMS_BAD_PASSWORD', 'wrong password for PKCS#12 file (MAC check failed)', { asn1Path: 'PFX.macData' });
    // the encoding the MAC was made with is most likely the one the entries were encrypted with
    encodings = [matched, ...encodings.filter((e) => e !== matched)];
  }
  const bags: pkijs.SafeBag[] = [];
  for (const [i, ci] of safe.safeContents.entries()) {
    const where = `AuthenticatedSafe[${i}]`;
    let sc: pkijs.SafeContents;
    if (ci.contentType === OID.data) sc = plainSafes.get(i)!;
    else if (ci.contentType === OID.encryptedData) {
      const eci = encryptedSafes.get(i)!.encryptedContentInfo;
      sc = await withEncodings(encodings, async (bmp) => {
        const contentBytes = await pbeDecrypt(
          eci.contentEncryptionAlgorithm.algorithmId,
          eci.contentEncryptionAlgorithm.algorithmParams,
          octetsOf(eci.encryptedContent),
          password,
          where + '.EncryptedData',
          limits,
          { bmp, budget },
        );
        try {
          return fromSchema(() => new pkijs.SafeContents({ schema: parseBer(contentBytes, {}, where + '.SafeContents') }), where + '.SafeContents');
        } catch (e) {
          throw new SmimeBridgeError('CMS_BAD_PASSWORD', 'wrong password (decrypted PKCS#12 bag is not SafeContents)', { asn1Path: where }, { cause: e });
        }
      });
    } else throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `PKCS#12 content of type ${oidName(ci.contentType)}`, { asn1Path: where });
    bags.push(...sc.safeBags);
    if (bags.length > maxItems) throw new SmimeBridgeError('LIMIT_EXCEEDED', `more than ${maxItems} PKCS#12 bags`, { asn1Path: where });
  }
  const keys: { key: PrivateKey; id?: Uint8Array; name?: string }[] = [];
  const skipped: SmimeBridgeError[] = [];
  const certs: { cert: pkijs.Certificate; id?: Uint8Array }[] = [];
  for (const [i, bag] of bags.entries()) {
    const where = `SafeBag[${i}]`;
    if (bag.bagId === OID.keyBag) {
      const pki = bag.bagValue as pkijs.PrivateKeyInfo;
      try {
        keys.push({ key: privateKeyFromPkcs8(encodeDer(pki.toSchema()), limits), id: localKeyId(bag.bagAttributes), name: friendlyName(bag.bagAttributes) });
      } catch (e) {
        if (!(e instanceof SmimeBridgeError && e.code === 'CMS_UNSUPPORTED_ALGORITHM')) throw e;
        skipped.push(e);
      }
    } else if (bag.bagId === OID.pkcs8ShroudedKeyBag) {
      const sk = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
      let key: PrivateKey | undefined;
      try {
        key = await withEncodings(encodings, async (bmp) => {
          const plain = await pbeDecrypt(sk.encryptionAlgorithm.algorithmId, sk.encryptionAlgorithm.algorithmParams, octetsOf(sk.encryptedData), password, where, limits, { bmp, budget });
          try {
            return privateKeyFromPkcs8(plain, limits);
          } catch (e) {
            if (e instanceof SmimeBridgeError && (e.code === 'CMS_UNSUPPORTED_ALGORITHM' || e.code === 'LIMIT_EXCEEDED')) throw e;
            throw new SmimeBridgeError('CMS_BAD_PASSWORD', 'wrong password (decrypted key is not a PrivateKeyInfo)', { asn1Path: where }, { cause: e });
          }
        });
      } catch (e) {
        // a key type we cannot use (DSA, other curves): skip it, another bag may hold a usable key
        if (e instanceof SmimeBridgeError && e.code === 'CMS_UNSUPPORTED_ALGORITHM') {
          skipped.push(e);
          continue;
        }
        throw e;
      }
      keys.push({ key, id: localKeyId(bag.bagAttributes), name: friendlyName(bag.bagAttributes) });
    } else if (bag.bagId === OID.certBag) {
      const cb = bag.bagValue as pkijs.CertBag;
      if (cb.certId !== OID.x509Certificate) continue;
      const cert = cb.parsedValue instanceof pkijs.Certificate ? cb.parsedValue : parseCertificate(octetsOf(cb.certValue as asn1js.OctetString), where);
      certs.push({ cert, id: localKeyId(bag.bagAttributes) });
    }
  }
  const wanted = limits.friendlyName;
  const first = wanted === undefined ? keys[0] : keys.find((k) => k.name === wanted);
  if (!first && wanted !== undefined) throw new SmimeBridgeError('CMS_KEY_MALFORMED', `PKCS#12 file holds no usable key named "${wanted}"`, { asn1Path: 'PFX' });
  if (!first && skipped[0]) throw skipped[0];
  if (!first) throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'PKCS#12 file holds no private key', { asn1Path: 'PFX' });
  let own = first.id ? certs.find((c) => c.id && bytesEqual(c.id, first.id!)) : undefined;
  own ??= certs.find((c) => certMatchesKey(c.cert, first.key));
  own ??= certs.find((c) => !isCa(c.cert) && emailsOf(c.cert).length > 0) ?? certs.find((c) => !isCa(c.cert));
  if (!own) throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'PKCS#12 file holds no certificate for its private key', { asn1Path: 'PFX' });
  return { key: first.key, cert: own.cert, chain: certs.filter((c) => c !== own).map((c) => c.cert) };
}

/** Import a {@link PrivateKey} into WebCrypto for one algorithm. */
export async function importPrivateKey(
  key: PrivateKey,
  alg: { name: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' | 'RSA-OAEP'; hash: string } | { name: 'ECDSA' | 'ECDH'; namedCurve?: string },
  usages: KeyUsage[],
): Promise<CryptoKey> {
  let a: RsaHashedImportParams | EcKeyImportParams;
  if (alg.name === 'ECDSA' || alg.name === 'ECDH') {
    if (key.type !== 'ec') throw new SmimeBridgeError('CMS_WRONG_KEY', `an ${alg.name} operation needs an EC key, got ${key.type.toUpperCase()}`);
    a = { name: alg.name, namedCurve: key.namedCurve! };
  } else {
    if (key.type !== 'rsa') throw new SmimeBridgeError('CMS_WRONG_KEY', `an ${alg.name} operation needs an RSA key, got ${key.type.toUpperCase()}`);
    a = { name: alg.name, hash: (alg as { hash: string }).hash };
  }
  try {
    return await globalThis.crypto.subtle.importKey('pkcs8', toArrayBuffer(key.pkcs8), a, false, usages);
  } catch (e) {
    throw new SmimeBridgeError('CMS_KEY_MALFORMED', `WebCrypto refused the private key for ${alg.name}: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
  }
}

/** WebCrypto curve for an EC key's OID. */
export function curveOid(key: PrivateKey): string {
  return curveOidOf(key.namedCurve!);
}
