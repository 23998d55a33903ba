import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cmsContentType } from '../../src/smime/index.js';
import { derOf, encrypted, makeIdentity } from '../helpers/pki.js';
import { openssl } from '../helpers/openssl.js';

test('cmsContentType reads the ContentInfo OID of DER and of indefinite-length BER, and rejects truncated or foreign bytes', () => {
  const id = makeIdentity();
  try {
    const der = derOf(encrypted(id));
    assert.deepEqual(cmsContentType(der), { oid: '1.2.840.113549.1.7.3', name: 'enveloped-data' });
    const ber = openssl(['cms', '-encrypt', '-binary', '-stream', '-outform', 'DER', id.cert], new TextEncoder().encode('x')).stdout;
    assert.equal(ber[1], 0x80, 'OpenSSL streamed an indefinite length');
    assert.equal(cmsContentType(ber)?.name, 'enveloped-data');
    assert.equal(cmsContentType(der.subarray(0, der.length - 1)), undefined, 'definite length past the end');
    assert.equal(cmsContentType(new TextEncoder().encode('-----BEGIN PKCS7-----')), undefined);
    assert.equal(cmsContentType(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)), undefined, 'first element is not an OID');
  } finally { id.cleanup(); }
});

test('cmsContentType costs the same for a huge object: it reads only the header', () => {
  // A SEQUENCE claiming 200 MB with the signed-data OID: header present, content not needed.
  const head = Uint8Array.of(0x30, 0x84, 0x0b, 0xeb, 0xc2, 0x00, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02);
  const big = new Uint8Array(200_000_006);
  big.set(head);
  assert.equal(cmsContentType(big)?.name, 'signed-data');
});
