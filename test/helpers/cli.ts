/** Run the `smime-bridge` command as a user would: a child process, real files. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Run the CLI; under `npm test` the compiled JavaScript, under tsx the TypeScript source. */
export function runCli(args: string[], opts: { cwd?: string } = {}): { status: number; stdout: string; stderr: string } {
  const argv = existsSync(compiled) ? [compiled, ...args] : ['--import', 'tsx', source, ...args];
  const r = spawnSync(process.execPath, argv, { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
