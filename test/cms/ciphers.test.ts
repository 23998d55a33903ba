/** DES-EDE3 and RC2 (hand-written, src/cms/des.ts, rc2.ts) checked against RFC 2268 vectors and `openssl enc`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TripleDes, cbcDecrypt, cbcEncrypt } from '../../src/cms/des.js';
import { Rc2 } from '../../src/cms/rc2.js';
import { toHex } from '../../src/cms/bytes.js';
import { openssl, opensslOk, u8 } from './helpers.js';

const hex = (s: string) => u8(Buffer.from(s, 'hex'));
const text = new TextEncoder().encode('The quick brown fox jumps over the lazy dog, 0123456789 and more text.');

test('RC2 matches the RFC 2268 section 5 test vectors', () => {
  const cases: [string, number, string, string][] = [
    ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
    ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
    ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
    ['88', 64, '0000000000000000', '61a8a244adacccf0'],
    ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  ];
  for (const [k, bits, p, c] of cases) {
    const b = hex(p);
    const cipher = new Rc2(hex(k), bits);
    cipher.encryptBlock(b, 0);
    assert.equal(toHex(b), c, `key ${k} bits ${bits}`);
    cipher.decryptBlock(b, 0);
    assert.equal(toHex(b), p);
  }
});

test('DES-EDE3-CBC encryption equals openssl enc -des-ede3-cbc, and decrypts back', () => {
  const key = hex('0123456789abcdef23456789abcdef01456789abcdef0123');
  const iv = hex('1122334455667788');
  const ours = cbcEncrypt(new TripleDes(key), iv, text);
  const theirs = openssl(['enc', '-des-ede3-cbc', '-K', toHex(key), '-iv', toHex(iv)], text);
  assert.equal(toHex(ours), theirs.toString('hex'));
  assert.deepEqual(cbcDecrypt(new TripleDes(key), iv, u8(theirs)), text);
});

test('DES-EDE3-CBC decryption rejects bad padding with null (no throw)', () => {
  const key = hex('0123456789abcdef23456789abcdef01456789abcdef0123');
  const ct = cbcEncrypt(new TripleDes(key), new Uint8Array(8), text);
  const wrongKey = hex('1123456789abcdef23456789abcdef01456789abcdef0123'.replace('11', 'f1'));
  const r = cbcDecrypt(new TripleDes(wrongKey), new Uint8Array(8), ct);
  assert.ok(r === null || toHex(r) !== toHex(text));
  assert.equal(cbcDecrypt(new TripleDes(key), new Uint8Array(8), ct.subarray(0, 13)), null);
});

test('RC2-40-CBC encryption equals openssl enc -rc2-40-cbc (legacy provider)', (t) => {
  const key = hex('0102030405');
  const iv = hex('0807060504030201');
  const r = opensslOk(['enc', '-rc2-40-cbc', '-provider', 'legacy', '-provider', 'default', '-K', toHex(key), '-iv', toHex(iv)], text);
  if (!r.ok) assert.fail('OpenSSL legacy provider not available: ' + r.err.slice(0, 80));
  assert.equal(toHex(cbcEncrypt(new Rc2(key, 40), iv, text)), r.out.toString('hex'));
  assert.deepEqual(cbcDecrypt(new Rc2(key, 40), iv, u8(r.out)), text);
});

test('RC2-128-CBC encryption equals openssl enc -rc2-cbc', (t) => {
  const key = hex('000102030405060708090a0b0c0d0e0f');
  const iv = hex('0807060504030201');
  const r = opensslOk(['enc', '-rc2-cbc', '-provider', 'legacy', '-provider', 'default', '-K', toHex(key), '-iv', toHex(iv)], text);
  if (!r.ok) assert.fail('OpenSSL legacy provider not available');
  assert.equal(toHex(cbcEncrypt(new Rc2(key, 128), iv, text)), r.out.toString('hex'));
});
