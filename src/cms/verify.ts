/**
 * `verifySignedData`: check every SignerInfo of a CMS SignedData (RFC 5652 5.4, 5.6) over the
 * encapsulated or detached content, and report one record per signer: signature validity and
 * why not, algorithms (SHA-1 flagged weak), signer certificate, path to trust anchors, validity
 * at signing time and now, e-mail protection key usage (RFC 8550 4.4), address match
 * (RFC 8550 3). A tampered message gives `signatureValid: false`, never a throw.
 *
 * Line ends: verification runs over the exact bytes first; if that fails and the content has bare
 * LF line ends, it is retried over the canonical CRLF form (RFC 8551 3.1.1; OpenSSL does the
 * same in text mode) and `crlfRetried` says so.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../errors.js';
import { bytesEqual, lfToCrlf, toArrayBuffer } from './bytes.js';
import { type ChainResult, buildChain, validAt } from './chain.js';
import { allowsEmailSigning, emailsOf, issuerOf, serialHexOf, subjectOf } from './certs.js';
import { parseCertificate } from './keys.js';
import { type BerLimits, guardAsync, octetsOf } from './der.js';
import { certsOf, findSignerCert, signingTimeOf } from './inspect.js';
import { OID, hashNameOf, oidName } from './oids.js';
import { isSupportedKey, resolveSignature, verifyWithSpki } from './pubkey.js';
import { readContentInfo, readSignedData } from './structure.js';

/** Options of {@link verifySignedData}. */
export interface VerifyOptions {
  /** The signed content for a detached signature (multipart/signed first part, RFC 1847). */
  content?: Uint8Array;
  /** Trust anchors, DER certificates. Without any, `chain.trusted` is false. */
  trustAnchors?: Uint8Array[];
  /** Extra untrusted certificates (DER) for path building. */
  intermediates?: Uint8Array[];
  /** The time "now" for validity checks (default: the current time). */
  now?: Date;
  /** The From address to match against the signer certificate (RFC 8550 3). */
  expectedAddress?: string;
  /** Retry over LF→CRLF content when the exact bytes fail (default true). */
  allowCrlfRetry?: boolean;
  /** BER limits for the SignedData. */
  limits?: BerLimits;
}

/** Why a signature is not valid. */
export type SignerFailure = 'digest-mismatch' | 'bad-signature' | 'unsupported-algorithm' | 'signer-cert-not-found';

/** One signer's verdict. */
export interface SignerResult {
  signatureValid: boolean;
  reason?: SignerFailure;
  /** Human detail for `reason`. */
  detail?: string;
  digestAlgorithm: string;
  signatureAlgorithm: string;
  /** SHA-1 or MD5 digest (RFC 8551 2.1: SHA-1 is for reading old mail only). */
  weakAlgorithm: boolean;
  signer: { subject: string; emails: string[]; issuer: string; serialHex: string };
  signingTime?: Date;
  chain: { trusted: boolean; reason?: string; path: string[] };
  /** Every certificate of the path was valid at the signing time (undefined without a signingTime). */
  validAtSigningTime?: boolean;
  /** Every certificate of the path is valid now (`opts.now`). */
  validNow: boolean;
  /** keyUsage / extKeyUsage allow e-mail signing (RFC 8550 4.4.2, 4.4.4). */
  emailProtectionUsage: boolean;
  /** Whether `expectedAddress` is one of the certificate's addresses (only when given). */
  addressMatches?: boolean;
}

/** Result of {@link verifySignedData}. */
export interface VerifyReport {
  signers: SignerResult[];
  /** The signed content: the bytes the signatures were checked over (the CRLF form when `crlfRetried`). */
  content: Uint8Array;
  /** True when the exact bytes failed and the LF→CRLF form was used. */
  crlfRetried: boolean;
  /** The encapsulated content type (`data` for mail). */
  eContentType: string;
}

/** Extract the bare address from `Name <addr>` or `addr`. */
export function bareAddress(s: string): string {
  const m = /<([^>]*)>/.exec(s);
  return (m ? m[1]! : s).trim().toLowerCase();
}

interface SigCheck {
  valid: boolean;
  reason?: SignerFailure;
  detail?: string;
}

async function checkSignature(si: pkijs.SignerInfo, cert: pkijs.Certificate, content: Uint8Array, eContentType: string): Promise<SigCheck> {
  const digestOid = si.digestAlgorithm.algorithmId;
  const hash = hashNameOf(digestOid);
  if (!hash) return { valid: false, reason: 'unsupported-algorithm', detail: `digest algorithm ${oidName(digestOid)}` };
  const alg = resolveSignature(si.signatureAlgorithm, digestOid);
  if (!alg.ok) return { valid: false, reason: 'unsupported-algorithm', detail: alg.why };
  if (!isSupportedKey(cert.subjectPublicKeyInfo)) {
    return { valid: false, reason: 'unsupported-algorithm', detail: `public key algorithm ${oidName(cert.subjectPublicKeyInfo.algorithm.algorithmId)}` };
  }
  const signature = octetsOf(si.signature);
  let signed: Uint8Array;
  if (si.signedAttrs) {
    // RFC 5652 5.4: the message-digest attribute must equal the digest of the content
    const attrs = si.signedAttrs.attributes;
    const md = attrs.filter((a) => a.type === OID.messageDigest);
    if (md.length !== 1 || !(md[0]!.values[0] instanceof asn1js.OctetString)) {
      return { valid: false, reason: 'bad-signature', detail: 'signed attributes lack exactly one message-digest' };
    }
    const ct = attrs.find((a) => a.type === OID.contentType)?.values[0];
    if (!(ct instanceof asn1js.ObjectIdentifier) || ct.valueBlock.toString() !== eContentType) {
      return { valid: false, reason: 'bad-signature', detail: 'content-type attribute missing or differs from eContentType (RFC 5652 11.1)' };
    }
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest(hash, toArrayBuffer(content)));
    if (!bytesEqual(digest, octetsOf(md[0]!.values[0]))) return { valid: false, reason: 'digest-mismatch', detail: 'message-digest attribute does not match the content' };
    signed = new Uint8Array(si.signedAttrs.encodedValue); // already re-tagged as SET OF (0x31)
  } else {
    signed = content;
  }
  const ok = await verifyWithSpki(cert.subjectPublicKeyInfo, alg, signed, signature);
  return ok ? { valid: true } : { valid: false, reason: 'bad-signature', detail: 'signature value does not verify with the signer certificate' };
}

