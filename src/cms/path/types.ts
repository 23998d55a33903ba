/**
 * Public types of the RFC 5280 path validator: options (trust, revocation, policy inputs of
 * 6.1.1, bounds) and the per-signer report.
 */

/**
 * Revocation checking (RFC 5280 6.3) from CRLs in the SignedData and CRLs given by the caller:
 * - `'require'`: every certificate of the path must be covered by a usable CRL; a missing,
 *   stale, unverifiable or out-of-scope CRL makes the path `invalid` (PKITS runs this way);
 * - `'if-available'` (the default): CRLs at hand are checked and a revoked certificate makes the
 *   path `invalid`; a certificate no usable CRL covers gets a reason of kind `not-checked`
 *   (not a failure) and `revocation` says `not-checked` or `partial`;
 * - `'off'`: CRLs are not looked at (`revocation: 'off'`).
 * No CRL or OCSP is fetched from the network.
 */
export type RevocationMode = 'require' | 'if-available' | 'off';

/** The policy inputs of RFC 5280 6.1.1 (c), (e), (f), (g). Defaults are PKITS' defaults. */
export interface PolicyInputs {
  /** user-initial-policy-set (default `['2.5.29.32.0']`, anyPolicy). */
  userInitialPolicySet?: string[];
  /** initial-explicit-policy (default false). */
  initialExplicitPolicy?: boolean;
  /** initial-policy-mapping-inhibit (default false). */
  initialPolicyMappingInhibit?: boolean;
  /** initial-any-policy-inhibit (default false). */
  initialAnyPolicyInhibit?: boolean;
}

/** Bounds on the work of one verification; each exceeded bound is `LIMIT_EXCEEDED` unless said otherwise. */
export interface VerifyLimits {
  /** Certificates in the SignedData plus caller-given intermediates (default 256). */
  maxCertificates?: number;
  /** CRLs in the SignedData plus caller-given CRLs (default 128). */
  maxCrls?: number;
  /** SignerInfos in the SignedData (default 64). */
  maxSigners?: number;
  /** Issuer candidates tried per step of path building (default 8); more are skipped with a reason of kind `note`. */
  maxIssuerCandidates?: number;
  /** Signature checks computed per verification, after the cache (default 1000). */
  maxSignatureChecks?: number;
  /** Certificates in a path, anchor excluded (default 12); longer paths are not followed. */
  maxPathLength?: number;
  /** Complete paths evaluated per signer (default 16); more are not tried. */
  maxPathsPerSigner?: number;
}

/** Where a path ended up. */
export type PathOutcome = 'trusted' | 'no-anchor' | 'invalid' | 'cannot-check';

/** What a reason means for the outcome. */
export type ReasonKind = 'failure' | 'not-checked' | 'note';

/** One finding of path validation. */
export interface PathReason {
  /** Stable code, e.g. `bad-signature`, `md5-not-accepted`, `path-length-exceeded`, `revoked`. */
  code: string;
  /** Human text (contains names from certificates: escape before printing to a terminal). */
  message: string;
  /** Index into `certs` (0 = the signer) of the certificate concerned. */
  certIndex?: number;
  /** `failure`: the path is not acceptable; `not-checked`: something could not be checked; `note`: information. */
  kind: ReasonKind;
}

/** A certificate, described for people and scripts. */
export interface CertSummary {
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, lower-case hex. */
  sha256: string;
  /** `RSA`, `RSA-PSS`, `EC`, `DSA`, `Ed25519`... or the OID. */
  keyType: string;
  /** Modulus / prime / curve size in bits when known. */
  keyBits?: number;
  /** EC curve name. */
  curve?: string;
  /** keyUsage bit names; undefined when the extension is absent. */
  keyUsage?: string[];
  /** extKeyUsage OIDs (named when known); undefined when absent. */
  extKeyUsage?: string[];
  emails: string[];
  isCa: boolean;
  selfIssued: boolean;
  /** The certificate is the trust anchor of the path. */
  trustAnchor: boolean;
}

/** The RFC 5280 6.1 verdict on one signer's certificate. */
export interface PathReport {
  outcome: PathOutcome;
  /** Failures first, then not-checked, then notes. */
  reasons: PathReason[];
  /** The path, signer first, trust anchor last when one was reached (the best path found otherwise). */
  certs: CertSummary[];
  /** The time the path was validated at (ISO 8601). */
  validationTime: string;
  /** Why that time: the signingTime attribute (present, not after `now`), `now`, or the caller's fixed `validationTime`. */
  validationTimeSource: 'signing-time' | 'now' | 'given';
  /** `checked`: every certificate was covered by a usable CRL; `partial`: some; `not-checked`: none; `off`. */
  revocation: 'checked' | 'partial' | 'not-checked' | 'off';
  /** Weak algorithms in the path: `MD5`, `SHA-1`, `RSA-1024`, `DSA-1024`... (policy is the caller's). */
  weak: string[];
  /** The authorities-constrained ∩ user-constrained policy set at the end (6.1.5 (g)); undefined when the path was not evaluated. */
  policies?: string[];
}
