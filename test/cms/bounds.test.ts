/**
 * Issue 10 item 4, decryption and key side: each bound is an option with a safe default, and an
 * input built by a generator of the attack's shape gives a typed LIMIT_EXCEEDED (or, for repeated
 * RecipientInfos, no repeated work) instead of minutes of work or a heap out-of-memory.
 * The real messages are made by OpenSSL; the hostile shapes are assembled around them here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { decryptEnvelopedData, inspectCms, loadPkcs12, loadPrivateKey } from '../../src/cms/index.js';
import type { PrivateKey } from '../../src/cms/index.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { type Platform, portablePlatform, setPlatform } from '../../src/platform/index.js';
import { MIME_CRLF, type Pki, makePki, openssl, u8 } from './helpers.js';

let pki: Pki;
let key: PrivateKey;
let certDer: Uint8Array;
before(async () => {
  pki = makePki();
  key = await loadPrivateKey(pki.rsa.keyPem);
  certDer = u8(openssl(['x509', '-in', pki.rsa.cert, '-outform', 'DER']));
});
after(() => {
  setPlatform(portablePlatform);
  pki.cleanup();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof SmimeBridgeError, `untyped: ${String(e)}`);
    return e.code;
  }
}

test('BER: an 11 MB ContentInfo of a constructed OCTET STRING of 5.5 million empty segments is LIMIT_EXCEEDED (maxElements), not an out-of-memory', async () => {
  const segments = 5_500_000;
  // ContentInfo { id-envelopedData, [0] { constructed OCTET STRING, indefinite, (04 00) x N, EOC } }
  const head = new Uint8Array([0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03, 0xa0, 0x80, 0x24, 0x80]);
  const der = new Uint8Array(head.length + segments * 2 + 6);
  der.set(head);
  for (let i = 0; i < segments; i++) der[head.length + 2 * i] = 0x04;
  assert.ok(der.length > 11_000_000);
  assert.equal(await codeOf(decryptEnvelopedData(der, { key })), 'LIMIT_EXCEEDED');
  assert.equal(await codeOf(Promise.resolve().then(() => inspectCms(der))), 'LIMIT_EXCEEDED');
  // the bound is an option: a smaller input of the same shape passes the walker with a raised limit
  const small = new Uint8Array(head.length + 1000 * 2 + 6);
  small.set(head);
  for (let i = 0; i < 1000; i++) small[head.length + 2 * i] = 0x04;
  const c = await codeOf(decryptEnvelopedData(small, { key }, { limits: { maxElements: 10 } }));
  assert.equal(c, 'LIMIT_EXCEEDED');
});

test('BER: maxDecodedBytes bounds the total of primitive content octets', async () => {
  const der = u8(openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes128', '-in', writeTmp('m.bin', MIME_CRLF), pki.rsa.cert]));
  assert.equal(await codeOf(decryptEnvelopedData(der, { key }, { limits: { maxDecodedBytes: 64 } })), 'LIMIT_EXCEEDED');
  assert.deepEqual(await decryptEnvelopedData(der, { key }), MIME_CRLF);
});

function writeTmp(name: string, b: Uint8Array): string {
  const p = join(pki.dir, name);
  writeFileSync(p, b);
  return p;
}

/** An OpenSSL EnvelopedData with its RecipientInfos SET replaced by `make(original RI)`. */
function withRecipientInfos(make: (ri: asn1js.AsnType) => asn1js.AsnType[]): Uint8Array {
  const der = u8(openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes128', '-in', writeTmp('m.bin', MIME_CRLF), pki.rsa.cert]));
  const ci = asn1js.fromBER(der).result as asn1js.Sequence;
  const ed = (ci.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
  const set = ed.valueBlock.value[1] as asn1js.Set;
  const ri = set.valueBlock.value[0]!;
  const encoded = new Uint8Array(ri.toBER());
  set.valueBlock.value = make(asn1js.fromBER(encoded).result);
  return new Uint8Array(ci.toBER());
}

/** A platform that counts RSA operations and whole-content CBC decryptions. */
function counting(contentLength: number): { p: Platform; rsa: number; full: number } {
  const c = { rsa: 0, full: 0, p: portablePlatform };
  c.p = {
    ...portablePlatform,
    name: 'counting',
    rsaPrivateRaw: (k, x) => {
      c.rsa++;
      return portablePlatform.rsaPrivateRaw(k, x);
    },
    cbcDecrypt: (cipher, k, iv, data) => {
      if (data.length >= contentLength) c.full++;
      return portablePlatform.cbcDecrypt(cipher, k, iv, data);
    },
  };
  return c;
}

const ctLen = Math.ceil((MIME_CRLF.length + 1) / 16) * 16;

test('20 identical RecipientInfos: one RSA operation and one content decryption', async () => {
  const der = withRecipientInfos((ri) => Array.from({ length: 20 }, () => asn1js.fromBER(ri.toBER()).result));
  const c = counting(ctLen);
  setPlatform(c.p);
  try {
    assert.deepEqual(await decryptEnvelopedData(der, { key, cert: certDer }), MIME_CRLF);
  } finally {
    setPlatform(portablePlatform);
  }
  assert.equal(c.rsa, 1);
  assert.equal(c.full, 1);
});

/** `n` RecipientInfos for the same certificate with random encrypted keys, the real one last. */
function distinctRis(n: number): Uint8Array {
  return withRecipientInfos((ri) => {
    const out: asn1js.AsnType[] = [];
    for (let i = 0; i < n - 1; i++) {
      const copy = asn1js.fromBER(ri.toBER()).result as asn1js.Sequence;
      const fake = u8(randomBytes(256));
      fake[0] = 0x10; // below the modulus
      copy.valueBlock.value[3] = new asn1js.OctetString({ valueHex: fake.buffer as ArrayBuffer }); // KeyTransRecipientInfo.encryptedKey
      out.push(copy);
    }
    out.push(ri);
    return out;
  });
}

test('20 distinct RecipientInfos matching the certificate: over maxKeyAttempts (default 16) is LIMIT_EXCEEDED before any RSA operation', async () => {
  const der = distinctRis(20);
  const c = counting(ctLen);
  setPlatform(c.p);
  try {
    assert.equal(await codeOf(decryptEnvelopedData(der, { key, cert: certDer })), 'LIMIT_EXCEEDED');
    assert.equal(c.rsa, 0);
    // raised bound: one RSA operation per distinct RecipientInfo, and the content is not decrypted 20 times
    assert.deepEqual(await decryptEnvelopedData(der, { key, cert: certDer }, { maxKeyAttempts: 20 }), MIME_CRLF);
  } finally {
    setPlatform(portablePlatform);
  }
  assert.equal(c.rsa, 20);
  // the real key is last; every candidate gets a one-block padding check, only one is decrypted whole
  assert.equal(c.full, 1);
});

test('more RecipientInfos than maxRecipientInfos is LIMIT_EXCEEDED', async () => {
  const der = withRecipientInfos((ri) => Array.from({ length: 30 }, () => asn1js.fromBER(ri.toBER()).result));
  assert.equal(await codeOf(decryptEnvelopedData(der, { key }, { maxRecipientInfos: 29 })), 'LIMIT_EXCEEDED');
});

/** A PFX of `entries` EncryptedData entries at `iterations` each (3DES PBE), with a MAC at `iterations`; contents random. */
function costlyPfx(entries: number, iterations: number): Uint8Array {
  const oid = (v: string) => new asn1js.ObjectIdentifier({ value: v });
  const pbe = () => new asn1js.Sequence({ value: [oid('1.2.840.113549.1.12.1.3'), new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: randomBytes(8).buffer as ArrayBuffer }), new asn1js.Integer({ value: iterations })] })] });
  const entry = () => new asn1js.Sequence({
    value: [oid('1.2.840.113549.1.7.6'), new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Sequence({
      value: [new asn1js.Integer({ value: 0 }), new asn1js.Sequence({ value: [oid('1.2.840.113549.1.7.1'), pbe(), new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: randomBytes(64).buffer as ArrayBuffer })] })],
    })] })],
  });
  const authSafe = new asn1js.Sequence({ value: Array.from({ length: entries }, entry) });
  const mac = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [oid('1.3.14.3.2.26'), new asn1js.Null()] }), new asn1js.OctetString({ valueHex: randomBytes(20).buffer as ArrayBuffer })] }),
      new asn1js.OctetString({ valueHex: randomBytes(8).buffer as ArrayBuffer }),
      new asn1js.Integer({ value: iterations }),
    ],
  });
  const pfx = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 3 }),
      new asn1js.Sequence({ value: [oid('1.2.840.113549.1.7.1'), new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: authSafe.toBER() })] })] }),
      mac,
    ],
  });
  return new Uint8Array(pfx.toBER());
}

