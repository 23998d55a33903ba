/**
 * RFC 5280 6.1 basic path validation of one built path: initialization (6.1.2), basic certificate
 * processing (6.1.3), preparation for the next certificate (6.1.4) and wrap-up (6.1.5), then
 * revocation (6.1.3 (a)(3), 6.3) once the path is otherwise acceptable. Every problem is collected
 * (not only the first), each with the index of the certificate (0 = the target).
 */
import * as pkijs from 'pkijs';
import { subjectOf } from '../certs.js';
import type { PathContext } from './context.js';
import { type RevocationState, revocationOf } from './crl.js';
import { type DsaParams, ID_DSA, dsaParamsOf } from './dsa.js';
import { ANY_POLICY, EXT, KNOWN_CERT_EXTENSIONS, basicConstraintsOf, extOf, integerOf, isSelfIssued, keyUsageOf, unknownCritical } from './ext.js';
import type { BuiltPath } from './build.js';
import { NameConstraintState } from './nameConstraints.js';
import { namesEqual } from './names.js';
import { PolicyTree } from './policy.js';
import type { PathReason, PolicyInputs } from './types.js';

/** Result of {@link checkPath}. */
export interface PathCheck {
  reasons: PathReason[];
  /** The policy set of 6.1.5 (g) (undefined: NULL tree). */
  policies?: string[];
  /** DSA parameters the target's key inherits (6.1.5 (c)-(e)), for checking its own signatures. */
  targetDsaParams?: DsaParams;
  /** Certificates covered by a usable CRL, of how many (undefined when revocation is off or not reached). */
  revocation?: { covered: number; total: number };
}

function fail(reasons: PathReason[], code: string, certIndex: number, message: string): void {
  reasons.push({ code, kind: 'failure', certIndex, message });
}

