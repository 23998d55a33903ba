/**
 * Path building (RFC 4158 in small): from a target certificate up to a trust anchor, depth first
 * with backtracking. Issuer candidates are certificates whose subject equals the issuer name
 * (RFC 5280 7.1), ordered by authority/subject key identifier agreement first (4.2.1.1/4.2.1.2),
 * then by whether the signature verifies, then by validity at the validation time. Paths whose
 * signatures verify come first; a path with a bad signature is still produced (last) so that the
 * report can say "reaches the anchor, but the signature is bad".
 *
 * Bounds: at most `maxIssuerCandidates` candidates per step (the rest are skipped with a note),
 * paths no longer than `maxPathLength`, no certificate (or subject+key pair) twice in a path,
 * signature checks cached and budgeted in {@link Work}, building steps budgeted in the context.
 */
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../../errors.js';
import { issuerOf, subjectOf, validAt } from '../certs.js';
import type { PathContext } from './context.js';
import { akiBytes, keyIdMatch } from './ext.js';
import { nameKey } from './names.js';
import type { PathReason } from './types.js';
import type { SigOutcome } from './work.js';

/** A path: `certs[0]` is the target, `certs[k+1]` issued `certs[k]`, `anchor` issued the last one. */
export interface BuiltPath {
  certs: pkijs.Certificate[];
  anchor: pkijs.Certificate;
}

/** What building found besides paths: notes, and the longest dead end for reporting. */
export interface BuildLog {
  notes: PathReason[];
  deadEnd: pkijs.Certificate[];
  deadEndReason?: PathReason;
}

/**
 * All paths from `target` to a CA anchor (restricted to `onlyAnchor` when given), best first.
 * `target` itself being an anchor gives the empty path when allowed (a CA anchor, or a leaf with
 * `trustLeafAsItself`).
 */
export async function* buildPaths(target: pkijs.Certificate, ctx: PathContext, log: BuildLog, onlyAnchor?: pkijs.Certificate): AsyncGenerator<BuiltPath> {
  const self = ctx.anchorFor(target);
  if (self && (!onlyAnchor || self === onlyAnchor)) {
    if (ctx.isCaAnchor(self) || ctx.trustLeafAsItself) yield { certs: [], anchor: self };
    else log.notes.push({ code: 'leaf-anchor-not-allowed', kind: 'note', certIndex: 0, message: 'the signer certificate is a trust anchor but not a CA: trusted only with the option trustLeafAsItself' });
  }
  yield* extend([target], ctx, log, onlyAnchor);
}

async function* extend(path: pkijs.Certificate[], ctx: PathContext, log: BuildLog, onlyAnchor?: pkijs.Certificate): AsyncGenerator<BuiltPath> {
  if (++ctx.steps > ctx.limits.maxSignatureChecks * 8) {
    throw new SmimeBridgeError('LIMIT_EXCEEDED', `path building took more than ${ctx.limits.maxSignatureChecks * 8} steps`, { asn1Path: ctx.work.asn1Path });
  }
  const cur = path[path.length - 1]!;
  const idx = path.length - 1;
  const inPath = (c: pkijs.Certificate) =>
    path.some((p) => p === c || ctx.derKey(p) === ctx.derKey(c) || (nameKey(p.subject) === nameKey(c.subject) && ctx.derKey(p) !== ctx.derKey(c) && spkiEqual(p, c)));
  let cands = ctx.withSubject(cur.issuer).filter((c) => !inPath(c) && (!onlyAnchor || !ctx.isCaAnchor(c) || c === onlyAnchor));
  if (!cands.length) {
    const leafAnchors = ctx.leafAnchorsNamed(cur.issuer);
    if (path.length > log.deadEnd.length || !log.deadEndReason) {
      log.deadEnd = path.slice();
      log.deadEndReason = leafAnchors.length
        ? { code: 'anchor-not-ca', kind: 'failure', certIndex: idx, message: `the issuer of "${subjectOf(cur)}" is a trust anchor that is not a CA certificate: a non-CA anchor is trusted only as itself and never issues` }
        : nameKey(cur.subject) === nameKey(cur.issuer)
          ? { code: 'self-signed-not-anchor', kind: 'failure', certIndex: idx, message: `self-issued certificate "${subjectOf(cur)}" is not a trust anchor` }
          : { code: 'issuer-not-found', kind: 'failure', certIndex: idx, message: `issuer "${issuerOf(cur)}" of "${subjectOf(cur)}" not found among the trust anchors and the certificates at hand` };
    }
    return;
  }
  const aki = akiBytes(cur.extensions);
  cands = cands
    .map((c, i) => ({ c, i, k: keyIdMatch(aki, c), v: validAt(c, ctx.time) ? 1 : 0, a: ctx.isCaAnchor(c) ? 1 : 0 }))
    .sort((x, y) => y.k - x.k || y.a - x.a || y.v - x.v || x.i - y.i)
    .map((x) => x.c);
  if (cands.length > ctx.limits.maxIssuerCandidates) {
    log.notes.push({ code: 'issuer-candidates-capped', kind: 'note', certIndex: idx, message: `${cands.length} certificates are named like the issuer of "${subjectOf(cur)}"; only the first ${ctx.limits.maxIssuerCandidates} were tried (option maxIssuerCandidates)` });
    cands = cands.slice(0, ctx.limits.maxIssuerCandidates);
  }
  const checked: { c: pkijs.Certificate; s: SigOutcome }[] = [];
  for (const c of cands) checked.push({ c, s: await ctx.work.check(cur, c.subjectPublicKeyInfo) });
  const rank = (s: SigOutcome) => (s.ok ? 0 : s.code === 'dsa-parameters-missing' ? 1 : 2);
  checked.sort((x, y) => rank(x.s) - rank(y.s));
  for (const { c } of checked) {
    if (ctx.isCaAnchor(c)) yield { certs: path.slice(), anchor: c };
    else if (path.length < ctx.limits.maxPathLength) yield* extend([...path, c], ctx, log, onlyAnchor);
    else if (path.length >= log.deadEnd.length) {
      log.deadEnd = [...path, c];
      log.deadEndReason = { code: 'path-too-long', kind: 'failure', certIndex: idx + 1, message: `no trust anchor within ${ctx.limits.maxPathLength} certificates (option maxPathLength)` };
    }
  }
}

function spkiEqual(a: pkijs.Certificate, b: pkijs.Certificate): boolean {
  const x = new Uint8Array(a.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
  const y = new Uint8Array(b.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