test('PKCS#12: 8 entries x 10^6 iterations (each under the per-entry cap) is refused up front (maxTotalIterations)', async () => {
  const p12 = costlyPfx(8, 1_000_000);
  // OpenSSL sees the same structure (the oracle for the shape: 8 encrypted entries at 10^6)
  const outer = openssl(['asn1parse', '-inform', 'DER', '-in', writeTmp('costly.p12', p12)]).toString();
  const at = /^\s*(\d+):d=3 .*prim: OCTET STRING/m.exec(outer)![1]!;
  const info = openssl(['asn1parse', '-inform', 'DER', '-in', writeTmp('costly.p12', p12), '-strparse', at]).toString();
  assert.equal(info.match(/INTEGER\s+:0F4240\s*$/gm)?.length, 8);
  assert.equal(info.match(/pbeWithSHA1And3-KeyTripleDES-CBC/g)?.length, 8);
  const err = await loadPkcs12(p12, 'pw').catch((e: unknown) => e);
  assert.ok(err instanceof SmimeBridgeError && err.code === 'LIMIT_EXCEEDED', String(err));
  assert.match(err.message, /maxTotalIterations/);
});

test('PKCS#12: more entries than maxItems is LIMIT_EXCEEDED before any key derivation', async () => {
  assert.equal(await codeOf(loadPkcs12(costlyPfx(12, 1), 'pw', { maxItems: 10 })), 'LIMIT_EXCEEDED');
});

