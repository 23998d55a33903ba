/**
 * Composing S/MIME messages (RFC 8551 3.4-3.6; MS-OXOSMIME 3.1.5.1.6 / 3.1.5.2.6 then turn them
 * into message objects with `toMessage`): clear-signed multipart/signed, opaque-signed and
 * encrypted application/pkcs7-mime, and signed-then-encrypted. The content entity is put in
 * canonical CRLF form before it is signed or encrypted (RFC 8551 3.1.1).
 */
import { encodeBase64 } from '../mime/encoding.js';
import { type CertificateLike, type EncryptOptions, type SignDigest, type Signer, encryptData, micalgFor, signData } from '../cms/index.js';
import { concatBytes } from '../mime/bytes.js';
import { canonicalCrlf, joinMessage, splitMessage } from './envelope.js';

const enc = new TextEncoder();

/** A boundary that does not occur in `content` (RFC 2046 5.1.1). */
function boundaryFor(content: Uint8Array): string {
  const text = new TextDecoder('latin1').decode(content);
  for (;;) {
    const r = new Uint8Array(12);
    globalThis.crypto.getRandomValues(r);
    const b = `----=_smime-bridge_${Array.from(r, (x) => x.toString(16).padStart(2, '0')).join('')}`;
    if (!text.includes(b)) return b;
  }
}

function pkcs7MimeEntity(der: Uint8Array, smimeType: string): Uint8Array {
  return concatBytes([
    enc.encode(`Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"\r\n`
      + 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7m"\r\n\r\n'),
    encodeBase64(der, 76),
  ]);
}

/** Options for {@link signMessage}. */
export interface SignMessageOptions {
  /** `clear` (multipart/signed, default) or `opaque` (application/pkcs7-mime; smime-type=signed-data). */
  mode?: 'clear' | 'opaque';
  digest?: SignDigest;
  signingTime?: Date;
}

/** Sign the content entity of a whole message; the envelope fields stay outside. */
export async function signMessage(message: Uint8Array, signer: Signer, opts: SignMessageOptions = {}): Promise<Uint8Array> {
  const { envelope, content } = splitMessage(message);
  return joinMessage(envelope, await signEntity(canonicalCrlf(content), signer, opts));
}

/** Sign a MIME entity (already canonical): a multipart/signed or an application/pkcs7-mime entity. */
export async function signEntity(entity: Uint8Array, signer: Signer, opts: SignMessageOptions = {}): Promise<Uint8Array> {
  const digest = opts.digest ?? 'SHA-256';
  if (opts.mode === 'opaque') {
    return pkcs7MimeEntity(await signData(entity, signer, { detached: false, digest, signingTime: opts.signingTime }), 'signed-data');
  }
  const der = await signData(entity, signer, { detached: true, digest, signingTime: opts.signingTime });
  const b = boundaryFor(entity);
  // RFC 1847 2.1 / RFC 8551 3.5.3: protocol and micalg parameters; the signed part is the entity as signed.
  return concatBytes([
    enc.encode(`Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalgFor(digest)}; boundary="${b}"\r\n\r\n`
      + `This is a cryptographically signed message in MIME format.\r\n\r\n--${b}\r\n`),
    entity,
    enc.encode(`\r\n--${b}\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n`
      + `Content-Disposition: attachment; filename="smime.p7s"\r\nContent-Description: S/MIME Cryptographic Signature\r\n\r\n`),
    encodeBase64(der, 76),
    enc.encode(`\r\n--${b}--\r\n`),
  ]);
}

/** Encrypt the content entity of a whole message for the recipients (RFC 8551 3.3). */
export async function encryptMessage(message: Uint8Array, recipients: CertificateLike[], opts: EncryptOptions = {}): Promise<Uint8Array> {
  const { envelope, content } = splitMessage(message);
  return joinMessage(envelope, await encryptEntity(canonicalCrlf(content), recipients, opts));
}

/** Encrypt a MIME entity: application/pkcs7-mime with smime-type enveloped-data or authEnveloped-data (RFC 8551 3.3, GCM). */
export async function encryptEntity(entity: Uint8Array, recipients: CertificateLike[], opts: EncryptOptions = {}): Promise<Uint8Array> {
  const der = await encryptData(entity, recipients, opts);
  return pkcs7MimeEntity(der, opts.cipher?.endsWith('-GCM') ? 'authEnveloped-data' : 'enveloped-data');
}

/** Options of {@link signAndEncryptMessage}. */
export interface SignAndEncryptOptions extends SignMessageOptions, EncryptOptions {
  /**
   * Also encrypt to the signer's own certificate, so the sender can read what was sent (Outlook's
   * default). Default true.
   */
  encryptToSelf?: boolean;
}

/** Sign, then encrypt (RFC 8551 3.7): the signed entity becomes the encrypted content. */
export async function signAndEncryptMessage(message: Uint8Array, signer: Signer, recipients: CertificateLike[], opts: SignAndEncryptOptions = {}): Promise<Uint8Array> {
  const { envelope, content } = splitMessage(message);
  const signed = await signEntity(canonicalCrlf(content), signer, opts);
  const all = opts.encryptToSelf === false ? recipients : [...recipients, signer.cert];
  return joinMessage(envelope, await encryptEntity(signed, all, opts));
}
