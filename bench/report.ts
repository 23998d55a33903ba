/** Benchmark rows and the bench/RESULTS.md they are written to. */
import { writeFileSync } from 'node:fs';
import type { MachineInfo } from './machine.js';
import { fmtMs, median } from './stats.js';

/**
 * How a row's ratio reads: `faster` = peer median / our median (higher is better, target is a
 * minimum); `within` = our median / reference median (lower is better, target is a maximum).
 */
export type RatioKind = 'faster' | 'within' | 'over' | 'max';

/** One line of the results table. */
export interface Row {
  /** What is measured, e.g. `.msg read`. */
  bench: string;
  /** The input, e.g. `69 corpus .msg files, 4.1 MB`. */
  input: string;
  ours: { label: string; samples: number[] };
  peer: { label: string; samples: number[] };
  kind: RatioKind;
  /** Target ratio (minimum for `faster`, maximum for `within`); absent for information rows. */
  target?: number;
  /** Unit of the samples (default ms). */
  unit?: 'ms' | 'ms CPU' | 'kB' | 'ms/message';
  /** Extra facts: memory, notes. */
  note?: string;
  /** A second condition that must hold for the target to be met (e.g. peak memory). */
  extraMet?: boolean;
}

/** The ratio of a row, as defined by its kind. */
export function ratioOf(r: Row): number {
  const o = median(r.ours.samples);
  const p = median(r.peer.samples);
  if (r.kind === 'over') return o - p;
  if (r.kind === 'max') return o;
  return r.kind === 'faster' ? p / o : o / p;
}

/** Whether a row meets its target (undefined for information rows). */
export function metOf(r: Row): boolean | undefined {
  if (r.target === undefined) return undefined;
  const x = ratioOf(r);
  const ok = r.kind === 'faster' ? x >= r.target : x <= r.target;
  return ok && r.extraMet !== false;
}

function ratioText(r: Row): string {
  const x = ratioOf(r);
  if (!Number.isFinite(x)) return 'failed';
  if (r.kind === 'over') return `${x >= 0 ? '+' : ''}${x.toFixed(0)} ${r.unit ?? 'ms'} over the reference`;
  if (r.kind === 'max') return `${x.toFixed(1)} ${r.unit ?? 'ms'}`;
  return r.kind === 'faster' ? `${x.toFixed(2)}x faster` : `${x.toFixed(2)}x the reference`;
}

function targetText(r: Row): string {
  if (r.target === undefined) return '(info)';
  if (r.kind === 'over') return `≤ +${r.target} ${r.unit ?? 'ms'}`;
  if (r.kind === 'max') return `≤ ${r.target} ${r.unit ?? 'ms'}`;
  return r.kind === 'faster' ? `≥ ${r.target}x faster` : `≤ ${r.target}x`;
}

const val = (r: Row, xs: number[]) => (!r.unit || r.unit === 'ms' ? fmtMs(median(xs)) : `${median(xs).toFixed(r.unit === 'ms/message' ? 3 : r.unit === 'kB' ? 1 : 0)} ${r.unit}`);
const esc = (s: string) => s.replace(/\|/g, '\\|');

/** The Markdown table of `rows`. */
export function table(rows: readonly Row[]): string {
  const out = [
    '| benchmark | input | ours (median) | peer (median) | ratio | target | met? | notes |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const met = metOf(r);
    out.push(`| ${esc(r.bench)} | ${esc(r.input)} | ${esc(r.ours.label)}: ${val(r, r.ours.samples)} | ${r.peer.samples.length ? `${esc(r.peer.label)}: ${val(r, r.peer.samples)}` : esc(r.peer.label)} | ${ratioText(r)} | ${targetText(r)} | ${met === undefined ? '–' : met ? 'yes' : '**no**'} | ${esc(r.note ?? '')} |`);
  }
  return out.join('\n');
}

/** Write bench/RESULTS.md. */
export function writeResults(path: string, m: MachineInfo, rows: readonly Row[], opts: { quick: boolean; rounds: string; notes: string[]; loadEnd: number }): void {
  const text = `# smime-bridge benchmark results

Written by \`npm run bench${opts.quick ? ' -- --quick' : ''}\` (bench/run.ts). Do not edit by hand; rerun the bench.
${opts.quick ? '\n**Quick run: small inputs only, fewer rounds. The targets refer to the full run.**\n' : ''}
- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB memory, ${m.os}
- Node ${m.node}; ${m.openssl}
- Date: ${m.date}; 1-minute load average ${m.loadStart} at the start, ${opts.loadEnd} at the end (${m.cores} cores: a load above ${m.cores} means other processes competed for the CPU and medians are noisier)
- Rounds: ${opts.rounds}. Contenders alternate within each round (the first one rotates); medians reported.

${table(rows)}

How to read it: for "x faster" rows the ratio is peer ÷ ours; for "x the reference" rows it is
ours ÷ reference (the floor, or \`openssl cms\`). "ours" times are in-process unless the label says
"whole process"; whole-process times include process start-up.

## Notes

${opts.notes.map((n) => `- ${n}`).join('\n')}
`;
  writeFileSync(path, text);
}
