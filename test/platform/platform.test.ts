/**
 * Issue 14 item 2 / issue 10 item 5: every operation of the platform interface gives the same
 * bytes through the Node implementation (node:crypto, Buffer) and the portable one (WebCrypto,
 * pure TypeScript), on the same inputs, and both agree with OpenSSL where OpenSSL can say.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes as nodeRandom } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptEnvelopedData, loadPrivateKey, signData } from '../../src/cms/index.js';
import type { PrivateKey } from '../../src/cms/index.js';
import { type Platform, type SignatureScheme, platform, portablePlatform, setPlatform } from '../../src/platform/index.js';
import { ecdsaDerToRaw } from '../../src/cms/pubkey.js';
import { nodePlatform } from '../../src/platform/node.js';
import { ladderModPow, publicModPow } from '../../src/platform/bigint-rsa.js';
import { MIME_CRLF, type Pki, makePki, openssl, u8 } from '../cms/helpers.js';

const both: Platform[] = [nodePlatform, portablePlatform];
let pki: Pki;
let key: PrivateKey;
before(async () => {
  pki = makePki();
  key = await loadPrivateKey(pki.rsa.keyPem);
});
after(() => {
  setPlatform(portablePlatform);
  pki.cleanup();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const file = (name: string, b: Uint8Array | string) => {
  const f = join(pki.dir, name);
  writeFileSync(f, b);
  return f;
};

/** Run `op` on both platforms and assert the results are byte-equal; returns the common result. */
async function same<T>(op: (p: Platform) => Promise<T> | T): Promise<T> {
  const [a, b] = [await op(nodePlatform), await op(portablePlatform)];
  assert.deepEqual(a, b, 'node and portable platforms differ');
  return a;
}

test('RSADP (RSA_NO_PADDING): node:crypto and the blinded bigint ladder give the same bytes, and OpenSSL pkeyutl agrees', async () => {
  const k = 256;
  for (let i = 0; i < 4; i++) {
    const c = u8(nodeRandom(k));
    c[0] = 0x3f; // below n (n has its top bit set)
    const m = await same((p) => p.rsaPrivateRaw(key.rsa!, c));
    const expect = u8(openssl(['pkeyutl', '-decrypt', '-inkey', pki.rsa.key, '-pkeyopt', 'rsa_padding_mode:none', '-in', file('c.bin', c)]));
    assert.equal(hex(m), hex(expect));
  }
});

test('RSASSA-PKCS1-v1_5 signing: both platforms give the signature openssl dgst -sign gives', async () => {
  const data = u8(nodeRandom(1000));
  for (const h of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const) {
    const sig = await same((p) => p.rsaSignPkcs1(key.pkcs8, h, data));
    const expect = u8(openssl(['dgst', `-${h.toLowerCase().replace('-', '')}`, '-sign', pki.rsa.key, file('d.bin', data)]));
    assert.equal(hex(sig), hex(expect), h);
  }
});

test('digests SHA-1/224/256/384/512: both platforms equal openssl dgst', async () => {
  for (const len of [0, 3, 64, 100_000]) {
    const data = u8(nodeRandom(len));
    for (const h of ['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'] as const) {
      const d = await same((p) => p.digest(h, data));
      const out = openssl(['dgst', `-${h.toLowerCase().replace('-', '')}`, '-r', file('d.bin', data)]).toString().slice(0, d.length * 2);
      assert.equal(hex(d), out, `${h} of ${len} bytes`);
    }
  }
});

test('base64: both platforms decode and encode alike; a character outside the alphabet is null on both', async () => {
  for (const len of [0, 1, 2, 3, 57, 1000, 70_001]) {
    const data = u8(nodeRandom(len));
    const text = await same((p) => p.base64Encode(data));
    assert.equal(text, Buffer.from(data).toString('base64'));
    const wrapped = text.replace(/.{1,76}/g, '$&\r\n');
    assert.equal(hex((await same((p) => p.base64Decode(wrapped)))!), hex(data));
  }
  for (const bad of ['QUJD*', 'QU=JD', 'QUJD\u00e9', '====QQ']) assert.equal(await same((p) => p.base64Decode(bad)), null, bad);
});

