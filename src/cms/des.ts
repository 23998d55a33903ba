/**
 * DES and Triple-DES (DES-EDE3) in CBC mode (FIPS 46-3, SP 800-67; CMS use in RFC 3370 5.1).
 *
 * Hand-written because WebCrypto has no DES and 3DES-CBC is still found in old S/MIME mail and in
 * PKCS#12 files (pbeWithSHAAnd3-KeyTripleDES-CBC). Pure TypeScript, browser-safe. The S-box and P
 * permutation are folded into eight 64-entry tables at load time; the other permutations are done
 * bit by bit (speed is adequate for mail-sized inputs). Only for reading old data and for tests.
 */

// FIPS 46-3 tables (1-based bit positions, bit 1 = most significant).
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39, 31,
  23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40, 51, 45,
  33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const S = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

/** SP[i][x]: S-box i applied to 6-bit x, placed in its nibble and permuted by P. */
const spTables = (): Uint32Array[] => S.map((box, i) => {
  const t = new Uint32Array(64);
  for (let x = 0; x < 64; x++) {
    const row = ((x >> 4) & 2) | (x & 1);
    const col = (x >> 1) & 15;
    const v = box[row * 16 + col]! << (28 - 4 * i);
    let out = 0;
    for (let j = 0; j < 32; j++) if ((v >>> (31 - (P[j]! - 1))) & 1) out |= 1 << (31 - j);
    t[x] = out >>> 0;
  }
  return t;
});

function bitsOf(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length * 8);
  for (let i = 0; i < out.length; i++) out[i] = (b[i >> 3]! >> (7 - (i & 7))) & 1;
  return out;
}

/** The 16 round keys, each as eight 6-bit values. */
function subkeys(key: Uint8Array): Uint8Array[] {
  const kb = bitsOf(key);
  const cd = PC1.map((p) => kb[p - 1]!);
  let c = cd.slice(0, 28);
  let d = cd.slice(28);
  const out: Uint8Array[] = [];
  for (const s of SHIFTS) {
    c = c.slice(s).concat(c.slice(0, s));
    d = d.slice(s).concat(d.slice(0, s));
    const all = c.concat(d);
    const k = PC2.map((p) => all[p - 1]!);
    const six = new Uint8Array(8);
    for (let i = 0; i < 8; i++) {
      let v = 0;
      for (let j = 0; j < 6; j++) v = (v << 1) | k[i * 6 + j]!;
      six[i] = v;
    }
    out.push(six);
  }
  return out;
}

function permute64(hi: number, lo: number, table: number[]): [number, number] {
  let oh = 0;
  let ol = 0;
  for (let j = 0; j < 64; j++) {
    const p = table[j]! - 1;
    const bit = p < 32 ? (hi >>> (31 - p)) & 1 : (lo >>> (63 - p)) & 1;
    if (j < 32) oh |= bit << (31 - j);
    else ol |= bit << (63 - j);
  }
  return [oh >>> 0, ol >>> 0];
}

function finalPermutation(): number[] {
  const fp = new Array<number>(64);
  for (let i = 0; i < 64; i++) fp[IP[i]! - 1] = i + 1;
  return fp;
}

/**
 * A 64-bit permutation as 8 byte-indexed lookup tables: out = OR of table[i][byte i]. Built once
 * from the bit tables above, so each permutation costs 16 lookups instead of 64 bit moves.
 */
function byteTables(table: number[]): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let i = 0; i < 8; i++) {
    const t = new Uint32Array(512);
    for (let v = 0; v < 256; v++) {
      const hi = i < 4 ? (v << (24 - 8 * i)) >>> 0 : 0;
      const lo = i >= 4 ? (v << (24 - 8 * (i - 4))) >>> 0 : 0;
      const [oh, ol] = permute64(hi, lo, table);
      t[2 * v] = oh;
      t[2 * v + 1] = ol;
    }
    out.push(t);
  }
  return out;
}
/** The lookup tables, built on first use (not at import: most commands never run DES). */
interface Tables { sp: Uint32Array[]; ip: Uint32Array[]; fp: Uint32Array[] }
let tables: Tables | undefined;
function desTables(): Tables {
  return (tables ??= { sp: spTables(), ip: byteTables(IP), fp: byteTables(finalPermutation()) });
}

function permuteFast(hi: number, lo: number, t: Uint32Array[]): [number, number] {
  let oh = 0;
  let ol = 0;
  for (let i = 0; i < 8; i++) {
    const v = (i < 4 ? hi >>> (24 - 8 * i) : lo >>> (24 - 8 * (i - 4))) & 0xff;
    oh |= t[i]![2 * v]!;
    ol |= t[i]![2 * v + 1]!;
  }
  return [oh >>> 0, ol >>> 0];
}

