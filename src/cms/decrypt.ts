/**
 * `decryptEnvelopedData`: open CMS EnvelopedData (RFC 5652 6) and AuthEnvelopedData (RFC 5083)
 * with a recipient's private key. Key transport: RSAES-PKCS1-v1_5 with implicit rejection and
 * RSAES-OAEP (RFC 8017, RFC 3560); key agreement: ECDH P-256/384/521 with the X9.63 KDF and AES
 * key wrap (RFC 5753). Content: AES-CBC, AES-GCM (RFC 5084), DES-EDE3-CBC, RC2-CBC (RFC 3370).
 *
 * Every way decryption can go wrong once a recipient is chosen (wrong key, bad padding, bad
 * tag, corrupt ciphertext) ends in the same `CMS_DECRYPT_FAILED` error with the same message, so
 * the error is no padding oracle.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../errors.js';
import { toArrayBuffer } from './bytes.js';
import { matchesIssuerSerial, matchesSki } from './certs.js';
import { type BerLimits, guardAsync, octetsOf } from './der.js';
import { CURVE_BITS, aesKeyUnwrap, resolveKari, sharedInfo, x963Kdf } from './kari.js';
import { type PrivateKey, certMatchesKey, importPrivateKey, parseCertificate } from './keys.js';
import { OID, hashNameOf, oidName } from './oids.js';
import { rsaOaepDecrypt, rsaPkcs1v15DecryptImplicit } from './rsa.js';
import { type CipherSpec, cbcDecryptAny, gcmDecrypt, parseCipher } from './symmetric.js';
import { type Enveloped, readContentInfo, readEnveloped } from './structure.js';

/** The recipient: private key and (recommended) its certificate, for matching the RecipientInfo. */
export interface Recipient {
  key: PrivateKey;
  /** The recipient certificate (PKI.js object or DER). Without it, every RecipientInfo of the key's type is tried. */
  cert?: pkijs.Certificate | Uint8Array;
}

/** Options of {@link decryptEnvelopedData}. */
export interface DecryptOptions {
  limits?: BerLimits;
}

type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

function failed(): never {
  // one message for every cause (RFC 3218 / Bleichenbacher countermeasure)
  throw new SmimeBridgeError('CMS_DECRYPT_FAILED', 'cannot decrypt the message with this key (wrong key or damaged message)');
}

function ridMatches(rid: unknown, cert: pkijs.Certificate): boolean {
  if (rid instanceof pkijs.IssuerAndSerialNumber) return matchesIssuerSerial(cert, rid);
  if (rid instanceof pkijs.RecipientKeyIdentifier) return matchesSki(cert, new Uint8Array(rid.subjectKeyIdentifier.valueBlock.valueHexView));
  const v = rid as { valueBlock?: { valueHexView?: Uint8Array; value?: asn1js.AsnType[] } };
  const hex = v?.valueBlock?.valueHexView?.length ? v.valueBlock.valueHexView : v?.valueBlock?.value?.[0] ? octetsOf(v.valueBlock.value[0]) : undefined;
  return !!hex && matchesSki(cert, new Uint8Array(hex));
}

/** A way to obtain the content-encryption key. */
type Unwrapper = () => Promise<Uint8Array | null>;

function algOid(v: asn1js.AsnType | undefined): { oid: string; params?: asn1js.AsnType } | undefined {
  if (!(v instanceof asn1js.Sequence)) return undefined;
  const [o, p] = v.valueBlock.value;
  return o instanceof asn1js.ObjectIdentifier ? { oid: o.valueBlock.toString(), params: p } : undefined;
}

/**
 * RFC 4055 4.1 / RFC 8017 A.2.1: RSAES-OAEP-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1,
 * maskGenAlgorithm [1] DEFAULT mgf1SHA1, pSourceAlgorithm [2] DEFAULT pSpecifiedEmpty }. Read by
 * hand: PKI.js's default label is SHA-1("") instead of the empty string.
 */
