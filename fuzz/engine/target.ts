/** What one fuzz harness provides, and the oracle failures it may raise. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type fc from 'fast-check';

/** One harness: a parser (and its writers) under test. */
export interface Target {
  name: string;
  /** What it exercises, one line. */
  description: string;
  /** Largest input the mutator makes. */
  maxLen: number;
  /** Seed inputs: files of the shared corpus and inputs generated the way the tests make them. */
  seeds(): Promise<Uint8Array[]> | Uint8Array[];
  /** Dictionary tokens of the format. */
  dictionary: readonly (string | Uint8Array)[];
  /** Structure-aware generator (fast-check), used for a share of the inputs. */
  generator?: fc.Arbitrary<Uint8Array>;
  /**
   * Run one input. May throw `SmimeBridgeError` (a rejected input); any other exception, an
   * {@link OracleFailure}, a hang or unbounded memory is a finding.
   */
  run(input: Uint8Array): unknown;
  /** Work done once before the first input (loading a fixed key), outside the time budget. */
  setup?(): Promise<unknown> | unknown;
  /** Time budget per input in ms when the default (3000) is too short for honest inputs (pure-JS KDFs under coverage). */
  timeoutMs?: number;
}

/** An invariant of the format did not hold (accepted but unwritable, lossy round trip, ...). */
export class OracleFailure extends Error {
  override readonly name = 'OracleFailure';
  constructor(readonly kind: string, message: string) { super(`${kind}: ${message}`); }
}

/**
 * The repository root (dist/fuzz/engine -> ../../..); `SMIME_FUZZ_ROOT` moves it (findings,
 * corpus), so that a long campaign can run from a copy of dist/ while the tree is rebuilt.
 */
export const repoRoot = resolve(process.env.SMIME_FUZZ_ROOT ?? new URL('../../..', import.meta.url).pathname);
/** The shared corpus (read-only, referenced by path; `SMIME_FUZZ_SHARED` moves it). */
export const sharedCorpus = resolve(process.env.SMIME_FUZZ_SHARED ?? resolve(repoRoot, '../shared/corpus'));

/** Every file under `dir` whose name matches `re` (sorted; at most `limit`; files above `maxBytes` skipped). */
export function corpusFiles(dir: string, re: RegExp, limit = 500, maxBytes = 4 << 20): Uint8Array[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try { names = readdirSync(d).sort(); } catch { return; }
    for (const n of names) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (re.test(n) && st.size <= maxBytes) out.push(p);
    }
  };
  walk(dir);
  return out.slice(0, limit).map((p) => new Uint8Array(readFileSync(p)));
}

const te = new TextEncoder();
export const utf8 = (s: string): Uint8Array => te.encode(s);
export const latin1Bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
export const latin1Text = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
};

/** Byte equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** JSON with object keys sorted: equality of values regardless of key order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => val && typeof val === 'object' && !Array.isArray(val) && !(val instanceof Uint8Array)
    ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : val);
}
