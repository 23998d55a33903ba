/**
 * Certificate path building and checking for S/MIME signers (RFC 5280 6.1, simplified):
 * from the signer certificate up to a caller-given trust anchor, issuer found by name and checked
 * by signature, intermediates must be CAs, every certificate valid at the check time.
 *
 * Hand-written (instead of PKI.js CertificateChainValidationEngine) to report *why* a path failed
 * in words a mail user can act on, and to evaluate validity both "now" and "at signing time"
 * without rebuilding. No revocation checking (no CRL/OCSP fetching in a browser-safe core).
 */
import * as pkijs from 'pkijs';
import { bytesEqual } from './bytes.js';
import { certDer, isCa, subjectOf } from './certs.js';
import { resolveSignature, verifyWithSpki } from './pubkey.js';

/** Outcome of {@link buildChain}. */
export interface ChainResult {
  /** A path to a trust anchor exists, every signature in it checks, intermediates are CAs. */
  trusted: boolean;
  /** Why not trusted (first problem found). */
  reason?: string;
  /** Subjects from the signer up to the anchor (as far as found). */
  path: string[];
  /** The certificates of the path, signer first. */
  certs: pkijs.Certificate[];
}

/** Is `cert` within its validity period at `t`? */
export function validAt(cert: pkijs.Certificate, t: Date): boolean {
  return cert.notBefore.value.getTime() <= t.getTime() && t.getTime() <= cert.notAfter.value.getTime();
}

async function signedBy(cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<boolean> {
  const alg = resolveSignature(cert.signatureAlgorithm, '');
  return verifyWithSpki(issuer.subjectPublicKeyInfo, alg, new Uint8Array(cert.tbsView), new Uint8Array(cert.signatureValue.valueBlock.valueHexView));
}

/**
 * Build a path from `leaf` to one of `anchors` using `pool` for intermediates (at most
 * `maxDepth` certificates). Time validity is not part of `trusted`; see {@link validAt}.
 */
export async function buildChain(leaf: pkijs.Certificate, pool: pkijs.Certificate[], anchors: pkijs.Certificate[], maxDepth = 10): Promise<ChainResult> {
  const path: pkijs.Certificate[] = [leaf];
  const names = () => path.map(subjectOf);
  if (!anchors.length) return { trusted: false, reason: 'no trust anchors given', path: names(), certs: path };
  const anchorDers = anchors.map(certDer);
  const isAnchor = (c: pkijs.Certificate) => {
    const d = certDer(c);
    return anchorDers.some((a) => bytesEqual(a, d));
  };
  let cur = leaf;
  for (let depth = 0; depth < maxDepth; depth++) {
    if (isAnchor(cur)) return { trusted: true, path: names(), certs: path };
    const candidates = [...anchors, ...pool].filter((c) => c.subject.isEqual(cur.issuer) && !path.includes(c));
    let next: pkijs.Certificate | undefined;
    let badSig = false;
    for (const c of candidates) {
      if (await signedBy(cur, c)) {
        next = c;
        break;
      }
      badSig = true;
    }
    if (!next) {
      const selfSigned = cur.subject.isEqual(cur.issuer);
      const reason = badSig
        ? `signature of "${subjectOf(cur)}" does not verify with its issuer's key`
        : selfSigned
          ? `self-signed certificate "${subjectOf(cur)}" is not a trust anchor`
          : `issuer of "${subjectOf(cur)}" not found among trust anchors and intermediates`;
      return { trusted: false, reason, path: names(), certs: path };
    }
    if (!isCa(next) && !isAnchor(next)) {
      path.push(next);
      return { trusted: false, reason: `issuer "${subjectOf(next)}" is not a CA`, path: names(), certs: path };
    }
    path.push(next);
    cur = next;
  }
  return { trusted: false, reason: `no path within ${maxDepth} certificates`, path: names(), certs: path };
}
