// Rules of the MIME parser (RFC 5322, RFC 2045/2046, MS-OXOSMIME 3.1.5.1.1), with exact byte ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMime, getFields, headerText, entityBytes, decodeBody, fieldBytes, type MimeEntity, type ByteRange } from '../../src/mime/index.js';
import { SmimeBridgeError } from '../../src/errors.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const latin = (b: Uint8Array): string => Array.from(b, (c) => String.fromCharCode(c)).join('');
const at = (e: MimeEntity, r: ByteRange): string => latin(e.source.subarray(r.start, r.end));

function throwsCode(fn: () => unknown, code: string): SmimeBridgeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SmimeBridgeError, `expected SmimeBridgeError, got ${String(e)}`);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${code} to be thrown`);
}

test('RFC 5322 2.1: CRLF header block ends at the empty line; body follows', () => {
  const { root, warnings } = parseMime(enc('Subject: hi\r\nFrom: a@b\r\n\r\nbody\r\n'));
  assert.equal(warnings.length, 0);
  assert.equal(root.lineEnding, 'CRLF');
  assert.equal(root.fields.length, 2);
  assert.equal(at(root, root.headerRange), 'Subject: hi\r\nFrom: a@b\r\n\r\n');
  assert.equal(at(root, root.body), 'body\r\n');
  assert.equal(at(root, root.fields[0]!.raw), 'Subject: hi\r\n');
  assert.equal(at(root, root.fields[0]!.value), ' hi');
  assert.equal(root.fields[0]!.unfolded, 'hi');
});

test('bare LF and mixed line endings are recognised', () => {
  const lf = parseMime(enc('Subject: hi\nFrom: a@b\n\nbody\n')).root;
  assert.equal(lf.lineEnding, 'LF');
  assert.equal(at(lf, lf.body), 'body\n');
  assert.equal(at(lf, lf.fields[1]!.value), ' a@b');
  const mixed = parseMime(enc('Subject: hi\r\nFrom: a@b\n\r\nbody')).root;
  assert.equal(mixed.lineEnding, 'mixed');
  assert.equal(at(mixed, mixed.body), 'body');
});

test('RFC 5322 2.2.3: folded fields keep raw bytes and unfold to one line', () => {
  const src = 'Subject: a long\r\n\tsubject\r\n  line\r\nX-A: b\r\n\r\n';
  const { root } = parseMime(enc(src));
  const f = root.fields[0]!;
  assert.equal(at(root, f.raw), 'Subject: a long\r\n\tsubject\r\n  line\r\n');
  assert.equal(latin(fieldBytes(root, f)), 'Subject: a long\r\n\tsubject\r\n  line\r\n');
  assert.equal(f.unfolded, 'a long\tsubject  line');
  assert.equal(root.fields[1]!.name, 'X-A');
});

test('8-bit header bytes: unfolded is latin1, headerText reads valid UTF-8', () => {
  const bytes = new Uint8Array([...enc('Subject: '), 0xc3, 0xa9, 0x74, 0xc3, 0xa9, ...enc('\r\nX-L: '), 0xe9, ...enc('\r\n\r\n')]);
  const { root } = parseMime(bytes);
  assert.equal(root.fields[0]!.unfolded, 'Ã©tÃ©');
  assert.equal(headerText(root, 'subject'), 'été');
  assert.equal(headerText(root, 'x-l'), 'é');
});

test('a header block without the empty line runs to the end of the input', () => {
  const { root, warnings } = parseMime(enc('Subject: x\r\nFrom: y'));
  assert.equal(warnings.length, 0);
  assert.equal(root.fields.length, 2);
  assert.equal(root.fields[1]!.unfolded, 'y');
  assert.deepEqual(root.body, { start: 19, end: 19 });
});

test('a line that is not a field ends the header block with MIME_HEADER_MALFORMED', () => {
  const { root, warnings } = parseMime(enc('Subject: x\nthis is body\n'));
  assert.equal(at(root, root.body), 'this is body\n');
  assert.equal(warnings[0]!.code, 'MIME_HEADER_MALFORMED');
  assert.equal(warnings[0]!.location.offset, 11);
  throwsCode(() => parseMime(enc('Subject: x\nthis is body\n'), { strict: true }), 'MIME_HEADER_MALFORMED');
});

test('RFC 2046 5.1.1: the line break before a delimiter belongs to the delimiter (exact ranges)', () => {
  const src =
    'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n' +
    'preamble\r\n' +
    '--b1\r\n' +
    'Content-Type: text/plain\r\n\r\nhello\r\n' +
    '--b1 \t\r\n' + // transport padding
    '\r\nno headers\r\n\r\n' +
    '--b1--\r\n' +
    'epilogue\r\n';
  const { root, warnings } = parseMime(enc(src));
  assert.deepEqual(warnings, []);
  assert.equal(root.boundary, 'b1');
  assert.equal(root.children.length, 2);
  assert.equal(at(root, root.preamble!), 'preamble');
  assert.equal(at(root, root.epilogue!), 'epilogue\r\n');
  const [a, b] = root.children as [MimeEntity, MimeEntity];
  assert.equal(latin(entityBytes(a)), 'Content-Type: text/plain\r\n\r\nhello');
  assert.equal(at(a, a.body), 'hello');
  assert.equal(a.range.start, src.indexOf('Content-Type: text/plain'));
  assert.equal(a.range.end, src.indexOf('hello') + 5);
  assert.equal(at(b, b.body), 'no headers\r\n');
  assert.equal(b.fields.length, 0);
  assert.equal(b.contentType.value, 'text/plain');
  assert.equal(b.contentTypeDefaulted, true);
  assert.deepEqual([a.path, b.path], ['1', '2']);
});

test('RFC 2046 5.1.1: a boundary followed by other text is not a delimiter', () => {
  const src = 'Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--bx\n --b\nx--b\n--b--\n';
  const { root } = parseMime(enc(src));
  assert.equal(root.children.length, 1);
  assert.equal(at(root, root.children[0]!.body), '--bx\n --b\nx--b');
});

test('empty parts and a preamble-less body', () => {
  const { root } = parseMime(enc('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b\r\n\r\n--b--'));
  assert.equal(root.children.length, 2);
  assert.deepEqual(root.preamble, { start: root.body.start, end: root.body.start });
  assert.equal(root.children[0]!.range.start, root.children[0]!.range.end);
  assert.equal(at(root, root.children[1]!.range), ''); // the CRLF before --b-- is the delimiter's
  assert.deepEqual(root.epilogue, { start: root.body.end, end: root.body.end });
});

test('nested multiparts get paths 1, 2, 2.1, 2.2 and exact ranges', () => {
  const inner = 'Content-Type: multipart/alternative; boundary="in"\n\n--in\n\nplain\n--in\nContent-Type: text/html\n\n<b>x</b>\n--in--\n';
  const src = `Content-Type: multipart/mixed; boundary="out"\n\n--out\n\nfirst\n--out\n${inner}\n--out--\n`;
  const { root, warnings } = parseMime(enc(src));
  assert.deepEqual(warnings, []);
  const two = root.children[1]!;
  assert.equal(two.path, '2');
  assert.equal(latin(entityBytes(two)), inner + '');
  assert.deepEqual(two.children.map((c) => c.path), ['2.1', '2.2']);
  assert.equal(at(two, two.children[0]!.body), 'plain');
  assert.equal(at(two, two.children[1]!.body), '<b>x</b>');
  assert.equal(at(two, two.epilogue!), '');
});

test('message/rfc822 body is parsed into .message with the same path', () => {
  const src = 'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nSubject: inner\nContent-Type: multipart/mixed; boundary=c\n\n--c\n\nleaf\n--c--\n--b--\n';
  const { root } = parseMime(enc(src));
  const m = root.children[0]!.message!;
  assert.equal(m.path, '1');
  assert.equal(headerText(m, 'subject'), 'inner');
  assert.equal(m.children[0]!.path, '1.1');
  assert.equal(at(m, m.children[0]!.body), 'leaf');
  assert.equal(m.source, root.source);
});

test('base64 message/rfc822 is decoded and parsed as a new source buffer', () => {
  const inner = 'Subject: enc\r\n\r\ninside';
  const b64 = btoa(inner);
  const src = `Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`;
  const { root } = parseMime(enc(src));
  const m = root.message!;
  assert.notEqual(m.source, root.source);
  assert.equal(latin(m.source), inner);
  assert.equal(at(m, m.body), 'inside');
  assert.equal(headerText(m, 'subject'), 'enc');
});

test('RFC 2046 5.1.5: parts of multipart/digest default to message/rfc822', () => {
  const src = 'Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody\n--d--\n';
  const c = parseMime(enc(src)).root.children[0]!;
  assert.equal(c.contentType.value, 'message/rfc822');
  assert.equal(c.contentTypeDefaulted, true);
  assert.equal(headerText(c.message!, 'subject'), 'one');
});

test('missing close delimiter: MIME_UNTERMINATED_MULTIPART with part path; last part runs to the end (strict throws)', () => {
  const src = 'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; boundary=c\n\n--c\n\nx\n--c\n\ny\n--b\n\nlast\n';
  const { root, warnings } = parseMime(enc(src));
  assert.equal(warnings.length, 2);
  assert.ok(warnings.every((w) => w.code === 'MIME_UNTERMINATED_MULTIPART'));
  assert.deepEqual(warnings.map((w) => w.location.partPath).sort(), ['', '1']);
  assert.equal(at(root, root.children[1]!.body), 'last\n');
  assert.equal(root.children[1]!.range.end, src.length);
  assert.equal(root.epilogue, undefined);
  assert.equal(at(root, root.children[0]!.children[1]!.body), 'y');
  const e = throwsCode(() => parseMime(enc(src), { strict: true }), 'MIME_UNTERMINATED_MULTIPART');
  assert.equal(e.location.partPath, '1');
});

test('multipart without boundary: MIME_BOUNDARY_MISSING and a leaf', () => {
  const { root, warnings } = parseMime(enc('Content-Type: multipart/signed\n\n--x\n\nbody\n--x--\n'));
  assert.equal(warnings[0]!.code, 'MIME_BOUNDARY_MISSING');
  assert.equal(warnings[0]!.location.partPath, '');
  assert.equal(root.children.length, 0);
  assert.equal(root.boundary, undefined);
});

test('MS-OXOSMIME 3.1.5.1.1: the LAST Content-Type field decides the media type', () => {
  const { root } = parseMime(enc('Content-Type: text/plain\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\nx'));
  assert.equal(root.contentType.value, 'application/pkcs7-mime');
  assert.equal(root.contentType.params['smime-type'], 'signed-data');
  assert.equal(getFields(root, 'Content-Type').length, 2);
});

test('RFC 2045 5.2: no Content-Type means text/plain; charset=us-ascii, flagged as defaulted', () => {
  const { root } = parseMime(enc('Subject: x\n\nhi'));
  assert.equal(root.contentType.value, 'text/plain');
  assert.equal(root.contentType.params['charset'], 'us-ascii');
  assert.equal(root.contentTypeDefaulted, true);
  assert.equal(root.transferEncoding, '7bit');
});

test('Content-Transfer-Encoding and Content-Disposition are read from the last field', () => {
  const { root } = parseMime(enc('Content-Transfer-Encoding: BASE64\nContent-Disposition: attachment; filename="a b.txt"\n\naGk=\n'));
  assert.equal(root.transferEncoding, 'base64');
  assert.equal(root.disposition?.value, 'attachment');
  assert.equal(root.disposition?.params['filename'], 'a b.txt');
  assert.equal(new TextDecoder().decode(decodeBody(root)), 'hi');
});

test('limits: nesting depth beyond maxDepth gives LIMIT_EXCEEDED with offset and part path', () => {
  let src = 'leaf';
  for (let i = 9; i >= 0; i--) src = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${src}\n--b${i}--\n`;
  assert.doesNotThrow(() => parseMime(enc(src), { limits: { maxDepth: 10 } }));
  const e = throwsCode(() => parseMime(enc(src), { limits: { maxDepth: 3 } }), 'LIMIT_EXCEEDED');
  assert.equal(e.location.partPath, '1.1.1.1'); // depth 4
  assert.equal(typeof e.location.offset, 'number');
});

