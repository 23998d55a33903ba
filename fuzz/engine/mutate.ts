/**
 * Byte-level mutations in the manner of libFuzzer / AFL: bit flips, interesting values, chunk
 * deletion, insertion, duplication and crossover, dictionary tokens, and long runs of one token
 * (the shape that exposes quadratic scans: runs of spaces, dots, `=`, NULs, boundaries).
 */

/** A small fast PRNG (xorshift32), seeded so that a run can be repeated. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0 || 0x9e3779b9; }
  next(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  /** An integer in [0, n). */
  below(n: number): number { return n <= 0 ? 0 : this.next() % n; }
  chance(p: number): boolean { return this.next() / 0x100000000 < p; }
  pick<T>(a: readonly T[]): T { return a[this.below(a.length)]!; }
}

const INTERESTING8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x20, 0x09, 0x3d, 0x2e, 0x2d, 0x3a, 0x3b, 0x22, 0x5c];
const INTERESTING32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x1000, 0xfffffffa];

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Mutator state for one target: its dictionary, the corpus to splice with, a size cap. */
export class Mutator {
  constructor(
    private readonly rng: Rng,
    private readonly dict: Uint8Array[],
    private readonly maxLen: number,
  ) {}

  /** Apply 1..8 stacked mutations to a copy of `input`; `other` is a corpus entry to splice with. */
  mutate(input: Uint8Array, other: () => Uint8Array): Uint8Array {
    let b = input;
    const n = 1 + this.rng.below(this.rng.chance(0.5) ? 2 : 8);
    for (let i = 0; i < n; i++) b = this.one(b, other);
    return b.length > this.maxLen ? b.subarray(0, this.maxLen) : b;
  }

  private token(): Uint8Array {
    if (this.dict.length > 0 && this.rng.chance(0.8)) return this.rng.pick(this.dict);
    const len = 1 + this.rng.below(8);
    const t = new Uint8Array(len);
    for (let i = 0; i < len; i++) t[i] = this.rng.chance(0.5) ? this.rng.pick(INTERESTING8) : this.rng.below(256);
    return t;
  }

  private one(b: Uint8Array, other: () => Uint8Array): Uint8Array {
    const r = this.rng;
    const len = b.length;
    const pos = r.below(len + 1);
    switch (r.below(13)) {
      case 0: { // flip a bit
        if (len === 0) return this.token();
        const c = b.slice(); c[r.below(len)]! ^= 1 << r.below(8); return c;
      }
      case 1: { // interesting byte
        if (len === 0) return this.token();
        const c = b.slice(); c[r.below(len)] = r.pick(INTERESTING8); return c;
      }
      case 2: { // random byte
        if (len === 0) return this.token();
        const c = b.slice(); c[r.below(len)] = r.below(256); return c;
      }
      case 3: { // delete a chunk
        if (len === 0) return b;
        const s = r.below(len), n = 1 + r.below(Math.min(len - s, r.chance(0.7) ? 16 : len));
        return concat(b.subarray(0, s), b.subarray(s + n));
      }
      case 4: case 5: // insert a dictionary token
        return concat(b.subarray(0, pos), this.token(), b.subarray(pos));
      case 6: { // overwrite with a dictionary token
        const t = this.token();
        if (len < t.length) return concat(b, t);
        const c = b.slice(); c.set(t, r.below(len - t.length + 1)); return c;
      }
      case 7: { // duplicate a chunk elsewhere
        if (len === 0) return this.token();
        const s = r.below(len), n = 1 + r.below(Math.min(len - s, 256));
        return concat(b.subarray(0, pos), b.subarray(s, s + n), b.subarray(pos));
      }
      case 8: { // splice with another corpus entry
        const o = other();
        if (o.length === 0) return b;
        const s = r.below(o.length), n = 1 + r.below(o.length - s);
        return r.chance(0.5)
          ? concat(b.subarray(0, pos), o.subarray(s, s + n))
          : concat(b.subarray(0, pos), o.subarray(s, s + n), b.subarray(pos));
      }
      case 9: { // a long run of one token: quadratic scans show up here
        const t = r.chance(0.5) ? this.token() : Uint8Array.of(r.pick(INTERESTING8));
        const reps = 1 + r.below(r.chance(0.8) ? 64 : Math.max(1, Math.floor(this.maxLen / 4 / Math.max(1, t.length))));
        const run = new Uint8Array(t.length * reps);
        for (let i = 0; i < reps; i++) run.set(t, i * t.length);
        return concat(b.subarray(0, pos), run, b.subarray(pos));
      }
      case 10: { // interesting 16/32-bit value, little- or big-endian
        if (len < 4) return concat(b, this.token());
        const c = b.slice();
        const v = r.pick(INTERESTING32) + (r.chance(0.3) ? r.below(5) - 2 : 0);
        const dv = new DataView(c.buffer, c.byteOffset, c.byteLength);
        const at = r.below(len - 3);
        if (r.chance(0.5)) dv.setUint32(at, v >>> 0, r.chance(0.7)); else dv.setUint16(at, v & 0xffff, r.chance(0.7));
        return c;
      }
      case 11: { // add or subtract a little from a byte (lengths, counts)
        if (len === 0) return this.token();
        const c = b.slice(); const at = r.below(len); c[at] = (c[at]! + r.below(35) - 17) & 0xff; return c;
      }
      default: { // swap two chunks (lines, parts, elements)
        if (len < 2) return b;
        const a = r.below(len), n = 1 + r.below(Math.min(64, len - a));
        const s2 = r.below(len), n2 = 1 + r.below(Math.min(64, len - s2));
        if (a + n > s2 && s2 + n2 > a) return b;
        const [f, fn, g, gn] = a < s2 ? [a, n, s2, n2] : [s2, n2, a, n];
        return concat(b.subarray(0, f), b.subarray(g, g + gn), b.subarray(f + fn, g), b.subarray(f, f + fn), b.subarray(g + gn));
      }
    }
  }
}

/** Dictionary entries as bytes (latin-1 for strings). */
export function dictionary(entries: readonly (string | Uint8Array)[]): Uint8Array[] {
  return entries.map((e) => typeof e === 'string' ? Uint8Array.from(e, (c) => c.charCodeAt(0) & 0xff) : e);
}
