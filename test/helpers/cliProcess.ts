/**
 * The `smime-bridge` command as a long-running child process (workers): started without waiting,
 * killed with a signal, awaited for its exit code and output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../cli/smime-bridge.cjs', import.meta.url));

export interface CliProcess {
  proc: ChildProcess;
  /** The standard error so far. */
  stderr(): string;
  done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

const running = new Set<ChildProcess>();

/** SIGKILL every process started here that still runs (a failed test must not leave workers behind). */
export function killAll(): void {
  for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

/** Start `smime-bridge ARGS` (the built command) with extra environment variables. */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const proc = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => { stdout += d; });
  proc.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    proc.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { proc, done, stderr: () => stderr };
}

/** Run `smime-bridge ARGS` to its end. */
export function runCliAsync(args: string[], env: Record<string, string> = {}) {
  return startCli(args, env).done;
}

/** Poll `f` every `ms` until it returns true (or throw after `timeoutMs`). */
export async function until(f: () => boolean | Promise<boolean>, what: string, timeoutMs = 120_000, ms = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, ms));
  }
}

/** What a run on a pseudo-terminal showed (test/helpers/pty_drive.py). */
export interface TerminalRun { status: number; output: string; prompted: boolean; afterAnswer: string }

/**
 * Run `smime-bridge ARGS` on a pseudo-terminal driven by Python's pty module: when the terminal
 * shows text matching `prompt`, `answer` is typed (then Enter). Resolves when the command ends.
 */
export function runOnTerminal(args: string[], prompt: string, answer: string, env: Record<string, string> = {}): Promise<TerminalRun> {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/python3', ['test/helpers/pty_drive.py', prompt, answer, process.execPath, bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    running.add(p);
    let out = '';
    p.stdout!.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('close', (status) => {
      running.delete(p);
      if (status !== 0) reject(new Error(`pty_drive.py exited ${status}: ${out}`));
      else resolve(JSON.parse(out) as TerminalRun);
    });
  });
}