function oaepParams(alg: pkijs.AlgorithmIdentifier): { hash: HashName; mgfHash: HashName; label: Uint8Array } | null {
  let hash: HashName | undefined = 'SHA-1';
  let mgfHash: HashName | undefined = 'SHA-1';
  let label: Uint8Array = new Uint8Array(0);
  const p = alg.algorithmParams;
  if (p instanceof asn1js.Sequence) {
    for (const item of p.valueBlock.value) {
      if (item.idBlock.tagClass !== 3) return null;
      const inner = algOid((item as asn1js.Constructed).valueBlock.value?.[0]);
      if (!inner) return null;
      if (item.idBlock.tagNumber === 0) hash = hashNameOf(inner.oid);
      else if (item.idBlock.tagNumber === 1) {
        if (inner.oid !== OID.mgf1) return null;
        const h = algOid(inner.params);
        mgfHash = h ? hashNameOf(h.oid) : undefined;
      } else if (item.idBlock.tagNumber === 2) {
        if (inner.oid !== OID.pSpecified) return null;
        if (inner.params instanceof asn1js.OctetString) label = octetsOf(inner.params);
      }
    }
  } else if (p && !(p instanceof asn1js.Null)) return null;
  if (!hash || !mgfHash) return null;
  return { hash, mgfHash, label };
}

function ktriUnwrapper(ri: pkijs.KeyTransRecipientInfo, key: PrivateKey, spec: CipherSpec, where: string): Unwrapper {
  const alg = ri.keyEncryptionAlgorithm;
  const enc = octetsOf(ri.encryptedKey);
  if (alg.algorithmId === OID.rsaEncryption) {
    // RFC 3370 4.2.1 / RFC 8017 7.2.2 with implicit rejection
    return () => rsaPkcs1v15DecryptImplicit(key.rsa!, enc, spec.keyLength);
  }
  if (alg.algorithmId === OID.rsaesOaep) {
    const p = oaepParams(alg);
    if (!p) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', 'RSAES-OAEP parameters not supported', { asn1Path: where });
    return async () => {
      if (p.hash === p.mgfHash) {
        try {
          const k = await importPrivateKey(key, { name: 'RSA-OAEP', hash: p.hash }, ['decrypt']);
          return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'RSA-OAEP', label: toArrayBuffer(p.label) }, k, toArrayBuffer(enc)));
        } catch {
          return null;
        }
      }
      return rsaOaepDecrypt(key.rsa!, enc, p.hash, p.mgfHash, p.label);
    };
  }
  throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `key transport algorithm ${oidName(alg.algorithmId)}`, { asn1Path: where });
}

function kariUnwrapper(ri: pkijs.KeyAgreeRecipientInfo, rek: pkijs.RecipientEncryptedKey, key: PrivateKey, where: string): Unwrapper {
  const { hash, wrapOid, kekLen } = resolveKari(ri.keyEncryptionAlgorithm.algorithmId, ri.keyEncryptionAlgorithm.algorithmParams, where);
  // RFC 5753 3.1.1: originator is an ephemeral OriginatorPublicKey
  const orig = ri.originator.value;
  if (!(orig instanceof pkijs.OriginatorPublicKey)) {
    throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', 'key agreement with a static originator key (only ephemeral-static ECDH)', { asn1Path: where + '.originator' });
  }
  const point = new Uint8Array(orig.publicKey.valueBlock.valueHexView);
  const ukm = ri.ukm ? octetsOf(ri.ukm) : undefined;
  const wrapped = octetsOf(rek.encryptedKey);
  return async () => {
    try {
      const curve = key.namedCurve!;
      const priv = await importPrivateKey(key, { name: 'ECDH' }, ['deriveBits']);
      const pub = await globalThis.crypto.subtle.importKey('raw', toArrayBuffer(point), { name: 'ECDH', namedCurve: curve }, false, []);
      const z = new Uint8Array(await globalThis.crypto.subtle.deriveBits({ name: 'ECDH', public: pub }, priv, CURVE_BITS[curve]));
      const kek = await x963Kdf(hash, z, sharedInfo(wrapOid, ukm, kekLen), kekLen);
      return await aesKeyUnwrap(kek, wrapped);
    } catch {
      return null;
    }
  };
}

/** Most RecipientInfos tried with one key (each costs a private-key operation). */
const MAX_KEY_ATTEMPTS = 64;

