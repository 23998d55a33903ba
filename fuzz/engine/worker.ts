/**
 * One fuzzing child process: runs one target under a watchdog, steered by V8 block coverage.
 * Started by `fuzz/run.ts` with `--max-old-space-size`; reports its statistics over IPC.
 *
 *   node dist/fuzz/engine/worker.js --target NAME --time S [--runs N] [--ci] [--seed N]
 *   node dist/fuzz/engine/worker.js --target NAME --replay FILE
 *   node dist/fuzz/engine/worker.js --target NAME --minimize FILE
 */
import { Worker } from 'node:worker_threads';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isSmimeBridgeError } from '../../src/errors.js';
import { CoverageMap } from './coverage.js';
import { Mutator, Rng, dictionary } from './mutate.js';
import { OracleFailure, repoRoot, type Target } from './target.js';
import { findingText, hashOf, signatureOf } from './findings.js';
import { targets } from '../targets/index.js';

export interface WorkerStats {
  target: string;
  inputs: number;
  seconds: number;
  seeds: number;
  corpus: number;
  functionsCovered: number;
  functionsSeen: number;
  blocksCovered: number;
  blocksSeen: number;
  findings: string[];
  slowestMs: number;
  /** CPU time (user + system) of this process, seconds: the honest measure on a shared machine. */
  cpuSeconds: number;
}

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const targetName = arg('--target')!;
const target: Target | undefined = targets.find((t) => t.name === targetName);
if (!target) { console.error(`unknown target ${targetName}; known: ${targets.map((t) => t.name).join(', ')}`); process.exit(2); }
const timeoutMs = Math.max(Number(arg('--timeout-ms') ?? 3000), target.timeoutMs ?? 0);
await target.setup?.();
const rssBytes = Number(arg('--rss-mb') ?? 1536) * 1048576;
const findingsDir = join(repoRoot, 'fuzz', 'findings', target.name);
const corpusDir = join(repoRoot, 'fuzz', 'corpus', target.name);

// --- the watchdog ---------------------------------------------------------------------------
const ctrlBuf = new SharedArrayBuffer(5 * 4);
const ctrl = new Int32Array(ctrlBuf);
const dataBuf = new SharedArrayBuffer(Math.max(target.maxLen, 8 << 20));
const data = new Uint8Array(dataBuf);
const watchdog = new Worker(new URL('./watchdog.js', import.meta.url), {
  workerData: { ctrl: ctrlBuf, data: dataBuf, target: target.name, dir: findingsDir, timeoutMs, rssBytes, replayArg: '' },
});
await new Promise((ok) => watchdog.once('message', ok));
let seq = 0;

function begin(input: Uint8Array): void {
  Atomics.store(ctrl, 0, 0);
  const n = Math.min(input.length, data.length);
  data.set(input.subarray(0, n));
  ctrl[2] = n;
  const t = Date.now();
  ctrl[3] = Math.floor(t / 0x100000000);
  ctrl[4] = t | 0;
  Atomics.store(ctrl, 1, ++seq);
  Atomics.store(ctrl, 0, 1);
}
function end(): void { Atomics.store(ctrl, 0, 0); }

// --- one input --------------------------------------------------------------------------------
interface Outcome { ok: boolean; kind?: string; error?: unknown; ms: number }

async function runOne(input: Uint8Array): Promise<Outcome> {
  const t0 = performance.now();
  begin(input);
  try {
    await target!.run(input);
    return { ok: true, ms: performance.now() - t0 };
  } catch (e) {
    const ms = performance.now() - t0;
    if (e instanceof OracleFailure) return { ok: false, kind: 'oracle', error: e, ms };
    if (isSmimeBridgeError(e)) return { ok: true, ms };
    return { ok: false, kind: 'exception', error: e, ms };
  } finally {
    end();
  }
}

const seen = new Map<string, number>();
const findings: string[] = [];

function recordFinding(input: Uint8Array, o: Outcome): void {
  const sig = signatureOf(o.kind!, o.error);
  const n = seen.get(sig) ?? 0;
  seen.set(sig, n + 1);
  if (n >= 3) return; // a few inputs per distinct failure are enough
  mkdirSync(findingsDir, { recursive: true });
  const file = join(findingsDir, `${o.kind}-${hashOf(input)}.bin`);
  writeFileSync(file, input);
  const e = o.error as Error;
  writeFileSync(file.replace(/\.bin$/, '.txt'), findingText(target!.name, o.kind!, `signature: ${sig}\n\n${e?.stack ?? String(e)}`, file, ''));
  if (n === 0) findings.push(sig);
}

// --- modes ------------------------------------------------------------------------------------
const replayFile = arg('--replay');
const minimizeFile = arg('--minimize');

if (replayFile) {
  const input = new Uint8Array(readFileSync(replayFile));
  const o = await runOne(input);
  if (o.ok) console.log(`${target.name}: ${replayFile}: no finding (${o.ms.toFixed(0)} ms)`);
  else console.log(`${target.name}: ${replayFile}: ${o.kind} (${o.ms.toFixed(0)} ms)\n${(o.error as Error)?.stack ?? String(o.error)}`);
  process.exit(o.ok ? 0 : 1);
}

