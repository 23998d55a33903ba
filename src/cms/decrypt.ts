/**
 * `decryptEnvelopedData`: open CMS EnvelopedData (RFC 5652 6) and AuthEnvelopedData (RFC 5083)
 * with a recipient's private key. Key transport: RSAES-PKCS1-v1_5 with implicit rejection and
 * RSAES-OAEP (RFC 8017, RFC 3560); key agreement: ECDH P-256/384/521 with the X9.63 KDF
 * (SHA-1/224/256/384/512) and AES or Triple-DES key wrap (RFC 5753, RFC 3217). Content: AES-CBC,
 * AES-GCM (RFC 5084), DES-EDE3-CBC, RC2-CBC (RFC 3370).
 *
 * What the single `CMS_DECRYPT_FAILED` does and does not do. Once a recipient is chosen, every
 * cryptographic failure (wrong key, bad PKCS#1 padding, bad CBC padding, bad GCM tag) ends in that
 * one error with one message, and PKCS#1 v1.5 uses implicit rejection, so the *RSA* step is no
 * Bleichenbacher oracle. But for CBC EnvelopedData the plain fact "decryption worked / failed" is
 * itself an oracle: CBC has no integrity, so an attacker who can submit modified ciphertexts to a
 * gateway that decrypts them and who learns success or failure (a bounce, a different reply, a
 * timing difference) recovers plaintext block by block (a padding-oracle / "EFAIL"-style attack;
 * 48 bytes were recovered without the key in about 6000 queries against this code). No error code
 * can close that; it is inherent to CBC EnvelopedData. Callers must never tell senders whether
 * decryption worked, and should prefer AuthEnvelopedData (AES-GCM) where the peers support it.
 * See docs/gateway-operators.md.
 *
 * Work per message is bounded (issue 10 item 4): RecipientInfos per message, distinct key
 * operations (one RSA or ECDH operation per distinct matching RecipientInfo), RSA key size, and
 * the content is decrypted once (a cheap last-block padding check picks the candidate key first).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../errors.js';
import { bytesEqual, toArrayBuffer, toHex } from './bytes.js';
import { matchesIssuerSerial, matchesSki } from './certs.js';
import { type BerLimits, guardAsync, octetsOf } from './der.js';
import { CURVE_BITS, keyUnwrap, resolveKari, sharedInfo, x963Kdf } from './kari.js';
import { type PrivateKey, certMatchesKey, importPrivateKey, parseCertificate } from './keys.js';
import { OID, curveFromParams, hashNameOf, oidName } from './oids.js';
import { rsaOaepDecrypt, rsaPkcs1v15DecryptFlagged } from './rsa.js';
import { type CipherSpec, cbcDecryptAny, gcmDecrypt, parseCipher } from './symmetric.js';
import { type Enveloped, readEnvelopedDer } from './structure.js';

/** The recipient: private key and (recommended) its certificate, for matching the RecipientInfo. */
export interface Recipient {
  key: PrivateKey;
  /** The recipient certificate (PKI.js object or DER). Without it, every RecipientInfo of the key's type is tried. */
  cert?: pkijs.Certificate | Uint8Array;
}

/** Options of {@link decryptEnvelopedData}. Each bound, when exceeded, is a `LIMIT_EXCEEDED` error before the work is done. */
export interface DecryptOptions {
  limits?: BerLimits;
  /** Most RecipientInfos accepted in one message (default 1024). */
  maxRecipientInfos?: number;
  /**
   * Most distinct RecipientInfos tried with the private key, i.e. RSA or ECDH operations (default
   * 16). Repeated identical RecipientInfos count once and cost one operation.
   */
  maxKeyAttempts?: number;
  /** Largest RSA recipient key accepted, in modulus bits (default 16384). */
  maxRsaBits?: number;
}

/** Defaults of {@link DecryptOptions}. */
export const DECRYPT_DEFAULTS = { maxRecipientInfos: 1024, maxKeyAttempts: 16, maxRsaBits: 16384 } as const;

type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

function failed(): never {
  // one message for every cryptographic cause (RFC 3218): no detail of *why*; whether decryption
  // failed at all is still visible, which is the CBC oracle described above
  throw new SmimeBridgeError('CMS_DECRYPT_FAILED', 'cannot decrypt the message with this key (wrong key or damaged message)');
}

