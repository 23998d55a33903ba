/**
 * Whole-process and dedicated-child measurements (Node only). Whole processes run under
 * GNU `/usr/bin/time -f %M` for their peak resident memory; children of dist/bench/child.js
 * report their own in-process time and peak memory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildResult } from './child.js';
import { nowMs } from './stats.js';

/** A whole process run: wall time, peak RSS (when /usr/bin/time exists), exit status. */
export interface ProcResult {
  ms: number;
  /** User + system CPU time of the process in ms (GNU time, 10 ms resolution); NaN without it. */
  cpuMs: number;
  maxRssMB: number;
  status: number | null;
  stderr: string;
}

const TIME = '/usr/bin/time';
const tmp = mkdtempSync(join(tmpdir(), 'smime-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** Run `cmd args` to completion; wall time measured around the spawn (process start included). */
export function runProcess(cmd: string, args: string[], opts: { cwd?: string } = {}): ProcResult {
  const rssFile = join(tmp, 'rss');
  const haveTime = existsSync(TIME);
  const [c, a] = haveTime ? [TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const t0 = nowMs();
  const r = spawnSync(c, a, { cwd: opts.cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const ms = nowMs() - t0;
  let maxRssMB = Number.NaN;
  let cpuMs = Number.NaN;
  if (haveTime) {
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    const [rss, user, sys] = lines[lines.length - 1]!.split(' ');
    maxRssMB = parseInt(rss!, 10) / 1024;
    cpuMs = (parseFloat(user!) + parseFloat(sys!)) * 1000;
  }
  return { ms, cpuMs, maxRssMB, status: r.status, stderr: r.stderr?.toString('utf8') ?? String(r.error) };
}

/** The compiled child script. */
export const CHILD = resolve('dist/bench/child.js');

/** Run one task of dist/bench/child.js in a fresh Node process. Throws when the task fails. */
export function runChild(task: string, args: Record<string, unknown>): ChildResult {
  const r = spawnSync(process.execPath, [CHILD, task, JSON.stringify(args)], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let res: ChildResult;
  try {
    res = JSON.parse(line) as ChildResult;
  } catch {
    throw new Error(`child ${task} failed (status ${r.status}): ${r.stderr.slice(0, 2000)}`);
  }
  if (!res.ok) throw new Error(`child ${task} failed: ${res.detail}`);
  return res;
}

/** The smime-bridge command as installed (dist/cli/smime-bridge.cjs, package.json bin, which runs the bundle beside it). */
export const CLI = resolve('dist/cli/smime-bridge.cjs');

/** `smime-bridge help` text, to see which subcommands exist in this build. */
export function cliHelp(): string {
  const r = spawnSync(process.execPath, [CLI, 'help'], { encoding: 'utf8' });
  return r.stdout ?? '';
}
