/**
 * smime-bridge CMS layer: S/MIME cryptography on CMS bytes, for Node and browsers.
 *
 * - {@link inspectCms}: what a CMS blob is (content type, signers, recipients, algorithms)
 * - {@link verifySignedData}: one verdict per signer (signature, RFC 5280 path with CRLs, validity, usage, address)
 * - {@link decryptEnvelopedData}: EnvelopedData / AuthEnvelopedData with RSA or ECDH keys; for a
 *   content decrypted as it arrives, {@link readEnvelopedHead}, {@link contentKeys},
 *   {@link EncryptedContentReader} and {@link cbcDecipherFor}
 * - {@link signData} / {@link micalgFor}: SignedData for clear-signed or opaque-signed mail
 * - {@link encryptData}: EnvelopedData (AES-CBC) or AuthEnvelopedData (AES-GCM)
 * - keys: {@link parsePem}, {@link loadCertificates}, {@link loadPrivateKey}, {@link loadPkcs12}
 *
 * Built on PKI.js / asn1js and WebCrypto; RSA PKCS#1 v1.5 / OAEP-with-mixed-hashes decoding, 3DES
 * and RC2 are implemented here in pure TypeScript because WebCrypto lacks them. The RSA private
 * operation, digests, AES/3DES decryption and base64 go through src/platform (node:crypto when the
 * Node entry point installed it, WebCrypto / pure TypeScript otherwise).
 */
export { inspectCms } from './inspect.js';
export type { CmsInfo, CmsIdentifier, SignerSummary, RecipientSummary } from './inspect.js';
export { verifySignedData, bareAddress } from './verify.js';
export type { VerifyOptions, VerifyReport, SignerResult, SignerFailure } from './verify.js';
export type { PathReport, PathOutcome, PathReason, ReasonKind, CertSummary, RevocationMode, PolicyInputs, VerifyLimits } from './path/types.js';
export { DEFAULT_LIMITS as DEFAULT_VERIFY_LIMITS } from './path/context.js';
export { decryptEnvelopedData, DECRYPT_DEFAULTS } from './decrypt.js';
export type { Recipient, DecryptOptions } from './decrypt.js';
// Incremental decryption of an EnvelopedData that arrives in pieces (a large message decrypted as it is read)
export { contentKeys } from './decrypt.js';
export type { ContentKeys } from './decrypt.js';
export { readEnvelopedHead } from './structure.js';
export type { EnvelopedHead, Enveloped } from './structure.js';
export { EncryptedContentReader } from './contentStream.js';
export { cbcDecipherFor } from './symmetric.js';
export { describeEnvelopedInfo } from './inspect.js';
export { signData, micalgFor } from './sign.js';
export type { Signer, SignOptions, SignDigest } from './sign.js';
export { encryptData, ENCRYPT_DEFAULTS } from './encrypt.js';
export type { EncryptOptions, CertificateLike } from './encrypt.js';
export { parsePem, loadCertificates, loadPrivateKey, loadPkcs12, parseCertificate, privateKeyFromPkcs8, certMatchesKey } from './keys.js';
export type { PrivateKey, PemBlock, Pkcs12Contents, KeyLoadLimits } from './keys.js';
export { subjectOf, issuerOf, emailsOf, serialHexOf, certDer } from './certs.js';
export { lfToCrlf } from './bytes.js';
export type { BerLimits } from './der.js';
export { DEFAULT_MAX_ELEMENTS } from './der.js';