function ridMatches(rid: unknown, cert: pkijs.Certificate): boolean {
  if (rid instanceof pkijs.IssuerAndSerialNumber) return matchesIssuerSerial(cert, rid);
  if (rid instanceof pkijs.RecipientKeyIdentifier) return matchesSki(cert, new Uint8Array(rid.subjectKeyIdentifier.valueBlock.valueHexView));
  const v = rid as { valueBlock?: { valueHexView?: Uint8Array; value?: asn1js.AsnType[] } };
  const hex = v?.valueBlock?.valueHexView?.length ? v.valueBlock.valueHexView : v?.valueBlock?.value?.[0] ? octetsOf(v.valueBlock.value[0]) : undefined;
  return !!hex && matchesSki(cert, new Uint8Array(hex));
}

/**
 * A way to obtain the content-encryption key: null on an integrity failure (OAEP, key wrap); for
 * PKCS#1 v1.5 always a key, `valid` 0 when it is the implicit-rejection one.
 */
type Unwrapper = () => Promise<{ cek: Uint8Array; valid: number } | null>;

const sure = async (p: Promise<Uint8Array | null>) => {
  const cek = await p;
  return cek ? { cek, valid: 1 } : null;
};

/** A RecipientInfo usable with the key: `id` identifies identical ones (same algorithm and encrypted key). */
interface Candidate {
  id: string;
  unwrap: Unwrapper;
}

function derOf(v: { toSchema(): { toBER(sizeOnly?: boolean): ArrayBuffer } }): Uint8Array {
  return new Uint8Array(v.toSchema().toBER(false));
}

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
    return async () => {
      const r = await rsaPkcs1v15DecryptFlagged(key.rsa!, enc, spec.keyLength);
      return { cek: r.key, valid: r.valid };
    };
  }
  if (alg.algorithmId === OID.rsaesOaep) {
    const p = oaepParams(alg);
    if (!p) throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', 'RSAES-OAEP parameters not supported', { asn1Path: where });
    return () => sure((async () => {
      if (p.hash === p.mgfHash) {
        try {
          const k = await importPrivateKey(key, { name: 'RSA-OAEP', hash: p.hash }, ['decrypt']);
          return new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'RSA-OAEP', label: toArrayBuffer(p.label) }, k, toArrayBuffer(enc)));
        } catch {
          return null;
        }
      }
      return rsaOaepDecrypt(key.rsa!, enc, p.hash, p.mgfHash, p.label);
    })());
  }
  throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `key transport algorithm ${oidName(alg.algorithmId)}`, { asn1Path: where });
}

function kariUnwrapper(ri: pkijs.KeyAgreeRecipientInfo, rek: pkijs.RecipientEncryptedKey, key: PrivateKey, where: string): Unwrapper {
  const alg = resolveKari(ri.keyEncryptionAlgorithm.algorithmId, ri.keyEncryptionAlgorithm.algorithmParams, where + '.keyEncryptionAlgorithm');
  // RFC 5753 3.1.1: originator is an ephemeral OriginatorPublicKey
  const orig = ri.originator.value;
  if (!(orig instanceof pkijs.OriginatorPublicKey)) {
    throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', 'key agreement with a static originator key (only ephemeral-static ECDH)', { asn1Path: where + '.originator' });
  }
  const curve = key.namedCurve!;
  // RFC 5753 7.1.2: the ephemeral key's algorithm parameters are absent, NULL or the recipient's curve
  const named = curveFromParams(orig.algorithm.algorithmParams);
  if (named && named !== curve) {
    throw new SmimeBridgeError('CMS_MALFORMED', `ephemeral key on ${named}, recipient key on ${curve}`, { asn1Path: where + '.originator.algorithm' });
  }
  const point = new Uint8Array(orig.publicKey.valueBlock.valueHexView);
  const ukm = ri.ukm ? octetsOf(ri.ukm) : undefined;
  const wrapped = octetsOf(rek.encryptedKey);
  return async () => {
    const priv = await importPrivateKey(key, { name: 'ECDH' }, ['deriveBits']);
    let z: Uint8Array;
    try {
      const pub = await globalThis.crypto.subtle.importKey('raw', toArrayBuffer(point), { name: 'ECDH', namedCurve: curve }, false, []);
      z = new Uint8Array(await globalThis.crypto.subtle.deriveBits({ name: 'ECDH', public: pub }, priv, CURVE_BITS[curve]));
    } catch (e) {
      // public data only: saying so precisely reveals nothing about the key or the content
      throw new SmimeBridgeError('CMS_MALFORMED', `the originator's ephemeral public key is not a point on ${curve}`, { asn1Path: where + '.originator.publicKey' }, { cause: e });
    }
    // RFC 5753 7.2: SharedInfo over the key-wrap AlgorithmIdentifier exactly as received
    const kek = await x963Kdf(alg.hash, z, sharedInfo(alg.wrapAlgDer, ukm, alg.kekLen), alg.kekLen);
    return sure(keyUnwrap(alg.wrapOid, kek, wrapped));
  };
}

