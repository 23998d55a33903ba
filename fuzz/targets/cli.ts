/**
 * The command line (src/cli/main.ts): argument vectors run in-process through `main`, inside a
 * sandbox folder of fixtures (samples, keys, a .msg, a JSON form, an mbox, X.400, a folder and a
 * Maildir) that is rebuilt after every input.
 *
 * Input: the arguments, separated by NUL or newline. A `/` in an argument becomes `_`, so every
 * path stays inside the sandbox and no `imap://` or other URL reaches the network; `web`, `demo`,
 * `queue` and `worker` (a server, a whole tour, a queue that waits for Redis) become `help`.
 * Standard input is /dev/null (fuzz/run.ts), so `-` reads an empty file.
 *
 * Invariants (the house rules of the command, README "Exit codes"):
 * - the exit code is one of the table (src/cli/exit.ts), never INTERNAL (3): that code means an
 *   exception other than SmimeBridgeError reached the command, which is re-thrown as the finding;
 * - a usage error (2) or any other failure says something (stderr, or the JSON error record);
 * - `inspect --json` / `verify --json` write JSON only: one document, or one per line.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { main, buildProgram } from '../../src/cli/main.js';
import { Printer } from '../../src/cli/output.js';
import { EXIT } from '../../src/cli/exit.js';
import type { Command } from 'commander';
import { OracleFailure, corpusFiles, latin1Bytes, repoRoot, sharedCorpus, type Target } from '../engine/target.js';

const sandbox = join(shmOrTmp(), `smime-bridge-fuzz-cli-${process.pid}`);
function shmOrTmp(): string {
  try { readdirSync('/dev/shm'); return '/dev/shm'; } catch { return process.env.TMPDIR ?? '/tmp'; }
}

/** The fixture files, by name relative to the sandbox (folders with `/`). */
const fixtures = new Map<string, Uint8Array>();

const BLOCKED = new Set(['web', 'demo', 'queue', 'worker']);
const EXIT_CODES = new Set<number>(Object.values(EXIT));
const dec = new TextDecoder('utf-8', { fatal: false });

/** NUL- or newline-separated arguments, sanitised as the header says (at most 32). */
export function argvOf(input: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= input.length && out.length < 32; i++) {
    if (i === input.length || input[i] === 0 || input[i] === 0x0a) {
      const arg = dec.decode(input.subarray(start, Math.min(i, start + 512))).replace(/\//g, '_');
      out.push(BLOCKED.has(arg) ? 'help' : arg);
      start = i + 1;
    }
  }
  return out;
}

function sample(name: string): Uint8Array { return new Uint8Array(readFileSync(join(repoRoot, 'samples', name))); }

