/**
 * PT_SYSTIME values are FILETIMEs: 100-nanosecond ticks since 1601-01-01 UTC (MS-DTYP 2.3.3).
 * They are kept as bigint so no precision is lost; helpers convert to Date and ISO 8601.
 */

const EPOCH_DIFF_MS = 11644473600000n; // ms between 1601-01-01 and 1970-01-01

/** Date -> FILETIME ticks. */
export function dateToFiletime(d: Date): bigint {
  return (BigInt(d.getTime()) + EPOCH_DIFF_MS) * 10000n;
}

/** FILETIME ticks -> Date (sub-millisecond ticks dropped). */
export function filetimeToDate(ft: bigint): Date {
  return new Date(Number(ft / 10000n - EPOCH_DIFF_MS));
}

/** FILETIME ticks -> ISO 8601 with seven fractional digits (`2026-11-23T18:05:26.1234567Z`): lossless. */
export function filetimeToIso(ft: bigint): string {
  const ms = ft / 10000n;
  const rest = ft % 10000n;
  const d = new Date(Number(ms - EPOCH_DIFF_MS));
  if (Number.isNaN(d.getTime())) return `filetime:${ft}`;
  const iso = d.toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ (or ±yyyyyy for far dates)
  return `${iso.slice(0, -1)}${rest.toString().padStart(4, '0')}Z`;
}

/** Inverse of {@link filetimeToIso}; accepts any ISO 8601 Date.parse understands, and `filetime:N`. */
export function isoToFiletime(s: string): bigint | undefined {
  if (s.startsWith('filetime:')) {
    try { return BigInt(s.slice(9)); } catch { return undefined; }
  }
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?(Z|[+-]\d\d:?\d\d)$/.exec(s);
  if (!m) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : dateToFiletime(new Date(t));
  }
  const frac = (m[2] ?? '').padEnd(7, '0');
  const base = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(base)) return undefined;
  return (BigInt(base) + EPOCH_DIFF_MS) * 10000n + BigInt(frac);
}
