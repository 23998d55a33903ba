/**
 * Revocation from CRLs (RFC 5280 6.3): for one certificate of a path, its distribution points
 * (4.2.1.13, or the certificate issuer when there are none), the complete CRLs in scope
 * (6.3.3 (b): issuer or cRLIssuer with indirectCRL, issuingDistributionPoint names,
 * onlyContainsUserCerts / CACerts / AttributeCerts, onlySomeReasons), their freshness, the CRL
 * signer (cRLSign, signature, and a certification path of its own to the same trust anchor, so
 * key rollover and separate CRL keys work, 6.3.3 (f)), delta CRLs (5.2.4, 6.3.3 (c)(d)(h)(i)),
 * indirect CRL entries (certificateIssuer, 5.3.3), removeFromCRL (6.3.3 (k)), and the reasons mask
 * until all reasons are covered. Unknown critical CRL or entry extensions make a CRL unusable (5.2, 5.3).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual, toArrayBuffer } from '../bytes.js';
import { dnToString, subjectOf } from '../certs.js';
import { type BuildLog, type BuiltPath, buildPaths } from './build.js';
import { DEFAULT_POLICY, type PathContext } from './context.js';
import { ALL_REASONS, type IssuingDp, dpNameKeys, readDistributionPoints, readIssuingDp } from './dp.js';
import { EXT, KNOWN_CRL_ENTRY_EXTENSIONS, KNOWN_CRL_EXTENSIONS, akiBytes, extIn, extOf, integerOf, isCaCert, keyIdMatch, keyUsageOf, unknownCritical } from './ext.js';
import { dirNameKey, namesEqual } from './names.js';
import { checkPath } from './validate.js';
import { type DsaParams, ID_DSA, dsaParamsOf } from './dsa.js';

/** Recursion state while CRL signers' own paths are validated. */
export interface RevocationState {
  depth: number;
  /** Certificates whose validation as CRL signer is under way (circular CRL paths, PKITS 4.14.30). */
  inProgress: Set<pkijs.Certificate>;
}

const REMOVE_FROM_CRL = 8;
const MAX_SIGNER_DEPTH = 3;

/** A distribution point with its names resolved to comparable keys. */
interface Dp {
  names?: string[];
  reasons: number;
  crlIssuers?: pkijs.RelativeDistinguishedNames[];
}

/** The distribution points of `cert`; undefined without the extension (the certificate issuer is then implied). */
function distributionPoints(cert: pkijs.Certificate): Dp[] | undefined {
  const dps = readDistributionPoints(extOf(cert, EXT.crlDistributionPoints));
  if (!dps?.length) return undefined;
  return dps.map((dp) => ({
    // RFC 5280 4.2.1.13: a relative name is relative to the cRLIssuer, else to the certificate issuer
    names: dp.name ? dpNameKeys(dp.name, dp.crlIssuers?.[0] ?? cert.issuer) : undefined,
    reasons: dp.reasons,
    crlIssuers: dp.crlIssuers,
  }));
}

const idpCache = new WeakMap<pkijs.CertificateRevocationList, (IssuingDp & { names?: string[] }) | null>();

function idpOf(crl: pkijs.CertificateRevocationList): (IssuingDp & { names?: string[] }) | undefined {
  const hit = idpCache.get(crl);
  if (hit !== undefined) return hit ?? undefined;
  const idp = readIssuingDp(extIn(crl.crlExtensions, EXT.issuingDistributionPoint));
  const out = idp ? { ...idp, names: idp.name ? dpNameKeys(idp.name, crl.issuer) : undefined } : null;
  idpCache.set(crl, out);
  return out ?? undefined;
}

function crlInteger(crl: pkijs.CertificateRevocationList, oid: string): bigint | undefined {
  const e = extIn(crl.crlExtensions, oid);
  if (!e) return undefined;
  return integerOf(asn1js.fromBER(toArrayBuffer(new Uint8Array(e.extnValue.valueBlock.valueHexView))).result);
}

