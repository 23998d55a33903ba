/**
 * Work done per verification, bounded: a cache of signature checks (certificate or CRL × issuer
 * key × inherited DSA parameters) and a budget of signature checks in total. A hostile message
 * with many same-name issuer certificates costs at most the budget, then `LIMIT_EXCEEDED`.
 *
 * Signature checks: RSA PKCS#1 v1.5 / PSS and ECDSA through WebCrypto ({@link verifyWithSpki}),
 * DSA here ({@link dsaVerify}); MD5 and MD2 are refused as such, never tried.
 */
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../../errors.js';
import { resolveSignature, verifyWithSpki } from '../pubkey.js';
import { DSA_SIG_HASH, type DsaParams, ID_DSA, dsaParamsOf, dsaPublicOf, dsaVerify } from './dsa.js';

/** Why a signature did not check. */
export type SigFailure = 'md5-not-accepted' | 'md2-not-accepted' | 'bad-signature' | 'unsupported-algorithm' | 'dsa-parameters-missing';

/** Result of one signature check. */
export type SigOutcome = { ok: true } | { ok: false; code: SigFailure; message: string };

/** Something signed: a certificate or a CRL. */
export interface Signed {
  tbsView: Uint8Array | ArrayBuffer;
  signatureAlgorithm: pkijs.AlgorithmIdentifier;
  signatureValue: { valueBlock: { valueHexView: Uint8Array } };
}

const MD5_SIGS = new Set(['1.2.840.113549.1.1.4', '1.3.14.3.2.3']);
const MD2_SIGS = new Set(['1.2.840.113549.1.1.2']);

/** Counters of one verification (for reports and regression tests). */
export interface WorkStats {
  /** Signature checks actually computed (cache misses). */
  signatureChecks: number;
  /** Signature checks answered from the cache. */
  cacheHits: number;
  /** Certification paths evaluated against RFC 5280 6.1. */
  pathsEvaluated: number;
}

/** Bounded, cached signature checking for one verification. */
export class Work {
  readonly stats: WorkStats = { signatureChecks: 0, cacheHits: 0, pathsEvaluated: 0 };
  private readonly cache = new Map<string, Promise<SigOutcome>>();
  private readonly ids = new WeakMap<object, number>();
  private next = 1;

  constructor(
    /** Most signature checks computed per verification. */
    readonly maxSignatureChecks: number,
    /** Where to point a LIMIT_EXCEEDED error. */
    readonly asn1Path: string,
  ) {}

  /** A number naming an object for this verification. */
  id(o: object): number {
    let v = this.ids.get(o);
    if (v === undefined) {
      v = this.next++;
      this.ids.set(o, v);
    }
    return v;
  }

  /** Count a path evaluation. */
  countPath(): void {
    this.stats.pathsEvaluated++;
  }

  /** Does `issuerKey` (with inherited DSA `params`) verify the signature on `obj`? Cached. */
  check(obj: Signed, issuerKey: pkijs.PublicKeyInfo, params?: DsaParams): Promise<SigOutcome> {
    const key = `${this.id(obj)}|${this.id(issuerKey)}|${params ? this.id(params) : 0}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.stats.cacheHits++;
      return hit;
    }
    if (this.stats.signatureChecks >= this.maxSignatureChecks) {
      throw new SmimeBridgeError('LIMIT_EXCEEDED', `more than ${this.maxSignatureChecks} signature checks for one message (option maxSignatureChecks)`, { asn1Path: this.asn1Path });
    }
    this.stats.signatureChecks++;
    const p = verifySigned(obj, issuerKey, params);
    this.cache.set(key, p);
    return p;
  }
}

/** Verify `obj`'s signature with `spki` (no caching, no budget). */
export async function verifySigned(obj: Signed, spki: pkijs.PublicKeyInfo, inherited?: DsaParams): Promise<SigOutcome> {
  const oid = obj.signatureAlgorithm.algorithmId;
  const tbs = obj.tbsView instanceof Uint8Array ? obj.tbsView : new Uint8Array(obj.tbsView);
  const sig = new Uint8Array(obj.signatureValue.valueBlock.valueHexView);
  if (MD5_SIGS.has(oid)) return { ok: false, code: 'md5-not-accepted', message: 'signed with MD5: MD5 not accepted (RFC 6151)' };
  if (MD2_SIGS.has(oid)) return { ok: false, code: 'md2-not-accepted', message: 'signed with MD2: MD2 not accepted (RFC 6149)' };
  if (DSA_SIG_HASH[oid]) {
    if (spki.algorithm.algorithmId !== ID_DSA) return { ok: false, code: 'bad-signature', message: 'DSA signature but the issuer key is not DSA' };
    const params = dsaParamsOf(spki) ?? inherited;
    if (!params) return { ok: false, code: 'dsa-parameters-missing', message: 'DSA key without parameters and none to inherit (RFC 5280 6.1.4 (f))' };
    const y = dsaPublicOf(spki);
    if (y === undefined) return { ok: false, code: 'bad-signature', message: 'malformed DSA public key' };
    return (await dsaVerify(params, y, DSA_SIG_HASH[oid]!, tbs, sig)) ? { ok: true } : { ok: false, code: 'bad-signature', message: 'DSA signature does not verify with the issuer key' };
  }
  const alg = resolveSignature(obj.signatureAlgorithm, '');
  if (!alg.ok) return { ok: false, code: 'unsupported-algorithm', message: `unsupported signature algorithm ${alg.why}` };
  return (await verifyWithSpki(spki, alg, tbs, sig)) ? { ok: true } : { ok: false, code: 'bad-signature', message: 'signature does not verify with the issuer key' };
}
