// Header value rules: RFC 2047 encoded-words, RFC 2045 5.1 parameters, RFC 2231 extended parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWords, parseHeaderValue, parseMime, headerText, getLastField, getFields } from '../../src/mime/index.js';
import { Diagnostics } from '../../src/errors.js';
import fc from 'fast-check';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('RFC 2047 4.1: B encoding in any charset', () => {
  assert.equal(decodeWords('=?UTF-8?B?w6l0w6k=?='), 'été');
  assert.equal(decodeWords('=?koi8-r?B?8NLJ18XU?='), 'Привет');
  assert.equal(decodeWords('=?iso-8859-1?b?6Q==?= x'), 'é x');
});

test('RFC 2047 4.2: Q encoding, underscore is space, lower-case hex', () => {
  assert.equal(decodeWords('=?iso-8859-1?Q?Andr=E9_Pirard?='), 'André Pirard');
  assert.equal(decodeWords('=?utf-8?q?caf=c3=a9?='), 'café');
});

test('RFC 2047 6.2: whitespace between adjacent encoded-words is dropped, kept next to plain text', () => {
  assert.equal(decodeWords('=?utf-8?Q?a?= =?utf-8?Q?b?='), 'ab');
  assert.equal(decodeWords('=?utf-8?Q?a?=\r\n =?utf-8?Q?b?= c =?utf-8?Q?d?='), 'ab c d');
  // a character split across two words survives (bytes joined before decoding)
  assert.equal(decodeWords('=?utf-8?B?ww==?= =?utf-8?B?qQ==?='), 'é');
  assert.equal(decodeWords('=?utf-8?Q?=C3?= =?utf-8?Q?=A9?='), 'é');
});

test('RFC 2047: malformed encoded-words and unknown charsets are left as they are', () => {
  assert.equal(decodeWords('=?utf-8?X?abc?='), '=?utf-8?X?abc?=');
  assert.equal(decodeWords('=?utf-8?Q?bad=ZZ?='), '=?utf-8?Q?bad=ZZ?=');
  assert.equal(decodeWords('=?x-no-such-charset?Q?abc?='), '=?x-no-such-charset?Q?abc?=');
  assert.equal(decodeWords('plain =? text'), 'plain =? text');
  // spaces inside encoded-text are invalid but common: decoded like python's email does
  assert.equal(decodeWords('=?iso-8859-1?Q?Test E-Mail?='), 'Test E-Mail');
});

test('RFC 2231 section 5: charset*language in an encoded-word', () => {
  assert.equal(decodeWords('=?US-ASCII*EN?Q?Keith_Moore?='), 'Keith Moore');
});

test('RFC 2045 5.1: type/subtype lower-cased, parameter names lower-cased, quoted-pair unescaped', () => {
  const v = parseHeaderValue('Multipart/Signed; Protocol="application/pkcs7-signature"; MICALG=SHA-256; c="q\\"x"');
  assert.equal(v.value, 'multipart/signed');
  assert.deepEqual(v.params, { protocol: 'application/pkcs7-signature', micalg: 'SHA-256', c: 'q"x' });
});

test('parameters: tolerant of missing/extra semicolons, comments and junk', () => {
  const d = new Diagnostics();
  const v = parseHeaderValue('text/plain (comment) ;; charset=utf-8 format=flowed; ; junk; name = "x y"', d);
  assert.equal(v.value, 'text/plain');
  assert.deepEqual(v.params, { charset: 'utf-8', format: 'flowed', name: 'x y' });
  assert.equal(d.warnings[0]!.code, 'MIME_PARAMETER_MALFORMED');
  assert.deepEqual(parseHeaderValue('').value, '');
  assert.equal(parseHeaderValue('attachment; filename="unterminated').params['filename'], 'unterminated');
});

test('RFC 2231 3 and 4: continuations joined, charset and percent-encoding decoded', () => {
  const v = parseHeaderValue(
    "attachment; filename*0*=utf-8'en'%C3%A9t%C3%A9; filename*1=\" long \"; filename*2*=%E2%82%AC.txt",
  );
  assert.equal(v.params['filename'], 'été long €.txt');
  const w = parseHeaderValue("application/x-stuff; title*=iso-8859-1'en'This%20is%20%2A%2A%2Afun%2A%2A%2A%E9");
  assert.equal(w.params['title'], 'This is ***fun***é');
  const x = parseHeaderValue('message/external-body; URL*0="ftp://"; URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"');
  assert.equal(x.params['url'], 'ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar');
});

test('RFC 2231: the extended form wins over a plain parameter of the same name', () => {
  const v = parseHeaderValue("attachment; filename=\"fallback.txt\"; filename*=utf-8''r%C3%A9el.txt");
  assert.equal(v.params['filename'], 'réel.txt');
});

test('RFC 2047 inside quotes for name/filename is decoded (common misuse), not for other parameters', () => {
  const v = parseHeaderValue('application/pdf; name="=?utf-8?B?0L/RgNC40LLQtdGCLnBkZg==?="; other="=?utf-8?Q?x?="');
  assert.equal(v.params['name'], 'привет.pdf');
  assert.equal(v.params['other'], '=?utf-8?Q?x?=');
  const d = parseHeaderValue('attachment; filename="=?ISO-8859-1?Q?r=E9sum=E9=2Etxt?="');
  assert.equal(d.params['filename'], 'résumé.txt');
});

test('headerText: last field, unfolded, RFC 2047 decoded; lookups are case-insensitive', () => {
  const { root } = parseMime(enc('Subject: old\r\nSUBJECT: =?utf-8?Q?new?=\r\n =?utf-8?Q?_one?=\r\n\r\n'));
  assert.equal(headerText(root, 'Subject'), 'new one');
  assert.equal(getLastField(root, 'subject')!.name, 'SUBJECT');
  assert.equal(getFields(root, 'SUBJECT').length, 2);
  assert.equal(headerText(root, 'x-missing'), undefined);
});

test('parameters from a parsed entity keep raw UTF-8 bytes in filenames (RFC 6532)', () => {
  const { root } = parseMime(enc('Content-Type: application/octet-stream; name="übung.bin"\n\n'));
  assert.equal(root.contentType.params['name'], 'übung.bin');
});

test('property: parseHeaderValue and decodeWords never throw on junk (lenient diagnostics only)', () => {
  const junk = fc.array(fc.constantFrom('text/plain', ';', '=', '"', '\\', '(', ')', '*', "'", '%', '%4', 'name*0*', 'filename', ' ', '=?', '?=', '?Q?', '?B?', 'utf-8', '\u00e9', 'x'), { maxLength: 40 }).map((a) => a.join(''));
  fc.assert(
    fc.property(fc.oneof(junk, fc.string({ maxLength: 80 })), (s) => {
      const v = parseHeaderValue(s, new Diagnostics());
      assert.equal(typeof v.value, 'string');
      for (const x of Object.values(v.params)) assert.equal(typeof x, 'string');
      assert.equal(typeof decodeWords(s), 'string');
    }),
    { numRuns: 2000 },
  );
});