const isDelta = (crl: pkijs.CertificateRevocationList) => !!extIn(crl.crlExtensions, EXT.deltaCrlIndicator);

/** 6.3.3 (b): is `crl` in scope for `cert` at `dp`? Returns the interim reasons mask, or why not. */
function scope(crl: pkijs.CertificateRevocationList, cert: pkijs.Certificate, dp: Dp | undefined): { mask: number } | { why: string } {
  const idp = idpOf(crl);
  if (dp?.crlIssuers) {
    if (!dp.crlIssuers.some((n) => namesEqual(n, crl.issuer))) return { why: 'issuer is not the cRLIssuer of the distribution point' };
    if (!idp?.indirect) return { why: 'CRL from a cRLIssuer is not marked indirectCRL' };
  } else if (!namesEqual(crl.issuer, cert.issuer)) return { why: 'issued by someone else' };
  if (idp?.names) {
    if (dp?.names) {
      if (!idp.names.some((k) => dp.names!.includes(k))) return { why: 'issuingDistributionPoint does not match the distribution point' };
    } else if (dp?.crlIssuers) {
      if (!dp.crlIssuers.some((n) => idp.names!.includes(dirNameKey(n)))) return { why: 'issuingDistributionPoint does not match the cRLIssuer' };
    } else return { why: 'CRL has a distribution point the certificate does not name' };
  }
  if (idp?.onlyUser && isCaCert(cert)) return { why: 'CRL covers only end-entity certificates' };
  if (idp?.onlyCa && !isCaCert(cert)) return { why: 'CRL covers only CA certificates' };
  if (idp?.onlyAttr) return { why: 'CRL covers only attribute certificates' };
  return { mask: (idp?.reasons ?? ALL_REASONS) & (dp?.reasons ?? ALL_REASONS) };
}

/** Problems making a CRL unusable by itself: unknown critical extensions, staleness. */
function unusable(crl: pkijs.CertificateRevocationList, t: Date): string | undefined {
  const u = unknownCritical(crl.crlExtensions?.extensions, KNOWN_CRL_EXTENSIONS);
  if (u.length) return `CRL has an unknown critical extension ${u.join(', ')}`;
  for (const rc of crl.revokedCertificates ?? []) {
    const ue = unknownCritical(rc.crlEntryExtensions?.extensions, KNOWN_CRL_ENTRY_EXTENSIONS);
    if (ue.length) return `CRL entry has an unknown critical extension ${ue.join(', ')}`;
  }
  if (crl.nextUpdate && crl.nextUpdate.value.getTime() < t.getTime()) return `CRL is stale (nextUpdate ${crl.nextUpdate.value.toISOString()})`;
  return undefined;
}

/** The entry for `cert` in `crl` (indirect CRLs: the certificateIssuer in effect, 5.3.3), with its reason code. */
function entryFor(crl: pkijs.CertificateRevocationList, cert: pkijs.Certificate): { reason?: number } | undefined {
  const serial = new Uint8Array(cert.serialNumber.valueBlock.valueHexView);
  let issuer = crl.issuer;
  for (const rc of crl.revokedCertificates ?? []) {
    const ci = extIn(rc.crlEntryExtensions, EXT.certificateIssuer)?.parsedValue as pkijs.GeneralNames | undefined;
    const dn = ci?.names?.find((g) => g.type === 4)?.value as pkijs.RelativeDistinguishedNames | undefined;
    if (dn) issuer = dn;
    if (!bytesEqual(new Uint8Array(rc.userCertificate.valueBlock.valueHexView), serial) || !namesEqual(issuer, cert.issuer)) continue;
    const rcExt = extIn(rc.crlEntryExtensions, EXT.reasonCode);
    let reason: number | undefined;
    if (rcExt) {
      const v = asn1js.fromBER(toArrayBuffer(new Uint8Array(rcExt.extnValue.valueBlock.valueHexView))).result as asn1js.Enumerated;
      reason = v.valueBlock?.valueDec;
    }
    return { reason };
  }
  return undefined;
}

