/**
 * Property: whatever MIME tree is signed, its bytes survive .eml -> message object -> JSON ->
 * message object -> .eml exactly (MS-OXOSMIME 2.2.1 item 4a: "preserve the entire original outer
 * content of the first body part ... unmodified").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { messageFromJson, stringifyMessage } from '../../src/mapi/index.js';
import { toInternet, toMessage } from '../../src/smime/index.js';
import { parseMime } from '../../src/mime/parse.js';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/);
const headerValue = fc.stringMatching(/^[ -~\u00a0-\u00ff]{0,60}$/).map((s) => s.trim());
const line = fc.stringMatching(/^[ -~\t\u0080-\u00ff]{0,90}$/).filter((s) => !s.startsWith('--'));
const body = fc.array(line, { maxLength: 8 });

type Tree = { kind: 'leaf'; headers: Array<[string, string]>; lines: string[] } | { kind: 'multi'; headers: Array<[string, string]>; boundary: string; preamble: string[]; parts: Tree[]; epilogue: string[] };

const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('leaf' as const), headers: fc.array(fc.tuple(token.filter((t) => !/^content-type$/i.test(t)), headerValue), { maxLength: 3 }), lines: body }),
    fc.record({
      kind: fc.constant('multi' as const),
      headers: fc.array(fc.tuple(token.filter((t) => !/^content-type$/i.test(t)), headerValue), { maxLength: 2 }),
      boundary: fc.stringMatching(/^[A-Za-z0-9'()+_,.\/:=?-]{1,40}$/).map((b) => `b${b}`),
      preamble: fc.array(line, { maxLength: 2 }),
      parts: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }),
      epilogue: fc.array(line, { maxLength: 2 }),
    }),
  ),
})).tree;

let seq = 0;
function render(t: Tree, eol: string): string {
  const head = t.headers.map(([n, v]) => `${n}: ${v}${eol}`).join('');
  if (t.kind === 'leaf') return `${head}Content-Type: text/plain${eol}${eol}${t.lines.join(eol)}`;
  const b = `${t.boundary}${seq++}`; // unique per level, so no boundary is a prefix of another's line
  const parts = t.parts.map((p) => `--${b}${eol}${render(p, eol)}${eol}`).join('');
  return `${head}Content-Type: multipart/mixed; boundary="${b}"${eol}${eol}${t.preamble.map((l) => l + eol).join('')}${parts}--${b}--${eol}${t.epilogue.join(eol)}`;
}

test('property: the signed first body part survives the round trip byte for byte (2.2.1 item 4a)', () => {
  fc.assert(fc.property(tree, fc.boolean(), fc.constantFrom('\r\n', '\n'), (t, withEnvelope, eol) => {
    const signed = render(t, eol);
    const outer = `outer-${seq++}`;
    const envelope = withEnvelope ? `From: a@example.org${eol}Subject: prop${eol}` : '';
    const eml = `${envelope}MIME-Version: 1.0${eol}Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${outer}"${eol}${eol}`
      + `--${outer}${eol}${signed}${eol}--${outer}${eol}Content-Type: application/pkcs7-signature${eol}Content-Transfer-Encoding: base64${eol}${eol}MIIB${eol}--${outer}--${eol}`;
    const input = bytes(eml);
    const before = parseMime(input).root.children[0]!;
    const out = toInternet(messageFromJson(stringifyMessage(toMessage(input).message))).bytes;
    const after = parseMime(out).root.children[0]!;
    assert.deepEqual(out.subarray(after.range.start, after.range.end), input.subarray(before.range.start, before.range.end));
  }), { numRuns: 300 });
});
