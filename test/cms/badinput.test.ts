/** Bad input to the CMS layer: typed errors, never TypeError/RangeError, never a hang (RFC 5652 structures, X.690 encodings). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { SmimeBridgeError } from '../../src/errors.js';
import { decryptEnvelopedData, inspectCms, loadPkcs12, loadPrivateKey, verifySignedData } from '../../src/cms/index.js';
import type { PrivateKey } from '../../src/cms/index.js';
import { MIME_CRLF, type Pki, makePki, openssl, u8 } from './helpers.js';

let pki: Pki;
let signed: Uint8Array;
let enveloped: Uint8Array;
let key: PrivateKey;
before(async () => {
  pki = makePki();
  const f = join(pki.dir, 'in.bin');
  writeFileSync(f, MIME_CRLF);
  signed = u8(openssl(['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-in', f, '-signer', pki.rsa.cert, '-inkey', pki.rsa.key]));
  enveloped = u8(openssl(['cms', '-encrypt', '-binary', '-aes256', '-outform', 'DER', '-in', f, pki.rsa.cert]));
  key = await loadPrivateKey(pki.rsa.keyPem);
});
after(() => pki.cleanup());

const typed = (e: unknown) => e instanceof SmimeBridgeError;

test('every prefix of a SignedData is CMS_TRUNCATED with a byte offset', () => {
  for (const n of [1, 2, 5, 20, 100, signed.length >> 1, signed.length - 1]) {
    assert.throws(() => inspectCms(signed.subarray(0, n)), (e: SmimeBridgeError) => e.code === 'CMS_TRUNCATED' && typeof e.location.offset === 'number');
  }
});

test('empty input is CMS_TRUNCATED; a wrong outer tag or trailing garbage is CMS_MALFORMED', () => {
  assert.throws(() => inspectCms(new Uint8Array(0)), { code: 'CMS_TRUNCATED' });
  assert.throws(() => inspectCms(new Uint8Array([0x02, 0x01, 0x00])), { code: 'CMS_MALFORMED' });
  const trailing = new Uint8Array(signed.length + 3);
  trailing.set(signed);
  trailing.set([1, 2, 3], signed.length);
  assert.throws(() => inspectCms(trailing), { code: 'CMS_MALFORMED' });
});

test('X.690 8.1.3.6: indefinite length on a primitive encoding is CMS_MALFORMED', () => {
  assert.throws(() => inspectCms(new Uint8Array([0x04, 0x80, 0x00, 0x00])), { code: 'CMS_MALFORMED' });
});

test('nesting deeper than the limit is LIMIT_EXCEEDED, not a stack overflow', () => {
  const depth = 5000;
  const b = new Uint8Array(depth * 2 + 2);
  for (let i = 0; i < depth; i++) {
    b[2 * i] = 0x30;
    b[2 * i + 1] = 0x80;
  }
  assert.throws(() => inspectCms(b), { code: 'LIMIT_EXCEEDED' });
});

test('random bytes never escape as anything but SmimeBridgeError from inspectCms', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      try {
        inspectCms(b);
      } catch (e) {
        if (!typed(e)) throw e;
      }
    }),
    { numRuns: 500 },
  );
});

test('single-byte mutations of a SignedData give a result or a SmimeBridgeError from verifySignedData', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: signed.length - 1 }), fc.integer({ min: 1, max: 255 }), async (i, x) => {
      const m = signed.slice();
      m[i] ^= x;
      try {
        await verifySignedData(m, {});
      } catch (e) {
        if (!typed(e)) throw e;
      }
    }),
    { numRuns: 100 },
  );
});

test('single-byte mutations of an EnvelopedData give the content or a SmimeBridgeError from decryptEnvelopedData', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: enveloped.length - 1 }), fc.integer({ min: 1, max: 255 }), async (i, x) => {
      const m = enveloped.slice();
      m[i] ^= x;
      try {
        await decryptEnvelopedData(m, { key });
      } catch (e) {
        if (!typed(e)) throw e;
      }
    }),
    { numRuns: 40 },
  );
});

test('a first byte turned into a GeneralizedTime tag (0x30^0x28) is CMS_MALFORMED, not a library Error', async () => {
  const m = signed.slice();
  m[0] ^= 40;
  await assert.rejects(verifySignedData(m, {}), { code: 'CMS_MALFORMED' });
  assert.throws(() => inspectCms(m), { code: 'CMS_MALFORMED' });
});

test('single-byte mutations of a PKCS#12 file give CMS_BAD_PASSWORD or another SmimeBridgeError, never a crash', async () => {
  const out = join(pki.dir, 'fuzz.p12');
  openssl(['pkcs12', '-export', '-in', pki.rsa.cert, '-inkey', pki.rsa.key, '-passout', 'pass:pw', '-iter', '1', '-out', out]);
  const p12 = u8(readFileSync(out));
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: p12.length - 1 }), fc.integer({ min: 1, max: 255 }), async (i, x) => {
      const m = p12.slice();
      m[i] ^= x;
      try {
        await loadPkcs12(m, 'pw');
      } catch (e) {
        if (!typed(e)) throw e;
      }
    }),
    { numRuns: 60 },
  );
});

test('random bytes given to loadPrivateKey give CMS_KEY_MALFORMED (or another SmimeBridgeError)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (b) => {
      try {
        await loadPrivateKey(b);
      } catch (e) {
        if (!typed(e)) throw e;
      }
    }),
    { numRuns: 200 },
  );
});

test('an EnvelopedData given to verifySignedData is CMS_MALFORMED naming the content type', async () => {
  await assert.rejects(verifySignedData(enveloped, { content: MIME_CRLF }), (e: SmimeBridgeError) => e.code === 'CMS_MALFORMED' && /enveloped-data/.test(e.message));
});

test('a SignedData given to decryptEnvelopedData is CMS_MALFORMED', async () => {
  await assert.rejects(decryptEnvelopedData(signed, { key }), { code: 'CMS_MALFORMED' });
});
