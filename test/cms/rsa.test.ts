/** The bigint RSA code (src/cms/rsa.ts) against `openssl pkeyutl`, and the implicit-rejection rules. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPrivateKey } from '../../src/cms/index.js';
import type { PrivateKey } from '../../src/cms/index.js';
import { rsaOaepDecrypt, rsaOaepEncrypt, rsaPkcs1v15DecryptImplicit, rsaPkcs1v15Encrypt } from '../../src/cms/rsa.js';
import { type Pki, makePki, openssl, u8 } from './helpers.js';

let pki: Pki;
let key: PrivateKey;
const secret = u8(Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex'));
before(async () => {
  pki = makePki();
  key = await loadPrivateKey(pki.rsa.keyPem);
});
after(() => pki.cleanup());

function pkeyutl(args: string[], input: Uint8Array): Uint8Array {
  const f = join(pki.dir, 'in.bin');
  writeFileSync(f, input);
  return u8(openssl(['pkeyutl', '-in', f, ...args]));
}

test('RFC 8017 7.2: what openssl pkeyutl encrypts with PKCS#1 v1.5 decrypts to the same key', async () => {
  const ct = pkeyutl(['-encrypt', '-certin', '-inkey', pki.rsa.cert], secret);
  assert.deepEqual(await rsaPkcs1v15DecryptImplicit(key.rsa!, ct, 32), secret);
});

test('RFC 8017 7.2: what we encrypt with PKCS#1 v1.5, openssl pkeyutl -decrypt opens', () => {
  const ct = rsaPkcs1v15Encrypt(key.rsa!, secret);
  assert.deepEqual(pkeyutl(['-decrypt', '-inkey', pki.rsa.key], ct), secret);
});

test('implicit rejection: a damaged ciphertext yields a deterministic pseudo-random key of the expected length, not an error', async () => {
  const ct = rsaPkcs1v15Encrypt(key.rsa!, secret);
  const bad = ct.slice();
  bad[5] ^= 0xff;
  const a = await rsaPkcs1v15DecryptImplicit(key.rsa!, bad, 32);
  const b = await rsaPkcs1v15DecryptImplicit(key.rsa!, bad, 32);
  assert.equal(a.length, 32);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, secret);
  const other = bad.slice();
  other[6] ^= 0x01;
  assert.notDeepEqual(await rsaPkcs1v15DecryptImplicit(key.rsa!, other, 32), a);
});

test('implicit rejection: correct padding but a key of the wrong length also yields the synthetic key', async () => {
  const ct = rsaPkcs1v15Encrypt(key.rsa!, secret.subarray(0, 16));
  const out = await rsaPkcs1v15DecryptImplicit(key.rsa!, ct, 32);
  assert.equal(out.length, 32);
  assert.notDeepEqual(out.subarray(0, 16), secret.subarray(0, 16));
  assert.deepEqual(await rsaPkcs1v15DecryptImplicit(key.rsa!, ct, 16), secret.subarray(0, 16));
});

test('RFC 8017 7.1: OAEP SHA-256 with MGF1-SHA-1 and a label interoperates with openssl pkeyutl both ways', async () => {
  const label = new TextEncoder().encode('label');
  const opts = ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha1', '-pkeyopt', `rsa_oaep_label:${Buffer.from(label).toString('hex')}`];
  const ours = await rsaOaepEncrypt(key.rsa!, secret, 'SHA-256', 'SHA-1', label);
  assert.deepEqual(pkeyutl(['-decrypt', '-inkey', pki.rsa.key, ...opts], ours), secret);
  const theirs = pkeyutl(['-encrypt', '-certin', '-inkey', pki.rsa.cert, ...opts], secret);
  assert.deepEqual(await rsaOaepDecrypt(key.rsa!, theirs, 'SHA-256', 'SHA-1', label), secret);
  // wrong label: one outcome, null
  assert.equal(await rsaOaepDecrypt(key.rsa!, theirs, 'SHA-256', 'SHA-1', new Uint8Array(0)), null);
});
