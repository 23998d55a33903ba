/**
 * `signData`: produce a CMS SignedData (RFC 5652 5) for S/MIME (RFC 8551 2.5): signed attributes
 * contentType, signingTime, messageDigest and SMIMECapabilities; RSA PKCS#1 v1.5 or ECDSA via
 * WebCrypto; the signer certificate and chain included. `micalgFor` gives the multipart/signed
 * `micalg` parameter (RFC 8551 3.5.3.2).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../errors.js';
import { platform } from '../platform/index.js';
import { toArrayBuffer } from './bytes.js';
import { encodeDer } from './der.js';
import { ensureEngine } from './engine.js';
import { type PrivateKey, certMatchesKey, importPrivateKey, parseCertificate } from './keys.js';
import { OID, hashOidOf } from './oids.js';
import { ecdsaRawToDer } from './pubkey.js';

/** Digest algorithms for signing. */
export type SignDigest = 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA-1';

/** The signer. */
export interface Signer {
  key: PrivateKey;
  cert: pkijs.Certificate | Uint8Array;
  /** Intermediate certificates to include. */
  chain?: (pkijs.Certificate | Uint8Array)[];
}

/** Options of {@link signData}. */
export interface SignOptions {
  /** true: no eContent (for multipart/signed); false: content inside (opaque signed). */
  detached: boolean;
  /** Default SHA-256. */
  digest?: SignDigest;
  /** Default: now. */
  signingTime?: Date;
}

/** RFC 8551 3.5.3.2: the `micalg` parameter value for a digest. */
export function micalgFor(digest: SignDigest): string {
  return { 'SHA-1': 'sha-1', 'SHA-256': 'sha-256', 'SHA-384': 'sha-384', 'SHA-512': 'sha-512' }[digest];
}

const ECDSA_OID: Record<SignDigest, string> = {
  'SHA-1': OID.ecdsaWithSHA1,
  'SHA-256': OID.ecdsaWithSHA256,
  'SHA-384': OID.ecdsaWithSHA384,
  'SHA-512': OID.ecdsaWithSHA512,
};

function asCert(c: pkijs.Certificate | Uint8Array, where: string): pkijs.Certificate {
  return c instanceof Uint8Array ? parseCertificate(c, where) : c;
}

/** X.690 11.6: DER SET OF orders its elements by their encodings. */
function derSetOrder(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** RFC 5652 11.3: UTCTime for 1950..2049, GeneralizedTime otherwise. */
function timeValue(t: Date): asn1js.AsnType {
  const y = t.getUTCFullYear();
  return y >= 1950 && y < 2050 ? new asn1js.UTCTime({ valueDate: t }) : new asn1js.GeneralizedTime({ valueDate: t });
}

/** RFC 8551 2.5.2: SMIMECapabilities, strongest first. */
function capabilities(): asn1js.Sequence {
  const cap = (oid: string) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid })] });
  return new asn1js.Sequence({ value: [cap(OID.aes256GCM), cap(OID.aes128GCM), cap(OID.aes256CBC), cap(OID.aes192CBC), cap(OID.aes128CBC)] });
}

/**
 * Sign `content` and return a DER ContentInfo holding SignedData. For a clear-signed message
 * (RFC 8551 3.5) pass the canonical (CRLF) MIME entity and `detached: true`.
 */
export async function signData(content: Uint8Array, signer: Signer, opts: SignOptions): Promise<Uint8Array> {
  ensureEngine();
  const digest = opts.digest ?? 'SHA-256';
  if (!['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'].includes(digest)) throw new SmimeBridgeError('INVALID_ARGUMENT', `digest ${digest}`);
  const cert = asCert(signer.cert, 'signer.cert');
  const chain = (signer.chain ?? []).map((c, i) => asCert(c, `signer.chain[${i}]`));
  if (signer.key.type === 'rsa' && !certMatchesKey(cert, signer.key)) throw new SmimeBridgeError('CMS_WRONG_KEY', 'the private key does not belong to the signer certificate');
  const md = await platform().digest(digest, content);
  // RFC 5652 5.3 / 11: signed attributes
  const attrs = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.signingTime, values: [timeValue(opts.signingTime ?? new Date())] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(md) })] }),
    new pkijs.Attribute({ type: OID.smimeCapabilities, values: [capabilities()] }),
  ];
  const sorted = attrs.map((a) => ({ a, der: encodeDer(a.toSchema()) })).sort((x, y) => derSetOrder(x.der, y.der));
  const toSign = encodeDer(new asn1js.Set({ value: sorted.map((x) => x.a.toSchema()) }));

  let signature: Uint8Array;
  let sigAlg: pkijs.AlgorithmIdentifier;
  if (signer.key.type === 'rsa') {
    // RFC 8017 8.2.1 through the platform (node:crypto in Node, WebCrypto elsewhere)
    try {
      signature = await platform().rsaSignPkcs1(signer.key.pkcs8, digest, toSign);
    } catch (e) {
      throw new SmimeBridgeError('CMS_KEY_MALFORMED', `the RSA private key cannot sign: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
    }
    // RFC 3370 3.2: rsaEncryption with NULL parameters is what every S/MIME client accepts
    sigAlg = new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() });
  } else {
    const k = await importPrivateKey(signer.key, { name: 'ECDSA' }, ['sign']);
    const raw = new Uint8Array(await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: digest }, k, toArrayBuffer(toSign)));
    signature = ecdsaRawToDer(raw);
    sigAlg = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_OID[digest] }); // RFC 5758 3.2: parameters absent
  }
  const digestAlg = new pkijs.AlgorithmIdentifier({ algorithmId: hashOidOf(digest) });
  const si = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: digestAlg,
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted.map((x) => x.a) }),
    signatureAlgorithm: sigAlg,
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  const sd = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [digestAlg],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID.data,
      ...(opts.detached ? {} : { eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(content) }) }),
    }),
    certificates: [cert, ...chain],
    signerInfos: [si],
  });
  const ci = new pkijs.ContentInfo({ contentType: OID.signedData, content: sd.toSchema(true) });
  return encodeDer(ci.toSchema());
}
