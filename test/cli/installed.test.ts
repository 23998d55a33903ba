/**
 * The command as users get it (issue 9 item 2): `npm pack` (of the dist/ that `npm test` just
 * built: --ignore-scripts, so that the prepack build does not rewrite files other tests load), then `npm install` of the tarball in an
 * empty project and a global install, then the installed `smime-bridge` run through npm's bin
 * link, `npx` and the global bin: --version, help, convert .eml -> .msg -> .eml (OpenSSL still
 * verifies), verify of a good (0) and a tampered (10) message, decrypt to stdout, the demo from
 * the installed package, and the library from ESM and CommonJS.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openssl, tempDir } from '../helpers/openssl.js';

const root = resolve('.');
const t = tempDir('smime-bridge-installed-');
after(() => t.cleanup());
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const project = join(t.dir, 'project');
const globalPrefix = join(t.dir, 'global');
const bin = join(project, 'node_modules', '.bin', 'smime-bridge');
const samples = join(root, 'samples');

function run(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? project, encoding: 'utf8', input: opts.input, maxBuffer: 64 << 20, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  const pack = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', t.dir], { cwd: root });
  assert.equal(pack.status, 0, pack.stderr);
  const tgz = readdirSync(t.dir).find((f) => f.endsWith('.tgz'));
  assert.ok(tgz, 'npm pack wrote a tarball');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  const i = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(t.dir, tgz)]);
  assert.equal(i.status, 0, i.stderr);
  const g = run('npm', ['install', '--global', '--prefix', globalPrefix, '--prefer-offline', '--no-audit', '--no-fund', join(t.dir, tgz)]);
  assert.equal(g.status, 0, g.stderr);
});

test('the tarball ships the built code, samples, LICENSE and README, and no tests or TypeScript sources', () => {
  const files = run('tar', ['-tzf', join(t.dir, readdirSync(t.dir).find((f) => f.endsWith('.tgz'))!)]).stdout.split('\n');
  for (const f of ['package/LICENSE', 'package/README.md', 'package/dist/cli/smime-bridge.cjs', 'package/dist/src/cli/bin.js', 'package/dist/src/index.d.ts', 'package/samples/clear-signed.eml']) assert.ok(files.includes(f), f);
  assert.ok(!files.some((f) => f.startsWith('package/dist/test/') || f.startsWith('package/src/') || f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no tests, no sources');
});

test('--version through the bin link, npx and the global install', () => {
  for (const [cmd, args] of [[bin, ['--version']], ['npx', ['--no-install', 'smime-bridge', '--version']], [join(globalPrefix, 'bin', 'smime-bridge'), ['--version']]] as const) {
    const r = run(cmd, [...args]);
    assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
    assert.equal(r.stdout.trim(), version, cmd);
  }
});

test('help, help CMD, CMD --help and -h list the commands and every option with the exit-code table', () => {
  const h = run(bin, ['help']);
  assert.equal(h.status, 0, h.stderr);
  for (const c of ['convert', 'inspect', 'verify', 'decrypt', 'sign', 'encrypt', 'unwrap', 'extract', 'x400', 'demo']) assert.match(h.stdout, new RegExp(`\\n  ${c} `));
  assert.match(h.stdout, /exit codes[\s\S]*10 {2}invalid/);
  for (const args of [['help', 'verify'], ['verify', '--help'], ['verify', '-h']]) {
    const r = run(bin, args);
    assert.equal(r.status, 0, args.join(' '));
    for (const o of ['--ca', '--crl', '--json', '--quiet', '--verbose', '--password-file', '--password-env', '--signature-only']) assert.match(r.stdout, new RegExp(o), `${args.join(' ')} lists ${o}`);
  }
  assert.match(run(bin, ['help', 'convert']).stdout, /--max-size <bytes>[\s\S]*?\(default:\s+536870912\)/, 'defaults are shown');
  assert.equal(run(bin, []).status, 2, 'no command is a usage error');
});

test('convert .eml -> .msg -> .eml with the installed command: OpenSSL still verifies the signature', () => {
  assert.equal(run(bin, ['convert', join(samples, 'clear-signed.eml'), 'x.msg']).status, 0);
  const r = run(bin, ['convert', 'x.msg', 'back.eml']);
  assert.equal(r.status, 0, r.stderr);
  const v = openssl(['cms', '-verify', '-CAfile', join(samples, 'keys', 'ca.pem'), '-in', join(project, 'back.eml'), '-out', '/dev/null']);
  assert.equal(v.status, 0, v.stderr);
});

test('verify: a good message exits 0, a tampered one 10, without --ca 11', () => {
  const ca = join(samples, 'keys', 'ca.pem');
  assert.equal(run(bin, ['verify', join(samples, 'clear-signed.eml'), '--ca', ca]).status, 0);
  writeFileSync(join(project, 'tampered.eml'), readFileSync(join(samples, 'clear-signed.eml'), 'latin1').replace('quarterly figures', 'quarterly FIGURES'), 'latin1');
  const bad = run(bin, ['verify', 'tampered.eml', '--ca', ca]);
  assert.equal(bad.status, 10, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /INVALID[\s\S]*DIGEST_MISMATCH/);
  assert.equal(run(bin, ['verify', join(samples, 'clear-signed.eml')]).status, 11);
});

test('decrypt -o - writes the plaintext to stdout and the status to stderr', () => {
  const r = run(bin, ['decrypt', join(samples, 'encrypted.eml'), '--key', join(samples, 'keys', 'bob.key'), '-o', '-']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^From: Alice Example/);
  assert.match(r.stdout, /quarterly figures/);
  assert.match(r.stderr, /decrypted 1 encryption layer/);
});

test('the demo runs from the installed package on the samples it ships', () => {
  const r = run(bin, ['demo']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /4 sample\(s\) converted, 0 problem\(s\)/);
  assert.ok(readdirSync(join(project, 'demo-out')).includes('clear-signed.msg'));
});

test('the library loads with import (ESM) and require (CommonJS, Node >= 20.19)', () => {
  const esm = run(process.execPath, ['--input-type=module', '-e', "import { toMessage, writeMsg } from 'smime-bridge'; console.log(typeof toMessage, typeof writeMsg)"]);
  assert.equal(esm.stdout.trim(), 'function function', esm.stderr);
  const cjs = run(process.execPath, ['--input-type=commonjs', '-e', "const m = require('smime-bridge'); console.log(typeof m.toMessage)"]);
  assert.equal(cjs.stdout.trim(), 'function', cjs.stderr);
});

test('the queue and IMAP commands load their packages (bullmq, ioredis, imapflow) in the installed package', () => {
  const q = run(bin, ['queue', 'status', '--redis', 'redis://127.0.0.1:1', '--json']);
  assert.equal(q.status, 1, q.stdout + q.stderr);
  assert.equal((JSON.parse(q.stdout) as { error: { code: string } }).error.code, 'QUEUE_ERROR');
  // a password in the URL: no prompt, so imapflow loads and tries the (closed) port
  const i = run(bin, ['convert', 'imap://nobody:pw@127.0.0.1:1/INBOX', '--out', 'imap-out', '--to', 'eml', '--json'], {});
  assert.equal(i.status, 1, i.stdout + i.stderr);
  assert.equal((JSON.parse(i.stdout) as { error: { code: string } }).error.code, 'IMAP_ERROR', 'imapflow loaded and could not connect');
});

