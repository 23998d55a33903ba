/**
 * The incremental EnvelopedData readers (readEnvelopedHead, EncryptedContentReader) against the
 * whole-message reader, on DER and BER made by OpenSSL: fed in pieces of every small size (so
 * that pieces cut every header), they give the same ciphertext and accept exactly what the
 * whole-message reader accepts here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncryptedContentReader, readEnvelopedHead } from '../../src/cms/index.js';
import { readEnvelopedDer } from '../../src/cms/structure.js';
import { openssl, tempDir } from '../helpers/openssl.js';

function der(args: string[], size: number): Uint8Array {
  const r = openssl(['cms', '-encrypt', '-outform', 'DER', ...args, 'samples/keys/bob.pem'], new Uint8Array(size).fill(0x41));
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Feed `d` in pieces of `n`; the ciphertext, or undefined when a piece was refused; and end(). */
function feed(d: Uint8Array, n: number): { cipher?: Uint8Array; ended: boolean } {
  let head;
  for (let k = n; !(head = readEnvelopedHead(d.subarray(0, Math.min(k, d.length)))); k += n) if (k > d.length) return { ended: false };
  const r = new EncryptedContentReader(head);
  const out: Uint8Array[] = [];
  for (let o = 0; o < d.length; o += n) {
    const got = r.push(d.subarray(o, o + n));
    if (!got) return { ended: false };
    out.push(...got.map((x) => x.slice()));
  }
  return { cipher: Buffer.concat(out), ended: r.end() };
}

test('definite DER and indefinite BER (openssl -stream): every piece size gives the whole-message reader\'s ciphertext', () => {
  const t = tempDir();
  try {
    for (const args of [['-aes256'], ['-aes128', '-stream']]) {
      const d = der(args, 20000);
      const whole = readEnvelopedDer(d).encryptedContent;
      for (const n of [1, 2, 3, 5, 7, 13, 64, 1000, d.length]) {
        const r = feed(d, n);
        assert.ok(r.ended, `${args.join(' ')}, pieces of ${n}: end() accepts`);
        assert.ok(Buffer.from(r.cipher!).equals(Buffer.from(whole)), `${args.join(' ')}, pieces of ${n}: same ciphertext`);
      }
    }
  } finally {
    t.cleanup();
  }
});

test('bytes after the structure, a cut structure and a changed tag are not accepted (the whole-message reader refuses them too)', () => {
  for (const args of [['-aes256'], ['-aes128', '-stream']]) {
    const d = der(args, 3000);
    const garbage = Buffer.concat([d, Buffer.from([0x05, 0x00])]);
    assert.throws(() => readEnvelopedDer(garbage));
    assert.equal(feed(garbage, 7).ended, false);
    const cut = d.subarray(0, d.length - 3);
    assert.throws(() => readEnvelopedDer(cut));
    assert.equal(feed(cut, 7).ended, false);
    // trailing zero bytes are tolerated by both
    const zeros = Buffer.concat([d, Buffer.alloc(4)]);
    assert.doesNotThrow(() => readEnvelopedDer(zeros));
    assert.equal(feed(zeros, 5).ended, true);
  }
  // a segment that is not an OCTET STRING (X.690 8.7.3.2): the BER form with its first segment's tag changed
  const b = Buffer.from(der(['-aes128', '-stream'], 3000));
  const head = readEnvelopedHead(b)!;
  assert.ok(head.content.constructed);
  b[head.contentStart] = 0x0c;
  assert.throws(() => readEnvelopedDer(b));
  assert.equal(feed(b, 11).ended, false);
});
