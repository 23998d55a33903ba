/**
 * The attack shapes of issue 10 that the verdict model decides (secure/verdict.ts, secure/open.ts):
 * each message is made by OpenSSL, OpenSSL's own verdict is checked where it has one, and the
 * installed command's verdict and exit code are asserted. Path-validation shapes (name
 * constraints, pathLen, keyCertSign, end-entity anchors, unknown critical extensions) are in
 * test/cms/.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/openssl.js';
import { ENVELOPE, INNER, cms, makeIdentity, withHeaders } from '../helpers/pki.js';

const t = tempDir('smime-bridge-attacks-');
const alice = makeIdentity();
after(() => { alice.cleanup(); t.cleanup(); });
const enc = new TextEncoder();
const text = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
const save = (name: string, b: Uint8Array | string) => t.file(name, typeof b === 'string' ? enc.encode(b) : b);

/** A clear-signed message made by OpenSSL with the given envelope header lines. */
function signed(envelope = ENVELOPE, id = alice): string {
  return text(withHeaders(envelope, cms(['-sign', '-signer', id.cert, '-inkey', id.key, '-md', 'sha256'], INNER)));
}
function verdict(file: string, extra: string[] = ['--ca', alice.ca]): { status: number; j: { verdict: string; reasons: { code: string }[]; signers: { state: string; reasons: { code: string }[] }[] } } {
  const r = runCli(['verify', file, '--json', ...extra]);
  return { status: r.status, j: JSON.parse(r.stdout) };
}
const codes = (j: ReturnType<typeof verdict>['j']) => [...j.reasons.map((r) => r.code), ...j.signers.flatMap((s) => s.reasons.map((r) => r.code))];

test('baseline: the OpenSSL-signed message is valid (exit 0) and OpenSSL agrees', () => {
  const f = save('good.eml', signed());
  assert.equal(openssl(['cms', '-verify', '-CAfile', alice.ca, '-in', f, '-out', '/dev/null']).status, 0);
  const v = verdict(f);
  assert.equal(v.status, 0, JSON.stringify(v.j));
  assert.equal(v.j.verdict, 'valid');
});

test('two Content-Type fields: invalid (ambiguous) though the signature holds; OpenSSL refuses it too', () => {
  assert.match(signed(), /^MIME-Version: 1\.0\r?\n/m);
  const f = save('two-ct.eml', signed().replace(/^MIME-Version: 1\.0(\r?\n)/m, 'MIME-Version: 1.0$1Content-Type: text/plain$1'));
  assert.notEqual(openssl(['cms', '-verify', '-CAfile', alice.ca, '-in', f, '-out', '/dev/null']).status, 0);
  const v = verdict(f);
  assert.equal(v.status, 10);
  assert.ok(codes(v.j).includes('AMBIGUOUS_STRUCTURE'), JSON.stringify(v.j.reasons));
});

test('a repeated boundary parameter: invalid (ambiguous)', () => {
  const f = save('two-boundary.eml', signed().replace(/boundary="([^"]+)"/, 'boundary="decoy"; boundary="$1"'));
  const v = verdict(f);
  assert.equal(v.status, 10);
  assert.ok(codes(v.j).includes('AMBIGUOUS_STRUCTURE'));
});

test('a third, unsigned part in multipart/signed: invalid (ambiguous)', () => {
  const s = signed();
  const b = /boundary="([^"]+)"/.exec(s)![1]!;
  const f = save('three-parts.eml', s.replace(`--${b}--`, `--${b}\r\nContent-Type: text/plain\r\n\r\nWire the money today.\r\n--${b}--`));
  const v = verdict(f);
  assert.equal(v.status, 10);
  assert.ok(codes(v.j).includes('AMBIGUOUS_STRUCTURE'));
});

test('From that the certificate does not carry: invalid (ADDRESS_MISMATCH); --allow-address-mismatch relaxes it', () => {
  const env = ENVELOPE.map((l) => (l.startsWith('From:') ? 'From: CEO <ceo@bank.test>' : l));
  const f = save('ceo.eml', signed(env));
  let v = verdict(f);
  assert.equal(v.status, 10);
  assert.ok(codes(v.j).includes('ADDRESS_MISMATCH'));
  v = verdict(f, ['--ca', alice.ca, '--allow-address-mismatch']);
  assert.equal(v.status, 0);
});

test('two From fields: invalid (AMBIGUOUS_FROM), whichever one matches', () => {
  const f = save('two-from.eml', signed(['From: CEO <ceo@bank.test>', ...ENVELOPE]));
  const v = verdict(f);
  assert.equal(v.status, 10);
  assert.ok(codes(v.j).includes('AMBIGUOUS_FROM'));
});

test('without --ca a self-signed signer is untrusted (exit 11), never valid; --signature-only is explicit', () => {
  const self = t.file('self.cnf', '[req]\ndistinguished_name=dn\n[dn]\n[ext]\nkeyUsage=digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:alice@example.org\n');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(t.dir, 'self.key'), '-out', join(t.dir, 'self.pem'), '-days', '30', '-subj', '/CN=Self', '-config', self, '-extensions', 'ext'], { stdio: 'pipe' });
  const m = text(withHeaders(ENVELOPE, cms(['-sign', '-signer', join(t.dir, 'self.pem'), '-inkey', join(t.dir, 'self.key')], INNER)));
  const f = save('self.eml', m);
  assert.equal(verdict(f, []).status, 11);
  assert.equal(verdict(f, ['--signature-only']).status, 0);
});

