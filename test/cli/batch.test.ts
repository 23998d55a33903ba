/**
 * `smime-bridge convert INPUT... --out DIR --to FORMAT`, the batch form, run as a child process:
 * a generated mbox of a few hundred messages (made by OpenSSL, plus broken ones), a folder tree
 * of mixed formats, the no-overwrite rule, and interrupted runs. Outputs are checked by OpenSSL
 * (`cms -verify -noverify`, `cms -decrypt`) and @kenjiuno/msgreader, not by ourselves alone.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import MsgReaderPkg from '@kenjiuno/msgreader';
import { readReport, runCli } from '../helpers/cli.js';
import { decrypt, tempDir, verifySignatureOnly } from '../helpers/openssl.js';
import { clearSigned, encrypted, makeIdentity, type Identity } from '../helpers/pki.js';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { toMessage } from '../../src/smime/index.js';
import { stringifyMessage } from '../../src/mapi/index.js';

const t = tempDir('smime-bridge-batch-');
let id: Identity;
after(() => { t.cleanup(); id?.cleanup(); });
const read = (p: string) => new Uint8Array(readFileSync(p));
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const enc = new TextEncoder();

/** Every file under `dir`, as paths relative to it. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile()).map((d) => relative(dir, join(d.parentPath ?? (d as unknown as { path: string }).path, d.name))).sort();
}

function msgReader(bytes: Uint8Array): { messageClass?: string; body?: string; subject?: string } {
  const r = new MsgReaderPkg.default(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  return r.getFileData() as { messageClass?: string; body?: string; subject?: string };
}

// ---- building an mbox (RFC 4155) --------------------------------------------------------------

type Kind = 'clear-signed' | 'encrypted' | 'plain' | 'broken-parts' | 'broken-base64' | 'broken-header';
interface Entry { kind: Kind; bytes: Uint8Array }

/** mboxrd quoting: one more '>' before every line matching ^>*From (RFC 4155 Appendix A). */
function mboxQuote(msg: Uint8Array): Uint8Array {
  return enc.encode(text(msg).replace(/^(>*From )/gm, '>$1'));
}