function unwrappersFor(env: Enveloped, key: PrivateKey, cert: pkijs.Certificate | undefined, spec: CipherSpec): Unwrapper[] {
  const out: Unwrapper[] = [];
  env.recipientInfos.forEach((ri, i) => {
    const where = `recipientInfos[${i}]`;
    const v = ri.value;
    if (v instanceof pkijs.KeyTransRecipientInfo && key.type === 'rsa') {
      if (cert ? ridMatches(v.rid, cert) : true) out.push(ktriUnwrapper(v, key, spec, where));
    } else if (v instanceof pkijs.KeyAgreeRecipientInfo && key.type === 'ec') {
      v.recipientEncryptedKeys.encryptedKeys.forEach((rek, j) => {
        if (cert ? ridMatches(rek.rid.value, cert) : true) out.push(kariUnwrapper(v, rek, key, `${where}.recipientEncryptedKeys[${j}]`));
      });
    }
  });
  return out;
}

/**
 * Decrypt a CMS EnvelopedData or AuthEnvelopedData (DER/BER ContentInfo) and return the content
 * (for S/MIME: the inner MIME entity bytes).
 *
 * Errors: `CMS_NO_RECIPIENT` when no RecipientInfo is for this certificate/key,
 * `CMS_DECRYPT_FAILED` (one message for every cause) when the key does not open it,
 * `CMS_UNSUPPORTED_ALGORITHM`, `CMS_MALFORMED` / `CMS_TRUNCATED` for bad input.
 */
export async function decryptEnvelopedData(der: Uint8Array, recipient: Recipient, opts: DecryptOptions = {}): Promise<Uint8Array> {
  return guardAsync('EnvelopedData', () => decryptImpl(der, recipient, opts));
}

async function decryptImpl(der: Uint8Array, recipient: Recipient, opts: DecryptOptions): Promise<Uint8Array> {
  const ci = readContentInfo(der, opts.limits);
  const env = readEnveloped(ci);
  const spec = parseCipher(env.algorithm.algorithmId, env.algorithm.algorithmParams, 'encryptedContentInfo.contentEncryptionAlgorithm');
  if (env.authenticated !== (spec.mode === 'gcm')) {
    throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `${spec.name} in ${env.authenticated ? 'AuthEnvelopedData' : 'EnvelopedData'}`, { asn1Path: 'encryptedContentInfo.contentEncryptionAlgorithm' });
  }
  const cert = recipient.cert instanceof Uint8Array ? parseCertificate(recipient.cert, 'recipient.cert') : recipient.cert;
  if (cert && !certMatchesKey(cert, recipient.key) && recipient.key.type === 'rsa') {
    throw new SmimeBridgeError('CMS_WRONG_KEY', 'the private key does not belong to the given certificate', { asn1Path: 'recipient' });
  }
  const unwrappers = unwrappersFor(env, recipient.key, cert, spec);
  // One private-key operation per matching RecipientInfo: a hostile message with thousands of
  // them would cost thousands (issue 12). Real messages have a few per key; 64 is plenty.
  if (unwrappers.length > MAX_KEY_ATTEMPTS) {
    throw new SmimeBridgeError('LIMIT_EXCEEDED', `${unwrappers.length} RecipientInfos match this key; at most ${MAX_KEY_ATTEMPTS} are tried`, { asn1Path: 'EnvelopedData.recipientInfos' });
  }
  if (!unwrappers.length) {
    throw new SmimeBridgeError('CMS_NO_RECIPIENT', cert ? 'the message is not encrypted to this certificate' : `no ${recipient.key.type === 'rsa' ? 'key-transport' : 'key-agreement'} recipient for this key`, {
      asn1Path: 'EnvelopedData.recipientInfos',
    });
  }
  for (const unwrap of unwrappers) {
    const cek = await unwrap();
    if (!cek) continue;
    const plain =
      spec.mode === 'gcm' ? await gcmDecrypt(spec, cek, env.encryptedContent, env.mac ?? new Uint8Array(0), env.authAttrsDer) : await cbcDecryptAny(spec, cek, env.encryptedContent);
    if (plain) return plain;
  }
  return failed();
}
