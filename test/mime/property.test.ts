// fast-check properties: (1) generated MIME trees parse back to exactly the leaf bodies the
// generator wrote (RFC 2046 5.1.1 ranges, CRLF and LF); (2) hostile input (random bytes, mutated
// corpus messages) either parses or throws SmimeBridgeError, never another error type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseMime, decodeBody, bodyText, headerText, type MimeEntity, type MimeLimits } from '../../src/mime/index.js';
import { SmimeBridgeError } from '../../src/errors.js';

type Leaf = { kind: 'leaf'; headers: string[][]; body: string };
type Multi = { kind: 'multi'; subtype: string; folded: boolean; preamble: string; epilogue: string; padding: string; children: Node[] };
type Node = Leaf | Multi;

// Bodies never contain '=', boundaries always do: no body line can be mistaken for a delimiter.
const bodyText_ = fc.array(fc.constantFrom('a', 'Z', ' ', '-', '--', ':', '\t', 'é', '€', '\n', 'x:y', '.'), { maxLength: 30 });
const headerValue = fc.array(fc.constantFrom('v', ' ', 'w', ';', '"q"', '\u00e9', '(c)'), { minLength: 1, maxLength: 12 }).map((a) => a.join(''));
const leaf: fc.Arbitrary<Leaf> = fc.record({
  kind: fc.constant('leaf' as const),
  headers: fc.array(fc.tuple(fc.constantFrom('X-A', 'Subject', 'Content-Type', 'X-Folded'), headerValue, fc.boolean()).map(([n, v, f]) => [n, n === 'Content-Type' ? 'text/plain' : v, f ? 'fold' : '']), { maxLength: 4 }),
  body: bodyText_.map((a) => a.join('')),
});
const tree = fc.letrec<{ node: Node; multi: Multi }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('multi')),
  multi: fc.record({
    kind: fc.constant('multi' as const),
    subtype: fc.constantFrom('mixed', 'alternative', 'signed', 'related'),
    folded: fc.boolean(),
    preamble: fc.constantFrom('', 'This is a multi-part message in MIME format.', '\n', '-- not a delimiter'),
    epilogue: fc.constantFrom('', 'epilogue', '\n\n', '--'),
    padding: fc.constantFrom('', ' ', '\t ', '   '),
    children: fc.array(tie('node'), { minLength: 1, maxLength: 4 }),
  }),
})).multi;

interface Built {
  text: string;
  leaves: string[];
}

/** Serialise a generated tree with line ending `nl`, recording each leaf body in document order. */
function build(n: Node, nl: string, ids: { n: number }): Built {
  const lines = (s: string): string => s.replace(/\n/g, nl);
  if (n.kind === 'leaf') {
    let h = '';
    for (const [name, value, fold] of n.headers) {
      const more = name === 'Content-Type' ? `;${nl}\tcharset=utf-8` : `${nl}\t${value}`;
      h += `${name}: ${value}${fold ? more : ''}${nl}`;
    }
    const body = lines(n.body);
    return { text: `${h}${nl}${body}`, leaves: [body] };
  }
  const b = `=_b${ids.n++}=`;
  const ct = `Content-Type: multipart/${n.subtype};${n.folded ? `${nl}\t` : ' '}boundary="${b}"${nl}`;
  let body = n.preamble === '' ? '' : lines(n.preamble) + nl;
  const leaves: string[] = [];
  for (const c of n.children) {
    const sub = build(c, nl, ids);
    body += `--${b}${n.padding}${nl}${sub.text}${nl}`;
    leaves.push(...sub.leaves);
  }
  body += `--${b}--${nl}${lines(n.epilogue)}`;
  return { text: `${ct}${nl}${body}`, leaves };
}

function leavesOf(e: MimeEntity, out: MimeEntity[] = []): MimeEntity[] {
  if (e.boundary === undefined) out.push(e);
  else e.children.forEach((c) => leavesOf(c, out));
  return out;
}

test('property: every leaf body range of a generated MIME tree is byte-exact (RFC 2046 5.1.1, CRLF and LF)', () => {
  fc.assert(
    fc.property(tree, fc.constantFrom('\r\n', '\n'), (t, nl) => {
      const built = build(t, nl, { n: 0 });
      const bytes = new TextEncoder().encode(built.text);
      const { root, warnings } = parseMime(bytes, { strict: true });
      assert.deepEqual(warnings, []);
      const leaves = leavesOf(root);
      assert.equal(leaves.length, built.leaves.length);
      leaves.forEach((l, i) => {
        assert.equal(new TextDecoder().decode(l.source.subarray(l.body.start, l.body.end)), built.leaves[i]);
      });
    }),
    { numRuns: 300 },
  );
});

function mustBeOurs(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SmimeBridgeError)) throw e;
  }
}

function exercise(bytes: Uint8Array, limits?: Partial<MimeLimits>): void {
  mustBeOurs(() => {
    const { root } = parseMime(bytes, { limits });
    const all: MimeEntity[] = [];
    const walk = (e: MimeEntity): void => {
      all.push(e);
      e.children.forEach(walk);
      if (e.message) walk(e.message);
    };
    walk(root);
    for (const e of all) {
      mustBeOurs(() => void bodyText(e));
      mustBeOurs(() => void decodeBody(e, { maxDecodedBytes: 1 << 16 }));
      void headerText(e, 'subject');
      void headerText(e, 'from');
    }
  });
}

test('property: random bytes parse or throw SmimeBridgeError, never another error', () => {
  const alphabet = fc.constantFrom(...'\r\n\t -=:;"\\()<>/?abcBq'.split('').map((c) => c.charCodeAt(0)), 0x00, 0xff, 0xc3);
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.array(alphabet, { maxLength: 400 }).map((a) => Uint8Array.from(a))), (b) => exercise(b)),
    { numRuns: 500 },
  );
  // and with a MIME skeleton in front so the multipart / rfc822 paths are reached
  const head = new TextEncoder().encode('Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const all = new Uint8Array(head.length + b.length);
      all.set(head);
      all.set(b, head.length);
      exercise(all);
    }),
    { numRuns: 300 },
  );
});

test('property: mutated corpus messages parse or throw SmimeBridgeError, never another error', () => {
  const samples = [
    '../shared/corpus/mimekit/UnitTests/TestData/smime/thunderbird-signed.txt',
    '../shared/corpus/thunderbird-smime/mail/test/browser/openpgp/data/eml/multiple-signatures.eml',
    '../shared/corpus/email-outlook-message-perl/t/files/gpg_signed.eml',
  ].map((p) => new Uint8Array(readFileSync(p)));
  const mutation = fc.record({ at: fc.nat(), op: fc.constantFrom('flip', 'insert', 'delete', 'truncate'), byte: fc.constantFrom(0x0a, 0x0d, 0x2d, 0x3a, 0x20, 0x3d, 0x00, 0xff) });
  fc.assert(
    fc.property(fc.nat({ max: samples.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.constantFrom(undefined, { maxDepth: 2 }, { maxParts: 3 }, { maxHeaderBytes: 200 }), (which, muts, limits) => {
      let b = Array.from(samples[which]!);
      for (const m of muts) {
        const at = m.at % (b.length + 1);
        if (m.op === 'flip') b[at] = m.byte;
        else if (m.op === 'insert') b.splice(at, 0, m.byte, m.byte);
        else if (m.op === 'delete') b.splice(at, 3);
        else b = b.slice(0, at);
      }
      exercise(Uint8Array.from(b), limits);
    }),
    { numRuns: 200 },
  );
});
