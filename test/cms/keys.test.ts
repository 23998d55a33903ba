/** Key and certificate loading (src/cms/keys.ts) on files written by OpenSSL in every common encoding. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certMatchesKey, decryptEnvelopedData, emailsOf, encryptData, loadCertificates, loadPkcs12, loadPrivateKey, parsePem } from '../../src/cms/index.js';
import { MIME_CRLF, type Pki, makePki, openssl, opensslOk, u8 } from './helpers.js';

let pki: Pki;
before(() => {
  pki = makePki();
});
after(() => pki.cleanup());

test('parsePem returns every block with its label and DER equal to openssl x509 -outform DER', () => {
  const blocks = parsePem(pki.rsa.certPem + '\n' + readFileSync(pki.caPem, 'latin1'));
  assert.deepEqual(blocks.map((b) => b.label), ['CERTIFICATE', 'CERTIFICATE']);
  assert.deepEqual(blocks[0]!.der, u8(openssl(['x509', '-in', pki.rsa.cert, '-outform', 'DER'])));
});

test('loadCertificates reads PEM and DER; e-mail addresses come from subject and subjectAltName', () => {
  const pem = loadCertificates(pki.rsa.certPem);
  const der = loadCertificates(u8(openssl(['x509', '-in', pki.rsa.cert, '-outform', 'DER'])));
  assert.equal(pem.length, 1);
  assert.deepEqual(emailsOf(der[0]!), ['rsauser@example.com']);
});

const rsaForms: [string, (f: string) => string[], string | undefined][] = [
  ['PKCS#8 PEM', (f) => ['pkey', '-in', f], undefined],
  ['PKCS#1 "RSA PRIVATE KEY" PEM', (f) => ['rsa', '-in', f, '-traditional'], undefined],
  ['encrypted PKCS#8 (PBES2 AES-256-CBC)', (f) => ['pkcs8', '-topk8', '-in', f, '-v2', 'aes-256-cbc', '-passout', 'pass:s3cret'], 's3cret'],
  ['encrypted PKCS#8 (PBES2 DES-EDE3-CBC)', (f) => ['pkcs8', '-topk8', '-in', f, '-v2', 'des3', '-passout', 'pass:s3cret'], 's3cret'],
  ['encrypted PKCS#8 (PKCS#12 PBE SHA1-3DES)', (f) => ['pkcs8', '-topk8', '-in', f, '-v1', 'PBE-SHA1-3DES', '-passout', 'pass:s3cret'], 's3cret'],
];
for (const [name, args, pw] of rsaForms) {
  test(`loadPrivateKey reads an RSA key as ${name} and it matches its certificate`, async () => {
    const pem = openssl(args(pki.rsa.key)).toString('latin1');
    const key = await loadPrivateKey(pem, pw);
    assert.equal(key.type, 'rsa');
    assert.ok(certMatchesKey(loadCertificates(pki.rsa.certPem)[0]!, key));
    if (pw) await assert.rejects(loadPrivateKey(pem, 'wrong'), { code: 'CMS_BAD_PASSWORD' });
  });
}

test('loadPrivateKey reads a DER PKCS#8 key and a SEC1 "EC PRIVATE KEY"', async () => {
  const der = u8(openssl(['pkey', '-in', pki.rsa.key, '-outform', 'DER']));
  assert.equal((await loadPrivateKey(der)).type, 'rsa');
  const sec1 = openssl(['ec', '-in', pki.ec.key]).toString('latin1');
  assert.match(sec1, /BEGIN EC PRIVATE KEY/);
  const k = await loadPrivateKey(sec1);
  assert.equal(k.type, 'ec');
  assert.equal(k.namedCurve, 'P-256');
  // usable: ECDH decrypt of a message OpenSSL encrypted to this key
  const f = join(pki.dir, 'plain-ec.bin');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(f, MIME_CRLF);
  const env = u8(openssl(['cms', '-encrypt', '-binary', '-aes256', '-outform', 'DER', '-in', f, pki.ec.cert]));
  assert.deepEqual(await decryptEnvelopedData(env, { key: k }), MIME_CRLF);
});

test('an encrypted key without password gives CMS_BAD_PASSWORD; garbage gives CMS_KEY_MALFORMED', async () => {
  const pem = openssl(['pkcs8', '-topk8', '-in', pki.rsa.key, '-v2', 'aes-256-cbc', '-passout', 'pass:x']).toString('latin1');
  await assert.rejects(loadPrivateKey(pem), { code: 'CMS_BAD_PASSWORD' });
  await assert.rejects(loadPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), { code: 'CMS_KEY_MALFORMED' });
  await assert.rejects(loadPrivateKey(new Uint8Array([1, 2, 3])), { code: 'CMS_KEY_MALFORMED' });
});

const p12Forms: [string, string[]][] = [
  ['OpenSSL 3 default (PBES2 AES-256, HMAC-SHA256)', []],
  ['legacy (RC2-40 certificates, 3DES key, SHA-1 MAC)', ['-legacy']],
  ['3DES for both', ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
];
for (const [name, extra] of p12Forms) {
  test(`loadPkcs12 reads an OpenSSL ${name} PKCS#12 and rejects a wrong password`, async (t) => {
    const out = join(pki.dir, `u${extra.length}.p12`);
    const r = opensslOk(['pkcs12', '-export', '-in', pki.rsa.cert, '-inkey', pki.rsa.key, '-certfile', pki.caPem, '-passout', 'pass:pw', '-out', out, ...extra]);
    if (!r.ok) assert.fail(`OpenSSL cannot write it: ${r.err.slice(0, 80)}`);
    const der = u8(readFileSync(out));
    const p = await loadPkcs12(der, 'pw');
    assert.equal(p.key.type, 'rsa');
    assert.ok(certMatchesKey(p.cert, p.key));
    assert.deepEqual(emailsOf(p.cert), ['rsauser@example.com']);
    assert.equal(p.chain.length, 1);
    await assert.rejects(loadPkcs12(der, 'wrong'), { code: 'CMS_BAD_PASSWORD' });
    // the loaded key opens what is encrypted to the certificate
    const env = await encryptData(MIME_CRLF, [p.cert], { keyTransport: 'RSAES-PKCS1-v1_5' });
    assert.deepEqual(await decryptEnvelopedData(env, { key: p.key, cert: p.cert }), MIME_CRLF);
  });
}

test('loadPkcs12 on a truncated file gives CMS_TRUNCATED', async () => {
  const out = join(pki.dir, 'trunc.p12');
  openssl(['pkcs12', '-export', '-in', pki.rsa.cert, '-inkey', pki.rsa.key, '-passout', 'pass:pw', '-out', out]);
  const der = u8(readFileSync(out));
  await assert.rejects(loadPkcs12(der.subarray(0, der.length - 7), 'pw'), { code: 'CMS_TRUNCATED' });
});
