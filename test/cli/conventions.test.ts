/**
 * The conventions of the command (issue 9 items 3-5), each checked by spawning it as a user
 * would and reading its exit code and output: stdin/stdout, devices written in place, --json
 * and -q everywhere, escaped text, one exit-code table, one overwrite rule, password sources,
 * error lines, a closed pipe, formats by content, real mbox output (read back by Python's
 * mailbox module), multi-message mboxes, Maildir, --skip-existing and JSON Lines reports.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReport, runCli, runInPty } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/openssl.js';

const t = tempDir('smime-bridge-conv-');
after(() => t.cleanup());
const S = 'samples';
const CA = 'samples/keys/ca.pem';
const bin = fileURLToPath(new URL('../../cli/smime-bridge.cjs', import.meta.url));
const sh = (script: string, input?: string): { status: number | null; stdout: string; stderr: string } => spawnSync('bash', ['-c', script], { encoding: 'utf8', input, env: { ...process.env, SB: `${process.execPath} ${bin}` } });
const out = (n: string) => join(t.dir, n);

function stdin(args: string[], input: Buffer): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('- reads stdin (inspect, verify, convert) and -o - / OUT - write stdout', () => {
  const eml = readFileSync(join(S, 'clear-signed.eml'));
  let r = stdin(['inspect', '--json', '-'], eml);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).smime.kind, 'clear-signed');
  r = stdin(['verify', '-', '--ca', CA], eml);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  r = stdin(['convert', '-', '-', '--to', 'json'], eml);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).properties.find((p: { name?: string }) => p.name === 'PidTagMessageClass').value, 'IPM.Note.SMIME.MultipartSigned');
  assert.ok(!existsSync('-'), 'no file named "-" is written');
});

test('an output that is a device is written in place, never renamed over (/dev/stdout, /dev/null)', () => {
  const r = runCli(['convert', join(S, 'plain.eml'), '/dev/stdout', '--to', 'eml']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Subject: /);
  assert.equal(runCli(['convert', join(S, 'clear-signed.eml'), '/dev/null', '--to', 'msg']).status, 0);
  assert.ok(statSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');
  assert.ok(lstatSync('/dev/stdout').isSymbolicLink(), '/dev/stdout is still a link');
});

test('--json on every command prints one JSON object, errors too (code, message, hint, exit code)', () => {
  const missing = out('missing.eml');
  const cmds: string[][] = [
    ['convert', missing, out('j.msg')], ['inspect', missing], ['verify', missing], ['extract', missing, out('jx')],
    ['decrypt', missing, '--key', 'samples/keys/bob.key', '-o', out('j.eml')], ['sign', missing, '--key', 'samples/keys/alice.key', '--cert', 'samples/keys/alice.pem', '-o', out('j2.eml')],
    ['encrypt', missing, '--cert', 'samples/keys/bob.pem', '-o', out('j3.eml')], ['unwrap', missing, '-o', out('j4.eml')],
    ['x400', 'wrap', missing, '-o', out('j.p1')], ['x400', 'unwrap', missing, '-o', out('j5.eml')], ['x400', 'inspect', missing],
  ];
  for (const c of cmds) {
    const r = runCli([...c, '--json']);
    assert.equal(r.status, 1, `${c.join(' ')}: missing input is exit 1 everywhere (${r.stdout}${r.stderr})`);
    const lines = r.stdout.trim().split('\n');
    const j = JSON.parse(lines.length > 1 && c[0] === 'verify' || c[0] === 'inspect' ? lines.join('\n') : r.stdout) as { error?: { code: string; hint?: string } };
    assert.equal(j.error?.code, 'IO_ERROR', c.join(' '));
    assert.equal(r.stderr, '', `${c.join(' ')}: nothing on stderr with --json`);
  }
  const u = runCli(['verify', '--json', '--bogus', 'x']);
  assert.equal(u.status, 2);
  assert.equal(JSON.parse(u.stdout).error.code, 'USAGE');
  const ok = runCli(['convert', join(S, 'plain.eml'), out('ok.msg'), '--json']);
  assert.equal(JSON.parse(ok.stdout).messageClass, 'IPM.Note');
});

test('-q prints nothing on success and the exit code still tells the verdict', () => {
  for (const c of [['verify', join(S, 'clear-signed.eml'), '--ca', CA, '-q'], ['convert', join(S, 'plain.eml'), out('q.msg'), '-q'], ['inspect', join(S, 'plain.eml'), '-q']]) {
    const r = runCli(c);
    assert.equal(r.status, 0, c.join(' '));
    assert.equal(r.stdout + r.stderr, '', c.join(' '));
  }
  assert.equal(runCli(['verify', join(S, 'clear-signed.eml'), '-q']).status, 11);
});

test('text output escapes control characters from the message: no input repaints the terminal', () => {
  const evil = out('evil.eml');
  writeFileSync(evil, 'From: a@example.org\r\nSubject: \x1b[2J\x1b[Hall signatures valid\u202e\r\n\r\nbody\r\n');
  const r = runCli(['inspect', evil]);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /[\x1b\u202e]/);
  assert.match(r.stdout, /\\x1b\[2J/);
});

test('one overwrite rule: an existing output is kept unless --force (convert, decrypt, extract, x400)', () => {
  const target = out('exists.eml');
  writeFileSync(target, 'sentinel');
  for (const c of [['convert', join(S, 'plain.eml'), target], ['decrypt', join(S, 'encrypted.eml'), '--key', 'samples/keys/bob.key', '-o', target], ['x400', 'unwrap', 'x.p1', '-o', target]]) {
    if (c[0] === 'x400') {
      assert.equal(runCli(['x400', 'wrap', join(S, 'encrypted.eml'), '-o', out('x.p1')]).status, 0);
      c[2] = out('x.p1');
    }
    const r = runCli(c);
    assert.equal(r.status, 1, c.join(' '));
    assert.match(r.stderr, /OUTPUT_EXISTS: .*exists\n {2}hint: give --force/);
    assert.equal(readFileSync(target, 'utf8'), 'sentinel');
  }
  const dir = out('ex');
  assert.equal(runCli(['extract', join(S, 'clear-signed.eml'), dir]).status, 0);
  assert.equal(runCli(['extract', join(S, 'clear-signed.eml'), dir]).status, 1, 'extract keeps existing files');
  assert.equal(runCli(['extract', join(S, 'clear-signed.eml'), dir, '--force']).status, 0);
  assert.equal(runCli(['convert', join(S, 'plain.eml'), target, '--force']).status, 0);
  assert.match(readFileSync(target, 'utf8'), /^From: /);
});

test('passwords from --password-file, --password-env and a terminal prompt; --password is marked as visible', () => {
  const p12 = out('bob.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', 'samples/keys/bob.key', '-in', 'samples/keys/bob.pem', '-out', p12, '-passout', 'pass:s3cret w0rd']);
  const pwFile = out('pw.txt');
  writeFileSync(pwFile, 's3cret w0rd\n');
  let r: { status: number | null; stdout: string; stderr: string } = runCli(['decrypt', join(S, 'encrypted.eml'), '--p12', p12, '--password-file', pwFile, '-o', out('pf.eml')]);
  assert.equal(r.status, 0, r.stderr);
  r = sh(`SB_PW='s3cret w0rd' $SB decrypt ${join(S, 'encrypted.eml')} --p12 ${p12} --password-env SB_PW -o -`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /quarterly figures/);
  r = sh(`$SB decrypt ${join(S, 'encrypted.eml')} --p12 ${p12} --password-file ${pwFile}x -o -`);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /IO_ERROR: cannot read password file .*: no such file or directory \(ENOENT\)/);
  r = runCli(['decrypt', join(S, 'encrypted.eml'), '--p12', p12, '--password', 'wrong', '-o', out('pw3.eml')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /CMS_BAD_PASSWORD/);
  assert.doesNotMatch(r.stderr, /(CMS_\w+): \1/, 'the code is given once');
  // A terminal prompt: the command runs on a pseudo-terminal and the password is typed at it.
  const pr = runInPty(['decrypt', join(S, 'encrypted.eml'), '--p12', p12, '-o', out('prompt.eml')], { prompt: 'password for', answer: 's3cret w0rd' });
  assert.equal(pr.status, 0, pr.screen);
  assert.doesNotMatch(pr.screen, /s3cret/, 'the typed password is not echoed');
  assert.match(readFileSync(out('prompt.eml'), 'utf8'), /quarterly figures/);
  assert.match(runCli(['help', 'decrypt']).stdout, /--password <pw>[\s\S]*other users[\s\S]*can see it/);
});

test('a closed pipe ends quietly (| head -1): no EPIPE stack trace', () => {
  const big = out('big.eml');
  writeFileSync(big, `From: a@example.org\r\nSubject: big\r\n\r\n${'line of text\r\n'.repeat(400_000)}`);
  const r = sh(`set -o pipefail; $SB convert ${big} - --to eml | head -1; echo "rc=\${PIPESTATUS[0]}"`);
  assert.match(r.stdout, /^From: a@example.org/);
  assert.doesNotMatch(r.stderr, /EPIPE|Error|at /);
  assert.match(r.stdout, /rc=(0|141)/);
});

test('formats by content: bare CMS (DER, PEM, base64) for inspect, verify, decrypt, extract; unknown output extension is a usage error', () => {
  const signedDer = out('opaque.p7m');
  assert.equal(openssl(['cms', '-sign', '-nodetach', '-binary', '-in', join(S, 'plain.eml'), '-signer', 'samples/keys/alice.pem', '-inkey', 'samples/keys/alice.key', '-outform', 'DER', '-out', signedDer]).status, 0);
  const pem = out('opaque.pem');
  assert.equal(openssl(['cms', '-cmsout', '-inform', 'DER', '-in', signedDer, '-outform', 'PEM', '-out', pem]).status, 0);
  const b64 = out('opaque-b64.txt');
  writeFileSync(b64, readFileSync(signedDer).toString('base64').replace(/.{64}/g, '$&\n'));
  for (const f of [signedDer, pem, b64]) {
    const r = runCli(['verify', f, '--ca', CA, '--json']);
    assert.equal(r.status, 0, `${f}: ${r.stdout}${r.stderr}`);
    assert.equal(JSON.parse(r.stdout).layers[0].kind, 'opaque-signed');
    assert.equal(JSON.parse(runCli(['inspect', f, '--json']).stdout).kind, 'cms');
  }
  const enc = out('enc.p7m');
  assert.equal(openssl(['cms', '-encrypt', '-aes256', '-in', join(S, 'plain.eml'), '-outform', 'DER', '-out', enc, 'samples/keys/bob.pem']).status, 0);
  const d = runCli(['decrypt', enc, '--key', 'samples/keys/bob.key', '-o', out('enc.eml')]);
  assert.equal(d.status, 0, d.stderr);
  assert.match(readFileSync(out('enc.eml'), 'utf8'), /Quarterly figures/);
  assert.equal(runCli(['extract', signedDer, out('xcms')]).status, 0);
  assert.ok(readdirSync(out('xcms')).includes('verdict.json'));
  // a detached signature alone cannot be checked without its content
  const p7s = out('detached.p7s');
  assert.equal(openssl(['cms', '-sign', '-binary', '-in', join(S, 'plain.eml'), '-signer', 'samples/keys/alice.pem', '-inkey', 'samples/keys/alice.key', '-outform', 'DER', '-out', p7s]).status, 0);
  assert.equal(runCli(['verify', p7s, '--ca', CA]).status, 12);
  assert.equal(runCli(['verify', p7s, '--ca', CA, '--content', join(S, 'plain.eml')]).status, 0);
  const r = runCli(['convert', join(S, 'plain.eml'), out('x.pdf')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot tell the output format/);
});

test('empty and non-mail inputs are typed errors unless --lenient', () => {
  const empty = out('empty.eml');
  writeFileSync(empty, '');
  let r = runCli(['convert', empty, out('empty.msg')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /INPUT_EMPTY/);
  const junk = out('junk.eml');
  writeFileSync(junk, Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x10, 0x20, 0x30]));
  r = runCli(['inspect', junk]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /INPUT_NOT_MAIL/);
  assert.equal(runCli(['convert', empty, out('lenient.msg'), '--lenient']).status, 0);
});

test('.mbox output is a real mbox: From line and >From quoting, read back by Python\'s mailbox module', () => {
  const src = out('from-lines.eml');
  writeFileSync(src, 'From: a@example.org\nSubject: quoting\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nFrom here on\n>From there\nend\n');
  assert.equal(runCli(['convert', src, out('one.mbox')]).status, 0);
  const text = readFileSync(out('one.mbox'), 'utf8');
  assert.match(text, /^From a@example\.org Mon Nov 23 10:00:00 2026\n/);
  assert.match(text, /\n>From here on\r?\n>>From there\r?\n/);
  const py = spawnSync('/usr/bin/python3', ['-c', `
import mailbox, sys
box = mailbox.mbox(sys.argv[1])
msgs = list(box)
print(len(msgs)); print(msgs[0]['Subject']); print(msgs[0].get_payload(), end='')
`, out('one.mbox')], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.match(py.stdout, /^1\nquoting\n/);
  // our own reader restores the original body
  const back = runCli(['convert', out('one.mbox'), '-', '--to', 'eml']);
  assert.match(back.stdout, /\nFrom here on\r?\n>From there\r?\nend/);
});

function threeMessageMbox(): string {
  const box = out('three.mbox');
  const m = (i: number) => `From a@example.org Mon Nov 23 10:00:0${i} 2026\nFrom: a@example.org\nSubject: message ${i}\n\nbody ${i}\n\n`;
  writeFileSync(box, m(1) + m(2) + m(3));
  return box;
}

test('a multi-message mbox: single-file commands refuse it and point to --out DIR / --index N; inspect lists the messages', () => {
  const box = threeMessageMbox();
  let r = runCli(['convert', box, out('merged.msg')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /MBOX_MULTIPLE: .*holds 3 messages[\s\S]*--out DIR[\s\S]*--index N/);
  assert.ok(!existsSync(out('merged.msg')));
  r = runCli(['convert', box, out('second.eml'), '--index', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(out('second.eml'), 'utf8'), /Subject: message 2/);
  r = runCli(['inspect', box]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /#1: .*message 1[\s\S]*#2: .*message 2[\s\S]*#3: .*message 3[\s\S]*3 message\(s\)/);
  assert.match(runCli(['inspect', box, '--index', '3']).stdout, /subject\s+message 3/);
});

test('batch: a Maildir (cur/ new/ tmp/, names without extension) converts; --skip-existing resumes; --report is JSON Lines', () => {
  const md = out('Maildir');
  for (const d of ['cur', 'new', 'tmp']) mkdirSync(join(md, d), { recursive: true });
  const msg = (i: number) => `From: a@example.org\r\nSubject: maildir ${i}\r\n\r\nbody ${i}\r\n`;
  writeFileSync(join(md, 'cur', '1700000000.M1P1.host:2,S'), msg(1));
  writeFileSync(join(md, 'cur', '1700000001.M2P1.host:2,'), msg(2));
  writeFileSync(join(md, 'new', '1700000002.M3P1.host'), msg(3));
  writeFileSync(join(md, 'tmp', '1700000003.M4P1.host'), 'half-delivered');
  const dest = out('md-out');
  let r = runCli(['convert', md, '--out', dest, '--to', 'msg', '--report', out('md.jsonl')]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /converted 3 /);
  const rep = readReport<{ status: string; input: string }, { converted: number }>(out('md.jsonl'));
  assert.equal(rep.summary.converted, 3);
  assert.ok(rep.messages.every((m) => !m.input.startsWith(join(md, 'tmp'))), 'tmp/ is never read');
  // an interrupted run: one output missing; the rerun converts only that one and exits 0
  const outputs = (readdirSync(dest, { recursive: true }) as string[]).filter((f) => f.endsWith('.msg'));
  assert.equal(outputs.length, 3);
  execFileSync('rm', [join(dest, outputs[0]!)]);
  r = runCli(['convert', md, '--out', dest, '--to', 'msg', '--skip-existing', '--report', out('md2.jsonl')]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const again = readReport<{ status: string }, { converted: number; skipped: number }>(out('md2.jsonl'));
  assert.deepEqual([again.summary.converted, again.summary.skipped], [1, 2]);
  // without --skip-existing the rerun refuses to overwrite
  assert.equal(runCli(['convert', md, '--out', dest, '--to', 'msg']).status, 1);
});

test('batch --to mbox writes one mbox that Python\'s mailbox module reads', () => {
  const box = threeMessageMbox();
  const dest = out('all.mbox');
  const r = runCli(['convert', box, join(S, 'clear-signed.eml'), '--out', dest, '--to', 'mbox']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const py = spawnSync('/usr/bin/python3', ['-c', 'import mailbox,sys; print([m["Subject"] for m in mailbox.mbox(sys.argv[1])])', dest], { encoding: 'utf8' });
  assert.match(py.stdout, /'message 1', 'message 2', 'message 3', 'Quarterly figures \(clear-signed\)'/);
});

test('verify and inspect take many files and folders: a line each, a summary, a JSON Lines report, the worst exit code', () => {
  const dir = out('many');
  mkdirSync(dir);
  writeFileSync(join(dir, 'good.eml'), readFileSync(join(S, 'clear-signed.eml')));
  writeFileSync(join(dir, 'bad.eml'), readFileSync(join(S, 'clear-signed.eml'), 'latin1').replace('quarterly figures', 'QUARTERLY figures'), 'latin1');
  writeFileSync(join(dir, 'plain.eml'), readFileSync(join(S, 'plain.eml')));
  const r = runCli(['verify', dir, '--ca', CA, '--report', out('v.jsonl')]);
  assert.equal(r.status, 10, 'the most serious outcome decides: invalid');
  assert.match(r.stdout, /bad\.eml: INVALID[\s\S]*good\.eml: VALID[\s\S]*plain\.eml: UNSIGNED[\s\S]*3 message\(s\): invalid 1, valid 1, unsigned 1/);
  const rep = readReport<{ input: string; verdict: string }, { messages: number; exitCode: number }>(out('v.jsonl'));
  assert.deepEqual(rep.messages.map((m) => m.verdict), ['invalid', 'valid', 'unsigned']);
  assert.equal(rep.summary.exitCode, 10);
  const j = runCli(['verify', dir, '--ca', CA, '--json']);
  const lines = j.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 4, 'one JSON line per message and a summary line');
  const i = runCli(['inspect', dir]);
  assert.equal(i.status, 0);
  assert.match(i.stdout, /3 message\(s\)/);
});

test('batch convert --verify puts each message\'s verdict into the report and the summary (in-process and in worker threads)', () => {
  for (const jobs of ['1', '2']) {
    const dest = out(`verified-${jobs}`);
    const r = runCli(['convert', S, '--out', dest, '--to', 'msg', '--verify', '--ca', CA, '--jobs', jobs, '--report', out(`verified-${jobs}.jsonl`)]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /verdicts /);
    const rep = readReport<{ input: string; verdict: string }, { verdicts: Record<string, number> }>(out(`verified-${jobs}.jsonl`));
    const byName = Object.fromEntries(rep.messages.map((m) => [m.input.split('/').pop(), m.verdict]));
    assert.deepEqual(byName, { 'clear-signed.eml': 'valid', 'encrypted.eml': 'cannot-check', 'opaque-signed.eml': 'valid', 'plain.eml': 'unsigned' }, `--jobs ${jobs}`);
    assert.deepEqual(rep.summary.verdicts, { valid: 2, 'cannot-check': 1, unsigned: 1 });
  }
});

test('on a terminal a batch shows a progress bar (convert; verify once the run takes longer than the delay); piped output shows none', () => {
  const box = out('many.mbox');
  const m = (i: number) => `From a@example.org Mon Nov 23 10:00:00 2026\nFrom: a@example.org\nSubject: m ${i}\n\n${'body line\n'.repeat(200)}\n`;
  writeFileSync(box, Array.from({ length: 3000 }, (_, i) => m(i)).join(''));
  const conv = runInPty(['convert', box, '--out', out('pty-out'), '--to', 'msg']);
  assert.equal(conv.status, 0, conv.screen);
  assert.match(conv.screen, /msg\/s/, 'the bar shows the rate');
  // verify shows its bar only once a run takes longer than a delay (1 s): set to 0 here, so the
  // assertion does not depend on how fast this machine verifies 3000 messages
  process.env.SMIME_BRIDGE_PROGRESS_DELAY_MS = '0';
  try {
    const v = runInPty(['verify', box]);
    assert.equal(v.status, 13, v.screen.slice(-500));
    assert.match(v.screen, /msg\/s/, 'verify over 3000 messages shows the bar');
    const piped = runCli(['verify', box]);
    assert.doesNotMatch(piped.stdout + piped.stderr, /msg\/s/, 'no bar when not on a terminal');
  } finally {
    delete process.env.SMIME_BRIDGE_PROGRESS_DELAY_MS;
  }
});

test('a misspelt option is one error line with commander\'s suggestion, not an escaped line break', () => {
  const r = runCli(['sign', join(S, 'plain.eml'), '--encrypt-to', 'x']);
  assert.equal(r.status, 2);
  const first = r.stderr.split('\n')[0]!;
  assert.match(first, /^smime-bridge: USAGE: unknown option '--encrypt-to' \(Did you mean --encrypt\?\)$/);
  assert.doesNotMatch(r.stderr, /\\x0a/);
});

test('JSON Lines stay JSON Lines: an error after the per-file lines (a report that cannot be written) is one line too', () => {
  const r = runCli(['verify', '--json', join(S, 'clear-signed.eml'), join(S, 'plain.eml'), '--ca', CA, '--report', out('no-such-folder/r.jsonl')]);
  assert.equal(r.status, 1);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.length >= 3, r.stdout);
  for (const l of lines) JSON.parse(l);
  assert.equal(JSON.parse(lines.at(-1)!).error.code, 'IO_ERROR');
});

test('an empty --out is a usage error, not a rename to "" (fuzz finding: convert DIR --out "" --to mbox)', () => {
  const r = runCli(['convert', S, '--out', '', '--to', 'mbox']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /USAGE: --out needs a folder/);
});

test('extract into a folder the system cannot make is IO_ERROR with the reason, not an internal error (fuzz finding: ENAMETOOLONG)', () => {
  const r = runCli(['extract', join(S, 'clear-signed.eml'), out('x'.repeat(300))]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /IO_ERROR: cannot make the folder .*name too long/i);
});
