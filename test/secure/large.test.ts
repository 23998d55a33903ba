/**
 * Large messages: CMS objects over asn1js's default limits (16 MiB of content, 10 000 nodes) still
 * open, definite-length DER and OpenSSL's streamed indefinite-length BER alike (issue 6 item 4).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decryptEnvelopedData, loadPrivateKey, verifySignedData, inspectCms } from '../../src/cms/index.js';
import { tempDir } from '../helpers/openssl.js';

const t = tempDir('smime-bridge-large-');
after(() => t.cleanup());

const content = new Uint8Array(17 * 1024 * 1024);
for (let i = 0; i < content.length; i++) content[i] = (i * 31 + (i >>> 9)) & 0xff;
const input = t.file('content.bin', content);

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

test('a 17 MiB EnvelopedData (DER and streamed BER from OpenSSL) decrypts to the same bytes', async () => {
  const key = await loadPrivateKey(readFileSync('samples/keys/bob.key'));
  for (const stream of [false, true]) {
    const out = t.file(`enc${stream}.der`);
    execFileSync('openssl', ['cms', '-encrypt', '-binary', '-aes256', '-outform', 'DER', ...(stream ? ['-stream'] : []), '-in', input, '-out', out, 'samples/keys/bob.pem']);
    const plain = await decryptEnvelopedData(new Uint8Array(readFileSync(out)), { key });
    assert.ok(same(plain, content), `stream=${stream}`);
  }
});

test('a 17 MiB attached SignedData verifies and gives its content back', async () => {
  const out = t.file('signed.der');
  execFileSync('openssl', ['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-stream', '-in', input, '-out', out, '-signer', 'samples/keys/alice.pem', '-inkey', 'samples/keys/alice.key']);
  const der = new Uint8Array(readFileSync(out));
  assert.equal(inspectCms(der).contentType, 'signed-data');
  const report = await verifySignedData(der);
  assert.equal(report.signers.length, 1);
  assert.equal(report.signers[0]!.signatureValid, true);
  assert.ok(same(report.content, content));
});