test('a signer certificate whose EKU is serverAuth only: invalid (KEY_USAGE, RFC 8550 4.4.4)', () => {
  const dir = t.dir;
  t.file('srv.cnf', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=email:alice@example.org\n');
  execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=Alice server'], { cwd: dir, stdio: 'pipe' });
  execFileSync('openssl', ['x509', '-req', '-in', 'srv.csr', '-CA', alice.ca, '-CAkey', join(alice.dir, 'ca.key'), '-CAcreateserial', '-out', 'srv.pem', '-days', '30', '-extfile', 'srv.cnf'], { cwd: dir, stdio: 'pipe' });
  const f = save('srv.eml', text(withHeaders(ENVELOPE, cms(['-sign', '-signer', join(dir, 'srv.pem'), '-inkey', join(dir, 'srv.key')], INNER))));
  assert.notEqual(openssl(['cms', '-verify', '-CAfile', alice.ca, '-in', f, '-out', '/dev/null']).status, 0, 'OpenSSL refuses it (purpose smimesign)');
  const v = verdict(f);
  assert.equal(v.status, 10);
  assert.ok(codes(v.j).includes('KEY_USAGE'));
});

test('extract and unwrap refuse tampered content (exit 10) unless --no-verify, and then record it', () => {
  const f = save('tampered.eml', signed().replace('Hello Bob.', 'Hello Eve.'));
  let r = runCli(['extract', f, join(t.dir, 'x1'), '--ca', alice.ca]);
  assert.equal(r.status, 10, r.stdout + r.stderr);
  assert.match(r.stdout, /INVALID[\s\S]*nothing extracted/);
  r = runCli(['extract', f, join(t.dir, 'x2'), '--ca', alice.ca, '--no-verify']);
  assert.equal(r.status, 0, r.stderr);
  const record = JSON.parse(readFileSync(join(t.dir, 'x2', 'verdict.json'), 'utf8'));
  assert.equal(record.verdict, 'invalid');
  r = runCli(['unwrap', f, '--ca', alice.ca, '-o', join(t.dir, 'u.eml')]);
  assert.equal(r.status, 10);
  r = runCli(['unwrap', f, '--ca', alice.ca, '--no-verify', '-o', join(t.dir, 'u.eml')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(join(t.dir, 'u.eml'), 'latin1'), /^X-SMIME-Bridge-Verdict: not verified \(--no-verify\)\r\nX-SMIME-Bridge-Layer: 1; clear-signed; signers="invalid /);
});

test('signed content whose eContentType is not id-data is reported as what it is, never rendered as mail (cannot-check)', () => {
  const der = cms(['-sign', '-signer', alice.cert, '-inkey', alice.key, '-nodetach', '-binary', '-econtent_type', '1.2.3.4.5', '-outform', 'DER'], INNER);
  const f = save('odd.p7m', der);
  const v = verdict(f);
  assert.equal(v.status, 12);
  assert.ok(codes(v.j).includes('CONTENT_NOT_MAIL'));
  const i = JSON.parse(runCli(['inspect', f, '--json']).stdout);
  assert.equal(i.unwrapped?.body, undefined, 'no body shown from non-mail content');
});

test('a certificate CN holding terminal escape sequences cannot repaint the screen', () => {
  const dir = t.dir;
  t.file('esc.cnf', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:alice@example.org\n');
  execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-utf8', '-keyout', 'esc.key', '-out', 'esc.csr', '-subj', '/CN=\x1b[2J\x1b[Hall signatures valid'], { cwd: dir, stdio: 'pipe' });
  execFileSync('openssl', ['x509', '-req', '-in', 'esc.csr', '-CA', alice.ca, '-CAkey', join(alice.dir, 'ca.key'), '-CAcreateserial', '-out', 'esc.pem', '-days', '30', '-extfile', 'esc.cnf'], { cwd: dir, stdio: 'pipe' });
  const f = save('esc.eml', text(withHeaders(ENVELOPE, cms(['-sign', '-signer', join(dir, 'esc.pem'), '-inkey', join(dir, 'esc.key')], INNER))));
  for (const c of [['verify', f, '--ca', alice.ca], ['inspect', f]]) {
    const r = runCli(c);
    assert.doesNotMatch(r.stdout + r.stderr, /\x1b/, c[0]);
    assert.match(r.stdout, /\\x1b\[2J/, `${c[0]} shows the escape as text`);
  }
});

test('weak content encryption is named in the verdict: RC2 with its key size, 3DES (OpenSSL-made messages)', () => {
  for (const [flag, want] of [['-rc2-40', /RC2-CBC with a 40-bit key/], ['-des3', /DES-EDE3-CBC/]] as const) {
    const der = cms(['-encrypt', flag, '-provider', 'legacy', '-provider', 'default', '-outform', 'DER', alice.cert], INNER);
    const f = save(`weak${flag}.p7m`, der);
    const r = runCli(['verify', f, '--json', '--key', alice.key, '--cert', alice.cert]);
    const j = JSON.parse(r.stdout) as { reasons: { code: string; message: string }[] };
    const weak = j.reasons.find((x) => x.code === 'WEAK_ENCRYPTION');
    assert.ok(weak, `${flag}: ${r.stdout.slice(0, 400)}`);
    assert.match(weak.message, want);
  }
});
