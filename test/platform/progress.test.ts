/**
 * src/platform/progress.ts: the piecewise base64 decoding, digest and AES-CBC decryption give the
 * bytes Node gives in one pass (Buffer's base64, node:crypto's hash and AES-256-CBC), with
 * pieces cut anywhere (line breaks, junk, a pad in the middle), and report increasing fractions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { LARGE, PIECE, piecewiseAesCbc, piecewiseBase64, piecewiseDigest, progressPlatform } from '../../src/platform/progress.js';
import { portablePlatform } from '../../src/platform/index.js';
import { portableMimeBase64Decode } from '../../src/platform/mime-base64.js';

function recorder() {
  const seen: number[] = [];
  return { seen, report: (_what: string, done: number, total: number) => { seen.push(done / total); } };
}
const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

test('base64 piece by piece equals Buffer\'s one pass (76-character lines, odd lines, junk, a pad mid-way)', () => {
  const data = randomBytes(5 * PIECE + 12345);
  const plain = Buffer.from(data).toString('base64');
  const lines76 = plain.replace(/.{76}/g, '$&\r\n');
  // Lines of 61 characters (not whole groups) and junk bytes between them: RFC 2045 6.8 skips them.
  const odd = plain.replace(/.{61}/g, '$&\r\n*');
  for (const text of [lines76, odd]) {
    const r = recorder();
    const ours = piecewiseBase64(portableMimeBase64Decode, Buffer.from(text, 'latin1'), r.report);
    assert.ok(Buffer.from(ours).equals(data), 'decoded bytes differ');
    assert.ok(r.seen.length >= 5 && increasing(r.seen) && r.seen.at(-1) === 1, r.seen.join(' '));
  }
  // A pad before the end: decoding stops there (Buffer decodes the part before it alike).
  const head = Buffer.from(randomBytes(3 * PIECE + 1)).toString('base64');
  const padded = Buffer.from(`${head.replace(/.{76}/g, '$&\n')}\n${plain.slice(0, PIECE * 2)}`, 'latin1');
  const r = recorder();
  assert.ok(Buffer.from(piecewiseBase64(portableMimeBase64Decode, padded, r.report)).equals(Buffer.from(head, 'base64')));
});

test('digests piece by piece equal node:crypto\'s', async () => {
  const data = randomBytes(LARGE + 3 * PIECE + 7);
  for (const [ours, node] of [['SHA-1', 'sha1'], ['SHA-224', 'sha224'], ['SHA-256', 'sha256'], ['SHA-384', 'sha384'], ['SHA-512', 'sha512']] as const) {
    const r = recorder();
    const d = await piecewiseDigest(ours, data, r.report);
    assert.equal(Buffer.from(d).toString('hex'), createHash(node).update(data).digest('hex'), ours);
    assert.ok(increasing(r.seen) && r.seen.at(-1) === 1);
  }
});

test('AES-CBC piece by piece decrypts what node:crypto encrypted; a bad key or padding gives null', async () => {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const plain = randomBytes(4 * PIECE + 100);
  const c = createCipheriv('aes-256-cbc', key, iv);
  const cipher = Buffer.concat([c.update(plain), c.final()]);
  const r = recorder();
  const out = await piecewiseAesCbc(portablePlatform, key, iv, cipher, r.report);
  assert.ok(out && Buffer.from(out).equals(plain));
  assert.ok(r.seen.length === 5 && increasing(r.seen));
  assert.equal(await piecewiseAesCbc(portablePlatform, randomBytes(32), iv, cipher, () => {}), null);
  // Through the wrapping platform, with and without a report sink.
  let sink: ((w: string, d: number, t: number) => void) | undefined;
  const p = progressPlatform(portablePlatform, () => sink);
  assert.ok(Buffer.from((await p.cbcDecrypt('AES', key, iv, cipher))!).equals(plain));
  const seen: string[] = [];
  sink = (w) => seen.push(w);
  assert.ok(Buffer.from((await p.cbcDecrypt('AES', key, iv, cipher))!).equals(plain));
  assert.ok(seen.length > 1 && seen.every((w) => w === 'decrypting the content'));
});