function candidatesFor(env: Omit<Enveloped, 'encryptedContent'>, key: PrivateKey, cert: pkijs.Certificate | undefined, spec: CipherSpec): Candidate[] {
  const out: Candidate[] = [];
  env.recipientInfos.forEach((ri, i) => {
    const where = `recipientInfos[${i}]`;
    const v = ri.value;
    if (v instanceof pkijs.KeyTransRecipientInfo && key.type === 'rsa') {
      if (cert ? ridMatches(v.rid, cert) : true) {
        const id = 'ktri:' + toHex(derOf(v.keyEncryptionAlgorithm)) + ':' + toHex(octetsOf(v.encryptedKey));
        out.push({ id, unwrap: ktriUnwrapper(v, key, spec, where) });
      }
    } else if (v instanceof pkijs.KeyAgreeRecipientInfo && key.type === 'ec') {
      const common = toHex(derOf(v.originator)) + ':' + toHex(derOf(v.keyEncryptionAlgorithm)) + ':' + (v.ukm ? toHex(octetsOf(v.ukm)) : '');
      v.recipientEncryptedKeys.encryptedKeys.forEach((rek, j) => {
        if (cert ? ridMatches(rek.rid.value, cert) : true) {
          out.push({ id: 'kari:' + common + ':' + toHex(octetsOf(rek.encryptedKey)), unwrap: kariUnwrapper(v, rek, key, `${where}.recipientEncryptedKeys[${j}]`) });
        }
      });
    }
  });
  return out;
}

/**
 * CBC only: does `cek` give valid PKCS#7 padding in the last block? One block is decrypted (its IV
 * is the ciphertext block before it), so choosing among several candidate keys does not mean
 * several whole-content decryptions. A wrong key passes with probability about 1/256.
 */
