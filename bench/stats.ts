/**
 * Benchmark bookkeeping: medians, wall-clock timing and the alternating round scheduler.
 * Hand-written (a dozen lines) rather than a benchmark library, because every contender here is
 * timed differently (in-process call, dedicated child, whole process) and all must share rounds.
 */

/** Median of a non-empty list (mean of the middle two for even counts). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Time `fn` (sync or async), in milliseconds. */
export async function timeIt(fn: () => unknown): Promise<number> {
  const t0 = nowMs();
  await fn();
  return nowMs() - t0;
}

/** One contender of a benchmark: `run` performs one round and returns its elapsed milliseconds. */
export interface Contender {
  name: string;
  run: () => Promise<number> | number;
}

/**
 * Run every contender `rounds` times, alternating: round r starts with contender r mod n, so no
 * contender always runs first (warm caches, GC debt). Returns the samples per contender.
 */
export async function alternate(rounds: number, contenders: readonly Contender[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(r + k) % contenders.length]!;
      out.get(c.name)!.push(await c.run());
    }
  }
  return out;
}

/** Human size: 1.0 MB, 25.0 MB. */
export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Milliseconds with sensible precision. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}