const REASON_NAMES = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '(7)', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

/** Revocation status of `p.certs[idx]`. */
export async function revocationOf(p: BuiltPath, idx: number, ctx: PathContext, rev: RevocationState): Promise<{ status: 'good' | 'revoked' | 'undetermined'; detail?: string }> {
  const cert = p.certs[idx]!;
  const t = ctx.time;
  const dps: (Dp | undefined)[] = distributionPoints(cert) ?? [undefined];
  let mask = 0;
  const problems = new Set<string>();
  for (const dp of dps) {
    for (const crl of ctx.crls) {
      if (mask === ALL_REASONS) break;
      if (isDelta(crl)) {
        if (!('why' in scope(crl, cert, dp))) problems.add('a delta CRL (deltaCRLIndicator) is in scope but cannot stand alone');
        continue;
      }
      const sc = scope(crl, cert, dp);
      if ('why' in sc) {
        if (namesEqual(crl.issuer, cert.issuer) || dp?.crlIssuers) problems.add(`CRL of "${dnToString(crl.issuer)}": ${sc.why}`);
        continue;
      }
      if ((sc.mask & ~mask) === 0) continue; // 6.3.3 (e)? nothing new
      const bad = unusable(crl, t);
      if (bad) {
        problems.add(bad);
        continue;
      }
      const signer = await crlSigner(crl, p, idx, ctx, rev);
      if ('why' in signer) {
        problems.add(signer.why);
        continue;
      }
      // delta CRLs for this complete CRL (5.2.4): same issuer and scope, base number not above ours, same signer key
      const num = crlInteger(crl, EXT.crlNumber);
      const idpDer = idpOf(crl)?.der ?? '';
      const deltas: pkijs.CertificateRevocationList[] = [];
      for (const d of ctx.crls) {
        if (!isDelta(d) || !namesEqual(d.issuer, crl.issuer) || (idpOf(d)?.der ?? '') !== idpDer) continue;
        const base = crlInteger(d, EXT.deltaCrlIndicator);
        const dn = crlInteger(d, EXT.crlNumber);
        if (num === undefined || base === undefined || base > num || (dn !== undefined && dn <= num)) continue;
        if (unknownCritical(d.crlExtensions?.extensions, KNOWN_CRL_EXTENSIONS).length) continue;
        if (!(await ctx.work.check(d, signer.key)).ok) continue;
        deltas.push(d);
      }
      deltas.sort((a, b) => Number((crlInteger(b, EXT.crlNumber) ?? 0n) - (crlInteger(a, EXT.crlNumber) ?? 0n)));
      const delta = deltas[0];
      // 6.3.3 (i)-(k)
      const inDelta = delta ? entryFor(delta, cert) : undefined;
      if (inDelta && inDelta.reason !== REMOVE_FROM_CRL) return { status: 'revoked', detail: `delta CRL, reason ${REASON_NAMES[inDelta.reason ?? 0] ?? inDelta.reason}` };
      if (!inDelta) {
        const inFull = entryFor(crl, cert);
        if (inFull) return { status: 'revoked', detail: `reason ${REASON_NAMES[inFull.reason ?? 0] ?? inFull.reason}` };
      }
      if (delta?.nextUpdate && delta.nextUpdate.value.getTime() < t.getTime()) {
        problems.add(`the delta CRL is stale (nextUpdate ${delta.nextUpdate.value.toISOString()})`);
        continue;
      }
      mask |= sc.mask;
    }
  }
  if (mask === ALL_REASONS) return { status: 'good' };
  if (mask !== 0) problems.add('the CRLs at hand do not cover every revocation reason');
  if (!ctx.crls.length) problems.add('no CRL at hand');
  return { status: 'undetermined', detail: [...problems].join('; ') || 'no CRL in scope' };
}