describe('CBC decryption: ciphertext from openssl enc', () => {
  const cases: [string, 'AES' | 'DES-EDE3', number, number][] = [
    ['aes-128-cbc', 'AES', 16, 16],
    ['aes-192-cbc', 'AES', 24, 16],
    ['aes-256-cbc', 'AES', 32, 16],
    ['des-ede3-cbc', 'DES-EDE3', 24, 8],
    ['des-ede-cbc', 'DES-EDE3', 16, 8],
  ];
  for (const [name, cipher, keyLen, ivLen] of cases) {
    test(`${name}: both platforms give the plaintext; a wrong key gives null on both`, async () => {
      const k = u8(nodeRandom(keyLen));
      const iv = u8(nodeRandom(ivLen));
      const plain = u8(nodeRandom(1003));
      const ct = u8(openssl(['enc', `-${name}`, '-K', hex(k), '-iv', hex(iv), '-in', file('p.bin', plain)]));
      assert.equal(hex((await same((p) => p.cbcDecrypt(cipher, k, iv, ct)))!), hex(plain));
      // wrong key: padding fails in most cases; whatever happens, both platforms agree
      const wrong = k.slice();
      wrong[0] ^= 0x80;
      await same((p) => p.cbcDecrypt(cipher, wrong, iv, ct));
      assert.equal(await same((p) => p.cbcDecrypt(cipher, k, iv, ct.subarray(1))), null);
    });
  }
});

