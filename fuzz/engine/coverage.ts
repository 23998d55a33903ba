/**
 * Coverage feedback from V8 itself (`node:inspector`, Profiler.startPreciseCoverage with block
 * counts). Jazzer.js cannot run on these machines (its native binary needs GLIBC 2.38) and no
 * other packaged coverage-guided fuzzer runs on Node, so the mutation loop asks V8 which blocks
 * of the built library (`dist/src/`) an input reached.
 *
 * V8 reports per function a list of ranges; a nested range is listed only where its count
 * differs from the enclosing one. A block seen once is remembered, and on every later report it
 * counts as covered when the innermost reported range around it has a count above zero.
 */
import { Session } from 'node:inspector/promises';

interface Range { startOffset: number; endOffset: number; count: number }
interface FunctionCoverage { functionName: string; ranges: Range[]; isBlockCoverage: boolean }
interface ScriptCoverage { scriptId: string; url: string; functions: FunctionCoverage[] }

/** One feature per covered function and per covered block, as compact strings. */
export class CoverageMap {
  /** Features ever covered. */
  readonly covered = new Set<string>();
  /** Known blocks per function key (`url#start`), as `start:end` pairs. */
  private readonly blocks = new Map<string, Set<string>>();
  /** Every function key seen in a report (covered or not). */
  readonly functions = new Set<string>();
  readonly coveredFunctions = new Set<string>();
  private session = new Session();
  constructor(private readonly include: (url: string) => boolean) {}

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  /** Take (and reset) the counts; return the features covered since the last take. */
  async take(): Promise<Set<string>> {
    const { result } = (await this.session.post('Profiler.takePreciseCoverage')) as unknown as { result: ScriptCoverage[] };
    const now = new Set<string>();
    for (const script of result) {
      if (!this.include(script.url)) continue;
      const u = script.scriptId;
      for (const fn of script.functions) {
        const top = fn.ranges[0];
        if (!top) continue;
        const fkey = `${u}#${top.startOffset}`;
        this.functions.add(fkey);
        let known = this.blocks.get(fkey);
        for (let i = 1; i < fn.ranges.length; i++) {
          const r = fn.ranges[i]!;
          if (!known) this.blocks.set(fkey, (known = new Set()));
          known.add(`${r.startOffset}:${r.endOffset}`);
        }
        if (top.count === 0) continue;
        now.add(`F${fkey}`);
        if (!known) continue;
        for (const b of known) {
          const colon = b.indexOf(':');
          const s = Number(b.slice(0, colon)), e = Number(b.slice(colon + 1));
          // innermost reported range holding [s, e): ranges are listed outer before inner
          let count = top.count;
          for (let i = 1; i < fn.ranges.length; i++) {
            const r = fn.ranges[i]!;
            if (r.startOffset <= s && r.endOffset >= e) count = r.count;
          }
          if (count > 0) now.add(`B${fkey}@${b}`);
        }
      }
    }
    return now;
  }

  /** Features of `features` not covered before; adds them. */
  merge(features: Set<string>): number {
    let added = 0;
    for (const f of features) {
      if (this.covered.has(f)) continue;
      this.covered.add(f);
      if (f.startsWith('F')) this.coveredFunctions.add(f.slice(1));
      added++;
    }
    return added;
  }

  /** True when `features` holds one not yet covered. */
  hasNew(features: Set<string>): boolean {
    for (const f of features) if (!this.covered.has(f)) return true;
    return false;
  }

  summary(): { functionsCovered: number; functionsSeen: number; blocksCovered: number; blocksSeen: number } {
    let blocksSeen = 0;
    for (const s of this.blocks.values()) blocksSeen += s.size;
    return {
      functionsCovered: this.coveredFunctions.size,
      functionsSeen: this.functions.size,
      blocksCovered: this.covered.size - this.coveredFunctions.size,
      blocksSeen,
    };
  }
}
