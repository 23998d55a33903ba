/**
 * Whole-process commands on the small samples (issue 14 items 1 and 5): CPU time of `--version`,
 * `help`, `inspect`, `verify`, `convert` and `decrypt` over bare `node -e 0`, and wall time of
 * verify / decrypt / .msg → .eml against `openssl cms` and msgconvert, all alternating in one run.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLI, runProcess, type ProcResult } from './proc.js';
import { OUT_DIR } from './inputs.js';
import { alternate } from './stats.js';
import type { Row } from './report.js';

const S = resolve('samples');
const sample = (f: string) => join(S, f);

function ok(what: string, r: ProcResult, codes: number[] = [0]): ProcResult {
  if (!codes.includes(r.status ?? -1)) throw new Error(`${what} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  return r;
}

/** The start-up and small-message rows. */
export async function benchStartup(rounds: number): Promise<Row[]> {
  const dir = join(OUT_DIR, 'small');
  mkdirSync(dir, { recursive: true });
  const smallMsg = join(dir, 'clear-signed.msg');
  ok('convert to .msg', runProcess(process.execPath, [CLI, 'convert', sample('clear-signed.eml'), smallMsg, '--force']));
  const node = process.execPath;
  const cmds: Record<string, [string, string[], number[]?]> = {
    bare: [node, ['-e', '0']],
    version: [node, [CLI, '--version']],
    help: [node, [CLI, 'help']],
    inspect: [node, [CLI, 'inspect', sample('clear-signed.eml')]],
    verify: [node, [CLI, 'verify', sample('clear-signed.eml'), '--ca', sample('keys/ca.pem')]],
    convert: [node, [CLI, 'convert', smallMsg, join(dir, 'out.eml'), '--force']],
    decrypt: [node, [CLI, 'decrypt', sample('encrypted.eml'), '--key', sample('keys/bob.key'), '--cert', sample('keys/bob.pem'), '-o', join(dir, 'dec.eml'), '--force']],
    'openssl verify': ['openssl', ['cms', '-verify', '-in', sample('clear-signed.eml'), '-CAfile', sample('keys/ca.pem'), '-out', '/dev/null']],
    'openssl decrypt': ['openssl', ['cms', '-decrypt', '-in', sample('encrypted.eml'), '-inkey', sample('keys/bob.key'), '-recip', sample('keys/bob.pem'), '-out', join(dir, 'dec-openssl.eml')]],
    msgconvert: ['msgconvert', ['--outfile', join(dir, 'out-msgconvert.eml'), smallMsg]],
  };
  const cpu = new Map<string, number[]>();
  const s = await alternate(rounds, Object.entries(cmds).map(([name, [c, a, codes]]) => ({
    name,
    run: () => {
      const r = ok(name, runProcess(c, a), codes);
      (cpu.get(name) ?? cpu.set(name, []).get(name)!).push(r.cpuMs);
      return r.ms;
    },
  })));
  const bare = { label: 'node -e 0', samples: cpu.get('bare')! };
  const rows: Row[] = [];
  for (const name of ['version', 'help', 'inspect', 'verify', 'convert', 'decrypt']) {
    rows.push({
      bench: `start-up: \`smime-bridge ${name}\` CPU over bare Node`,
      input: name === 'version' || name === 'help' ? '–' : name === 'convert' ? 'samples/clear-signed.eml as .msg → .eml' : `samples/${name === 'decrypt' ? 'encrypted' : 'clear-signed'}.eml`,
      ours: { label: 'whole process, user+sys', samples: cpu.get(name)! },
      peer: bare,
      kind: 'over',
      unit: 'ms CPU',
      target: name === 'inspect' || name === 'verify' ? 40 : undefined,
      note: `wall ${s.get(name)!.slice().sort((a, b) => a - b)[s.get(name)!.length >> 1]!.toFixed(0)} ms`,
    });
  }
  rows.push(
    { bench: 'verify small (whole processes)', input: 'samples/clear-signed.eml', ours: { label: 'smime-bridge verify --ca', samples: s.get('verify')! }, peer: { label: 'openssl cms -verify', samples: s.get('openssl verify')! }, kind: 'within' },
    { bench: 'decrypt small (whole processes)', input: 'samples/encrypted.eml', ours: { label: 'smime-bridge decrypt', samples: s.get('decrypt')! }, peer: { label: 'openssl cms -decrypt', samples: s.get('openssl decrypt')! }, kind: 'within' },
    { bench: 'convert small .msg → .eml (whole processes)', input: 'samples/clear-signed.eml as .msg', ours: { label: 'smime-bridge convert', samples: s.get('convert')! }, peer: { label: 'msgconvert', samples: s.get('msgconvert')! }, kind: 'faster' },
    { bench: 'inspect small (whole process)', input: 'samples/clear-signed.eml', ours: { label: 'smime-bridge inspect', samples: s.get('inspect')! }, peer: { label: 'node -e 0', samples: s.get('bare')! }, kind: 'within' },
  );
  return rows;
}
