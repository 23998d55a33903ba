/**
 * The verdict model (issue 10 item 1): one decision per signer and one for the message, with
 * the reasons, made here once and only presented by the commands and the page.
 *
 * - `valid`: signature and digest hold, the path reaches a given trust anchor, every certificate
 *   of it was valid at the time of the check, the signer may sign e-mail (RFC 8550 4.4), and the
 *   From or Sender address is one of the certificate's (RFC 8550 3; when the certificate carries
 *   addresses at all — when it carries none the reasons say so);
 * - `untrusted`: the signature holds, but no trust anchor was given or the path does not reach one;
 * - `invalid`: signature, digest, structure or policy failure (including ambiguity: two
 *   Content-Type fields, two From fields, a third part);
 * - `cannot-check`: an encrypted layer without a key, an unsupported algorithm, a missing signer
 *   certificate, signed content that is not a MIME message.
 * A message without any signature is `unsigned`. Every check can be relaxed only by an explicit
 * policy option; none is relaxed by default.
 */
import type { SignerResult } from '../cms/index.js';
import type { Layer, OpenedMessage } from './open.js';

/** State of one signer. */
export type VerdictState = 'valid' | 'untrusted' | 'invalid' | 'cannot-check';
/** State of a message: a signer state, or `unsigned` when no signature was found. */
export type MessageState = VerdictState | 'unsigned';

/** Why a state is what it is. `note` reasons inform and never change the state. */
export interface Reason {
  code: string;
  severity: 'invalid' | 'cannot-check' | 'untrusted' | 'note';
  message: string;
}

/** Weak algorithm names recognised by {@link VerdictPolicy.allowWeak}. */
export type WeakAlgorithm = 'md5' | 'sha1' | 'rsa-short';

/** Relaxations of the default policy (none by default). */
export interface VerdictPolicy {
  /** Do not require a path to a trust anchor (signature, digest, usage, address and algorithms still decide). */
  signatureOnly?: boolean;
  /** A From/Sender address that the certificate does not carry is a note, not `invalid`. */
  allowAddressMismatch?: boolean;
  /** Weak signature algorithms accepted anyway (named in a note). */
  allowWeak?: WeakAlgorithm[];
}

/** One signer's verdict. */
export interface SignerVerdict {
  /** Index of the layer in {@link OpenedMessage.layers}. */
  layer: number;
  state: VerdictState;
  reasons: Reason[];
  signer: SignerResult['signer'];
  digestAlgorithm: string;
  signatureAlgorithm: string;
  signingTime?: string;
  /** Subjects from the signer up to the anchor, as far as found. */
  path: string[];
  /** The certificates of that path (subject, issuer, serial, validity, SHA-256, key, usages, addresses). */
  certificates: SignerResult['path']['certs'];
  /** The time the path was validated at, and why that time. */
  validationTime: string;
  validationTimeSource: SignerResult['path']['validationTimeSource'];
  /** Revocation: `checked`, `partial`, `not-checked` or `off`. */
  revocation: SignerResult['path']['revocation'];
}

/** The verdict of a message. */
export interface MessageVerdict {
  state: MessageState;
  /** Message-level reasons (structure, layers that could not be opened, weak encryption). */
  reasons: Reason[];
  signers: SignerVerdict[];
}

const RANK: Record<Reason['severity'], number> = { invalid: 3, 'cannot-check': 2, untrusted: 1, note: 0 };
const STATE_OF: Record<number, VerdictState> = { 3: 'invalid', 2: 'cannot-check', 1: 'untrusted', 0: 'valid' };

function worst(reasons: Reason[]): VerdictState {
  return STATE_OF[reasons.reduce((m, r) => Math.max(m, RANK[r.severity]), 0)]!;
}

/** Bare, lower-cased addresses of the From and Sender fields the outer message carries. */
export interface EnvelopeAddresses {
  /** One entry per From field (clients display the first), each the list of its addresses. */
  from: string[][];
  sender: string[];
}

function signatureReasons(s: SignerResult): Reason[] {
  if (s.signatureValid) return [];
  const detail = s.detail ? `: ${s.detail}` : '';
  switch (s.reason) {
    case 'digest-mismatch': return [{ code: 'DIGEST_MISMATCH', severity: 'invalid', message: `the content was changed after signing${detail}` }];
    case 'unsupported-algorithm': return [{ code: 'UNSUPPORTED_ALGORITHM', severity: 'cannot-check', message: `algorithm not supported${detail}` }];
    case 'signer-cert-not-found': return [{ code: 'SIGNER_CERT_MISSING', severity: 'cannot-check', message: 'the signer certificate is neither in the message nor given' }];
    default: return [{ code: 'SIGNATURE_INVALID', severity: 'invalid', message: `the signature does not verify${detail}` }];
  }
}

