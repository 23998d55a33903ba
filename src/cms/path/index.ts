/**
 * RFC 5280 section 6 certification path validation for S/MIME signers, tested against all 224
 * NIST PKITS tests (test/cms/pkits.test.ts).
 *
 * Hand-written rather than PKI.js's CertificateChainValidationEngine, because that engine was
 * measured against the same 224 PKITS messages (PKI.js 4, trust anchor + embedded certificates
 * and CRLs, check date 2011-04-15) and agreed on 182 only: it accepts 24 invalid paths (every
 * pathLenConstraint test 4.6.5-4.6.16, DN nameConstraints 4.13.3/12/13, distribution point and
 * onlyContains* scoping 4.14.3-4.14.17, delta-CRL 4.15.1/10, an unknown critical extension
 * 4.16.2) and rejects 18 valid ones (DSA, policy mapping, self-issued certificates, indirect
 * CRLs); it offers no bound on path-building work and reports failures as text. The
 * verdict model here needs a typed reason per certificate. Modules, one concern each:
 * - {@link buildPaths} (build.ts): issuer candidates by AKI/SKI, then name; backtracking with bounds;
 * - {@link checkPath} (validate.ts): 6.1.2-6.1.5 on one path;
 * - policy.ts (valid_policy_tree), nameConstraints.ts, crl.ts (6.3), work.ts (signature cache
 *   and budget, MD5 refused), dsa.ts, names.ts (7.1 name matching), summary.ts (reports).
 */
import * as pkijs from 'pkijs';
import { subjectOf } from '../certs.js';
import { type BuildLog, type BuiltPath, buildPaths } from './build.js';
import type { PathContext } from './context.js';
import type { DsaParams } from './dsa.js';
import { summarize, weakAlgorithms } from './summary.js';
import type { PathReason, PathReport, PolicyInputs } from './types.js';
import { type PathCheck, checkPath } from './validate.js';

export { PathContext, DEFAULT_LIMITS, DEFAULT_POLICY, isCaAnchor } from './context.js';
export { Work, type WorkStats, verifySigned } from './work.js';
export { dsaParamsOf, dsaPublicOf, dsaVerify, ID_DSA, type DsaParams } from './dsa.js';
export { keyInfo } from './summary.js';
export type * from './types.js';

const KIND_ORDER = { failure: 0, 'not-checked': 1, note: 2 } as const;
/** Codes of not-checked reasons that stop a path from being trusted (a signature could not be checked). */
const CANNOT_CHECK = new Set(['dsa-parameters-missing', 'unsupported-algorithm']);

/** A path report plus what the signature check of the signer needs. */
export interface SignerPath {
  report: PathReport;
  /** DSA parameters inherited by the signer's key (RFC 5280 6.1.5 (c)-(e)). */
  dsaParams?: DsaParams;
  /** The certificates of the reported path, signer first (anchor last when reached). */
  certs: pkijs.Certificate[];
}

/**
 * Validate the certificate of one signer at `ctx.time`. Tries the built paths best first and
 * stops at the first acceptable one; reports the best failing path otherwise.
 */
export async function validateSigner(cert: pkijs.Certificate, ctx: PathContext, policy: Required<PolicyInputs>, timeSource: PathReport['validationTimeSource']): Promise<SignerPath> {
  const log: BuildLog = { notes: [], deadEnd: [cert] };
  let best: { p: BuiltPath; r: PathCheck; failures: number } | undefined;
  let chosen: { p: BuiltPath; r: PathCheck } | undefined;
  let tried = 0;
  if (ctx.anchors.length) {
    for await (const p of buildPaths(cert, ctx, log)) {
      if (++tried > ctx.limits.maxPathsPerSigner) {
        log.notes.push({ code: 'paths-capped', kind: 'note', message: `more than ${ctx.limits.maxPathsPerSigner} candidate paths; the rest were not tried (option maxPathsPerSigner)` });
        break;
      }
      const r = await checkPath(p, ctx, policy, { depth: 0, inProgress: new Set() });
      if (p.certs.length === 0) selfValidity(p.anchor, ctx.time, r.reasons);
      // a path whose signatures verify is a better explanation than one through a wrong-key issuer
      const failures = r.reasons.reduce((n, x) => n + (x.kind !== 'failure' ? 0 : x.code === 'bad-signature' ? 100 : 1), 0);
      if (failures === 0) {
        chosen = { p, r };
        break;
      }
      if (!best || failures < best.failures) best = { p, r, failures };
    }
  }
  const pick = chosen ?? best;
  const reasons: PathReason[] = [];
  let outcome: PathReport['outcome'];
  let certs: pkijs.Certificate[];
  let anchorLast = false;
  if (pick) {
    anchorLast = true;
    certs = pick.p.certs.length ? [...pick.p.certs, pick.p.anchor] : [pick.p.anchor];
    reasons.push(...pick.r.reasons);
    const cannot = pick.r.reasons.some((x) => x.kind === 'not-checked' && CANNOT_CHECK.has(x.code));
    outcome = chosen ? (cannot ? 'cannot-check' : 'trusted') : 'invalid';
  } else {
    outcome = 'no-anchor';
    certs = log.deadEnd;
    reasons.push(
      ctx.anchors.length
        ? (log.deadEndReason ?? { code: 'no-path', kind: 'failure', certIndex: 0, message: `no path from "${subjectOf(cert)}" to a trust anchor` })
        : { code: 'no-trust-anchors', kind: 'failure', message: 'no trust anchors were given' },
    );
  }
  reasons.push(...log.notes);
  reasons.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  const isAnchorAt = (i: number) => anchorLast && i === certs.length - 1;
  const rev = pick?.r.revocation;
  const report: PathReport = {
    outcome,
    reasons,
    certs: await Promise.all(certs.map((c, i) => summarize(c, isAnchorAt(i)))),
    validationTime: ctx.time.toISOString(),
    validationTimeSource: timeSource,
    revocation: ctx.revocation === 'off' ? 'off' : !rev ? 'not-checked' : rev.covered === rev.total ? 'checked' : rev.covered > 0 ? 'partial' : 'not-checked',
    weak: weakAlgorithms(certs, anchorLast),
    policies: pick?.r.policies,
  };
  return { report, dsaParams: pick?.r.targetDsaParams, certs };
}

/** A signer trusted as itself (empty path): its own validity still counts. */
function selfValidity(c: pkijs.Certificate, t: Date, reasons: PathReason[]): void {
  if (c.notBefore.value.getTime() > t.getTime()) reasons.push({ code: 'not-yet-valid', kind: 'failure', certIndex: 0, message: `"${subjectOf(c)}" is not valid before ${c.notBefore.value.toISOString()}` });
  if (c.notAfter.value.getTime() < t.getTime()) reasons.push({ code: 'expired', kind: 'failure', certIndex: 0, message: `"${subjectOf(c)}" expired ${c.notAfter.value.toISOString()}` });
}
