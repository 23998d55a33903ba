// Transfer encodings (RFC 2045 6.7 quoted-printable, 6.8 base64) and charsets; checked against
// openssl and python3's quopri where an outside tool can judge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import {
  decodeBase64,
  encodeBase64,
  decodeQuotedPrintable,
  encodeQuotedPrintable,
  decodeCharset,
  isKnownCharset,
  parseMime,
  bodyText,
  decodeBody,
  isKnownTransferEncoding,
} from '../../src/mime/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const latin = (b: Uint8Array): string => Array.from(b, (c) => String.fromCharCode(c)).join('');

test('RFC 2045 6.8: base64 decoding skips line breaks, spaces and junk characters', () => {
  assert.equal(latin(decodeBase64(enc('aGVs\r\nbG8g\n d29y*bGQ=\r\n'))), 'hello world');
  assert.equal(latin(decodeBase64(enc('!!aG\u0000Vs#bG8='))), 'hello');
});

test('RFC 2045 6.8: base64 decoding stops at = padding and tolerates missing padding', () => {
  assert.equal(latin(decodeBase64(enc('aGk=aGVsbG8='))), 'hi');
  assert.equal(latin(decodeBase64(enc('aGk'))), 'hi');
  assert.equal(latin(decodeBase64(enc('aA'))), 'h');
  assert.equal(latin(decodeBase64(enc('a'))), '');
});

test('RFC 2045 6.8: encodeBase64 writes 76-character CRLF lines (0 = one line)', () => {
  const data = new Uint8Array(200).map((_, i) => i);
  const lines = latin(encodeBase64(data)).split('\r\n');
  assert.ok(lines.slice(0, -1).every((l) => l.length === 76));
  assert.equal(lines.join(''), Buffer.from(data).toString('base64'));
  assert.equal(latin(encodeBase64(data, 0)), Buffer.from(data).toString('base64'));
  assert.equal(encodeBase64(new Uint8Array(0)).length, 0);
});

test('encodeBase64 output is accepted by openssl base64 -d', () => {
  const data = new Uint8Array(1000).map((_, i) => (i * 37 + 11) & 255);
  const out = execFileSync('openssl', ['base64', '-d'], { input: Buffer.concat([encodeBase64(data, 64), Buffer.from('\n')]) });
  assert.deepEqual(new Uint8Array(out), data);
});

test('base64 round-trip for random bytes and line lengths', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 100 }), (data, ll) => {
      assert.deepEqual(decodeBase64(encodeBase64(data, ll)), data);
    }),
  );
});

test('RFC 2045 6.7: QP soft line breaks with CRLF or LF (and WSP after =) are removed', () => {
  assert.equal(latin(decodeQuotedPrintable(enc('abc=\r\ndef=\nghi= \t\r\njkl'))), 'abcdefghijkl');
});

test('RFC 2045 6.7: QP lower-case hex tolerated, invalid = kept literally, trailing WSP kept (RFC 3676)', () => {
  assert.equal(latin(decodeQuotedPrintable(enc('caf=c3=a9 =3D =ZZ =4'))), 'caf\u00c3\u00a9 = =ZZ =4');
  assert.equal(latin(decodeQuotedPrintable(enc('flowed \r\n-- \nend'))), 'flowed \r\n-- \nend');
});

test('RFC 2045 6.7: encodeQuotedPrintable keeps lines within 76 columns with CRLF', () => {
  const text = enc('x'.repeat(200) + '\r\n' + 'é'.repeat(50) + ' \r\n');
  const out = latin(encodeQuotedPrintable(text));
  for (const line of out.split('\r\n')) assert.ok(line.length <= 76, `line of ${line.length}`);
  assert.ok(out.includes('=20\r\n'), 'trailing space before a line break is encoded (rule 3)');
});

test('encodeQuotedPrintable output decodes with python3 quopri to the same bytes', () => {
  const data = enc('Grüße = Größe\r\n\ttabbed line \r\n' + 'long '.repeat(40) + '\r\n');
  const py = execFileSync('/usr/bin/python3', ['-c', 'import sys,quopri; sys.stdout.buffer.write(quopri.decodestring(sys.stdin.buffer.read()))'], {
    input: encodeQuotedPrintable(data),
  });
  assert.deepEqual(new Uint8Array(py), data);
});

test('quoted-printable round-trip for random bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (data) => {
      assert.deepEqual(decodeQuotedPrintable(encodeQuotedPrintable(data)), data);
    }),
  );
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
      const data = enc(s);
      assert.deepEqual(decodeQuotedPrintable(encodeQuotedPrintable(data)), data);
    }),
  );
});

test('decodeBody: 7bit/8bit/binary are the raw bytes as a subarray of the source', () => {
  const src = enc('Content-Transfer-Encoding: 8bit\n\nr\u00e9sum\u00e9');
  const { root } = parseMime(src);
  const b = decodeBody(root);
  assert.equal(b.buffer, src.buffer);
  assert.equal(b.byteOffset, root.body.start);
});

test('bodyText: charset parameter decides; us-ascii default read tolerantly', () => {
  const cp1251 = new Uint8Array([...enc('Content-Type: text/plain; charset=windows-1251\n\n'), 0xcf, 0xf0, 0xe8]);
  assert.equal(bodyText(parseMime(cp1251).root), 'При');
  const qp = enc('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9=\n!');
  assert.equal(bodyText(parseMime(qp).root), 'café!');
  const unlabelled = new Uint8Array([...enc('Subject: x\n\n'), 0xc3, 0xa9, 0x20, 0x41]);
  assert.equal(bodyText(parseMime(unlabelled).root), 'é A');
});

test('charsets: TextDecoder labels, iconv-lite fallbacks (UTF-7), unknown => latin1', () => {
  assert.equal(decodeCharset(new Uint8Array([0xa4]), 'ISO-8859-15'), '€');
  assert.equal(decodeCharset(enc('+AGE-'), 'utf-7'), 'a');
  assert.equal(decodeCharset(new Uint8Array([0xb0, 0xa1]), 'gb2312'), '啊');
  assert.equal(decodeCharset(new Uint8Array([0xe9]), 'x-unknown'), 'é');
  assert.equal(isKnownCharset('x-unknown'), false);
  assert.equal(isKnownCharset('"UTF-8"'), true);
  assert.equal(isKnownCharset('cp437'), true);
});

test('RFC 2045 6.1: an unknown transfer encoding leaves the body raw and is reported as unknown', () => {
  const { root } = parseMime(enc('Content-Transfer-Encoding: x-uuencode\n\nbegin 644 a\n'));
  assert.equal(root.transferEncoding, 'x-uuencode');
  assert.equal(isKnownTransferEncoding(root.transferEncoding), false);
  assert.equal(latin(decodeBody(root)), 'begin 644 a\n');
  assert.equal(isKnownTransferEncoding('Base64'), true);
});
