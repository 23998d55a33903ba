/**
 * `encryptData`: produce CMS EnvelopedData (RFC 5652 6) or, for AES-GCM, AuthEnvelopedData
 * (RFC 5083, RFC 5084). The defaults are what every receiving agent must support (RFC 8551 2.7:
 * AES-128 CBC MUST; RFC 8551 2.3: RSA encryption, i.e. RSAES-PKCS1-v1_5, MUST): AES-128-CBC
 * with RSAES-PKCS1-v1_5, which NSS 3.87 (Thunderbird, Evolution), OpenSSL and gpgsm all decrypt.
 * RSAES-OAEP (SHA-256, RFC 4055; RFC 8551 2.3 SHOULD+) and AES-GCM AuthEnvelopedData (RFC 8551
 * 2.7 SHOULD+) are options for peers known to read them. EC recipients get KeyAgreeRecipientInfo
 * with ephemeral-static ECDH, the X9.63 KDF (SHA-256) and AES key wrap (RFC 5753).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../errors.js';
import { bytesToBigInt, randomBytes, toArrayBuffer, toHex } from './bytes.js';
import { encodeDer } from './der.js';
import { ensureEngine } from './engine.js';
import { CURVE_BITS, aesKeyWrap, sharedInfo, wrapAlgorithmDer, x963Kdf } from './kari.js';
import { loadCertificates, parseCertificate } from './keys.js';
import { OID, oidName } from './oids.js';
import { spkiCurve, spkiForWebCrypto } from './pubkey.js';
import { rsaOaepEncrypt, rsaPkcs1v15Encrypt } from './rsa.js';
import { type CipherSpec, cbcEncryptAny, gcmEncrypt } from './symmetric.js';

/** A recipient certificate: PKI.js object, DER bytes or PEM text. */
export type CertificateLike = pkijs.Certificate | Uint8Array | string;

/** Options of {@link encryptData}. */
export interface EncryptOptions {
  /**
   * Content encryption. Default `AES-128-CBC` (RFC 8551 2.7 MUST, read by every S/MIME agent);
   * `AES-128-GCM` / `AES-256-GCM` give AuthEnvelopedData (RFC 5083), which NSS 3.87 cannot read.
   */
  cipher?: 'AES-128-CBC' | 'AES-256-CBC' | 'AES-128-GCM' | 'AES-256-GCM';
  /**
   * For RSA recipients. Default `RSAES-PKCS1-v1_5` (RFC 8551 2.3 MUST); `RSA-OAEP` (SHA-256,
   * RFC 4055) is not decrypted by NSS 3.87.
   */
  keyTransport?: 'RSAES-PKCS1-v1_5' | 'RSA-OAEP';
}

/** Defaults of {@link EncryptOptions} (RFC 8551 2.3 and 2.7 MUSTs). */
export const ENCRYPT_DEFAULTS = { cipher: 'AES-128-CBC', keyTransport: 'RSAES-PKCS1-v1_5' } as const;

function toCert(c: CertificateLike, i: number): pkijs.Certificate {
  if (c instanceof pkijs.Certificate) return c;
  if (typeof c === 'string') return loadCertificates(c)[0]!;
  return parseCertificate(c, `recipients[${i}]`);
}

function ias(cert: pkijs.Certificate): pkijs.IssuerAndSerialNumber {
  return new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber });
}

function sha256AlgId(): asn1js.Sequence {
  return new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.sha256 })] });
}

