// Content rules, draft-ietf-smime-x400transport-01 2.2 and 2.4: bare CMS → id-ct-contentInfo,
// MIME-wrapped → id-data with the entity bytes unchanged. CMS objects made by OpenSSL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as x from '../../src/x400/index.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { makeFixture, openssl, readCorpus, sameBytes, signWithOpenssl } from './helpers.js';

const fx = makeFixture();
after(() => fx.cleanup());

test('draft 2.2: a bare CMS object (DER) is the content as is, content type id-ct-contentInfo', () => {
  const der = signWithOpenssl(fx, 'DER');
  const c = x.contentFromCms(der);
  assert.equal(c.contentType, '1.2.840.113549.1.9.16.1.6');
  assert.equal(c.cmsType, x.ID_SIGNED_DATA);
  assert.ok(sameBytes(c.content, der));
});

test('draft 2.2: a PEM CMS object (openssl -outform PEM) becomes the same DER content', () => {
  const der = signWithOpenssl(fx, 'DER');
  const pem = openssl(['cms', '-cmsout', '-inform', 'DER', '-in', fx.write('s.der', der), '-outform', 'PEM']).stdout;
  const c = x.contentFromCms(new Uint8Array(pem));
  assert.ok(sameBytes(c.content, der));
});

test('draft 2.2/2.4: a MIME-wrapped S/MIME entity is carried byte for byte with id-data', () => {
  const eml = readCorpus('thunderbird-smime/mailnews/test/data/smime/alice.sig.SHA256.opaque.eml');
  const c = x.contentFromMimeEntity(eml);
  assert.equal(c.contentType, '1.2.840.113549.1.7.1');
  assert.equal(c.content, eml);
});

test('contentFromCms rejects what is not a ContentInfo with a typed BER error and offset', () => {
  for (const bad of [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), new Uint8Array([0x04, 0x05, 1]), new TextEncoder().encode('hello')]) {
    assert.throws(
      () => x.contentFromCms(bad),
      (e: unknown) => e instanceof SmimeBridgeError && /^X400_BER_/.test(e.code) && typeof e.location.offset === 'number',
    );
  }
});

test('contentFromMimeEntity rejects bytes without a MIME header section', () => {
  assert.throws(() => x.contentFromMimeEntity(new TextEncoder().encode('just text')), SmimeBridgeError);
  assert.throws(() => x.contentFromMimeEntity(signWithOpenssl(fx, 'DER')), SmimeBridgeError);
});