async function makeFixtures(): Promise<void> {
  for (const n of ['plain.eml', 'clear-signed.eml', 'opaque-signed.eml', 'encrypted.eml']) fixtures.set(n, sample(n));
  for (const n of ['alice.key', 'alice.pem', 'bob.key', 'bob.pem', 'ca.pem']) fixtures.set(n, sample(`keys/${n}`));
  const p12 = corpusFiles(sharedCorpus, /^Bob\.p12$/, 1)[0];
  if (p12) fixtures.set('bob.p12', p12);
  fixtures.set('pw.txt', latin1Bytes('nss\n'));
  const from = latin1Bytes('From a@example.org Tue Dec  1 09:00:00 2026\n');
  const cs = fixtures.get('clear-signed.eml')!, pl = fixtures.get('plain.eml')!;
  fixtures.set('box.mbox', concat(from, cs, latin1Bytes('\n'), from, pl, latin1Bytes('\n')));
  fixtures.set('dir/a.eml', cs);
  fixtures.set('dir/b.eml', pl);
  fixtures.set('md/cur/1.host:2,S', cs);
  fixtures.set('md/new/2.host', pl);
  fixtures.set('md/tmp/3.host', pl);
  // The .msg, JSON and X.400 forms come from the command itself, made once.
  rebuild();
  const quiet = captureOutput();
  try {
    for (const argv of [['convert', 'clear-signed.eml', 'signed.msg'], ['convert', 'encrypted.eml', 'enc.msg'], ['convert', 'clear-signed.eml', 'signed.json'],
      ['x400', 'wrap', 'opaque-signed.eml', '-o', 'signed.p1']]) {
      const code = await main(argv);
      if (code !== 0) throw new Error(`fixture ${argv.join(' ')}: exit ${code}: ${quiet.text()}`);
    }
  } finally { quiet.restore(); }
  for (const n of ['signed.msg', 'enc.msg', 'signed.json', 'signed.p1']) fixtures.set(n, new Uint8Array(readFileSync(join(sandbox, n))));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Empty the sandbox (keeping the folder: it is the working directory) and write the fixtures again. */
function rebuild(): void {
  mkdirSync(sandbox, { recursive: true });
  for (const n of readdirSync(sandbox)) rmSync(join(sandbox, n), { recursive: true, force: true });
  for (const [name, bytes] of fixtures) {
    const p = join(sandbox, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, bytes);
  }
}

/** Standard output and error written into memory (at most 1 MiB each) while a command runs. */
function captureOutput(): { out: () => string; text: () => string; restore: () => void } {
  const chunks = { out: [] as string[], err: [] as string[] };
  const sizes = { out: 0, err: 0 };
  const saved = { out: process.stdout.write, err: process.stderr.write };
  const writer = (which: 'out' | 'err') => ((chunk: string | Uint8Array, enc?: unknown, cb?: unknown): boolean => {
    const s = typeof chunk === 'string' ? chunk : dec.decode(chunk);
    if (sizes[which] < 1 << 20) { chunks[which].push(s); sizes[which] += s.length; }
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as (e?: Error) => void)());
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = writer('out');
  process.stderr.write = writer('err');
  return {
    out: () => chunks.out.join(''),
    text: () => chunks.out.join('') + chunks.err.join(''),
    restore: () => { process.stdout.write = saved.out; process.stderr.write = saved.err; },
  };
}

/** The last error a Printer reported: an INTERNAL exit re-throws it, so the finding has its stack. */
let lastError: unknown;
function recordPrinterErrors(): void {
  const printerError = Printer.prototype.error;
  Printer.prototype.error = function (this: Printer, e: unknown, context?: string): number {
    lastError = e;
    return printerError.call(this, e, context);
  };
}

/** Command names, option flags and their choices, from the program itself. */
function programWords(): string[] {
  const words = new Set<string>();
  const walk = (c: Command): void => {
    words.add(c.name());
    for (const o of c.options) {
      if (o.long) words.add(o.long);
      if (o.short) words.add(o.short);
      for (const ch of o.argChoices ?? []) words.add(ch);
    }
    for (const s of c.commands) walk(s);
  };
  walk(buildProgram(() => undefined));
  return [...words].filter((w) => !BLOCKED.has(w));
}

const FILES = ['plain.eml', 'clear-signed.eml', 'opaque-signed.eml', 'encrypted.eml', 'alice.key', 'alice.pem', 'bob.key', 'bob.pem', 'ca.pem',
  'bob.p12', 'pw.txt', 'box.mbox', 'dir', 'md', 'signed.msg', 'enc.msg', 'signed.json', 'signed.p1', 'out.msg', 'out.eml', 'out.json', 'out.mbox', 'outdir', '-'];
const VALUES = ['0', '1', '2', '-1', '99999999999', '1e3', '', ' ', 'x', '=', '--', 'sha1', 'md5', 'sha256', 'aes128', 'des3', 'rc2', 'opaque', 'clear',
  'nss', 'PW', 'SMIME_PW', 'msg', 'eml', 'json', 'mbox', 'p1', 'ipm', '2026-12-01T00:00:00Z', 'now', 'alice@example.org', 'bob@example.org'];

const words = [...programWords(), ...FILES, ...VALUES];
const SEEDS: string[][] = [
  ['inspect', 'clear-signed.eml'], ['inspect', '--json', 'signed.msg'], ['inspect', 'box.mbox'], ['inspect', 'md', 'dir', '--json'],
  ['verify', 'clear-signed.eml', '--ca', 'ca.pem'], ['verify', '--json', 'opaque-signed.eml', 'signed.msg', '--ca', 'ca.pem'], ['verify', 'encrypted.eml'],
  ['convert', 'clear-signed.eml', 'out.msg'], ['convert', 'signed.msg', 'out.eml', '--force'], ['convert', 'dir', 'md', '--out', 'outdir', '--to', 'msg', '--report', 'r.jsonl'],
  ['convert', 'box.mbox', '--out', 'outdir', '--to', 'json'], ['convert', 'signed.json', '-', '--to', 'eml'], ['convert', 'md', '--out', 'outdir', '--to', 'mbox', '--verify', '--ca', 'ca.pem'],
  ['decrypt', 'encrypted.eml', '--key', 'bob.key', '--cert', 'bob.pem'], ['decrypt', 'enc.msg', '--p12', 'bob.p12', '--password-file', 'pw.txt'],
  ['sign', 'plain.eml', '--key', 'alice.key', '--cert', 'alice.pem', '-o', 'out.eml'], ['encrypt', 'plain.eml', '--cert', 'bob.pem', '--cipher', 'aes-128-cbc', '-o', 'out.eml'],
  ['unwrap', 'opaque-signed.eml'], ['extract', 'clear-signed.eml', 'outdir'], ['x400', 'inspect', 'signed.p1'], ['x400', 'unwrap', 'signed.p1', '-o', 'out.eml'],
  ['help', 'verify'], ['verify', '--help'], ['--version'], ['nonsense'], ['convert'], ['verify', '--index', '-1', 'box.mbox'], ['sign', 'plain.eml', '--key', 'alice.key', '--cert', 'alice.pem', '--opaque', '--encrypt-to', 'bob.pem'],
];

const arg = fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 12 }), fc.constantFrom(...words).map((w) => `${w}=x`));
const te = new TextEncoder();