async function ktri(cert: pkijs.Certificate, cek: Uint8Array, transport: 'RSA-OAEP' | 'RSAES-PKCS1-v1_5'): Promise<pkijs.RecipientInfo> {
  const pub = cert.subjectPublicKeyInfo.parsedKey;
  if (!(pub instanceof pkijs.RSAPublicKey)) throw new SmimeBridgeError('CMS_KEY_MALFORMED', 'RSA recipient certificate has no readable RSA key');
  const parts = { n: bytesToBigInt(new Uint8Array(pub.modulus.valueBlock.valueHexView)), e: bytesToBigInt(new Uint8Array(pub.publicExponent.valueBlock.valueHexView)) };
  // bound the bigint work a hostile certificate could ask for
  const bits = parts.n.toString(2).length;
  if (bits < 1024 || bits > 16384 || parts.e > 1n << 64n) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `RSA recipient key of ${bits} bits (1024..16384 supported)`);
  let alg: pkijs.AlgorithmIdentifier;
  let enc: Uint8Array;
  if (transport === 'RSAES-PKCS1-v1_5') {
    enc = rsaPkcs1v15Encrypt(parts, cek);
    alg = new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() });
  } else {
    enc = await rsaOaepEncrypt(parts, cek, 'SHA-256', 'SHA-256', new Uint8Array(0));
    // RFC 4055 4.1: hashAlgorithm [0] sha256, maskGenAlgorithm [1] mgf1(sha256); pSource default
    const params = new asn1js.Sequence({
      value: [
        new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [sha256AlgId()] }),
        new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 1 },
          value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.mgf1 }), sha256AlgId()] })],
        }),
      ],
    });
    alg = new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaesOaep, algorithmParams: params });
  }
  return new pkijs.RecipientInfo({
    variant: 1,
    value: new pkijs.KeyTransRecipientInfo({ version: 0, rid: ias(cert), keyEncryptionAlgorithm: alg, encryptedKey: new asn1js.OctetString({ valueHex: toArrayBuffer(enc) }) }),
  });
}

async function kari(cert: pkijs.Certificate, cek: Uint8Array): Promise<pkijs.RecipientInfo> {
  const curve = spkiCurve(cert.subjectPublicKeyInfo);
  if (!curve) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', 'EC recipient on an unsupported curve');
  const subtle = globalThis.crypto.subtle;
  const recipientPub = await subtle.importKey('spki', toArrayBuffer(spkiForWebCrypto(cert.subjectPublicKeyInfo)), { name: 'ECDH', namedCurve: curve }, false, []);
  const eph = (await subtle.generateKey({ name: 'ECDH', namedCurve: curve }, true, ['deriveBits'])) as CryptoKeyPair;
  const ephPoint = new Uint8Array(await subtle.exportKey('raw', eph.publicKey));
  const z = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: recipientPub }, eph.privateKey, CURVE_BITS[curve]));
  // RFC 5753 7.1.4 / RFC 8551 2.3: dhSinglePass-stdDH-sha256kdf-scheme with AES-256 key wrap
  const kdfOid = OID.dhSinglePassStdDHsha256kdf;
  const wrapOid = cek.length === 16 ? OID.aes128Wrap : OID.aes256Wrap;
  const kekLen = wrapOid === OID.aes128Wrap ? 16 : 32;
  const kek = await x963Kdf('SHA-256', z, sharedInfo(wrapAlgorithmDer(wrapOid), undefined, kekLen), kekLen);
  const wrapped = await aesKeyWrap(kek, cek);
  return new pkijs.RecipientInfo({
    variant: 2,
    value: new pkijs.KeyAgreeRecipientInfo({
      version: 3,
      originator: new pkijs.OriginatorIdentifierOrKey({
        variant: 3,
        value: new pkijs.OriginatorPublicKey({
          algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecPublicKey }),
          publicKey: new asn1js.BitString({ valueHex: toArrayBuffer(ephPoint) }),
        }),
      }),
      keyEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: kdfOid,
        algorithmParams: new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: wrapOid })] }),
      }),
      recipientEncryptedKeys: new pkijs.RecipientEncryptedKeys({
        encryptedKeys: [
          new pkijs.RecipientEncryptedKey({
            rid: new pkijs.KeyAgreeRecipientIdentifier({ variant: 1, value: ias(cert) }),
            encryptedKey: new asn1js.OctetString({ valueHex: toArrayBuffer(wrapped) }),
          }),
        ],
      }),
    }),
  });
}