function mbox(entries: Entry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(enc.encode('From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n'), mboxQuote(e.bytes), enc.encode('\n'));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Put unique envelope headers in front of an OpenSSL-made S/MIME entity (its signed bytes untouched). */
function envelope(n: number, entity: Uint8Array): Uint8Array {
  const h = enc.encode(`From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: message ${n}\r\n`
    + `Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m${n}@example.org>\r\n`);
  const out = new Uint8Array(h.length + entity.length);
  out.set(h);
  out.set(entity, h.length);
  return out;
}

/** The S/MIME entity (Content-Type onwards) of an OpenSSL message made by the pki helpers. */
function entityOf(m: Uint8Array): Uint8Array {
  const s = text(m);
  return enc.encode(s.slice(s.search(/^MIME-Version:/m)));
}

const plain = (n: number) => enc.encode(`From: Carol <carol@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: plain ${n}\r\n`
  + `Message-ID: <p${n}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n`
  + `From the desk of Carol, note ${n}.\r\n>From a quoted line.\r\nBye.\r\n`);

const BROKEN: Record<string, (n: number) => Uint8Array> = {
  // RFC 1847 section 2.1: multipart/signed has exactly two parts; this one has three.
  'broken-parts': (n) => enc.encode(`From: a@example.org\r\nSubject: broken ${n}\r\nMIME-Version: 1.0\r\n`
    + 'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="BB"\r\n\r\n'
    + '--BB\r\nContent-Type: text/plain\r\n\r\nhi\r\n--BB\r\nContent-Type: text/plain\r\n\r\nextra\r\n'
    + '--BB\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\nMIIB\r\n--BB--\r\n'),
  // application/pkcs7-mime whose base64 is no CMS object at all.
  'broken-base64': (n) => enc.encode(`From: a@example.org\r\nSubject: broken ${n}\r\nMIME-Version: 1.0\r\n`
    + 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    + '!!! this is %%% not base64 ***\r\n'),
  // A header block cut off in the middle of a field name.
  'broken-header': (n) => enc.encode(`From: a@example.org\r\nTo: b@example.org\r\nMessage-ID: <b${n}@example.org>\r\nSubj`),
};

let signedEntities: Uint8Array[] = [];
let encryptedEntities: Uint8Array[] = [];

before(() => {
  id = makeIdentity();
  for (let i = 0; i < 3; i++) {
    const inner = `Content-Type: text/plain; charset=utf-8\r\n\r\nSigned text number ${i}.\r\nFrom here on, quoted by the mbox.\r\n`;
    signedEntities.push(entityOf(clearSigned(id, inner)));
    encryptedEntities.push(entityOf(encrypted(id, `Content-Type: text/plain\r\n\r\nSecret ${i}\r\n`)));
  }
});

function buildEntries(count: number): Entry[] {
  const entries: Entry[] = [];
  const brokenKinds = Object.keys(BROKEN) as Kind[];
  for (let n = 1; n <= count; n++) {
    if (n % 25 === 0) {
      const kind = brokenKinds[(n / 25) % brokenKinds.length]!;
      entries.push({ kind, bytes: BROKEN[kind]!(n) });
    } else if (n % 3 === 0) {
      entries.push({ kind: 'clear-signed', bytes: envelope(n, signedEntities[n % signedEntities.length]!) });
    } else if (n % 3 === 1) {
      entries.push({ kind: 'encrypted', bytes: envelope(n, encryptedEntities[n % encryptedEntities.length]!) });
    } else {
      entries.push({ kind: 'plain', bytes: plain(n) });
    }
  }
  return entries;
}

const name6 = (n: number) => `${String(n).padStart(6, '0')}`;

// ---- tests -----------------------------------------------------------------------------------

test('batch mbox -> msg: an output per good message, each bad one reported with its reason, counts by S/MIME class', () => {
  const entries = buildEntries(300);
  const box = t.file('box.mbox', mbox(entries));
  const out = join(t.dir, 'out-mbox');
  const reportPath = join(t.dir, 'report.jsonl');
  const r = runCli(['convert', box, '--out', out, '--to', 'msg', '--strict', '--jobs', '2', '--report', reportPath]);
  assert.equal(r.status, 1, `exit 1 when something failed\n${r.stderr}`);

  const count = (k: Kind) => entries.filter((e) => e.kind === k).length;
  const bad = entries.map((e, i) => ({ ...e, n: i + 1 })).filter((e) => e.kind.startsWith('broken'));
  assert.equal(bad.length, 12);
  const good = entries.length - bad.length;
  assert.match(r.stdout, new RegExp(`converted ${good} \\(clear-signed ${count('clear-signed')}, opaque-or-encrypted ${count('encrypted')}, none ${count('plain')}\\), failed ${bad.length}`));

  // Outputs: exactly one per good message, named by its index.
  const expected = entries.flatMap((e, i) => (e.kind.startsWith('broken') ? [] : [join('box', `${name6(i + 1)}.msg`)])).sort();
  assert.deepEqual(files(out), expected);

  // The failure log and the report name each bad message with its reason.
  const report = readReport(reportPath) as { messages: Array<{ index: number; status: string; code?: string; reason?: string; smimeKind?: string }>; summary: { converted: number; failed: number } };
  assert.equal(report.messages.length, entries.length);
  assert.deepEqual({ converted: report.summary.converted, failed: report.summary.failed }, { converted: good, failed: bad.length });
  const failed = new Map(report.messages.filter((m) => m.status === 'failed').map((m) => [m.index, m]));
  assert.deepEqual([...failed.keys()].sort((a, b) => a - b), bad.map((b) => b.n));
  const codeFor: Record<string, RegExp> = { 'broken-parts': /^SMIME_NOT_TWO_PARTS$/, 'broken-base64': /^CMS_MALFORMED$/, 'broken-header': /^MIME_HEADER_MALFORMED$/ };
  for (const b of bad) {
    const m = failed.get(b.n)!;
    assert.match(m.code!, codeFor[b.kind]!, `message ${b.n} (${b.kind})`);
    assert.ok(m.reason && m.reason.length > 10 && !m.reason.includes('\n'), 'a one-line reason');
    assert.match(r.stderr, new RegExp(`failed: ${box.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#${b.n}: ${m.code}: `));
  }
  for (const m of report.messages.filter((x) => x.status === 'converted')) {
    const kind = entries[m.index - 1]!.kind;
    assert.equal(m.smimeKind, kind === 'encrypted' ? 'opaque-or-encrypted' : kind === 'plain' ? 'none' : kind);
  }

  // A sample converts back (one more batch run) and verifies / decrypts in OpenSSL; msgreader reads the .msg.
  const sample = [3, 6, 9, 4, 7, 2, 5, 299].filter((n) => !entries[n - 1]!.kind.startsWith('broken'));
  const backDir = join(t.dir, 'back');
  const rb = runCli(['convert', ...sample.map((n) => join(out, 'box', `${name6(n)}.msg`)), '--out', backDir, '--to', 'eml']);
  assert.equal(rb.status, 0, rb.stderr);
  for (const n of sample) {
    const view = msgReader(read(join(out, 'box', `${name6(n)}.msg`)));
    const back = join(backDir, `${name6(n)}.eml`);
    const kind = entries[n - 1]!.kind;
    if (kind === 'clear-signed') {
      assert.equal(view.messageClass, 'IPM.Note.SMIME.MultipartSigned');
      const v = verifySignatureOnly(read(back));
      assert.ok(v.ok, `message ${n}: ${v.stderr}`);
      // The mbox quoted ">From here on" inside the signed part; unquoting restored the signed bytes.
      assert.match(text(v.content), /\nFrom here on, quoted by the mbox\./);
    } else if (kind === 'encrypted') {
      assert.equal(view.messageClass, 'IPM.Note.SMIME');
      const d = decrypt(read(back), id.key);
      assert.ok(d.ok, `message ${n}: ${d.stderr}`);
      assert.match(text(d.content), /Secret \d/);
    } else {
      assert.equal(view.messageClass, 'IPM.Note');
      assert.equal(view.subject, `plain ${n}`);
      // RFC 4155: ">From " lines are unquoted by one '>' (mboxrd), so the body is as sent.
      assert.match(view.body ?? '', /^From the desk of Carol/);
      assert.match(view.body ?? '', /\r?\n>From a quoted line\./);
    }
  }
});

test('batch folder -> eml: nested subfolders of .eml, .msg, .json and mbox; output paths mirror the input tree', () => {
  const src = join(t.dir, 'tree');
  mkdirSync(join(src, 'a', 'b'), { recursive: true });
  writeFileSync(join(src, 'top.eml'), envelope(1, signedEntities[0]!));
  writeFileSync(join(src, 'a', 'plain.eml'), plain(2));
  writeFileSync(join(src, 'a', 'notes.txt'), 'not a message');
  // x.eml beside x.json: both keep their extension in the output name instead of clashing
  writeFileSync(join(src, 'a', 'x.eml'), plain(6));
  writeFileSync(join(src, 'a', 'x.json'), stringifyMessage(toMessage(plain(7)).message));
  // a .msg and a .json input, made in-process by the library
  writeFileSync(join(src, 'a', 'b', 'signed.msg'), writeMsg(toMessage(envelope(1, signedEntities[0]!)).message));
  writeFileSync(join(src, 'a', 'b', 'secret.json'), stringifyMessage(toMessage(envelope(3, encryptedEntities[0]!)).message));
  writeFileSync(join(src, 'a', 'b', 'small.mbox'), mbox([{ kind: 'plain', bytes: plain(4) }, { kind: 'clear-signed', bytes: envelope(5, signedEntities[1]!) }]));

  const out = join(t.dir, 'out-tree');
  const r = runCli(['convert', src, '--out', out, '--to', 'eml', '--jobs', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(files(out), ['a/b/secret.eml', 'a/b/signed.eml', 'a/b/small/000001.eml', 'a/b/small/000002.eml', 'a/plain.eml',
    'a/x.eml.eml', 'a/x.json.eml', 'top.eml']);
  assert.match(r.stdout, /converted 8 \(clear-signed 3, opaque-or-encrypted 1, none 4\), failed 0/);
  assert.match(readFileSync(join(out, 'a/x.json.eml'), 'utf8'), /^Subject: plain 7\r?$/m);
  for (const f of ['top.eml', 'a/b/signed.eml', 'a/b/small/000002.eml']) {
    const v = verifySignatureOnly(read(join(out, f)));
    assert.ok(v.ok, `${f}: ${v.stderr}`);
  }
  const d = decrypt(read(join(out, 'a/b/secret.eml')), id.key);
  assert.ok(d.ok, d.stderr);
});

test('batch never overwrites an existing output without --force (exit 1, reason named); with --force it does', () => {
  const src = join(t.dir, 'ow');
  mkdirSync(src);
  writeFileSync(join(src, 'one.eml'), plain(1));
  writeFileSync(join(src, 'two.eml'), plain(2));
  const out = join(t.dir, 'out-ow');
  assert.equal(runCli(['convert', src, '--out', out, '--to', 'json']).status, 0);
  writeFileSync(join(out, 'one.json'), 'sentinel');
  let r = runCli(['convert', src, '--out', out, '--to', 'json']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /one\.eml: OUTPUT_EXISTS: .*one\.json exists/);
  assert.match(r.stdout, /converted 0 .*failed 2/);
  assert.equal(readFileSync(join(out, 'one.json'), 'utf8'), 'sentinel');
  r = runCli(['convert', src, '--out', out, '--to', 'json', '--force']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(join(out, 'one.json'), 'utf8'), /plain 1/, 'the sentinel was replaced by the conversion');
  assert.deepEqual(files(out), ['one.json', 'two.json']);
  // Two inputs that would write the same output: the second fails instead of replacing the first.
  mkdirSync(join(src, 'other'));
  writeFileSync(join(src, 'other', 'one.eml'), plain(3));
  const out2 = join(t.dir, 'out-clash');
  r = runCli(['convert', join(src, 'one.eml'), join(src, 'other', 'one.eml'), '--out', out2, '--to', 'json', '--force']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /other[/\\]one\.eml: OUTPUT_EXISTS: output .*one\.json is also the output of .*ow[/\\]one\.eml/);
  assert.match(readFileSync(join(out2, 'one.json'), 'utf8'), /plain 1/);
});

test('batch usage errors exit 2', () => {
  const r = runCli(['convert', 'x.eml', '--out', join(t.dir, 'u'), '--to', 'pdf']);
  assert.equal(r.status, 2, 'bad --to');
  assert.match(r.stderr, /USAGE: option '--to <format>' argument 'pdf' is invalid/);
  assert.equal(runCli(['convert', 'x.eml', '--out', join(t.dir, 'u'), '--to', 'msg', '--jobs', '0']).status, 2, 'bad --jobs');
  assert.ok(!existsSync(join(t.dir, 'u')), 'nothing written');
});

// ---- interrupts ------------------------------------------------------------------------------

const compiled = fileURLToPath(new URL('../../cli/smime-bridge.cjs', import.meta.url));
const source = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

/** Start a batch, send `signals` once the first output appears; resolve with exit status and output listing. */
function interruptedRun(box: string, out: string, signals: NodeJS.Signals[], extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = existsSync(compiled) ? [compiled] : ['--import', 'tsx', source];
  const child = spawn(process.execPath, [...argv, 'convert', box, '--out', out, '--to', 'msg', '--jobs', '2', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const poll = setInterval(() => {
    if (files(out).some((f) => f.endsWith('.msg'))) {
      clearInterval(poll);
      for (const s of signals) child.kill(s);
    }
  }, 10);
  return new Promise((resolve) => child.on('close', (code) => { clearInterval(poll); resolve({ code, stdout, stderr }); }));
}

function bigMbox(): string {
  const path = join(t.dir, 'big.mbox');
  if (existsSync(path)) return path;
  // 2000 messages, each with a 20 KB attachment so that a run takes a while.
  const blob = Buffer.alloc(15000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  const entries: Entry[] = [];
  for (let n = 1; n <= 2000; n++) {
    entries.push({ kind: 'plain', bytes: enc.encode(`From: c@example.org\r\nSubject: big ${n}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n`
      + `--XX\r\nContent-Type: text/plain\r\n\r\nbody ${n}\r\n--XX\r\nContent-Type: application/octet-stream; name=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${blob}\r\n--XX--\r\n`) });
  }
  writeFileSync(path, mbox(entries));
  return path;
}

function assertNoPartialOutput(out: string): number {
  const all = files(out);
  assert.deepEqual(all.filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  const msgs = all.filter((f) => f.endsWith('.msg'));
  assert.equal(msgs.length, all.length, 'nothing but .msg outputs');
  for (const f of msgs) {
    const r = readMsg(read(join(out, f)), { strict: true });
    assert.match(r.message.messageClass, /^IPM\.Note/, f);
  }
  return msgs.length;
}

test('SIGINT stops the run: exit 130, summary printed, no temporary or partial output, every output complete', async () => {
  const out = join(t.dir, 'out-int');
  const r = await interruptedRun(bigMbox(), out, ['SIGINT']);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stdout, /converted \d+ .*\n.*interrupted by SIGINT/);
  const n = assertNoPartialOutput(out);
  assert.ok(n > 0 && n < 2000, `interrupted part way (${n} outputs)`);
});

test('SIGTERM with --grace 0 aborts the running workers at once: exit 143, their temporary files deleted, every output complete', async () => {
  const out = join(t.dir, 'out-term');
  const r = await interruptedRun(bigMbox(), out, ['SIGTERM'], ['--grace', '0', '--report', join(t.dir, 'term.jsonl')]);
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stdout, /interrupted by SIGTERM/);
  const n = assertNoPartialOutput(out);
  assert.ok(n > 0 && n < 2000, `interrupted part way (${n} outputs)`);
  // The report is complete JSON; every output present is one it lists as converted, or one whose
  // worker was stopped between its atomic rename and reporting back (INTERRUPTED).
  const report = readReport(join(t.dir, 'term.jsonl')) as { messages: Array<{ status: string; code?: string; output?: string }>; summary: { interrupted: string } };
  assert.equal(report.summary.interrupted, 'SIGTERM');
  const converted = report.messages.filter((m) => m.status === 'converted').map((m) => relative(out, m.output!));
  const interrupted = report.messages.filter((m) => m.code === 'INTERRUPTED').map((m) => relative(out, m.output!));
  const present = new Set(files(out));
  for (const c of converted) assert.ok(present.has(c), `${c} reported converted and present`);
  for (const p of present) assert.ok(converted.includes(p) || interrupted.includes(p), `${p} is in the report`);
});

test('a small batch converts in this thread and a worker-thread batch gives byte-identical outputs', () => {
  const src = join(t.dir, 'modes-src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'a.eml'), readFileSync('samples/clear-signed.eml'));
  writeFileSync(join(src, 'b.eml'), readFileSync('samples/encrypted.eml'));
  writeFileSync(join(src, 'c.eml'), readFileSync('samples/plain.eml'));
  const outputs: Record<string, string[]> = {};
  for (const jobs of ['1', '2']) {
    const out = join(t.dir, `modes-out-${jobs}`);
    const r = runCli(['convert', src, '--out', out, '--to', 'msg', '--jobs', jobs, '-q']);
    assert.equal(r.status, 0, r.stderr);
    outputs[jobs] = files(out).map((f) => readFileSync(join(out, f)).toString('base64'));
  }
  assert.equal(outputs['1']!.length, 3);
  assert.deepEqual(outputs['1'], outputs['2']);
});
