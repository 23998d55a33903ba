/**
 * Queue-mode benchmark (issue 15 item 5), `npm run bench:queue`: 10 000 messages (the four
 * samples repeated, each a file of its own) converted to .msg
 * - by the in-process batch (`convert DIR --out D --to msg --jobs 1`), the reference;
 * - through the queue (`queue submit` + N `worker` processes, N = 1, 2, 4, on a redis-server
 *   started here): messages per second from submit to the last worker's exit, peak RSS per worker
 *   (GNU time); the overhead of one worker against the in-process batch (target ≤ 15%);
 * - IMAP import (folder -> Dovecot) and export (Dovecot -> folder) of 1 000 messages against the
 *   folder batch of the same 1 000.
 * Writes its rows into bench/RESULTS.md between the queue markers (the other rows are kept).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { load1, machineInfo } from './machine.js';
import { startRedis } from '../test/helpers/redis.js';
import { startDovecot } from '../test/helpers/dovecot.js';

const BIN = resolve('dist/cli/smime-bridge.cjs');
const N = Number(process.env.QUEUE_BENCH_MESSAGES ?? 10_000);
const IMAP_N = Number(process.env.QUEUE_BENCH_IMAP_MESSAGES ?? 1000);
const BEGIN = '<!-- queue-bench:begin -->';
const END = '<!-- queue-bench:end -->';

interface Run { ms: number; rssMB: number[]; status: number[] }

/** Run commands at once, each under GNU time; wall time until the last ends. */
function runAll(cmds: string[][], env: Record<string, string> = {}): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-qbench-'));
  const t0 = performance.now();
  return Promise.all(cmds.map((args, i) => new Promise<{ rss: number; status: number }>((res) => {
    const f = join(dir, `rss${i}`);
    const p = spawn('/usr/bin/time', ['-f', '%M', '-o', f, process.execPath, BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
    p.on('close', (status) => res({ rss: Number(readFileSync(f, 'utf8').trim().split('\n').pop()) / 1024, status: status ?? -1 }));
  }))).then((r) => {
    rmSync(dir, { recursive: true, force: true });
    return { ms: performance.now() - t0, rssMB: r.map((x) => x.rss), status: r.map((x) => x.status) };
  });
}

function inputs(root: string, n: number, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const samples = ['clear-signed.eml', 'opaque-signed.eml', 'encrypted.eml', 'plain.eml'].map((s) => resolve('samples', s));
  for (let i = 0; i < n; i++) copyFileSync(samples[i % samples.length]!, join(dir, `m${String(i).padStart(5, '0')}.eml`));
  return dir;
}

const rows: string[] = [];
const row = (bench: string, input: string, ours: string, ref: string, ratio: string, target: string, met: string, notes: string) =>
  rows.push(`| ${bench} | ${input} | ${ours} | ${ref} | ${ratio} | ${target} | ${met} | ${notes} |`);

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'smime-qbench-'));
  const loadStart = load1();
  const redis = await startRedis();
  const dovecot = await startDovecot();
  try {
    const src = inputs(root, N, 'in');
    const rate = (n: number, ms: number) => n / (ms / 1000);
    // the reference: the in-process batch, one thread
    const batch = await runAll([['convert', src, '--out', join(root, 'batch'), '--to', 'msg', '--jobs', '1', '-q']]);
    if (batch.status[0] !== 0) throw new Error('batch failed');
    const perWorker = new Map<number, Run>();
    for (const workers of [1, 2, 4]) {
      const q = ['--redis', redis.url, '--queue', `bench${workers}`];
      const t0 = performance.now();
      const s = await runAll([['queue', 'submit', src, '--out', join(root, `q${workers}`), '--to', 'msg', '--per-job', '50', ...q, '-q']]);
      if (s.status[0] !== 0) throw new Error('submit failed');
      const w = await runAll(Array.from({ length: workers }, () => ['worker', ...q, '--until-empty', '-q']));
      if (w.status.some((x) => x !== 0)) throw new Error('a worker failed');
      const ms = performance.now() - t0;
      perWorker.set(workers, { ...w, ms });
      row(`queue: ${workers} worker${workers > 1 ? 's' : ''} (whole processes, submit included)`, `${N} messages (samples repeated), .eml -> .msg, 50 per job`,
        `${rate(N, ms).toFixed(0)} msg/s (${(ms / 1000).toFixed(1)} s)`, `in-process batch --jobs 1: ${rate(N, batch.ms).toFixed(0)} msg/s`,
        `${(ms / batch.ms).toFixed(2)}x the reference`, '(info)', '–', `peak RSS per worker ${w.rssMB.map((r) => `${r.toFixed(0)} MiB`).join(', ')}; submit ${(s.ms / 1000).toFixed(1)} s`);
    }
    const one = perWorker.get(1)!;
    const overhead = (one.ms - batch.ms) / batch.ms;
    row('queue overhead: 1 worker against the in-process batch', `${N} messages, the same input`, `${(one.ms / 1000).toFixed(1)} s`, `${(batch.ms / 1000).toFixed(1)} s`,
      `${overhead >= 0 ? '+' : ''}${(overhead * 100).toFixed(0)}%`, '≤ +15%', overhead <= 0.15 ? 'yes' : '**no**', `batch peak RSS ${batch.rssMB[0]!.toFixed(0)} MiB`);

    // IMAP import / export against the folder batch of the same messages
    const small = inputs(root, IMAP_N, 'in-small');
    const env = { IMAP_PW: dovecot.password };
    const folder = await runAll([['convert', small, '--out', join(root, 'folder-eml'), '--to', 'eml', '--jobs', '1', '-q']]);
    const imp = await runAll([['convert', small, '--out', dovecot.url('bench', 'Import'), '--imap-password-env', 'IMAP_PW', '-q']], env);
    const exp = await runAll([['convert', dovecot.url('bench', 'Import'), '--out', join(root, 'export'), '--to', 'eml', '--imap-password-env', 'IMAP_PW', '-q']], env);
    if (folder.status[0] || imp.status[0] || exp.status[0]) throw new Error('an IMAP run failed');
    row('IMAP import: folder -> Dovecot (APPEND, convert on one machine)', `${IMAP_N} messages (samples repeated), .eml`, `${rate(IMAP_N, imp.ms).toFixed(0)} msg/s`,
      `folder batch .eml -> .eml --jobs 1: ${rate(IMAP_N, folder.ms).toFixed(0)} msg/s`, `${(imp.ms / folder.ms).toFixed(2)}x the reference`, '(info)', '–', `peak RSS ${imp.rssMB[0]!.toFixed(0)} MiB; Dovecot on loopback, one connection`);
    row('IMAP export: Dovecot -> folder (FETCH, convert on one machine)', `${IMAP_N} messages`, `${rate(IMAP_N, exp.ms).toFixed(0)} msg/s`,
      `folder batch .eml -> .eml --jobs 1: ${rate(IMAP_N, folder.ms).toFixed(0)} msg/s`, `${(exp.ms / folder.ms).toFixed(2)}x the reference`, '(info)', '–', `peak RSS ${exp.rssMB[0]!.toFixed(0)} MiB`);
  } finally {
    await redis.stop();
    await dovecot.stop();
    rmSync(root, { recursive: true, force: true });
  }
  const m = machineInfo();
  const section = [BEGIN, '## Queue mode and IMAP (issue 15)', '',
    `Written by \`npm run bench:queue\` (bench/queue.ts) on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB.`,
    `1-minute load average ${loadStart.toFixed(2)} at the start, ${load1().toFixed(2)} at the end on 2 cores: other processes (other agents' builds and tests, a fuzzing campaign) competed for the CPU, so the rates are lower and noisier than on an idle machine, and more workers than cores cannot go faster. One run each (no medians).`, '',
    '| benchmark | input | ours | reference | ratio | target | met? | notes |', '|---|---|---|---|---|---|---|---|', ...rows, '', END].join('\n');
  const path = resolve('bench/RESULTS.md');
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const i = old.indexOf(BEGIN);
  const j = old.indexOf(END);
  writeFileSync(path, i >= 0 && j > i ? `${old.slice(0, i)}${section}${old.slice(j + END.length)}` : `${old.trimEnd()}\n\n${section}\n`);
  process.stdout.write(`${rows.join('\n')}\n\nwritten to ${path}\n`);
}

await main();