test('limits: part count beyond maxParts gives LIMIT_EXCEEDED even in lenient mode', () => {
  const src = 'Content-Type: multipart/mixed; boundary=b\n\n' + '--b\n\nx\n'.repeat(20) + '--b--\n';
  assert.equal(parseMime(enc(src)).root.children.length, 20);
  const e = throwsCode(() => parseMime(enc(src), { limits: { maxParts: 5 } }), 'LIMIT_EXCEEDED');
  assert.equal(e.location.partPath, '5');
});

test('limits: header block beyond maxHeaderBytes / maxHeaderFields gives LIMIT_EXCEEDED with offset', () => {
  const src = 'X-A: ' + 'a'.repeat(5000) + '\n\nbody';
  const e = throwsCode(() => parseMime(enc(src), { limits: { maxHeaderBytes: 1000 } }), 'LIMIT_EXCEEDED');
  assert.equal(e.location.partPath, '');
  assert.ok((e.location.offset ?? 0) > 1000);
  const many = 'X-A: 1\n'.repeat(50) + '\n';
  throwsCode(() => parseMime(enc(many), { limits: { maxHeaderFields: 10 } }), 'LIMIT_EXCEEDED');
});

test('limits: decoded body beyond maxDecodedBytes gives LIMIT_EXCEEDED', () => {
  const { root } = parseMime(enc('Content-Transfer-Encoding: base64\n\n' + 'QUFB'.repeat(100)));
  assert.equal(decodeBody(root).length, 300);
  const e = throwsCode(() => decodeBody(root, { maxDecodedBytes: 100 }), 'LIMIT_EXCEEDED');
  assert.equal(e.location.partPath, '');
});

