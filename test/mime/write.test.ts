// Writing new entities: RFC 5322 2.2.3 folding, RFC 2047 encoding, RFC 2231 parameters and
// RFC 2046 5.1.1 multiparts; python3's email package reads what we write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import {
  foldHeader,
  encodeWords,
  decodeWords,
  formatHeaderValue,
  parseHeaderValue,
  buildEntity,
  buildMultipart,
  parseMime,
  entityBytes,
  concatBytes,
} from '../../src/mime/index.js';
import { SmimeBridgeError } from '../../src/errors.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const latin = (b: Uint8Array): string => Array.from(b, (c) => String.fromCharCode(c)).join('');

function py(code: string, input: Uint8Array | string): string {
  return execFileSync('/usr/bin/python3', ['-c', code], { input, encoding: 'utf8' });
}

test('RFC 5322 2.2.3: foldHeader folds at 78 columns on whitespace and ends with CRLF', () => {
  const value = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
  const out = foldHeader('Subject', value);
  assert.ok(out.endsWith('\r\n'));
  const lines = out.slice(0, -2).split('\r\n');
  assert.ok(lines.length > 1);
  for (const l of lines) assert.ok(l.length <= 78, `line ${l.length}`);
  for (const l of lines.slice(1)) assert.match(l, /^[ \t]/);
  assert.equal(lines.join(''), `Subject: ${value}`);
});

test('RFC 2047: encodeWords leaves ASCII alone and keeps encoded-words <= 75 chars', () => {
  assert.equal(encodeWords('plain text'), 'plain text');
  // issue 11 item 2: an already-encoded word is never encoded again (it stays as it is)
  assert.equal(encodeWords('literal =?utf-8?Q?x?= stays'), 'literal =?utf-8?Q?x?= stays');
  const text = 'Größenwahn und Übermut: ' + 'çà€😀 '.repeat(20) + 'end';
  const out = encodeWords(text);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(out, /[^\x00-\x7f]/);
  for (const w of out.match(/=\?[^?]+\?[BQ]\?[^?]*\?=/g) ?? []) assert.ok(w.length <= 75, w);
  assert.equal(decodeWords(out), text);
  assert.ok(out.includes('und'), 'plain ASCII words stay readable');
});

test('RFC 2047 encoded header is decoded identically by python3 email.header', () => {
  const text = 'Réunion: ünïcödé 😀 subject with a fairly long tail that needs folding somewhere';
  const field = foldHeader('Subject', text);
  const out = py(
    'import sys; from email.header import decode_header, make_header\n' +
      'v=sys.stdin.read().split(":",1)[1]\nsys.stdout.write(str(make_header(decode_header(v.replace("\\r\\n","")))))',
    field,
  );
  assert.equal(out.replace(/\s+/g, ' ').trim(), text);
});

test('encodeWords/decodeWords round-trip for random Unicode text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
      const t = s.replace(/\s+/g, ' ').trim();
      assert.equal(decodeWords(encodeWords(t)), t);
    }),
  );
});

test('formatHeaderValue: quotes when needed; RFC 2231 (only) for non-ASCII, on character boundaries', () => {
  assert.equal(formatHeaderValue('text/plain', { charset: 'utf-8' }), 'text/plain; charset=utf-8');
  assert.equal(formatHeaderValue('attachment', { filename: 'a b.txt' }), 'attachment; filename="a b.txt"');
  const long = 'Überraschungsgeschenk für die ganze Familie und alle Freunde.pdf';
  const v = formatHeaderValue('attachment', { filename: long });
  assert.match(v, /filename\*0\*=utf-8''/);
  // issue 11: no RFC 2047 encoded-word inside a quoted string (RFC 2047 section 5), no duplicate parameter
  assert.doesNotMatch(v, /filename="=\?utf-8\?/);
  assert.equal(parseHeaderValue(v).params['filename'], long);
  // python3 email (RFC 2231 aware) reads the same filename
  const entity = buildEntity({ headers: [['Content-Disposition', v]], body: enc('x') });
  const out = py('import sys,email,email.policy; m=email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default); sys.stdout.write(m.get_filename() + "|" + repr(m["Content-Disposition"].defects))', entity);
  assert.equal(out, long + '|()');
});

test('buildEntity: raw header bytes verbatim in front, folded fields, CRLF, body', () => {
  const raw = enc('X-Raw:  kept\texactly\r\n');
  const out = buildEntity({ headers: [['Subject', 'hi']], rawHeaderBytes: [raw], body: enc('BODY') });
  assert.equal(latin(out), 'X-Raw:  kept\texactly\r\nSubject: hi\r\n\r\nBODY');
});

test('RFC 2046 5.1.1: buildMultipart carries parts byte for byte; parser and python3 agree', () => {
  const p1 = enc('Content-Type: text/plain\r\n\r\nline one\r\n');
  const p2 = enc('Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC');
  const m = buildMultipart([['Subject', 'multi']], 'signed; protocol="application/pkcs7-signature"; micalg=sha-256', [p1, p2]);
  const { root, warnings } = parseMime(m);
  assert.deepEqual(warnings, []);
  assert.equal(root.contentType.value, 'multipart/signed');
  assert.equal(root.contentType.params['protocol'], 'application/pkcs7-signature');
  assert.deepEqual(entityBytes(root.children[0]!), p1);
  assert.deepEqual(entityBytes(root.children[1]!), p2);
  const out = py(
    'import sys,email,json; m=email.message_from_bytes(sys.stdin.buffer.read())\n' +
      'print(json.dumps([m.get_content_type(), m.get_param("micalg")] + [p.get_content_type() for p in m.get_payload()]))',
    m,
  );
  assert.deepEqual(JSON.parse(out), ['multipart/signed', 'sha-256', 'text/plain', 'application/octet-stream']);
});

test('buildMultipart: a random boundary never occurs in a part; a clashing given one throws', () => {
  const part = enc('--=_sb_ looks like ours\r\n');
  const m = buildMultipart([], 'mixed', [part, part]);
  const b = parseMime(m).root.boundary!;
  assert.ok(!latin(part).includes(b));
  assert.throws(() => buildMultipart([], 'mixed', [enc('--abc\r\n')], 'abc'), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'INVALID_ARGUMENT');
});

test('concatBytes joins chunks in order', () => {
  assert.deepEqual(concatBytes([enc('ab'), new Uint8Array(0), enc('c')]), enc('abc'));
});

test('property: foldHeader output parses back to the same text (unfold + RFC 2047 decode)', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom('a', 'bc', 'déf', 'x'.repeat(30), '😀', '=?', '"q"'), fc.string({ maxLength: 8 })), { maxLength: 30 }), (words) => {
      const value = words.join(' ').replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').trim();
      // eslint-disable-next-line no-control-regex
      if (/[\x00-\x08\x0b-\x1f\x7f]/.test(value)) return;
      const field = foldHeader('X-Test', value);
      const { root } = parseMime(new TextEncoder().encode(field + '\r\n'));
      assert.equal(root.fields.length, 1);
      assert.equal(headerTextOf(root), value);
      for (const line of field.split('\r\n').slice(0, -1)) {
        if (line.length > 78) assert.doesNotMatch(line.trim(), /[ \t]/, `foldable line of ${line.length}`);
      }
    }),
    { numRuns: 300 },
  );
});

function headerTextOf(root: ReturnType<typeof parseMime>['root']): string {
  return decodeWords(root.fields[0]!.unfolded).replace(/[ \t]+/g, ' ');
}