export const cliTarget: Target = {
  name: 'cli', description: 'main(argv) in-process over every command and option, in a sandbox of fixtures',
  maxLen: 2048, timeoutMs: 10000,
  async setup() {
    recordPrinterErrors();
    mkdirSync(sandbox, { recursive: true });
    process.chdir(sandbox);
    await makeFixtures();
    process.on('exit', () => { try { rmSync(sandbox, { recursive: true, force: true }); } catch { /* gone */ } });
  },
  seeds: () => SEEDS.map((a) => te.encode(a.join('\0'))),
  dictionary: [...words, '\0'],
  generator: fc.array(arg, { minLength: 1, maxLength: 10 }).map((a) => te.encode(a.join('\0'))),
  async run(input) {
    const argv = argvOf(input);
    lastError = undefined;
    const io = captureOutput();
    let code: number;
    try {
      code = await main(argv);
    } finally {
      io.restore();
      rebuild();
    }
    // after `--` every argument is an operand (POSIX Utility Syntax Guideline 10), `--json` too
    const dd = argv.indexOf('--');
    const opts = dd < 0 ? argv : argv.slice(0, dd);
    if (code === EXIT.INTERNAL) throw lastError ?? new OracleFailure('cli-internal', `exit 3 without an error: ${io.text().slice(0, 300)}`);
    if (!EXIT_CODES.has(code)) throw new OracleFailure('cli-exit', `exit ${code} is not in the table for ${JSON.stringify(argv).slice(0, 200)}`);
    if (code !== EXIT.OK && code !== EXIT.UNTRUSTED && code !== EXIT.UNSIGNED && code !== EXIT.INVALID && code !== EXIT.CANNOT_CHECK && io.text().trim() === '' && !opts.some((a) => a === '-q' || a === '--quiet')) {
      throw new OracleFailure('cli-silent', `exit ${code} with no message for ${JSON.stringify(argv).slice(0, 200)}`);
    }
    const command = opts.find((a) => !a.startsWith('-'));
    // commander reads a cluster of short flags (`-qV`, `-V-V`) letter by letter, and program options after the command
    const helpOrVersion = opts.some((a) => /^-[^-]*[hV]/.test(a) || a === '--help' || a === '--version' || a === 'help');
    if ((command === 'inspect' || command === 'verify') && opts.includes('--json') && !helpOrVersion) {
      const out = io.out().trim();
      if (out && !isJsonText(out)) throw new OracleFailure('cli-json', `${command} --json wrote non-JSON: ${out.slice(0, 200)}`);
    }
  },
};

/** One JSON document, or one per line (JSON Lines). */
function isJsonText(s: string): boolean {
  try { JSON.parse(s); return true; } catch { /* lines */ }
  try { for (const l of s.split('\n')) if (l.trim()) JSON.parse(l); return true; } catch { return false; }
}
