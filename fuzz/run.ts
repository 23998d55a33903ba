/**
 * `npm run fuzz`: run every harness (or one, `--target NAME`) for `--time S` seconds each, one
 * child process at a time with a memory budget (`--max-old-space-size`, plus a resident-memory
 * watchdog) and a per-input time budget. Findings go to `fuzz/findings/<target>/` with the command
 * that replays each; inputs that reached new coverage go to `fuzz/corpus/<target>/` (not committed)
 * and seed the next run.
 *
 *   npm run fuzz [-- --time 180] [--runs N] [--target eml[,msg,...]] [--timeout-ms 3000] [--heap-mb 1024]
 *   npm run fuzz -- --time 1200 --runs 1000000     (the long campaign: 1M inputs or 20 min per target)
 *   npm run fuzz -- --replay fuzz/findings/eml/hang-0123abcd.bin
 *   npm run fuzz -- --minimize fuzz/findings/eml/exception-0123abcd.bin
 *   npm run fuzz:ci        (every harness over its seeds, --ci --time 30; fails on a finding)
 */
import { fork } from 'node:child_process';
import { existsSync, readdirSync, renameSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { repoRoot } from './engine/target.js';
import { hashOf } from './engine/findings.js';
import type { WorkerStats } from './engine/worker.js';
import { targets } from './targets/index.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const ci = args.includes('--ci');
const time = Number(arg('--time') ?? (ci ? 12 : 180));
const heapMb = Number(arg('--heap-mb') ?? 1024);
const runs = Number(arg('--runs') ?? Infinity);
const timeoutMs = arg('--timeout-ms') ?? '3000';
const rssMb = String(heapMb + 512);
const worker = new URL('./engine/worker.js', import.meta.url).pathname;

interface Progress { inputs: number; cpuSeconds: number }

function child(target: string, extra: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stats?: WorkerStats; progress?: Progress }> {
  return new Promise((ok) => {
    let stats: WorkerStats | undefined;
    let progress: Progress | undefined;
    const p = fork(worker, ['--target', target, '--timeout-ms', timeoutMs, '--rss-mb', rssMb, ...extra], {
      // stdin is /dev/null: a harness (the command line) that reads standard input gets an empty one.
      execArgv: [`--max-old-space-size=${heapMb}`, '--stack-size=984'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    p.on('message', (m: { stats?: WorkerStats; progress?: Record<string, unknown> & Progress }) => {
      if (m.stats) stats = m.stats;
      if (m.progress) { progress = m.progress; console.error(`  ... ${JSON.stringify(m.progress)}`); }
    });
    p.on('exit', (code, signal) => ok({ code, signal, stats, progress }));
  });
}

function targetOfFile(file: string): string {
  const t = arg('--target') ?? basename(dirname(resolve(file))).replace(/^(.*)$/, '$1');
  if (!targets.some((x) => x.name === t)) throw new Error(`cannot tell the target of ${file}; add --target NAME`);
  return t;
}

const replay = arg('--replay');
const minimize = arg('--minimize');
if (replay || minimize) {
  const file = (replay ?? minimize)!;
  const r = await child(targetOfFile(file), replay ? ['--replay', resolve(file)] : ['--minimize', resolve(file), '--time', String(arg('--time') ?? 60)]);
  if (r.signal) console.log(`killed by ${r.signal}: the watchdog found a hang or memory overrun (see fuzz/findings/${targetOfFile(file)}/)`);
  process.exit(r.code ?? 1);
}

const names = arg('--target')?.split(',');
const chosen = names ? targets.filter((t) => names.includes(t.name)) : targets;
if (chosen.length === 0) { console.error(`unknown target; known: ${targets.map((t) => t.name).join(', ')}`); process.exit(2); }

interface Row { target: string; inputs: number; seconds: number; cpu: number; rate: number; functions: string; blocks: string; corpus: number; findings: number; restarts: number }
const rows: Row[] = [];
let failed = false;
for (const t of chosen) {
  const started = Date.now();
  const deadline = started + time * 1000;
  let inputs = 0, restarts = 0, cpu = 0;
  let last: WorkerStats | undefined;
  const sigs = new Set<string>();
  const before = new Set(existsSync(join(repoRoot, 'fuzz/findings', t.name)) ? readdirSync(join(repoRoot, 'fuzz/findings', t.name)) : []);
  while (Date.now() < deadline - 1000 && inputs < runs) {
    const left = Math.max(1, Math.round((deadline - Date.now()) / 1000));
    const r = await child(t.name, ['--time', String(left), ...(Number.isFinite(runs) ? ['--runs', String(runs - inputs)] : []), ...(ci ? ['--ci'] : []), ...(arg('--seed') ? ['--seed', arg('--seed')!] : [])]);
    if (r.stats) { inputs += r.stats.inputs; cpu += r.stats.cpuSeconds; last = r.stats; r.stats.findings.forEach((s) => sigs.add(s)); }
    if (r.code === 0 && r.stats) break;
    // A child that was killed sends no statistics: count what its last progress report said.
    if (!r.stats && r.progress) { inputs += r.progress.inputs; cpu += r.progress.cpuSeconds; }
    // Killed (hang, memory) or died (V8 heap abort): keep the input it was on, then go on.
    restarts++;
    const dir = join(repoRoot, 'fuzz/findings', t.name);
    const cur = join(dir, '.current');
    if (existsSync(cur)) {
      const kind = r.signal === 'SIGKILL' ? 'killed' : 'crash';
      const dest = join(dir, `${kind}-${hashOf(readFileSync(cur))}.bin`);
      renameSync(cur, dest);
    }
    sigs.add(`${r.signal ?? r.code}`);
    if (ci) break;
  }
  const after = existsSync(join(repoRoot, 'fuzz/findings', t.name)) ? readdirSync(join(repoRoot, 'fuzz/findings', t.name)).filter((f) => f.endsWith('.bin') && !before.has(f)) : [];
  const seconds = (Date.now() - started) / 1000;
  const row: Row = {
    target: t.name, inputs, seconds: Math.round(seconds), cpu: Math.round(cpu), rate: Math.round(inputs / seconds),
    functions: last ? `${last.functionsCovered}/${last.functionsSeen}` : '?', blocks: last ? `${last.blocksCovered}/${last.blocksSeen}` : '?',
    corpus: last?.corpus ?? 0, findings: after.length, restarts,
  };
  rows.push(row);
  if (after.length > 0) failed = true;
  console.log(`${t.name}: ${inputs} inputs in ${row.seconds} s (${row.rate}/s; ${row.cpu} s CPU), functions ${row.functions}, blocks ${row.blocks}, corpus ${row.corpus}, new findings ${after.length}${after.length ? ': ' + after.map((f) => `fuzz/findings/${t.name}/${f}`).join(' ') : ''}`);
}
console.log('\n| target | inputs | seconds | CPU s | inputs/s | functions covered/seen | blocks covered/seen | corpus | new findings |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.target} | ${r.inputs} | ${r.seconds} | ${r.cpu} | ${r.rate} | ${r.functions} | ${r.blocks} | ${r.corpus} | ${r.findings} |`);
if (failed) console.log('\nreplay a finding: npm run fuzz -- --replay fuzz/findings/<target>/<file>.bin');
process.exit(failed && ci ? 1 : 0);