/** The path verdict (RFC 5280 6, cms/path): outcome and reasons, relaxed only by --signature-only. */
function pathReasons(s: SignerResult, policy: VerdictPolicy): Reason[] {
  const p = s.path;
  if (p.outcome === 'trusted') return p.reasons.filter((r) => r.kind !== 'failure').map((r) => ({ code: r.code, severity: 'note' as const, message: r.message }));
  const severity: Reason['severity'] = p.outcome === 'invalid' ? 'invalid' : p.outcome === 'cannot-check' ? 'cannot-check' : 'untrusted';
  const relax = (r: Reason): Reason => (policy.signatureOnly && r.severity === 'untrusted'
    ? { ...r, severity: 'note', message: `${r.message} (not required: --signature-only)` } : r);
  const list = p.reasons.length ? p.reasons : [{ code: 'PATH_NOT_TRUSTED', message: s.chain.reason ?? 'no path to a trust anchor', kind: 'failure' as const }];
  return list.map((r) => relax({ code: r.code, severity: r.kind === 'failure' ? severity : 'note', message: r.message }))
    .concat(list.some((r) => r.kind === 'failure') ? [] : [relax({ code: 'PATH_NOT_TRUSTED', severity, message: s.chain.reason ?? 'no path to a trust anchor' })]);
}

function weakReasons(s: SignerResult, policy: VerdictPolicy): Reason[] {
  const names = new Set<WeakAlgorithm>();
  const both = `${s.digestAlgorithm} ${s.signatureAlgorithm}`.toLowerCase();
  if (/md5/.test(both)) names.add('md5');
  if (/sha-?1(?!\d)/.test(both)) names.add('sha1');
  const signerCert = s.path.certs[0];
  const keyBits = signerCert?.keyType === 'RSA' || signerCert?.keyType === 'RSA-PSS' ? signerCert.keyBits : undefined;
  if (keyBits !== undefined && keyBits < 2048) names.add('rsa-short');
  return [...names].map((n) => {
    const what = n === 'rsa-short' ? `RSA key of ${keyBits} bits (under 2048)` : n === 'md5' ? 'MD5' : 'SHA-1';
    return policy.allowWeak?.includes(n)
      ? { code: 'WEAK_ALGORITHM', severity: 'note' as const, message: `${what} accepted by policy (--allow-weak ${n})` }
      : { code: 'WEAK_ALGORITHM', severity: 'invalid' as const, message: `${what} is not accepted for signatures (RFC 8551 2.1; --allow-weak ${n} to accept)` };
  });
}

function addressReasons(s: SignerResult, env: EnvelopeAddresses, policy: VerdictPolicy): Reason[] {
  const emails = s.signer.emails;
  if (emails.length === 0) return [{ code: 'ADDRESS_NOT_CHECKED', severity: 'note', message: 'the certificate carries no e-mail address: From/Sender not compared (RFC 8550 3)' }];
  const shown = env.from[0] ?? [];
  const candidates = [...shown, ...env.sender];
  // A bare CMS object (no envelope) has nothing to compare; a message that names a sender must match.
  if (candidates.length === 0) return [{ code: 'ADDRESS_NOT_CHECKED', severity: 'note', message: 'no From or Sender field: the certificate address is not compared (RFC 8550 3)' }];
  if (candidates.some((a) => emails.includes(a))) return [];
  const message = `From/Sender ${candidates.join(', ')} is not an address of the certificate (${emails.join(', ')}) (RFC 8550 3)`;
  return [{ code: 'ADDRESS_MISMATCH', severity: policy.allowAddressMismatch ? 'note' : 'invalid', message: policy.allowAddressMismatch ? `${message} (allowed: --allow-address-mismatch)` : message }];
}

/** The verdict of one signer of layer `layer`. */
export function signerVerdict(s: SignerResult, layer: number, env: EnvelopeAddresses, policy: VerdictPolicy = {}): SignerVerdict {
  const reasons: Reason[] = [...signatureReasons(s)];
  if (s.signatureValid) {
    reasons.push(...pathReasons(s, policy));
    // SHA-1 (and other weak) signatures on certificates of the path are named; MD5 there is a path failure already.
    const certWeak = s.path.weak.filter((w) => !/^RSA-\d+$/.test(w) || s.path.certs.length > 1);
    if (certWeak.length) reasons.push({ code: 'WEAK_IN_PATH', severity: 'note', message: `weak algorithms in the certificate path: ${certWeak.join(', ')}` });
    if (!s.emailProtectionUsage) reasons.push({ code: 'KEY_USAGE', severity: 'invalid', message: 'the certificate does not allow e-mail signing (keyUsage/extKeyUsage, RFC 8550 4.4.2, 4.4.4)' });
    reasons.push(...addressReasons(s, env, policy));
    reasons.push(...weakReasons(s, policy));
  }
  return {
    layer, state: worst(reasons), reasons, signer: s.signer, digestAlgorithm: s.digestAlgorithm, signatureAlgorithm: s.signatureAlgorithm,
    signingTime: s.signingTime?.toISOString(), path: s.chain.path, certificates: s.path.certs,
    validationTime: s.path.validationTime, validationTimeSource: s.path.validationTimeSource, revocation: s.path.revocation,
  };
}