test('signature verification (RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256; signatures by openssl dgst -sign): both platforms accept them and refuse changed data', async () => {
  const data = u8(nodeRandom(3000));
  const other = data.slice();
  other[0] ^= 1;
  const dataFile = file('sig.bin', data);
  const cases: [string, string, string[], SignatureScheme][] = [
    ['RSA PKCS#1 v1.5', pki.rsa.key, [], { kind: 'rsa-pkcs1', hash: 'SHA-256' }],
    ['RSA-PSS', pki.rsa.key, ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'], { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }],
    ['ECDSA P-256', pki.ec.key, [], { kind: 'ecdsa', hash: 'SHA-256', curve: 'P-256' }],
  ];
  for (const [name, keyFile, opts, scheme] of cases) {
    const spki = u8(openssl(['pkey', '-in', keyFile, '-pubout', '-outform', 'DER']));
    let sig = u8(openssl(['dgst', '-sha256', '-sign', keyFile, ...opts, dataFile]));
    if (scheme.kind === 'ecdsa') sig = ecdsaDerToRaw(sig, 32)!;
    assert.equal(await same((p) => p.verifySignature(spki, scheme, data, sig)), true, name);
    assert.equal(await same((p) => p.verifySignature(spki, scheme, other, sig)), false, `${name}, changed data`);
    // a scheme that does not fit the key is false on both, never an exception
    const wrong: SignatureScheme = scheme.kind === 'ecdsa' ? { kind: 'rsa-pkcs1', hash: 'SHA-256' } : { kind: 'ecdsa', hash: 'SHA-256', curve: 'P-256' };
    assert.equal(await same((p) => p.verifySignature(spki, wrong, data, sig)), false, `${name}, wrong scheme`);
  }
});

test('HMAC-SHA-256: both platforms equal openssl dgst -hmac', async () => {
  const k = u8(nodeRandom(32));
  const data = u8(nodeRandom(5000));
  const mac = await same((p) => p.hmacSha256(k, data));
  const ref = openssl(['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${hex(k)}`, '-binary', file('h.bin', data)]);
  assert.equal(hex(mac), hex(u8(ref)));
});

describe('incremental CBC decryption (node:crypto) gives what the one-shot decryption of both platforms gives', () => {
  for (const [name, cipher, keyLen, ivLen] of [['aes-256-cbc', 'AES', 32, 16], ['aes-128-cbc', 'AES', 16, 16], ['des-ede3-cbc', 'DES-EDE3', 24, 8]] as const) {
    test(`${name}, fed in pieces of every size from 1 to 40 bytes and in one piece`, async () => {
      const k = u8(nodeRandom(keyLen));
      const iv = u8(nodeRandom(ivLen));
      const plain = u8(nodeRandom(1003));
      const ct = u8(openssl(['enc', `-${name}`, '-K', hex(k), '-iv', hex(iv), '-in', file('p.bin', plain)]));
      const whole = await same((p) => p.cbcDecrypt(cipher, k, iv, ct));
      const run = (pieces: number, data: Uint8Array, key = k): Uint8Array | null => {
        const d = nodePlatform.cbcDecipher!(cipher, key, iv)!;
        const out: Uint8Array[] = [];
        for (let o = 0; o < data.length; o += pieces) out.push(...d.update(data.subarray(o, o + pieces)));
        const last = d.final();
        return last ? Buffer.concat([...out, last]) : null;
      };
      for (let n = 1; n <= 40; n++) assert.equal(hex(run(n, ct)!), hex(whole!), `pieces of ${n}`);
      assert.equal(hex(run(ct.length, ct)!), hex(plain));
      // a truncated ciphertext and a wrong key: what the one-shot decryption says
      assert.equal(run(7, ct.subarray(0, ct.length - 1)), null);
      const wrong = k.slice();
      wrong[0] ^= 0x80;
      const w = await same((p) => p.cbcDecrypt(cipher, wrong, iv, ct));
      const ws = run(5, ct, wrong);
      assert.equal(ws === null ? null : hex(ws), w === null ? null : hex(w));
    });
  }
  test('the portable platform has no incremental cipher (WebCrypto has none)', () => {
    assert.equal(portablePlatform.cbcDecipher, undefined);
  });
});

test('AES-GCM decryption (ciphertext from node:crypto createCipheriv): both platforms equal; a changed tag is null on both', async () => {
  for (const keyLen of [16, 24, 32]) {
    for (const tagLen of [12, 16]) {
      const k = u8(nodeRandom(keyLen));
      const iv = u8(nodeRandom(12));
      const aad = u8(nodeRandom(20));
      const plain = u8(nodeRandom(777));
      const c = createCipheriv(`aes-${keyLen * 8}-gcm` as 'aes-128-gcm', k, iv, { authTagLength: tagLen });
      c.setAAD(aad);
      const ct = u8(Buffer.concat([c.update(plain), c.final()]));
      const tag = u8(c.getAuthTag());
      assert.equal(hex((await same((p) => p.gcmDecrypt(k, iv, ct, tag, aad)))!), hex(plain));
      const badTag = tag.slice();
      badTag[0] ^= 1;
      assert.equal(await same((p) => p.gcmDecrypt(k, iv, ct, badTag, aad)), null);
    }
  }
});

test('the Montgomery ladder equals square-and-multiply on random values', () => {
  const r = () => BigInt('0x' + nodeRandom(64).toString('hex'));
  for (let i = 0; i < 20; i++) {
    const [b, e, m] = [r(), r(), r() | 1n];
    assert.equal(ladderModPow(b, e, m, 512), publicModPow(b, e, m));
  }
});

describe('whole operations on each platform', () => {
  for (const p of both) {
    test(`${p.name}: decryptEnvelopedData opens an OpenSSL message (RSA PKCS#1 v1.5, AES-256-CBC and DES-EDE3-CBC); signData verifies with openssl`, async () => {
      setPlatform(p);
      try {
        assert.equal(platform().name, p.name);
        for (const c of ['-aes256', '-des3']) {
          const der = u8(openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', c, '-in', file('m.bin', MIME_CRLF), pki.rsa.cert]));
          assert.equal(hex(await decryptEnvelopedData(der, { key })), hex(MIME_CRLF));
        }
        const sig = await signData(MIME_CRLF, { key, cert: u8(openssl(['x509', '-in', pki.rsa.cert, '-outform', 'DER'])) }, { detached: true });
        openssl(['cms', '-verify', '-noverify', '-binary', '-inform', 'DER', '-in', file('s.der', sig), '-content', file('m.bin', MIME_CRLF), '-out', file('o.bin', '')]);
      } finally {
        setPlatform(portablePlatform);
      }
    });
  }
});
