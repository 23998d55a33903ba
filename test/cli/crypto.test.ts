/**
 * `sign`, `encrypt`, `decrypt`, `verify` end to end, with OpenSSL on the other side both ways:
 * OpenSSL verifies what we sign and decrypts what we encrypt (RSA PKCS#1 v1.5, RSA-OAEP, ECDH,
 * AES-CBC and AES-GCM); we verify and decrypt what OpenSSL produces, also through .msg files.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/openssl.js';
import { type Identity, makeIdentity, clearSigned, encrypted, opaqueSigned } from '../helpers/pki.js';

const t = tempDir('smime-bridge-crypto-');
let rsa: Identity;
let ec: Identity;
before(() => { rsa = makeIdentity('rsa'); ec = makeIdentity('ec'); });
after(() => { t.cleanup(); rsa.cleanup(); ec.cleanup(); });
const out = (n: string) => join(t.dir, n);
const text = (p: string) => readFileSync(p, 'latin1');

test('sign (clear and opaque, SHA-256/384) -> openssl cms -verify with the CA succeeds', () => {
  for (const [args, name] of [[[], 'c.eml'], [['--opaque'], 'o.eml'], [['--digest', 'sha384'], 'c384.eml']] as const) {
    const r = runCli(['sign', 'samples/plain.eml', '--key', rsa.key, '--cert', rsa.cert, ...args, '-o', out(name)]);
    assert.equal(r.status, 0, r.stderr);
    const v = openssl(['cms', '-verify', '-CAfile', rsa.ca, '-in', out(name), '-out', '-']);
    assert.equal(v.status, 0, v.stderr);
    assert.match(new TextDecoder().decode(v.stdout), /quarter,revenue/);
  }
  assert.match(text(out('c384.eml')), /micalg=sha-384/);
  assert.match(text(out('c.eml')), /^Subject: Quarterly figures \(not protected\)\r$/m, 'the envelope stays outside');
});

test('encrypt (RSA-OAEP, RSA PKCS#1 v1.5, AES-GCM, ECDH) -> openssl cms -decrypt gives the content', () => {
  const cases: Array<[string[], string, Identity]> = [
    [['--key-transport', 'oaep'], 'oaep.eml', rsa],
    [['--key-transport', 'pkcs1'], 'v15.eml', rsa],
    [['--cipher', 'aes-256-gcm'], 'gcm.eml', rsa],
    [['--cipher', 'aes-128-cbc'], 'ecdh.eml', ec],
  ];
  for (const [args, name, id] of cases) {
    const r = runCli(['encrypt', 'samples/plain.eml', '--cert', id.cert, ...args, '-o', out(name)]);
    assert.equal(r.status, 0, r.stderr);
    const d = openssl(['cms', '-decrypt', '-inkey', id.key, '-recip', id.cert, '-in', out(name), '-out', '-']);
    assert.equal(d.status, 0, `${name}: ${d.stderr}`);
    assert.match(new TextDecoder().decode(d.stdout), /quarter,revenue/, name);
  }
  assert.match(text(out('gcm.eml')), /smime-type=authEnveloped-data/);
});

test('decrypt what OpenSSL encrypted (RSA and EC recipients) to .eml and .msg', () => {
  const e1 = t.file('ossl-rsa.eml', encrypted(rsa));
  let r = runCli(['decrypt', e1, '--key', rsa.key, '--cert', rsa.cert, '-o', out('d1.eml')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(text(out('d1.eml')), /Hello Bob\./);
  assert.match(text(out('d1.eml')), /^Subject: Re: test message\r$/m);
  const ecEnc = new Uint8Array(openssl(['cms', '-encrypt', '-aes256', '-crlfeol', ec.cert], new TextEncoder().encode('Content-Type: text/plain\r\n\r\nfor EC\r\n')).stdout);
  const e2 = t.file('ossl-ec.eml', ecEnc);
  r = runCli(['decrypt', e2, '--key', ec.key, '-o', out('d2.msg')]);
  assert.equal(r.status, 0, r.stderr);
  const back = runCli(['convert', out('d2.msg'), out('d2.eml')]);
  assert.equal(back.status, 0, back.stderr);
  assert.match(text(out('d2.eml')), /for EC/);
});

test('verify: exit 0 valid, 10 tampered, 11 untrusted, 1 malformed or missing input, 2 usage', () => {
  const good = t.file('good.eml', clearSigned(rsa));
  let r = runCli(['verify', good, '--ca', rsa.ca]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /: VALID: /);
  const opaque = t.file('opaque.eml', opaqueSigned(rsa));
  assert.equal(runCli(['verify', opaque, '--ca', rsa.ca]).status, 0);
  const tampered = t.file('bad.eml', text(good).replace('Hello Bob.', 'Hello Eve.'));
  r = runCli(['verify', tampered, '--json']);
  assert.equal(r.status, 10, r.stdout);
  const j = JSON.parse(r.stdout);
  assert.equal(j.verdict, 'invalid');
  assert.equal(j.layers[0].verify.signers[0].signatureValid, false);
  assert.equal(j.layers[0].verify.signers[0].reason, 'digest-mismatch');
  assert.equal(j.signers[0].reasons[0].code, 'DIGEST_MISMATCH');
  const other = makeIdentity();
  try {
    // Another CA of the same name: the issuer found by name does not verify the signer: invalid
    // (OpenSSL: "certificate signature failure"), never valid.
    r = runCli(['verify', good, '--ca', other.ca]);
    assert.equal(r.status, 10, r.stdout);
    assert.match(r.stdout, /invalid: \S*signature\S*: /i);
  } finally { other.cleanup(); }
  const broken = t.file('broken.eml', text(good).replace(/(Content-Transfer-Encoding: base64\r\n[^\r]*\r\n\r\n)[A-Za-z0-9+/]{20}/, '$1AAAAAAAAAAAAAAAAAAAA'));
  r = runCli(['verify', broken]);
  assert.ok(r.status === 1 || r.status === 10, `broken signature part: exit ${r.status}`);
  assert.equal(runCli(['verify']).status, 2);
  assert.equal(runCli(['verify', out('missing.eml')]).status, 1);
});

test('sign then encrypt into a .msg, then verify it through the CLI with the key (triple layer through .msg)', () => {
  const r = runCli(['sign', 'samples/plain.eml', '--key', rsa.key, '--cert', rsa.cert, '--encrypt', rsa.cert, '-o', out('se.msg')]);
  assert.equal(r.status, 0, r.stderr);
  const v = runCli(['verify', out('se.msg'), '--key', rsa.key, '--ca', rsa.ca]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /layer 1: enveloped[\s\S]*layer 2: clear-signed/);
  // and OpenSSL agrees on the .eml the .msg turns back into
  assert.equal(runCli(['convert', out('se.msg'), out('se.eml')]).status, 0);
  const d = openssl(['cms', '-decrypt', '-inkey', rsa.key, '-in', out('se.eml'), '-out', out('se.inner.eml')]);
  assert.equal(d.status, 0, d.stderr);
  assert.equal(openssl(['cms', '-verify', '-CAfile', rsa.ca, '-in', out('se.inner.eml'), '-out', '/dev/null']).status, 0);
});

test('decrypt with the wrong key is a typed error, exit 1, and does not say why the padding failed', () => {
  const other = makeIdentity();
  try {
    const e = t.file('enc.eml', encrypted(rsa));
    const r = runCli(['decrypt', e, '--key', other.key, '--cert', other.cert, '-o', out('nope.eml')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /CMS_(NO_RECIPIENT|DECRYPT_FAILED)/);
    assert.doesNotMatch(r.stderr, /padding/i);
  } finally { other.cleanup(); }
});

test('corpus: the signed and encrypted Outlook .msg files verify and decrypt through the CLI', async () => {
  const { manifest, corpusPath, decryptKeyFor } = await import('../helpers/corpus.js');
  const msgs = manifest().entries.filter((e) => e.format === 'msg' && e.smimeClass !== 'none' && e.cmsType !== null);
  const wrong: string[] = [];
  let checked = 0;
  for (const e of msgs) {
    const file = corpusPath(e.path);
    if (e.signatureOnly === 'ok' || e.signatureOnly?.startsWith('fail')) {
      // OpenSSL's -noverify verdict is about the signature alone: compare the signature of every signer.
      const r = runCli(['verify', file, '--json']);
      checked++;
      const j = JSON.parse(r.stdout) as { layers: Array<{ verify?: { signers: Array<{ signatureValid: boolean }> } }> };
      const signers = j.layers.flatMap((l) => l.verify?.signers ?? []);
      const ok = signers.length > 0 && signers.every((s) => s.signatureValid);
      if (ok !== (e.signatureOnly === 'ok') || (ok && r.status === 10 && !/WEAK|KEY_USAGE|ADDRESS/.test(r.stdout))) wrong.push(`${e.path}: verify exit ${r.status}, manifest ${e.signatureOnly}: ${r.stderr}`);
    }
    const k = decryptKeyFor(e);
    if (k) {
      const args = /\.(p12|pfx|pkcs12)$/i.test(k.path) ? ['--p12', corpusPath(k.path), '--password', k.password ?? ''] : ['--key', corpusPath(k.path)];
      const target = out(`corpus-${checked}.eml`);
      const r = runCli(['decrypt', file, ...args, '-o', target]);
      checked++;
      if (r.status !== 0) { wrong.push(`${e.path}: decrypt exit ${r.status}: ${r.stderr}`); continue; }
      if (e.innerMediaType && !new RegExp(`^Content-Type: ${e.innerMediaType}`, 'im').test(text(target))) wrong.push(`${e.path}: decrypted content is not ${e.innerMediaType}`);
      // decrypting removes the encryption only: a signature inside still verifies in OpenSSL
      if (e.innerMediaType === 'multipart/signed') {
        const v = openssl(['cms', '-verify', '-noverify', '-in', target, '-out', '/dev/null']);
        if (v.status !== 0) wrong.push(`${e.path}: the decrypted signed message does not verify: ${v.stderr}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 6, `only ${checked} checks`);
});

test('unwrap peels signed-then-encrypted into a plain IPM.Note .msg with body and real attachments', () => {
  assert.equal(runCli(['sign', 'samples/plain.eml', '--key', rsa.key, '--cert', rsa.cert, '--encrypt', rsa.cert, '-o', out('triple.eml')]).status, 0);
  const r = runCli(['unwrap', out('triple.eml'), '--key', rsa.key, '--ca', rsa.ca, '-o', out('inner.msg')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2 layer\(s\) removed; verdict valid[\s\S]*enveloped[\s\S]*clear-signed[\s\S]*: valid/);
  const i = runCli(['inspect', '--json', out('inner.msg')]);
  const j = JSON.parse(i.stdout);
  assert.equal(j.messageClass, 'IPM.Note');
  assert.equal(j.body.plain, true);
  assert.deepEqual(j.attachments.map((a: { name: string }) => a.name), ['figures.csv']);
  assert.equal(j.headers.subject, 'Quarterly figures (not protected)');
  assert.equal(runCli(['unwrap', out('triple.eml'), '-o', out('nokey.msg')]).status, 1, 'without the key it cannot open the layers');
});