const WEAK_CIPHER = /^(DES-CBC|DES-EDE3-CBC|RC2-CBC)$/;

function layerReasons(l: Layer, i: number): Reason[] {
  const out: Reason[] = [...(l.ambiguities ?? []).map((m) => ({ code: 'AMBIGUOUS_STRUCTURE', severity: 'invalid' as const, message: `layer ${i + 1}: ${m}` }))];
  const cipher = l.cms?.envelopedData?.contentEncryptionAlgorithm;
  if (cipher && WEAK_CIPHER.test(cipher)) out.push({ code: 'WEAK_ENCRYPTION', severity: 'note', message: `layer ${i + 1}: encrypted with ${cipher}${l.cipherKeyBits ? ` with a ${l.cipherKeyBits}-bit key` : ''}, a weak cipher (read old mail with it; never send with it)` });
  if (l.eContentType && l.eContentType !== 'data') {
    out.push({ code: 'CONTENT_NOT_MAIL', severity: 'cannot-check', message: `layer ${i + 1}: the signed content is ${l.eContentType}, not a MIME message; not shown as mail` });
  }
  if (l.error) {
    const cannot = /NO_RECIPIENT|UNSUPPORTED|WRONG_KEY|BAD_PASSWORD|DECRYPT_FAILED|DETACHED_NO_CONTENT/.test(l.error.code) || (l.kind === 'clear-signed' && !l.verify && /not CMS/.test(l.error.message));
    out.push({ code: l.error.code, severity: cannot ? 'cannot-check' : 'invalid', message: `layer ${i + 1} (${l.kind}): ${l.error.message}` });
  }
  return out;
}

/** Decide the verdict of an opened message. */
export function decideVerdict(opened: OpenedMessage, policy: VerdictPolicy = {}): MessageVerdict {
  const env = opened.envelope;
  const reasons: Reason[] = [];
  if (env.from.length > 1) reasons.push({ code: 'AMBIGUOUS_FROM', severity: 'invalid', message: `the message has ${env.from.length} From fields; readers show different ones` });
  const signers: SignerVerdict[] = [];
  opened.layers.forEach((l, i) => {
    reasons.push(...layerReasons(l, i));
    for (const s of l.verify?.signers ?? []) signers.push(signerVerdict(s, i, env, policy));
    if ((l.kind === 'clear-signed' || l.kind === 'opaque-signed') && l.verify && l.verify.signers.length === 0) {
      reasons.push({ code: 'NO_SIGNERS', severity: 'invalid', message: `layer ${i + 1}: a signed layer without any SignerInfo` });
    }
  });
  if (!opened.complete && !reasons.some((r) => r.severity !== 'note')) {
    reasons.push({ code: 'INCOMPLETE', severity: 'cannot-check', message: 'a layer could not be opened: what is inside is not checked' });
  }
  const signedLayers = opened.layers.filter((l) => l.kind === 'clear-signed' || l.kind === 'opaque-signed');
  let state: MessageState = worst([...reasons, ...signers.flatMap((s) => s.reasons)]);
  if (signedLayers.length === 0 && state === 'valid') state = 'unsigned';
  return { state, reasons, signers };
}

/**
 * The JSON form of an opened message and its verdict: what `verify --json`, `inspect --json`,
 * batch reports and the page show, so that all of them show the same.
 */
export function verdictJson(opened: OpenedMessage, v: MessageVerdict): object {
  return {
    verdict: v.state,
    reasons: v.reasons,
    signers: v.signers,
    complete: opened.complete,
    layers: opened.layers.map((l) => ({
      kind: l.kind, mediaType: l.mediaType, params: l.params, eContentType: l.eContentType, decrypted: l.decrypted,
      cms: l.cms && { ...l.cms, encapsulatedContent: undefined }, ambiguities: l.ambiguities, error: l.error,
      verify: l.verify && { signers: l.verify.signers, crlfRetried: l.verify.crlfRetried, eContentType: l.verify.eContentType },
    })),
  };
}