/** One DES block operation with the given (already ordered) round keys. */
function desBlock(hi: number, lo: number, ks: Uint8Array[], t: Tables): [number, number] {
  let [l, r] = permuteFast(hi, lo, t.ip);
  const SP = t.sp;
  const s0 = SP[0]!, s1 = SP[1]!, s2 = SP[2]!, s3 = SP[3]!, s4 = SP[4]!, s5 = SP[5]!, s6 = SP[6]!, s7 = SP[7]!;
  for (let round = 0; round < 16; round++) {
    const k = ks[round]!;
    // E expansion (FIPS 46-3 E table): chunk i = bits 4i .. 4i+5 (1-based, cyclic) = rotl(r, 4i-1) >>> 26
    const f =
      s0[(((r << 31) | (r >>> 1)) >>> 26) ^ k[0]!]! |
      s1[(((r << 3) | (r >>> 29)) >>> 26) ^ k[1]!]! |
      s2[(((r << 7) | (r >>> 25)) >>> 26) ^ k[2]!]! |
      s3[(((r << 11) | (r >>> 21)) >>> 26) ^ k[3]!]! |
      s4[(((r << 15) | (r >>> 17)) >>> 26) ^ k[4]!]! |
      s5[(((r << 19) | (r >>> 13)) >>> 26) ^ k[5]!]! |
      s6[(((r << 23) | (r >>> 9)) >>> 26) ^ k[6]!]! |
      s7[(((r << 27) | (r >>> 5)) >>> 26) ^ k[7]!]!;
    const nl = r;
    r = (l ^ f) >>> 0;
    l = nl;
  }
  return permuteFast(r, l, t.fp);
}

/** A keyed DES-EDE3 (or single DES) block cipher. */
export class TripleDes {
  private readonly enc: Uint8Array[][];
  private readonly dec: Uint8Array[][];
  private readonly t = desTables();

  /** `key` is 24 bytes (K1‖K2‖K3), 16 bytes (K3 = K1) or 8 bytes (single DES). */
  constructor(key: Uint8Array) {
    if (key.length !== 8 && key.length !== 16 && key.length !== 24) throw new RangeError('DES key must be 8, 16 or 24 bytes');
    const k1 = subkeys(key.subarray(0, 8));
    if (key.length === 8) {
      this.enc = [k1];
      this.dec = [k1.slice().reverse()];
      return;
    }
    const k2 = subkeys(key.subarray(8, 16));
    const k3 = key.length === 24 ? subkeys(key.subarray(16, 24)) : k1;
    const rev = (k: Uint8Array[]) => k.slice().reverse();
    // SP 800-67 3.2: C = E_K3(D_K2(E_K1(P))); P = D_K1(E_K2(D_K3(C)))
    this.enc = [k1, rev(k2), k3];
    this.dec = [rev(k3), k2, rev(k1)];
  }

  private run(hi: number, lo: number, seq: Uint8Array[][]): [number, number] {
    for (const ks of seq) [hi, lo] = desBlock(hi, lo, ks, this.t);
    return [hi, lo];
  }

  /** Encrypt one 8-byte block in place. */
  encryptBlock(b: Uint8Array, o: number): void {
    this.io(b, o, this.enc);
  }

  /** Decrypt one 8-byte block in place. */
  decryptBlock(b: Uint8Array, o: number): void {
    this.io(b, o, this.dec);
  }

  private io(b: Uint8Array, o: number, seq: Uint8Array[][]): void {
    const hi = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    const lo = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
    const [h, l] = this.run(hi, lo, seq);
    b[o] = h >>> 24;
    b[o + 1] = h >>> 16;
    b[o + 2] = h >>> 8;
    b[o + 3] = h;
    b[o + 4] = l >>> 24;
    b[o + 5] = l >>> 16;
    b[o + 6] = l >>> 8;
    b[o + 7] = l;
  }
}

/** An 8-byte block cipher usable by the CBC helpers. */
export interface BlockCipher64 {
  encryptBlock(b: Uint8Array, o: number): void;
  decryptBlock(b: Uint8Array, o: number): void;
}

/**
 * CBC decryption with PKCS#7 padding removal (RFC 5652 6.3). Returns null on a bad length or bad
 * padding, so callers can map it to one generic error.
 */
export function cbcDecrypt(cipher: BlockCipher64, iv: Uint8Array, data: Uint8Array): Uint8Array | null {
  if (iv.length !== 8 || data.length === 0 || data.length % 8 !== 0) return null;
  const out = new Uint8Array(data);
  let prev = iv.slice();
  for (let o = 0; o < out.length; o += 8) {
    const c = out.slice(o, o + 8);
    cipher.decryptBlock(out, o);
    for (let i = 0; i < 8; i++) out[o + i] ^= prev[i]!;
    prev = c;
  }
  const n = out[out.length - 1]!;
  let bad = n === 0 || n > 8 ? 1 : 0;
  for (let i = 1; i <= 8; i++) {
    // check the last n bytes without an early exit
    const inPad = i <= n ? 1 : 0;
    bad |= inPad & (out[out.length - i] !== n ? 1 : 0);
  }
  return bad ? null : out.subarray(0, out.length - n);
}

/** CBC encryption with PKCS#7 padding (RFC 5652 6.3). */
export function cbcEncrypt(cipher: BlockCipher64, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const pad = 8 - (data.length % 8);
  const out = new Uint8Array(data.length + pad);
  out.set(data);
  out.fill(pad, data.length);
  let prev = iv;
  for (let o = 0; o < out.length; o += 8) {
    for (let i = 0; i < 8; i++) out[o + i] ^= prev[i]!;
    cipher.encryptBlock(out, o);
    prev = out.subarray(o, o + 8);
  }
  return out;
}
