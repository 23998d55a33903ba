/**
 * `verifySignedData`: check every SignerInfo of a CMS SignedData (RFC 5652 5.4, 5.6) over the
 * encapsulated or detached content, and report one record per signer: signature validity and
 * why not, algorithms (SHA-1 flagged weak), signer certificate, RFC 5280 section 6 path
 * validation to the trust anchors with CRLs from the message and the caller (`path`, see
 * src/cms/path/), validity at signing time and now, e-mail protection key usage (RFC 8550 4.4),
 * address match (RFC 8550 3). A tampered message gives `signatureValid: false`, never a throw.
 *
 * Bounds (each a `LIMIT_EXCEEDED` with the ASN.1 path, options in `verifyLimits`): SignerInfos,
 * certificates and CRLs are counted before PKI.js reads them; path building tries a capped
 * number of issuer candidates per step with a per-verification signature cache and budget; the
 * content is digested once per digest algorithm, not once per signer.
 *
 * Line ends: verification runs over the exact bytes first; if that fails and the content has bare
 * LF line ends, it is retried over the canonical CRLF form (RFC 8551 3.1.1; OpenSSL does the
 * same in text mode) and `crlfRetried` says so.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../errors.js';
import { bytesEqual, lfToCrlf } from './bytes.js';
import { allowsEmailSigning, emailsOf, issuerOf, serialHexOf, subjectOf, validAt } from './certs.js';
import { parseCertificate } from './keys.js';
import { type BerLimits, fromSchema, guardAsync, octetsOf, parseBer } from './der.js';
import { certsOf, findSignerCert, signingTimeOf } from './inspect.js';
import { OID, hashNameOf, oidName } from './oids.js';
import { platform, type DigestName } from '../platform/index.js';
import {
  DEFAULT_LIMITS, DEFAULT_POLICY, type DsaParams, ID_DSA, PathContext, type PathReport, type PolicyInputs, type RevocationMode,
  type SignerPath, type VerifyLimits, Work, type WorkStats, dsaParamsOf, dsaPublicOf, dsaVerify, validateSigner,
} from './path/index.js';
import { isSupportedKey, resolveSignature, verifyWithSpki } from './pubkey.js';
import { readContentInfo, readSignedData } from './structure.js';

/** Options of {@link verifySignedData}. */
export interface VerifyOptions {
  /** The signed content for a detached signature (multipart/signed first part, RFC 1847). */
  content?: Uint8Array;
  /**
   * Trust anchors, DER certificates. Without any, `chain.trusted` is false (`path.outcome`
   * `no-anchor`). An anchor issues only when it is a CA certificate (basicConstraints cA, or a
   * version 1 root); a non-CA anchor never issues and is trusted as itself only with
   * {@link VerifyOptions.trustLeafAsItself}.
   */
  trustAnchors?: Uint8Array[];
  /** Accept a signer certificate that is itself a (non-CA) trust anchor, e.g. a correspondent's own certificate. Default false. */
  trustLeafAsItself?: boolean;
  /** Extra CRLs (DER) besides those in the SignedData (RFC 5652 10.2.1). */
  crls?: Uint8Array[];
  /** Revocation checking, see {@link RevocationMode}; default `'if-available'`. */
  revocation?: RevocationMode;
  /** RFC 5280 6.1.1 policy inputs; default anyPolicy, nothing required or inhibited (PKITS defaults). */
  policy?: PolicyInputs;
  /**
   * The time paths are validated at: `'signing-time'` (default: the signingTime attribute when
   * present and not after `now`, else `now`), `'now'`, or a fixed time.
   */
  validationTime?: 'signing-time' | 'now' | Date;
  /** Bounds on certificates, CRLs, signers and path-building work (each exceeded bound is LIMIT_EXCEEDED). */
  verifyLimits?: VerifyLimits;
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
  /**
   * Legacy summary of {@link SignerResult.path}: `trusted` is `path.outcome === 'trusted'` (RFC 5280
   * 6.1 at `path.validationTime`, revocation per the option), `reason` the first failure, `path`
   * the subjects from the signer up to the anchor.
   */
  chain: { trusted: boolean; reason?: string; path: string[] };
  /** RFC 5280 6 path validation of the signer certificate. */
  path: PathReport;
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
  /** Work done: signature checks computed and cached, paths evaluated, content digests computed. */
  work: WorkStats & { digests: number };
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

/** One digest per digest algorithm per content (not one per signer), through the platform (node:crypto in Node). */
class Digests {
  count = 0;
  private readonly memo = new Map<string, Promise<Uint8Array>>();
  get(hash: DigestName, content: Uint8Array, which: string): Promise<Uint8Array> {
    const k = `${which}|${hash}`;
    let v = this.memo.get(k);
    if (!v) {
      this.count++;
      v = platform().digest(hash, content);
      this.memo.set(k, v);
    }
    return v;
  }
}

const DSA_SIGNER_ALGS = new Set([ID_DSA, OID.dsaWithSHA1, '2.16.840.1.101.3.4.3.2']);

async function checkSignature(si: pkijs.SignerInfo, cert: pkijs.Certificate, content: Uint8Array, which: string, eContentType: string, digests: Digests, dsaParams?: DsaParams): Promise<SigCheck> {
  const digestOid = si.digestAlgorithm.algorithmId;
  const hash = hashNameOf(digestOid);
  if (!hash) return { valid: false, reason: 'unsupported-algorithm', detail: digestOid === OID.md5 ? 'digest algorithm MD5: MD5 not accepted' : `digest algorithm ${oidName(digestOid)}` };
  const isDsa = cert.subjectPublicKeyInfo.algorithm.algorithmId === ID_DSA;
  const alg = isDsa ? undefined : resolveSignature(si.signatureAlgorithm, digestOid);
  if (alg && !alg.ok) return { valid: false, reason: 'unsupported-algorithm', detail: alg.why };
  if (isDsa && !DSA_SIGNER_ALGS.has(si.signatureAlgorithm.algorithmId)) return { valid: false, reason: 'bad-signature', detail: 'DSA key with a non-DSA signature algorithm' };
  if (isDsa && (hash !== 'SHA-1' && hash !== 'SHA-256')) return { valid: false, reason: 'unsupported-algorithm', detail: `DSA with ${hash}` };
  if (isDsa && !(dsaParamsOf(cert.subjectPublicKeyInfo) ?? dsaParams)) return { valid: false, reason: 'unsupported-algorithm', detail: 'DSA key without parameters and no path to inherit them from (RFC 5280 6.1.4 (f))' };
  if (!isDsa && !isSupportedKey(cert.subjectPublicKeyInfo)) {
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
    const digest = await digests.get(hash, content, which);
    if (!bytesEqual(digest, octetsOf(md[0]!.values[0]))) return { valid: false, reason: 'digest-mismatch', detail: 'message-digest attribute does not match the content' };
    signed = new Uint8Array(si.signedAttrs.encodedValue); // already re-tagged as SET OF (0x31)
  } else {
    signed = content;
  }
  let ok: boolean;
  if (isDsa) {
    const y = dsaPublicOf(cert.subjectPublicKeyInfo);
    ok = y !== undefined && (await dsaVerify((dsaParamsOf(cert.subjectPublicKeyInfo) ?? dsaParams)!, y, hash as 'SHA-1' | 'SHA-256', signed, signature));
  } else ok = await verifyWithSpki(cert.subjectPublicKeyInfo, alg!, signed, signature);
  return ok ? { valid: true } : { valid: false, reason: 'bad-signature', detail: 'signature value does not verify with the signer certificate' };
}

function allValid(certs: pkijs.Certificate[], t: Date): boolean {
  return certs.every((c) => validAt(c, t));
}

function limit(n: number, max: number, what: string, asn1Path: string): void {
  if (n > max) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${n} ${what}, over the limit of ${max}`, { asn1Path });
}

/**
 * RFC 5652 5.1 bounds, counted on the BER tree before PKI.js reads the SignedData (reading 2000
 * SignerInfos alone takes seconds): SignerInfos, certificates [0], CRLs [1].
 */
function preflight(content: asn1js.AsnType, lim: Required<VerifyLimits>, opts: VerifyOptions): void {
  const seq = (content as asn1js.Sequence).valueBlock?.value;
  if (!Array.isArray(seq)) return; // readSignedData reports the malformation
  const count = (el: asn1js.AsnType | undefined) => ((el as asn1js.Constructed | undefined)?.valueBlock?.value?.length ?? 0);
  const tagged = (n: number) => seq.find((e) => e.idBlock.tagClass === 3 && e.idBlock.tagNumber === n);
  limit(count(seq[seq.length - 1]), lim.maxSigners, 'SignerInfos', 'SignedData.signerInfos');
  limit(count(tagged(0)) + (opts.intermediates ?? []).length, lim.maxCertificates, 'certificates (SignedData.certificates + intermediates)', 'SignedData.certificates');
  limit(count(tagged(1)) + (opts.crls ?? []).length, lim.maxCrls, 'CRLs (SignedData.crls + crls)', 'SignedData.crls');
}

/** CRLs of a SignedData (RevocationInfoChoices, RFC 5652 10.2.1; other formats are ignored). */
function crlsOf(sd: pkijs.SignedData): pkijs.CertificateRevocationList[] {
  return (sd.crls ?? []).filter((c): c is pkijs.CertificateRevocationList => c instanceof pkijs.CertificateRevocationList);
}

function parseCrl(der: Uint8Array, where: string): pkijs.CertificateRevocationList {
  const asn = parseBer(der, {}, where);
  return fromSchema(() => new pkijs.CertificateRevocationList({ schema: asn }), where);
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
  const lim = { ...DEFAULT_LIMITS, ...opts.verifyLimits };
  preflight(ci.content, lim, opts);
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
  const crls = [...crlsOf(sd), ...(opts.crls ?? []).map((d, i) => parseCrl(d, `crls[${i}]`))];
  const work = new Work(lim.maxSignatureChecks, 'SignedData.certificates');
  const policy = { ...DEFAULT_POLICY, ...opts.policy };
  const digests = new Digests();

  // one path validation per (signer certificate, validation time)
  const contexts = new Map<number, PathContext>();
  const paths = new Map<string, Promise<SignerPath>>();
  const timeOf = (si: pkijs.SignerInfo): { t: Date; source: PathReport['validationTimeSource'] } => {
    const vt = opts.validationTime ?? 'signing-time';
    if (vt instanceof Date) return { t: vt, source: 'given' };
    const st = signingTimeOf(si);
    return vt === 'signing-time' && st && st.getTime() <= now.getTime() ? { t: st, source: 'signing-time' } : { t: now, source: 'now' };
  };
  const pathOf = (si: pkijs.SignerInfo, cert: pkijs.Certificate): Promise<SignerPath> => {
    const { t, source } = timeOf(si);
    const key = `${work.id(cert)}|${t.getTime()}|${source}`;
    let p = paths.get(key);
    if (!p) {
      let ctx = contexts.get(t.getTime());
      if (!ctx) {
        ctx = new PathContext(anchors, pool, crls, t, opts.revocation ?? 'if-available', lim, !!opts.trustLeafAsItself, work);
        contexts.set(t.getTime(), ctx);
      }
      p = validateSigner(cert, ctx, policy, source);
      paths.set(key, p);
    }
    return p;
  };

  const found = sd.signerInfos.map((si) => ({ si, cert: findSignerCert(si, [...pool, ...anchors]) }));
  const resolved: (SignerPath | undefined)[] = [];
  for (const f of found) resolved.push(f.cert ? await pathOf(f.si, f.cert) : undefined);

  const runAll = async (c: Uint8Array, which: string) => {
    const out: { si: pkijs.SignerInfo; cert?: pkijs.Certificate; check: SigCheck; sp?: SignerPath }[] = [];
    for (const [i, { si, cert }] of found.entries()) {
      const sp = resolved[i];
      out.push({ si, cert, sp, check: cert ? await checkSignature(si, cert, c, which, eContentType, digests, sp?.dsaParams) : { valid: false, reason: 'signer-cert-not-found' } });
    }
    return out;
  };
  let used = content;
  let crlfRetried = false;
  let checks = await runAll(content, 'exact');
  const retryable = checks.some((x) => x.check.reason === 'digest-mismatch' || x.check.reason === 'bad-signature');
  if (retryable && opts.allowCrlfRetry !== false) {
    const canon = lfToCrlf(content);
    if (canon) {
      const again = await runAll(canon, 'crlf');
      const n = (a: typeof checks) => a.filter((x) => x.check.valid).length;
      if (n(again) > n(checks)) {
        checks = again;
        used = canon;
        crlfRetried = true;
      }
    }
  }

  const signers: SignerResult[] = [];
  for (const { si, cert, check, sp } of checks) {
    const digestOid = si.digestAlgorithm.algorithmId;
    const sigName = cert?.subjectPublicKeyInfo.algorithm.algorithmId === ID_DSA ? `DSA with ${hashNameOf(digestOid) ?? oidName(digestOid)}` : resolveSignature(si.signatureAlgorithm, digestOid).name;
    const signingTime = signingTimeOf(si);
    const base = {
      signatureValid: check.valid,
      reason: check.reason,
      detail: check.detail,
      digestAlgorithm: oidName(digestOid),
      signatureAlgorithm: sigName === si.signatureAlgorithm.algorithmId ? oidName(sigName) : sigName,
      weakAlgorithm: digestOid === OID.sha1 || digestOid === OID.md5 || si.signatureAlgorithm.algorithmId === OID.sha1WithRSA || si.signatureAlgorithm.algorithmId === OID.ecdsaWithSHA1 || si.signatureAlgorithm.algorithmId === OID.dsaWithSHA1,
      signingTime,
    };
    if (!cert || !sp) {
      const { t, source } = timeOf(si);
      signers.push({
        ...base,
        signer: { subject: '', emails: [], issuer: '', serialHex: '' },
        chain: { trusted: false, reason: 'signer certificate not found', path: [] },
        path: {
          outcome: 'no-anchor',
          reasons: [{ code: 'signer-cert-not-found', kind: 'failure', message: 'the signer certificate is not in the SignedData nor among the given certificates' }],
          certs: [],
          validationTime: t.toISOString(),
          validationTimeSource: source,
          revocation: opts.revocation === 'off' ? 'off' : 'not-checked',
          weak: [],
        },
        validNow: false,
        emailProtectionUsage: false,
        addressMatches: opts.expectedAddress !== undefined ? false : undefined,
      });
      continue;
    }
    const report = sp.report;
    const trusted = report.outcome === 'trusted';
    const emails = emailsOf(cert);
    const firstProblem = report.reasons.find((r) => r.kind === 'failure') ?? report.reasons.find((r) => r.kind === 'not-checked');
    signers.push({
      ...base,
      signer: { subject: subjectOf(cert), emails, issuer: issuerOf(cert), serialHex: serialHexOf(cert) },
      chain: {
        trusted,
        reason: trusted ? undefined : firstProblem?.message ?? report.outcome,
        path: sp.certs.map(subjectOf),
      },
      path: report,
      validAtSigningTime: signingTime ? allValid(sp.certs, signingTime) : undefined,
      validNow: allValid(sp.certs, now),
      emailProtectionUsage: allowsEmailSigning(cert),
      addressMatches: opts.expectedAddress !== undefined ? emails.includes(bareAddress(opts.expectedAddress)) : undefined,
    });
  }
  return { signers, content: used, crlfRetried, eContentType: oidName(eContentType), work: { ...work.stats, digests: digests.count } };
}
