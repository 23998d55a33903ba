/** The `smime-bridge` command end to end: files in, files out, exit codes, checked with OpenSSL. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { decrypt, openssl, tempDir, verifySignatureOnly } from '../helpers/openssl.js';

const t = tempDir('smime-bridge-cli-');
after(() => t.cleanup());
const read = (p: string) => new Uint8Array(readFileSync(p));

test('convert .eml -> .msg -> .eml: the clear-signed sample still verifies in OpenSSL', () => {
  const msg = join(t.dir, 'clear.msg');
  const back = join(t.dir, 'clear.back.eml');
  let r = runCli(['convert', 'samples/clear-signed.eml', msg]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /IPM\.Note\.SMIME\.MultipartSigned/);
  r = runCli(['convert', msg, back]);
  assert.equal(r.status, 0, r.stderr);
  const v = verifySignatureOnly(read(back));
  assert.ok(v.ok, v.stderr);
  assert.equal(openssl(['cms', '-verify', '-CAfile', 'samples/keys/ca.pem', '-in', back, '-out', '/dev/null']).status, 0);
});

test('convert .eml -> .json -> .msg -> .eml: the encrypted sample still decrypts in OpenSSL', () => {
  const json = join(t.dir, 'enc.json');
  const msg = join(t.dir, 'enc.msg');
  const back = join(t.dir, 'enc.back.eml');
  for (const [a, b] of [['samples/encrypted.eml', json], [json, msg], [msg, back]] as const) {
    const r = runCli(['convert', a, b]);
    assert.equal(r.status, 0, r.stderr);
  }
  const d = decrypt(read(back), 'samples/keys/bob.key');
  assert.ok(d.ok, d.stderr);
  assert.match(new TextDecoder().decode(d.content), /quarterly figures/);
});

test('inspect --json: S/MIME class, media type parameters, CMS type, headers, attachments, unwrapped view', () => {
  const r = runCli(['inspect', '--json', 'samples/clear-signed.eml']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.smime.kind, 'clear-signed');
  assert.equal(j.smime.protocol, 'application/pkcs7-signature');
  assert.equal(j.smime.micalg, 'sha-256');
  assert.equal(j.smime.cmsType, 'signed-data');
  assert.equal(j.headers.subject, 'Quarterly figures (clear-signed)');
  assert.equal(j.attachments.length, 1);
  assert.deepEqual(j.unwrapped.attachments.map((a: { name: string }) => a.name), ['figures.csv']);
  assert.equal(j.unwrapped.signature.filename, 'smime.p7s');
  const e = JSON.parse(runCli(['inspect', '--json', 'samples/encrypted.eml']).stdout);
  assert.equal(e.smime.kind, 'opaque-or-encrypted');
  assert.equal(e.smime.smimeType, 'enveloped-data');
  assert.equal(e.smime.cmsType, 'enveloped-data');
  assert.match(e.unwrapped.note, /decrypt/);
});

test('inspect of a .msg shows the raw view and the unwrapped view', () => {
  const msg = join(t.dir, 'views.msg');
  assert.equal(runCli(['convert', 'samples/clear-signed.eml', msg]).status, 0);
  const r = runCli(['inspect', msg]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /SMIME\.txt\s+multipart\/signed/);
  assert.match(r.stdout, /figures\.csv\s+text\/csv/);
  assert.match(r.stdout, /smime\.p7s\s+application\/pkcs7-signature/);
});

test('extract writes the signed content body, its real attachments and smime.p7s', () => {
  const dir = join(t.dir, 'extract');
  const r = runCli(['extract', 'samples/clear-signed.eml', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['body.txt', 'figures.csv', 'smime.p7s', 'verdict.json']);
  assert.equal(JSON.parse(readFileSync(join(dir, 'verdict.json'), 'utf8')).verdict, 'untrusted', 'no --ca: the record says untrusted');
  assert.match(readFileSync(join(dir, 'body.txt'), 'utf8'), /Grüße, Alice/);
  assert.equal(readFileSync(join(dir, 'figures.csv'), 'utf8'), 'quarter,revenue\r\nQ1,100\r\nQ2,120');
  // the signature is a CMS SignedData OpenSSL can parse
  assert.equal(openssl(['cms', '-cmsout', '-inform', 'DER', '-in', join(dir, 'smime.p7s'), '-print', '-noout']).status, 0);
});

test('exit codes: 2 for usage errors, 1 for rejected input with the error code named', () => {
  assert.equal(runCli([]).status, 2);
  assert.equal(runCli(['frobnicate']).status, 2);
  assert.equal(runCli(['convert', 'only-one-arg.eml']).status, 2);
  assert.equal(runCli(['inspect', '--bogus', 'x']).status, 2);
  const badJson = t.file('bad.json', '{"format":"nope"}');
  let r = runCli(['inspect', badJson]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /MAPI_JSON_INVALID/);
  const badMsg = t.file('bad.msg', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 1, 2, 3]));
  r = runCli(['convert', badMsg, join(t.dir, 'x.eml')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /MSG_CFB_MALFORMED|MSG_/);
  assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('  hint: ')).length, 1, 'one error line (and a hint)');
  r = runCli(['inspect', join(t.dir, 'missing.eml')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /IO_ERROR/);
  assert.ok(!existsSync(join(t.dir, 'x.eml')), 'no output written for rejected input');
  void writeFileSync;
});

test('demo converts every sample and reports identical signed bytes', () => {
  const out = join(t.dir, 'demo');
  const r = runCli(['demo', 'samples', '--out', out]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /4 sample\(s\) converted, 0 problem\(s\)/);
  assert.equal((r.stdout.match(/signed bytes  identical/g) ?? []).length, 1);
  assert.ok(existsSync(join(out, 'encrypted.msg')));
});
