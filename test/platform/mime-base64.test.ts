/**
 * Issue 14 item 2: MIME base64 (RFC 2045 6.8) through Buffer (Node platform) and pure TypeScript
 * (portable platform) gives the same bytes on the same inputs: valid, line-broken, with junk,
 * with URL-safe characters, truncated quanta, `=` in the middle, and large. Valid inputs also
 * equal RFC 4648 section 10's test vectors and `openssl base64 -d`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { nodePlatform } from '../../src/platform/node.js';
import { portablePlatform } from '../../src/platform/index.js';

const latin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function sameDecode(input: Uint8Array): Uint8Array {
  const a = nodePlatform.mimeBase64Decode(input);
  const b = portablePlatform.mimeBase64Decode(input);
  assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer');
  assert.deepEqual(a, b, `decoders differ on ${JSON.stringify(text(input).slice(0, 80))}`);
  return a;
}

function sameEncode(input: Uint8Array, lineLength: number): Uint8Array {
  const a = nodePlatform.mimeBase64Encode(input, lineLength);
  const b = portablePlatform.mimeBase64Encode(input, lineLength);
  assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
  assert.deepEqual(a, b, `encoders differ (length ${input.length}, line ${lineLength})`);
  return a;
}

test('RFC 4648 section 10 test vectors decode and encode alike on both platforms', () => {
  const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
  for (const [plain, enc] of vectors) {
    assert.equal(text(sameDecode(latin1(enc))), plain);
    assert.equal(text(sameEncode(latin1(plain), 76)), enc);
  }
});

test('odd and hostile inputs: both platforms give the same bytes', () => {
  const cases = [
    'Zm9v\r\nYmFy', 'Zm 9v\tYm\nFy', 'Zm9vYmFy====', 'Zm=9vYmFy', '=Zm9v', 'Zm9vY', 'Zm9vYm', 'Zm9vYmF', 'Z', 'Zg', 'Zg=', '====',
    'Zm9v*Ym!Fy%', '\x00\xffZm9v\x80YmFy', 'Zm9v-YmFy', 'Zm9v_YmFy', '-_-_', 'Zm9\u00e9vYmFy', '\r\n\r\n', 'Zm9vYmFy\r\n=\r\nZm9v',
    '+/+/', 'AAAA'.repeat(2000) + 'Zm8', 'QUJD' + '\r\n'.repeat(3000) + 'REVG',
  ];
  for (const c of cases) sameDecode(latin1(c));
  // a base64 string from another tool with junk inserted everywhere
  const ossl = execFileSync('openssl', ['base64'], { input: randomBytes(5000) });
  const junky = Buffer.from(ossl.toString('latin1').replace(/(.{7})/g, '$1 *\t'), 'latin1');
  sameDecode(new Uint8Array(junky));
});

test('random inputs over the alphabet, whitespace, junk, pads and URL-safe characters (fast-check)', () => {
  const ch = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split(''), '\r\n', ' ', '\t', '=', '-', '_', '*', '\x00', '\xff', '\x80', '.');
  fc.assert(fc.property(fc.array(ch, { maxLength: 300 }), (parts) => { sameDecode(latin1(parts.join(''))); }), { numRuns: 3000 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(0, 4, 64, 76, 77, 1000), (bytes, line) => {
    const enc = sameEncode(bytes, line);
    assert.deepEqual(sameDecode(enc), bytes, 'round trip');
  }), { numRuns: 1000 });
});

test('large content (12 MB): both platforms decode what openssl base64 encoded, line-broken', () => {
  const data = randomBytes(12 << 20);
  const enc = execFileSync('openssl', ['base64'], { input: data, maxBuffer: 64 << 20 });
  assert.deepEqual(Buffer.from(sameDecode(new Uint8Array(enc))), data);
  const mine = sameEncode(new Uint8Array(data), 76);
  const back = execFileSync('openssl', ['base64', '-d'], { input: Buffer.from(text(mine).replace(/\r\n/g, '\n') + '\n'), maxBuffer: 64 << 20 });
  assert.deepEqual(back, data, 'openssl decodes the encoding');
});