/**
 * Encrypt `content` (for S/MIME: the inner MIME entity, canonical CRLF) to every recipient and
 * return a DER ContentInfo (EnvelopedData, or AuthEnvelopedData for AES-GCM).
 */
export async function encryptData(content: Uint8Array, recipients: CertificateLike[], opts: EncryptOptions = {}): Promise<Uint8Array> {
  ensureEngine();
  if (!recipients.length) throw new SmimeBridgeError('INVALID_ARGUMENT', 'at least one recipient certificate is needed');
  const cipher = opts.cipher ?? ENCRYPT_DEFAULTS.cipher;
  const oid = { 'AES-256-CBC': OID.aes256CBC, 'AES-128-CBC': OID.aes128CBC, 'AES-128-GCM': OID.aes128GCM, 'AES-256-GCM': OID.aes256GCM }[cipher];
  if (!oid) throw new SmimeBridgeError('INVALID_ARGUMENT', `cipher ${cipher}`);
  const gcm = cipher.endsWith('-GCM');
  const keyLength = cipher.startsWith('AES-128') ? 16 : 32;
  const spec: CipherSpec = { oid, name: cipher, keyLength, mode: gcm ? 'gcm' : 'cbc', iv: randomBytes(gcm ? 12 : 16), tagLength: gcm ? 16 : undefined };
  const cek = randomBytes(keyLength);
  // the same certificate twice (e.g. the sender listed and added by encryptToSelf) gets one RecipientInfo
  const seen = new Set<string>();
  const certs = recipients.map(toCert).filter((c) => {
    const id = toHex(encodeDer(c.toSchema()));
    return !seen.has(id) && !!seen.add(id);
  });
  const infos: pkijs.RecipientInfo[] = [];
  for (const c of certs) {
    const a = c.subjectPublicKeyInfo.algorithm.algorithmId;
    if (a === OID.rsaEncryption) infos.push(await ktri(c, cek, opts.keyTransport ?? ENCRYPT_DEFAULTS.keyTransport));
    else if (a === OID.ecPublicKey) infos.push(await kari(c, cek));
    else throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `recipient key algorithm ${oidName(a)}`);
  }
  const algParams = gcm
    ? new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(spec.iv) }), new asn1js.Integer({ value: 16 })] }) // RFC 5084 3.2
    : new asn1js.OctetString({ valueHex: toArrayBuffer(spec.iv) });
  const algId = new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: algParams });
  if (!gcm) {
    const ct = await cbcEncryptAny(spec, cek, content);
    const eci = new pkijs.EncryptedContentInfo({ contentType: OID.data, contentEncryptionAlgorithm: algId, encryptedContent: new asn1js.OctetString({ valueHex: toArrayBuffer(ct) }), disableSplit: true } as never);
    // RFC 5652 6.1: version 0 when every RecipientInfo is version 0 (ktri), else 2
    const version = infos.every((r) => r.variant === 1) ? 0 : 2;
    const ed = new pkijs.EnvelopedData({ version, recipientInfos: infos, encryptedContentInfo: eci });
    return encodeDer(new pkijs.ContentInfo({ contentType: OID.envelopedData, content: ed.toSchema() }).toSchema());
  }
  // RFC 5083 2.1: AuthEnvelopedData, no authAttrs (AAD empty), mac = GCM tag
  const { ciphertext, tag } = await gcmEncrypt(spec, cek, content, new Uint8Array(0));
  const eci = new pkijs.EncryptedContentInfo({ contentType: OID.data, contentEncryptionAlgorithm: algId, encryptedContent: new asn1js.OctetString({ valueHex: toArrayBuffer(ciphertext) }), disableSplit: true } as never);
  const aed = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Set({ value: infos.map((r) => r.toSchema()) }),
      eci.toSchema(),
      new asn1js.OctetString({ valueHex: toArrayBuffer(tag) }),
    ],
  });
  return encodeDer(new pkijs.ContentInfo({ contentType: OID.authEnvelopedData, content: aed }).toSchema());
}