if (minimizeFile) {
  // Delta debugging by chunk removal, keeping the same failure signature.
  let best = new Uint8Array(readFileSync(minimizeFile));
  const first = await runOne(best);
  if (first.ok) { console.log('no finding to minimize'); process.exit(0); }
  const sig = signatureOf(first.kind!, first.error);
  const deadline = Date.now() + Number(arg('--time') ?? 60) * 1000;
  for (let chunk = Math.max(1, best.length >> 1); chunk >= 1 && Date.now() < deadline; chunk >>= 1) {
    for (let at = 0; at < best.length && Date.now() < deadline;) {
      const cand = new Uint8Array(best.length - Math.min(chunk, best.length - at));
      cand.set(best.subarray(0, at));
      cand.set(best.subarray(at + chunk), at);
      const o = await runOne(cand);
      if (!o.ok && signatureOf(o.kind!, o.error) === sig) best = cand; else at += chunk;
    }
  }
  const out = minimizeFile.replace(/(\.min)?\.bin$/, '') + '.min.bin';
  writeFileSync(out, best);
  console.log(`${best.length} bytes: ${out}\n${sig}`);
  process.exit(0);
}

// --- the fuzzing loop -------------------------------------------------------------------------
const ci = args.includes('--ci');
const seconds = Number(arg('--time') ?? 120);
/** Stop after this many inputs (`--runs`), whichever of time and runs comes first. */
const maxRuns = Number(arg('--runs') ?? Infinity);
const cpu0 = process.cpuUsage();
const rng = new Rng(Number(arg('--seed') ?? (ci ? 12 : Date.now() & 0x7fffffff)));
const cov = new CoverageMap((url) => url.includes('/dist/src/'));
await cov.start();
await cov.take();

const t0 = Date.now();
const deadline = t0 + seconds * 1000;
const corpus: Uint8Array[] = [];
let inputs = 0;
let slowestMs = 0;

async function exec(input: Uint8Array): Promise<void> {
  const o = await runOne(input);
  inputs++;
  if (o.ms > slowestMs) slowestMs = o.ms;
  if (!o.ok) recordFinding(input, o);
}

// Seeds first, each on its own so that each is kept only for coverage of its own.
const seeds = await target.seeds();
const saved: Uint8Array[] = [];
if (!ci && existsSync(corpusDir)) for (const f of readdirSync(corpusDir)) saved.push(new Uint8Array(readFileSync(join(corpusDir, f))));
// Inputs already written down as findings (a hang kills the process) are not run again.
const known = new Set(existsSync(findingsDir) ? readdirSync(findingsDir).map((f) => /-([0-9a-f]{12})\.bin$/.exec(f)?.[1]).filter(Boolean) : []);
for (const s of [...seeds, ...saved]) {
  if (Date.now() > deadline) break;
  if (known.has(hashOf(s))) continue;
  await exec(s);
  if (cov.merge(await cov.take()) > 0 || corpus.length === 0) corpus.push(s);
}

const mutator = new Mutator(rng, dictionary(target.dictionary), target.maxLen);
const pickCorpus = (): Uint8Array => {
  if (corpus.length === 0) return new Uint8Array(0);
  return rng.chance(0.5) ? corpus[rng.below(corpus.length)]! : corpus[corpus.length - 1 - rng.below(Math.min(64, corpus.length))]!;
};
let pool: Uint8Array[] = [];
const generated = (): Uint8Array => {
  if (pool.length === 0) pool = fc.sample(target!.generator!, { numRuns: 64, seed: rng.next() | 0 });
  return pool.pop()!;
};

function keep(input: Uint8Array): void {
  corpus.push(input);
  if (ci) return;
  mkdirSync(corpusDir, { recursive: true });
  writeFileSync(join(corpusDir, hashOf(input)), input);
}

let batchSize = 1;
let lastReport = Date.now();
while (Date.now() < deadline && inputs < maxRuns) {
  const batch: Uint8Array[] = [];
  for (let k = 0; k < batchSize && Date.now() < deadline && inputs < maxRuns; k++) {
    const input = target.generator && rng.chance(0.15) ? generated() : mutator.mutate(pickCorpus(), pickCorpus);
    batch.push(input);
    await exec(input);
  }
  const features = await cov.take();
  if (cov.hasNew(features)) {
    // Find which inputs of the batch brought the new coverage.
    if (batch.length === 1) { cov.merge(features); keep(batch[0]!); } else {
      for (const input of batch) {
        await exec(input);
        if (cov.merge(await cov.take()) > 0) keep(input);
      }
    }
    batchSize = Math.max(1, batchSize >> 1);
  } else {
    batchSize = Math.min(32, batchSize + 1);
  }
  if (!ci && Date.now() - lastReport > 30000) {
    lastReport = Date.now();
    const s = cov.summary();
    const c = process.cpuUsage(cpu0);
    process.send?.({ progress: { target: target.name, inputs, seconds: (Date.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, corpus: corpus.length, ...s, findings: findings.length } });
  }
}

const stats: WorkerStats = {
  target: target.name, inputs, seconds: (Date.now() - t0) / 1000, seeds: seeds.length, corpus: corpus.length,
  ...cov.summary(), findings, slowestMs,
  cpuSeconds: ((c) => (c.user + c.system) / 1e6)(process.cpuUsage(cpu0)),
};
await watchdog.terminate();
if (process.send) process.send({ stats }, () => process.exit(0)); else { console.log(JSON.stringify(stats)); process.exit(0); }