/** Validate `p` at `ctx.time` with the policy inputs; `rev` carries CRL-signer recursion state. */
export async function checkPath(p: BuiltPath, ctx: PathContext, policy: Required<PolicyInputs>, rev: RevocationState, targetIsCrlSigner = false): Promise<PathCheck> {
  ctx.work.countPath();
  const n = p.certs.length;
  const reasons: PathReason[] = [];
  const t = ctx.time;
  // 6.1.2 initialization
  const tree = new PolicyTree();
  const nc = new NameConstraintState();
  let explicitPolicy = policy.initialExplicitPolicy ? 0 : n + 1;
  let inhibitAny = policy.initialAnyPolicyInhibit ? 0 : n + 1;
  let policyMapping = policy.initialPolicyMappingInhibit ? 0 : n + 1;
  let workingKey = p.anchor.subjectPublicKeyInfo;
  let workingParams = dsaParamsOf(workingKey);
  let workingIssuer = p.anchor.subject;
  let maxPathLength = n;
  let targetDsaParams: DsaParams | undefined = dsaParamsOf(p.anchor.subjectPublicKeyInfo);

  for (let i = 1; i <= n; i++) {
    const idx = n - i; // index in p.certs (0 = target)
    const cert = p.certs[idx]!;
    const selfIssued = isSelfIssued(cert);
    const who = `"${subjectOf(cert)}"`;
    // 6.1.3 (a)(1) signature with the working public key (and inherited DSA parameters)
    const sig = await ctx.work.check(cert, workingKey, workingParams);
    if (!sig.ok) {
      if (sig.code === 'dsa-parameters-missing' || sig.code === 'unsupported-algorithm') reasons.push({ code: sig.code, kind: 'not-checked', certIndex: idx, message: `${who}: ${sig.message}` });
      else fail(reasons, sig.code, idx, `${who}: ${sig.message}`);
    }
    // (a)(2) validity
    if (cert.notBefore.value.getTime() > t.getTime()) fail(reasons, 'not-yet-valid', idx, `${who} is not valid before ${cert.notBefore.value.toISOString()} (validation time ${t.toISOString()})`);
    if (cert.notAfter.value.getTime() < t.getTime()) fail(reasons, 'expired', idx, `${who} expired ${cert.notAfter.value.toISOString()} (validation time ${t.toISOString()})`);
    // (a)(4) name chaining
    if (!namesEqual(cert.issuer, workingIssuer)) fail(reasons, 'name-chaining', idx, `the issuer name of ${who} differs from its issuer's subject name`);
    // (b)(c) name constraints, not for self-issued intermediates
    if (i === n || !selfIssued) for (const v of nc.violations(cert)) fail(reasons, 'name-constraints', idx, `${who}: ${v}`);
    // (d)-(e) policies
    tree.processCertificate(cert, i, n, inhibitAny, selfIssued);
    // (f)
    if (explicitPolicy === 0 && tree.isNull) fail(reasons, 'no-explicit-policy', idx, `${who}: an explicit policy is required and no acceptable policy remains`);

    if (i < n) {
      // 6.1.4 (a)-(b) policy mappings
      const pm = extOf(cert, EXT.policyMappings)?.parsedValue as pkijs.PolicyMappings | undefined;
      if (pm) {
        if (pm.mappings.some((m) => m.issuerDomainPolicy === ANY_POLICY || m.subjectDomainPolicy === ANY_POLICY)) fail(reasons, 'policy-mapping-any', idx, `${who} maps anyPolicy (RFC 5280 6.1.4 (a))`);
        else tree.applyMappings(pm.mappings, i, policyMapping);
      }
      // (c)-(f) working issuer name and key; DSA parameters are inherited when absent
      workingIssuer = cert.subject;
      const spki = cert.subjectPublicKeyInfo;
      const own = dsaParamsOf(spki);
      if (own) workingParams = own;
      else if (spki.algorithm.algorithmId !== ID_DSA || workingKey.algorithm.algorithmId !== ID_DSA) workingParams = undefined;
      workingKey = spki;
      // (g) name constraints
      nc.update(cert);
      // (h) counters
      if (!selfIssued) {
        if (explicitPolicy > 0) explicitPolicy--;
        if (policyMapping > 0) policyMapping--;
        if (inhibitAny > 0) inhibitAny--;
      }
      // (i) policyConstraints
      const pc = extOf(cert, EXT.policyConstraints)?.parsedValue as pkijs.PolicyConstraints | undefined;
      if (pc) {
        if (pc.requireExplicitPolicy !== undefined && pc.requireExplicitPolicy < explicitPolicy) explicitPolicy = pc.requireExplicitPolicy;
        if (pc.inhibitPolicyMapping !== undefined && pc.inhibitPolicyMapping < policyMapping) policyMapping = pc.inhibitPolicyMapping;
      }
      // (j) inhibitAnyPolicy
      const ia = extOf(cert, EXT.inhibitAnyPolicy);
      if (ia) {
        const v = integerOf(ia.parsedValue);
        if (v !== undefined && v >= 0n && v < BigInt(inhibitAny)) inhibitAny = Number(v);
      }
      // (k) basicConstraints cA
      const bc = basicConstraintsOf(cert);
      if (!bc?.cA) fail(reasons, 'not-a-ca', idx, `${who} issues a certificate but is not a CA (basicConstraints cA ${bc ? 'FALSE' : 'absent'})`);
      // (l) path length
      if (!selfIssued) {
        if (maxPathLength <= 0) fail(reasons, 'path-length-exceeded', idx, `${who}: pathLenConstraint of a CA above is exceeded`);
        else maxPathLength--;
      }
      // (m)
      if (bc?.pathLen !== undefined && bc.pathLen < maxPathLength) maxPathLength = bc.pathLen;
      // (n) keyCertSign
      const ku = keyUsageOf(cert);
      if (ku && !ku.has('keyCertSign')) fail(reasons, 'no-keycertsign', idx, `${who} issues a certificate but its keyUsage lacks keyCertSign`);
      // (o) unknown critical extensions
      for (const oid of unknownCritical(cert.extensions, KNOWN_CERT_EXTENSIONS)) fail(reasons, 'unknown-critical-extension', idx, `${who} has an unknown critical extension ${oid}`);
    } else {
      // 6.1.5 wrap-up
      if (explicitPolicy !== 0) explicitPolicy--; // (a)
      const pc = extOf(cert, EXT.policyConstraints)?.parsedValue as pkijs.PolicyConstraints | undefined;
      if (pc?.requireExplicitPolicy === 0) explicitPolicy = 0; // (b)
      const spki = cert.subjectPublicKeyInfo;
      targetDsaParams = dsaParamsOf(spki) ?? (spki.algorithm.algorithmId === ID_DSA && workingKey.algorithm.algorithmId === ID_DSA ? workingParams : undefined); // (c)-(e)
      for (const oid of unknownCritical(cert.extensions, KNOWN_CERT_EXTENSIONS)) fail(reasons, 'unknown-critical-extension', idx, `${who} has an unknown critical extension ${oid}`); // (f)
      if (targetIsCrlSigner) {
        const ku = keyUsageOf(cert);
        if (ku && !ku.has('cRLSign')) fail(reasons, 'crl-signer-lacks-crlsign', idx, `${who} signs a CRL but its keyUsage lacks cRLSign`);
      }
    }
  }
  // 6.1.5 (g) policy intersection
  const policies = n === 0 ? [...policy.userInitialPolicySet] : tree.intersect(policy.userInitialPolicySet, n);
  if (explicitPolicy === 0 && n > 0 && (!policies || policies.length === 0)) fail(reasons, 'no-acceptable-policy', 0, 'no certificate policy acceptable to the user-initial-policy-set remains and an explicit policy is required');
  const out: PathCheck = { reasons, policies: policies ?? undefined, targetDsaParams };
  // 6.1.3 (a)(3) revocation, once the path is otherwise acceptable
  if (ctx.revocation !== 'off' && !reasons.some((r) => r.kind === 'failure') && n > 0) {
    let covered = 0;
    for (let i = 1; i <= n; i++) {
      const idx = n - i;
      const r = await revocationOf(p, idx, ctx, rev);
      if (r.status === 'good') covered++;
      else if (r.status === 'revoked') fail(reasons, 'revoked', idx, `"${subjectOf(p.certs[idx]!)}" is revoked${r.detail ? ` (${r.detail})` : ''}`);
      else {
        const msg = `no usable CRL covers "${subjectOf(p.certs[idx]!)}"${r.detail ? `: ${r.detail}` : ''}`;
        reasons.push({ code: 'revocation-unknown', kind: ctx.revocation === 'require' ? 'failure' : 'not-checked', certIndex: idx, message: msg });
      }
    }
    out.revocation = { covered, total: n };
  }
  return out;
}
