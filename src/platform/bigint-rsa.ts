/**
 * The portable RSA private-key operation (RSADP, RFC 8017 5.1.2) in bigint arithmetic, for
 * platforms without a native one (browsers: WebCrypto offers no raw RSA decryption).
 *
 * Side-channel measures: message blinding (c·r^e, unblinded by r^-1), exponent blinding
 * (d_p + k_1·(p-1), d_q + k_2·(q-1) with fresh 64-bit k), a Montgomery ladder over a fixed number
 * of bits (the same sequence of multiplications and squarings whatever the exponent bits, with a
 * branch-free conditional swap), and a check of the result against the public exponent before it
 * is returned (a fault in the CRT would otherwise leak a factor). JavaScript bigint arithmetic is
 * itself not constant-time; these measures remove the secret-dependent branches and make each
 * operation's inputs fresh random values, which is what can be done in this language.
 */

/** RSA private key components (RFC 8017 3.2, two-prime form). */
export interface RsaPrivateParts {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
}

function randomBig(bytes: number): bigint {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

/** Bit length of a non-negative bigint. */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * base^exp mod m by a Montgomery ladder over exactly `bits` exponent bits (exp < 2^bits): one
 * multiplication and one squaring per bit, the operands chosen by a masked swap, never by a branch
 * on a bit of `exp`.
 */
export function ladderModPow(base: bigint, exp: bigint, m: bigint, bits: number): bigint {
  if (m === 1n) return 0n;
  let r0 = 1n;
  let r1 = ((base % m) + m) % m;
  for (let i = bits - 1; i >= 0; i--) {
    const mask = -((exp >> BigInt(i)) & 1n); // 0n or -1n (all ones)
    let t = mask & (r0 ^ r1);
    r0 ^= t;
    r1 ^= t;
    r1 = (r0 * r1) % m;
    r0 = (r0 * r0) % m;
    t = mask & (r0 ^ r1);
    r0 ^= t;
    r1 ^= t;
  }
  return r0;
}

/** Modular exponentiation for public values only (square and multiply, branches on the exponent). */
export function publicModPow(base: bigint, exp: bigint, mod: bigint): bigint {
  if (mod === 1n) return 0n;
  let r = 1n;
  let b = ((base % mod) + mod) % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return r;
}

/** Modular inverse (extended Euclid); throws RangeError when none exists. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

const BLIND_BITS = 64;

/** RSADP with CRT, message blinding, exponent blinding and a ladder. `c` must be < n. */
export function rsaPrivateBigint(key: RsaPrivateParts, c: bigint): bigint {
  const k = Math.ceil(bitLength(key.n) / 8);
  const pBits = bitLength(key.p) + BLIND_BITS;
  const qBits = bitLength(key.q) + BLIND_BITS;
  for (;;) {
    const r = randomBig(k) % key.n;
    if (r <= 1n) continue;
    let ri: bigint;
    try {
      ri = modInverse(r, key.n);
    } catch {
      continue; // r shares a factor with n: astronomically unlikely, pick another
    }
    const blinded = (c * publicModPow(r, key.e, key.n)) % key.n;
    // exponent blinding: d_p + k·(p-1) is an equivalent exponent mod p (Fermat), fresh each call
    const dp = key.dp + randomBig(BLIND_BITS / 8) * (key.p - 1n);
    const dq = key.dq + randomBig(BLIND_BITS / 8) * (key.q - 1n);
    const m1 = ladderModPow(blinded, dp, key.p, pBits);
    const m2 = ladderModPow(blinded, dq, key.q, qBits);
    // RFC 8017 5.1.2 step 2.b (Garner)
    const h = (key.qi * (((m1 - m2) % key.p) + key.p)) % key.p;
    const mb = m2 + h * key.q;
    // fault check: a wrong CRT half must not leave this function
    if (publicModPow(mb, key.e, key.n) !== blinded) throw new RangeError('RSA private operation failed its consistency check');
    return (mb * ri) % key.n;
  }
}
