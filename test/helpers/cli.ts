/** Run the `smime-bridge` command as a user would: a child process, real files. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../../cli/smime-bridge.cjs', import.meta.url));
const source = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

/** Run the CLI; under `npm test` the compiled JavaScript, under tsx the TypeScript source. */
export function runCli(args: string[], opts: { cwd?: string } = {}): { status: number; stdout: string; stderr: string } {
  const argv = existsSync(compiled) ? [compiled, ...args] : ['--import', 'tsx', source, ...args];
  const r = spawnSync(process.execPath, argv, { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A `--report FILE.jsonl`: one record per line, the last line `{"summary": ...}`. */
export function readReport<T = Record<string, unknown>, S = Record<string, unknown>>(path: string): { messages: T[]; summary: S } {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = lines.pop() as { summary?: S } | undefined;
  if (!last?.summary) throw new Error(`${path}: the last line is not a summary`);
  return { messages: lines as T[], summary: last.summary };
}

/**
 * Run the CLI on a pseudo-terminal (Python's pty module), as a person at a terminal would: stdin,
 * stdout and stderr are the terminal. `answer` is typed once `prompt` appears. Returns everything
 * the terminal showed.
 */
export function runInPty(args: string[], opts: { prompt?: string; answer?: string; timeoutMs?: number } = {}): { status: number; screen: string } {
  const py = `
import os, pty, sys
prompt = sys.argv[1].encode(); answer = sys.argv[2].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[3], sys.argv[3:])
out = b''
answered = not prompt
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk: break
    out += chunk
    if not answered and prompt in out:
        os.write(fd, answer + b'\\r'); answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf8', 'replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;
  const argv = existsSync(compiled) ? [compiled, ...args] : ['--import', 'tsx', source, ...args];
  const r = spawnSync('/usr/bin/python3', ['-c', py, opts.prompt ?? '', opts.answer ?? '', process.execPath, ...argv], { encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, screen: r.stdout };
}