async function lastBlockPlausible(spec: CipherSpec, cek: Uint8Array, data: Uint8Array): Promise<boolean> {
  const bs = spec.oid === OID.desEde3CBC || spec.oid === OID.desCBC || spec.oid === OID.rc2CBC ? 8 : 16;
  if (data.length < bs || data.length % bs) return false;
  const iv = data.length === bs ? spec.iv : data.subarray(data.length - 2 * bs, data.length - bs);
  return (await cbcDecryptAny({ ...spec, iv }, cek, data.subarray(data.length - bs))) !== null;
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

/** What an EnvelopedData's key operations give: the content cipher and the candidate content keys, most plausible first. */
export interface ContentKeys {
  spec: CipherSpec;
  /** Distinct content-encryption keys, those whose RSA padding was valid first (usually exactly one). */
  ranked: Uint8Array[];
}

/**
 * The RecipientInfo work of {@link decryptEnvelopedData} without the content: match the recipient,
 * unwrap the content-encryption key(s). Same errors as decryptEnvelopedData. For callers that
 * decrypt the content as it arrives (the command's streamed decryption of a large message).
 */
export async function contentKeys(env: Omit<Enveloped, 'encryptedContent'>, recipient: Recipient, opts: DecryptOptions = {}): Promise<ContentKeys> {
  return guardAsync('EnvelopedData', () => contentKeysImpl(env, recipient, opts));
}

async function contentKeysImpl(env: Omit<Enveloped, 'encryptedContent'>, recipient: Recipient, opts: DecryptOptions): Promise<ContentKeys> {
  const spec = parseCipher(env.algorithm.algorithmId, env.algorithm.algorithmParams, 'encryptedContentInfo.contentEncryptionAlgorithm');
  if (env.authenticated !== (spec.mode === 'gcm')) {
    throw new SmimeBridgeError('CMS_UNSUPPORTED_ALGORITHM', `${spec.name} in ${env.authenticated ? 'AuthEnvelopedData' : 'EnvelopedData'}`, { asn1Path: 'encryptedContentInfo.contentEncryptionAlgorithm' });
  }
  const maxRis = opts.maxRecipientInfos ?? DECRYPT_DEFAULTS.maxRecipientInfos;
  if (env.recipientInfos.length > maxRis) {
    throw new SmimeBridgeError('LIMIT_EXCEEDED', `${env.recipientInfos.length} RecipientInfos, more than ${maxRis} (maxRecipientInfos)`, { asn1Path: 'EnvelopedData.recipientInfos' });
  }
  const maxBits = opts.maxRsaBits ?? DECRYPT_DEFAULTS.maxRsaBits;
  if (recipient.key.rsa && recipient.key.rsa.n.toString(2).length > maxBits) {
    throw new SmimeBridgeError('LIMIT_EXCEEDED', `RSA key of ${recipient.key.rsa.n.toString(2).length} bits, more than ${maxBits} (maxRsaBits)`, { asn1Path: 'recipient.key' });
  }
  const cert = recipient.cert instanceof Uint8Array ? parseCertificate(recipient.cert, 'recipient.cert') : recipient.cert;
  if (cert && !certMatchesKey(cert, recipient.key) && recipient.key.type === 'rsa') {
    throw new SmimeBridgeError('CMS_WRONG_KEY', 'the private key does not belong to the given certificate', { asn1Path: 'recipient' });
  }
  const candidates = candidatesFor(env, recipient.key, cert, spec);
  if (!candidates.length) {
    throw new SmimeBridgeError('CMS_NO_RECIPIENT', cert ? 'the message is not encrypted to this certificate' : `no ${recipient.key.type === 'rsa' ? 'key-transport' : 'key-agreement'} recipient for this key`, {
      asn1Path: 'EnvelopedData.recipientInfos',
    });
  }
  // identical RecipientInfos give identical keys: one operation for each distinct one
  const distinct = [...new Map(candidates.map((c) => [c.id, c])).values()];
  const maxAttempts = opts.maxKeyAttempts ?? DECRYPT_DEFAULTS.maxKeyAttempts;
  if (distinct.length > maxAttempts) {
    throw new SmimeBridgeError('LIMIT_EXCEEDED', `${distinct.length} distinct RecipientInfos match this key, more than the ${maxAttempts} tried (maxKeyAttempts)`, { asn1Path: 'EnvelopedData.recipientInfos' });
  }
  const found: { cek: Uint8Array; valid: number }[] = [];
  for (const c of distinct) {
    const r = await c.unwrap();
    if (r && !found.some((k) => bytesEqual(k.cek, r.cek))) found.push(r);
  }
  // Keys whose RSA padding was valid first (stable sort: message order otherwise). With one
  // candidate, the usual case, nothing is ranked; with several, a wrong PKCS#1 v1.5 key must not
  // win just because CBC padding happened to fit (CBC has no integrity check to tell them apart).
  return { spec, ranked: found.slice().sort((a, b) => b.valid - a.valid).map((r) => r.cek) };
}

async function decryptImpl(der: Uint8Array, recipient: Recipient, opts: DecryptOptions): Promise<Uint8Array> {
  const env = readEnvelopedDer(der, opts.limits);
  const { spec, ranked } = await contentKeysImpl(env, recipient, opts);
  if (spec.mode === 'gcm') {
    for (const cek of ranked) {
      const plain = await gcmDecrypt(spec, cek, env.encryptedContent, env.mac ?? new Uint8Array(0), env.authAttrsDer);
      if (plain) return plain;
    }
    return failed();
  }
  // CBC: the content is decrypted once. With several candidates, every one gets the one-block
  // padding check (the same work for each), and only the first that passes is decrypted whole.
  let chosen = ranked.length === 1 ? ranked[0] : undefined;
  if (ranked.length > 1) {
    const ok = await Promise.all(ranked.map((cek) => lastBlockPlausible(spec, cek, env.encryptedContent)));
    chosen = ranked[ok.indexOf(true)];
  }
  const plain = chosen ? await cbcDecryptAny(spec, chosen, env.encryptedContent) : null;
  if (plain) return plain;
  return failed();
}
