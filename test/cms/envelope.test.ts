/** decryptEnvelopedData on OpenSSL-encrypted messages, and encryptData checked by `openssl cms -decrypt`. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptEnvelopedData, encryptData, inspectCms, loadCertificates, loadPrivateKey } from '../../src/cms/index.js';
import type { PrivateKey } from '../../src/cms/index.js';
import { MIME_CRLF, type Pki, makePki, openssl, opensslOk, u8 } from './helpers.js';

let pki: Pki;
let rsaKey: PrivateKey;
let ecKey: PrivateKey;
let otherKey: PrivateKey;
before(async () => {
  pki = makePki();
  rsaKey = await loadPrivateKey(pki.rsa.keyPem);
  ecKey = await loadPrivateKey(pki.ec.keyPem);
  otherKey = await loadPrivateKey(pki.rsa2.keyPem);
});
after(() => pki.cleanup());

function osslEncrypt(certs: string[], args: string[]): { ok: boolean; der: Uint8Array; err: string } {
  const inFile = join(pki.dir, 'plain.bin');
  writeFileSync(inFile, MIME_CRLF);
  // -keyopt applies to the -recip before it
  const keyopts: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-keyopt') keyopts.push(args[i]!, args[++i]!);
    else rest.push(args[i]!);
  }
  const recips = certs.flatMap((c) => ['-recip', c, ...keyopts]);
  const r = opensslOk(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', inFile, ...rest, ...recips]);
  return { ok: r.ok, der: u8(r.out), err: r.err };
}

const cases: [string, 'rsa' | 'ec', string[], string][] = [
  ['AES-256-CBC, RSA PKCS#1 v1.5', 'rsa', ['-aes256'], 'AES-256-CBC'],
  ['AES-128-CBC, RSA PKCS#1 v1.5', 'rsa', ['-aes128'], 'AES-128-CBC'],
  ['AES-192-CBC, RSA PKCS#1 v1.5', 'rsa', ['-aes192'], 'AES-192-CBC'],
  ['DES-EDE3-CBC, RSA PKCS#1 v1.5', 'rsa', ['-des3'], 'DES-EDE3-CBC'],
  ['AES-256-CBC, RSA-OAEP (SHA-1)', 'rsa', ['-aes256', '-keyopt', 'rsa_padding_mode:oaep'], 'AES-256-CBC'],
  ['AES-256-CBC, RSA-OAEP SHA-256', 'rsa', ['-aes256', '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256'], 'AES-256-CBC'],
  ['AES-256-CBC, RSA-OAEP SHA-256 with MGF1-SHA-1', 'rsa', ['-aes256', '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256', '-keyopt', 'rsa_mgf1_md:sha1'], 'AES-256-CBC'],
  ['AES-128-CBC, ECDH P-256', 'ec', ['-aes128'], 'AES-128-CBC'],
  ['AES-256-CBC, ECDH P-256', 'ec', ['-aes256'], 'AES-256-CBC'],
  ['AES-256-GCM (AuthEnvelopedData), RSA', 'rsa', ['-aes-256-gcm'], 'AES-256-GCM'],
  ['AES-128-GCM (AuthEnvelopedData), ECDH', 'ec', ['-aes-128-gcm'], 'AES-128-GCM'],
];
for (const [name, who, args, alg] of cases) {
  test(`OpenSSL-encrypted ${name} decrypts to the same bytes`, async (t) => {
    const e = osslEncrypt([pki[who].cert], args);
    if (!e.ok) assert.fail(`OpenSSL cannot produce it: ${e.err.slice(0, 100)}`);
    assert.equal(inspectCms(e.der).envelopedData?.contentEncryptionAlgorithm, alg);
    const out = await decryptEnvelopedData(e.der, { key: who === 'rsa' ? rsaKey : ecKey, cert: loadCertificates(pki[who].certPem)[0] });
    assert.deepEqual(out, MIME_CRLF);
  });
}

test('OpenSSL-encrypted RC2-40-CBC (legacy provider) decrypts', async (t) => {
  const e = osslEncrypt([pki.rsa.cert], ['-rc2-40-cbc', '-provider', 'legacy', '-provider', 'default']);
  if (!e.ok) assert.fail(`OpenSSL 3 refuses RC2: ${e.err.slice(0, 100)}`);
  assert.equal(inspectCms(e.der).envelopedData?.contentEncryptionAlgorithm, 'RC2-CBC');
  assert.deepEqual(await decryptEnvelopedData(e.der, { key: rsaKey, cert: loadCertificates(pki.rsa.certPem)[0] }), MIME_CRLF);
});

test('RFC 5652 6.2.1: a recipient identified by subjectKeyIdentifier (openssl -keyid) is matched by certificate', async () => {
  const rsa = osslEncrypt([pki.rsa.cert], ['-aes256', '-keyid']);
  const ec = osslEncrypt([pki.ec.cert], ['-aes256', '-keyid']);
  assert.ok(rsa.ok && ec.ok, rsa.err + ec.err);
  assert.equal(inspectCms(rsa.der).envelopedData?.recipients[0]?.rids[0]?.type, 'subjectKeyIdentifier');
  assert.deepEqual(await decryptEnvelopedData(rsa.der, { key: rsaKey, cert: loadCertificates(pki.rsa.certPem)[0] }), MIME_CRLF);
  assert.deepEqual(await decryptEnvelopedData(ec.der, { key: ecKey, cert: loadCertificates(pki.ec.certPem)[0] }), MIME_CRLF);
  await assert.rejects(decryptEnvelopedData(rsa.der, { key: otherKey, cert: loadCertificates(pki.rsa2.certPem)[0] }), { code: 'CMS_NO_RECIPIENT' });
});

test('a message for two recipients decrypts for each, without a certificate given', async () => {
  const e = osslEncrypt([pki.rsa.cert, pki.ec.cert], ['-aes256']);
  assert.ok(e.ok, e.err);
  assert.deepEqual(await decryptEnvelopedData(e.der, { key: rsaKey }), MIME_CRLF);
  assert.deepEqual(await decryptEnvelopedData(e.der, { key: ecKey }), MIME_CRLF);
});

test('a private key that does not belong to the given certificate is CMS_WRONG_KEY (caller error, before any decryption)', async () => {
  const e = osslEncrypt([pki.rsa.cert], ['-aes256']);
  await assert.rejects(decryptEnvelopedData(e.der, { key: otherKey, cert: loadCertificates(pki.rsa.certPem)[0] }), { code: 'CMS_WRONG_KEY' });
});

test('a certificate that is not a recipient gives CMS_NO_RECIPIENT', async () => {
  const e = osslEncrypt([pki.rsa.cert], ['-aes256']);
  await assert.rejects(decryptEnvelopedData(e.der, { key: otherKey, cert: loadCertificates(pki.rsa2.certPem)[0] }), { code: 'CMS_NO_RECIPIENT' });
});

test('the wrong RSA key (PKCS#1 v1.5, implicit rejection) fails only as CMS_DECRYPT_FAILED or yields other bytes', async () => {
  const e = osslEncrypt([pki.rsa.cert], ['-aes256']);
  // no certificate: the RecipientInfo is tried with the wrong key; the padding failure is hidden
  const r = await decryptEnvelopedData(e.der, { key: otherKey }).then(
    (b) => ({ bytes: b }),
    (err: { code: string; message: string }) => ({ err }),
  );
  if ('err' in r) {
    assert.equal(r.err.code, 'CMS_DECRYPT_FAILED');
    assert.match(r.err.message, /wrong key or damaged message/);
  } else assert.notDeepEqual(r.bytes, MIME_CRLF);
});

test('wrong key with RSA-OAEP and with AES-GCM gives the same CMS_DECRYPT_FAILED message', async () => {
  const a = osslEncrypt([pki.rsa.cert], ['-aes256', '-keyopt', 'rsa_padding_mode:oaep']);
  const b = osslEncrypt([pki.rsa.cert], ['-aes-256-gcm']);
  const msgs: string[] = [];
  for (const der of [a.der, b.der]) {
    await assert.rejects(decryptEnvelopedData(der, { key: otherKey }), (err: { code: string; message: string }) => {
      assert.equal(err.code, 'CMS_DECRYPT_FAILED');
      msgs.push(err.message);
      return true;
    });
  }
  assert.equal(msgs[0], msgs[1]);
});

test('a modified GCM ciphertext byte fails authentication (CMS_DECRYPT_FAILED)', async () => {
  const der = await encryptData(MIME_CRLF, [pki.rsa.certPem], { cipher: 'AES-256-GCM' });
  const bad = der.slice();
  bad[bad.length - 30] ^= 1; // inside the ciphertext, before the 16-byte tag
  await assert.rejects(decryptEnvelopedData(bad, { key: rsaKey }), { code: 'CMS_DECRYPT_FAILED' });
});

const ours: [string, 'rsa' | 'ec', Parameters<typeof encryptData>[2]][] = [
  ['AES-256-CBC, RSA-OAEP SHA-256', 'rsa', { cipher: 'AES-256-CBC', keyTransport: 'RSA-OAEP' }],
  ['AES-128-CBC, RSAES-PKCS1-v1_5', 'rsa', { cipher: 'AES-128-CBC', keyTransport: 'RSAES-PKCS1-v1_5' }],
  ['AES-256-GCM, RSA-OAEP', 'rsa', { cipher: 'AES-256-GCM', keyTransport: 'RSA-OAEP' }],
  ['AES-256-CBC, ECDH P-256', 'ec', { cipher: 'AES-256-CBC' }],
  ['AES-128-CBC, ECDH P-256', 'ec', { cipher: 'AES-128-CBC' }],
  ['AES-256-GCM, ECDH P-256', 'ec', { cipher: 'AES-256-GCM' }],
];
for (const [name, who, opts] of ours) {
  test(`encryptData ${name}: openssl cms -decrypt gives the same bytes, and so do we`, async () => {
    const der = await encryptData(MIME_CRLF, [pki[who].certPem], opts);
    const f = join(pki.dir, `ours-${who}.p7m`);
    writeFileSync(f, der);
    const r = opensslOk(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', f, '-inkey', pki[who].key, '-recip', pki[who].cert]);
    assert.ok(r.ok, r.err);
    assert.deepEqual(u8(r.out), MIME_CRLF);
    assert.deepEqual(await decryptEnvelopedData(der, { key: who === 'rsa' ? rsaKey : ecKey, cert: loadCertificates(pki[who].certPem)[0] }), MIME_CRLF);
  });
}

test('encryptData to an RSA and an EC recipient: OpenSSL decrypts with either key', async () => {
  const der = await encryptData(MIME_CRLF, [pki.rsa.certPem, pki.ec.certPem]);
  const f = join(pki.dir, 'both.p7m');
  writeFileSync(f, der);
  for (const who of ['rsa', 'ec'] as const) {
    const out = openssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', f, '-inkey', pki[who].key, '-recip', pki[who].cert]);
    assert.deepEqual(u8(out), MIME_CRLF);
  }
});