/** A PKCS#8 RSA private key of `bits` bits of random numbers (never used: refused on loading). */
function hugeRsaPkcs8(bits: number): Uint8Array {
  const int = (bytes: number) => {
    const b = u8(randomBytes(bytes));
    b[0] = 0x40 | (b[0]! & 0x3f);
    return new asn1js.Integer({ valueHex: b.buffer as ArrayBuffer });
  };
  const n = bits / 8;
  const rsa = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 }), int(n), new asn1js.Integer({ value: 65537 }), int(n), int(n / 2), int(n / 2), int(n / 2), int(n / 2), int(n / 2)] });
  const pkcs8 = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.1.1' }), new asn1js.Null()] }),
      new asn1js.OctetString({ valueHex: rsa.toBER() }),
    ],
  });
  return new Uint8Array(pkcs8.toBER());
}

test('RSA keys over 16384 bits are refused on loading (maxRsaBits), and decryptEnvelopedData honours its own maxRsaBits', async () => {
  const der = hugeRsaPkcs8(16400);
  const pem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`;
  // OpenSSL reads the structure as a 16400-bit RSA key (its key check would fail: the numbers are random)
  assert.match(openssl(['asn1parse', '-in', writeTmp('huge.pem', u8(Buffer.from(pem)))]).toString(), /rsaEncryption/);
  assert.equal(await codeOf(loadPrivateKey(pem)), 'LIMIT_EXCEEDED');
  assert.equal((await loadPrivateKey(pem, undefined, { maxRsaBits: 20000 })).type, 'rsa');
  const ct = u8(openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes128', '-in', writeTmp('m.bin', MIME_CRLF), pki.rsa.cert]));
  assert.equal(await codeOf(decryptEnvelopedData(ct, { key }, { maxRsaBits: 1024 })), 'LIMIT_EXCEEDED');
});
