/**
 * What one verification shares between its signers: the certificates at hand (trust anchors,
 * untrusted intermediates) indexed by subject name, the CRLs, the validation settings and the
 * bounded {@link Work}.
 */
import * as pkijs from 'pkijs';
import { toHex } from '../bytes.js';
import { certDer } from '../certs.js';
import { isCaCert } from './ext.js';
import { nameKey } from './names.js';
import type { PolicyInputs, RevocationMode, VerifyLimits } from './types.js';
import { Work } from './work.js';

/** Default bounds (see {@link VerifyLimits}). */
export const DEFAULT_LIMITS: Required<VerifyLimits> = {
  maxCertificates: 256,
  maxCrls: 128,
  maxSigners: 64,
  maxIssuerCandidates: 8,
  maxSignatureChecks: 1000,
  maxPathLength: 12,
  maxPathsPerSigner: 16,
};

/** anyPolicy-based defaults of RFC 5280 6.1.1 as PKITS uses them. */
export const DEFAULT_POLICY: Required<PolicyInputs> = {
  userInitialPolicySet: ['2.5.29.32.0'],
  initialExplicitPolicy: false,
  initialPolicyMappingInhibit: false,
  initialAnyPolicyInhibit: false,
};

/** Shared state of one verification. */
export class PathContext {
  /** Anchors that are CA certificates (they may issue). */
  readonly caAnchors: pkijs.Certificate[];
  private readonly bySubject = new Map<string, pkijs.Certificate[]>();
  private readonly anchorKeys = new Set<string>();
  private readonly derKeys = new WeakMap<pkijs.Certificate, string>();
  /** Verdicts on CRL signers' own paths (signer id | anchor id). */
  readonly crlSignerVerdicts = new Map<string, boolean>();
  /** Steps of path building so far (bounded by `limits.maxSignatureChecks` × 8). */
  steps = 0;

  constructor(
    readonly anchors: pkijs.Certificate[],
    readonly pool: pkijs.Certificate[],
    readonly crls: pkijs.CertificateRevocationList[],
    readonly time: Date,
    readonly revocation: RevocationMode,
    readonly limits: Required<VerifyLimits>,
    readonly trustLeafAsItself: boolean,
    readonly work: Work,
  ) {
    this.caAnchors = anchors.filter(isCaAnchor);
    for (const a of anchors) this.anchorKeys.add(this.derKey(a));
    // pool copies of anchors are dropped: the anchor object stands for them
    for (const c of [...this.caAnchors, ...pool.filter((p) => !this.anchorKeys.has(this.derKey(p)))]) {
      const k = nameKey(c.subject);
      if (!this.bySubject.has(k)) this.bySubject.set(k, []);
      const list = this.bySubject.get(k)!;
      if (!list.some((x) => this.derKey(x) === this.derKey(c))) list.push(c);
    }
  }

  /** DER of a certificate as hex (identity across copies). */
  derKey(c: pkijs.Certificate): string {
    let k = this.derKeys.get(c);
    if (!k) {
      k = toHex(certDer(c));
      this.derKeys.set(c, k);
    }
    return k;
  }

  /** The anchor object `c` is (same DER), if any. */
  anchorFor(c: pkijs.Certificate): pkijs.Certificate | undefined {
    const k = this.derKey(c);
    return this.anchors.find((a) => this.derKey(a) === k);
  }

  /** Certificates (CA anchors and untrusted ones) whose subject is `name`. */
  withSubject(name: pkijs.RelativeDistinguishedNames): pkijs.Certificate[] {
    return this.bySubject.get(nameKey(name)) ?? [];
  }

  /** Is `c` one of the CA trust anchors (the object itself)? */
  isCaAnchor(c: pkijs.Certificate): boolean {
    return this.caAnchors.includes(c);
  }

  /** Non-CA anchors whose subject is `name` (they never issue; for reasons). */
  leafAnchorsNamed(name: pkijs.RelativeDistinguishedNames): pkijs.Certificate[] {
    const k = nameKey(name);
    return this.anchors.filter((a) => !this.caAnchors.includes(a) && nameKey(a.subject) === k);
  }
}

/** A trust anchor may issue when it is a CA certificate: basicConstraints cA, or a version 1 certificate (old roots). */
export function isCaAnchor(c: pkijs.Certificate): boolean {
  return isCaCert(c) || c.version === 0;
}