test('RFC 2046 5.1.1 with mixed line ends: CRLF or bare LF before a delimiter both belong to it', () => {
  const src = 'Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n\r\none\n--m\n\ntwo\r\n\r\n--m--';
  const { root } = parseMime(enc(src));
  assert.equal(at(root, root.children[0]!.body), 'one');
  assert.equal(at(root, root.children[1]!.body), 'two\r\n');
  assert.deepEqual(root.epilogue, { start: src.length, end: src.length });
});

test('RFC 5322 4.5.3: obsolete WSP between field name and colon is accepted', () => {
  const { root, warnings } = parseMime(enc('Subject : spaced\nContent-Type\t: text/html\n\nx'));
  assert.deepEqual(warnings, []);
  assert.equal(root.fields[0]!.name, 'Subject');
  assert.equal(root.contentType.value, 'text/html');
});

test('RFC 6532: message/global parts are parsed like message/rfc822', () => {
  const { root } = parseMime(enc('Content-Type: message/global\n\nSubject: ünï\n\nhi'));
  assert.equal(headerText(root.message!, 'subject'), 'ünï');
  assert.equal(at(root.message!, root.message!.body), 'hi');
});

test('parseMime rejects a non-Uint8Array with INVALID_ARGUMENT', () => {
  throwsCode(() => parseMime('text' as unknown as Uint8Array), 'INVALID_ARGUMENT');
});