function chainValid(chain: ChainResult, t: Date): boolean {
  return chain.certs.every((c) => validAt(c, t));
}

/**
 * Verify a CMS SignedData (DER/BER ContentInfo). Detached signatures need `opts.content`.
 * Throws only for unusable input (`CMS_MALFORMED`, `CMS_TRUNCATED`, `INVALID_ARGUMENT` when
 * content is missing); bad signatures are results.
 */
export async function verifySignedData(der: Uint8Array, opts: VerifyOptions = {}): Promise<VerifyReport> {
  return guardAsync('SignedData', () => verifyImpl(der, opts));
}

async function verifyImpl(der: Uint8Array, opts: VerifyOptions): Promise<VerifyReport> {
  const ci = readContentInfo(der, opts.limits);
  const sd = readSignedData(ci);
  const eContentType = sd.encapContentInfo.eContentType;
  const embedded = sd.encapContentInfo.eContent ? octetsOf(sd.encapContentInfo.eContent) : undefined;
  const content = opts.content ?? embedded;
  if (!content) throw new SmimeBridgeError('INVALID_ARGUMENT', 'detached signature: the signed content must be given (opts.content)', { asn1Path: 'SignedData.encapContentInfo.eContent' });
  const now = opts.now ?? new Date();
  const anchors = (opts.trustAnchors ?? []).map((d, i) => parseCertificate(d, `trustAnchors[${i}]`));
  const extra = (opts.intermediates ?? []).map((d, i) => parseCertificate(d, `intermediates[${i}]`));
  const embeddedCerts = certsOf(sd);
  const pool = [...embeddedCerts, ...extra];

  const runAll = async (c: Uint8Array) => {
    const out: { si: pkijs.SignerInfo; cert?: pkijs.Certificate; check: SigCheck }[] = [];
    for (const si of sd.signerInfos) {
      const cert = findSignerCert(si, [...pool, ...anchors]);
      out.push({ si, cert, check: cert ? await checkSignature(si, cert, c, eContentType) : { valid: false, reason: 'signer-cert-not-found' } });
    }
    return out;
  };
  let used = content;
  let crlfRetried = false;
  let checks = await runAll(content);
  const retryable = checks.some((x) => x.check.reason === 'digest-mismatch' || x.check.reason === 'bad-signature');
  if (retryable && opts.allowCrlfRetry !== false) {
    const canon = lfToCrlf(content);
    if (canon) {
      const again = await runAll(canon);
      const n = (a: typeof checks) => a.filter((x) => x.check.valid).length;
      if (n(again) > n(checks)) {
        checks = again;
        used = canon;
        crlfRetried = true;
      }
    }
  }

  const signers: SignerResult[] = [];
  for (const { si, cert, check } of checks) {
    const digestOid = si.digestAlgorithm.algorithmId;
    const sigName = resolveSignature(si.signatureAlgorithm, digestOid).name;
    const signingTime = signingTimeOf(si);
    const base = {
      signatureValid: check.valid,
      reason: check.reason,
      detail: check.detail,
      digestAlgorithm: oidName(digestOid),
      signatureAlgorithm: sigName === si.signatureAlgorithm.algorithmId ? oidName(sigName) : sigName,
      weakAlgorithm: digestOid === OID.sha1 || digestOid === OID.md5 || si.signatureAlgorithm.algorithmId === OID.sha1WithRSA || si.signatureAlgorithm.algorithmId === OID.ecdsaWithSHA1,
      signingTime,
    };
    if (!cert) {
      signers.push({
        ...base,
        signer: { subject: '', emails: [], issuer: '', serialHex: '' },
        chain: { trusted: false, reason: 'signer certificate not found', path: [] },
        validNow: false,
        emailProtectionUsage: false,
        addressMatches: opts.expectedAddress !== undefined ? false : undefined,
      });
      continue;
    }
    const chain = await buildChain(cert, pool, anchors);
    const nowOk = chainValid(chain, now);
    const trusted = chain.trusted && nowOk;
    const emails = emailsOf(cert);
    signers.push({
      ...base,
      signer: { subject: subjectOf(cert), emails, issuer: issuerOf(cert), serialHex: serialHexOf(cert) },
      chain: {
        trusted,
        reason: chain.trusted && !nowOk ? `a certificate of the path is not valid at ${now.toISOString()}` : chain.reason,
        path: chain.path,
      },
      validAtSigningTime: signingTime ? chainValid(chain, signingTime) : undefined,
      validNow: nowOk,
      emailProtectionUsage: allowsEmailSigning(cert),
      addressMatches: opts.expectedAddress !== undefined ? emails.includes(bareAddress(opts.expectedAddress)) : undefined,
    });
  }
  return { signers, content: used, crlfRetried, eContentType: oidName(eContentType) };
}