/** 6.3.3 (f)-(g): find and validate the key that signed `crl`. */
async function crlSigner(crl: pkijs.CertificateRevocationList, p: BuiltPath, idx: number, ctx: PathContext, rev: RevocationState): Promise<{ key: pkijs.PublicKeyInfo } | { why: string }> {
  const above = [...p.certs.slice(idx + 1), p.anchor];
  const aki = akiBytes(crl.crlExtensions?.extensions);
  const cands = [...above.filter((c) => namesEqual(c.subject, crl.issuer)), ...ctx.withSubject(crl.issuer).filter((c) => !above.includes(c) && (!ctx.isCaAnchor(c) || c === p.anchor))]
    .map((c, i) => ({ c, i, k: keyIdMatch(aki, c) }))
    .sort((x, y) => y.k - x.k || x.i - y.i)
    .slice(0, ctx.limits.maxIssuerCandidates)
    .map((x) => x.c);
  let why = `no certificate of the CRL issuer "${dnToString(crl.issuer)}" verifies its signature`;
  for (const s of cands) {
    const ku = keyUsageOf(s);
    if (ku && !ku.has('cRLSign')) {
      why = `the CRL signer "${subjectOf(s)}" lacks keyUsage cRLSign`;
      continue;
    }
    const sig = await ctx.work.check(crl, s.subjectPublicKeyInfo, above.includes(s) ? inheritedParams(p, s) : undefined);
    if (!sig.ok) {
      if (sig.code !== 'bad-signature') why = `CRL signature: ${sig.message}`;
      else if (above.includes(s)) why = 'the CRL signature does not verify';
      continue;
    }
    if (above.includes(s) || rev.inProgress.has(s)) return { key: s.subjectPublicKeyInfo };
    if (await signerPathOk(s, p.anchor, ctx, rev)) return { key: s.subjectPublicKeyInfo };
    why = `the CRL signer "${subjectOf(s)}" has no valid path to the trust anchor`;
  }
  return { why };
}

/** DSA parameters `s` (a certificate of path `p` or its anchor) inherits down the path (6.1.4 (d)-(f)). */
function inheritedParams(p: BuiltPath, s: pkijs.Certificate): DsaParams | undefined {
  let params: DsaParams | undefined;
  let prevDsa = false;
  for (const c of [p.anchor, ...[...p.certs].reverse()]) {
    const isDsa = c.subjectPublicKeyInfo.algorithm.algorithmId === ID_DSA;
    const own = dsaParamsOf(c.subjectPublicKeyInfo);
    if (own) params = own;
    else if (!(isDsa && prevDsa)) params = undefined;
    prevDsa = isDsa;
    if (c === s) return params;
  }
  return undefined;
}

/** Does the CRL signer `s` validate (with revocation) to `anchor`? Cached per verification. */
async function signerPathOk(s: pkijs.Certificate, anchor: pkijs.Certificate, ctx: PathContext, rev: RevocationState): Promise<boolean> {
  const key = `${ctx.work.id(s)}|${ctx.work.id(anchor)}`;
  const hit = ctx.crlSignerVerdicts.get(key);
  if (hit !== undefined) return hit;
  if (rev.depth >= MAX_SIGNER_DEPTH) return false;
  rev.inProgress.add(s);
  let ok = false;
  const log: BuildLog = { notes: [], deadEnd: [] };
  let tried = 0;
  try {
    for await (const path of buildPaths(s, ctx, log, anchor)) {
      if (++tried > ctx.limits.maxPathsPerSigner) break;
      const r = await checkPath(path, ctx, DEFAULT_POLICY, { depth: rev.depth + 1, inProgress: rev.inProgress }, true);
      if (!r.reasons.some((x) => x.kind === 'failure')) {
        ok = true;
        break;
      }
    }
  } finally {
    rev.inProgress.delete(s);
  }
  ctx.crlSignerVerdicts.set(key, ok);
  return ok;
}
