// Bad input (issue 5 "Bad input"): truncated, lengths past the end, absurd nesting, random damage.
// Always a SmimeBridgeError with a byte offset and an ASN.1 path; never a TypeError/RangeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import * as x from '../../src/x400/index.js';
import { SmimeBridgeError } from '../../src/errors.js';

const cms = (() => {
  // A small but real-shaped ContentInfo (signedData OID, empty SEQUENCE): structure is what matters here.
  return new Uint8Array(
    new asn1js.Sequence({
      value: [new asn1js.ObjectIdentifier({ value: x.ID_SIGNED_DATA }), new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Sequence({ value: [new asn1js.Integer({ value: 1 })] })] })],
    }).toBER(),
  );
})();
const originator = x.parseORName('C=GB;A= ;P=Example;O=Org;S=Surname;G=Given');
const bob = x.orNameFromRfc822('bob@example.com', 'C=GB;A= ;P=Gateway');
const ipm = x.encodeIpmForward({ cms, contentType: x.ID_CT_CONTENT_INFO, subject: 's', originator, recipients: [bob], thisIpm: 'i', deliveryTime: new Date() });
const p1 = x.encodeP1Message({ content: cms, contentType: x.ID_CT_CONTENT_INFO, originator, recipients: [bob] });
const p1ipm = x.encodeP1Message({ content: ipm, contentType: 22, originator, recipients: [bob] });

const DECODERS: Array<[string, (b: Uint8Array) => unknown]> = [
  ['decodeP1Message', (b) => x.decodeP1Message(b)],
  ['decodeIpm', (b) => x.decodeIpm(b)],
  ['findCmsObjects', (b) => x.findCmsObjects(b)],
];

function typedError(fn: () => unknown, codes?: string[]): SmimeBridgeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SmimeBridgeError, `expected SmimeBridgeError, got ${String(e)}`);
    if (codes) assert.ok(codes.includes(e.code), `code ${e.code} not in ${codes.join(',')}`);
    assert.equal(typeof e.location.offset, 'number');
    assert.ok(e.location.offset! >= 0);
    assert.equal(typeof e.location.asn1Path, 'string');
    return e;
  }
  assert.fail('expected an error');
}

for (const [name, input] of [['P1', p1], ['IPM', ipm], ['P1 with IPM', p1ipm]] as const) {
  test(`truncated ${name} at every 97th byte → X400_BER_TRUNCATED with offset`, () => {
    let n = 0;
    for (let cut = 1; cut < input.length; cut += 97, n++) {
      const e = typedError(() => x.findCmsObjects(input.subarray(0, cut)), ['X400_BER_TRUNCATED']);
      assert.ok(e.location.offset! <= cut, `offset ${e.location.offset} beyond cut ${cut}`);
    }
    assert.ok(n >= 2);
  });
}

test('truncated IPM content inside a P1 (outer lengths fixed up) → error offset points into the content', () => {
  const cut = x.encodeP1Message({ content: ipm.subarray(0, ipm.length - 10), contentType: 22, originator, recipients: [bob] });
  const e = typedError(() => x.findCmsObjects(cut), ['X400_BER_TRUNCATED']);
  const contentOffset = x.decodeP1Message(cut).contentOffset!;
  assert.ok(e.location.offset! >= contentOffset, `offset ${e.location.offset} before content at ${contentOffset}`);
  assert.match(e.location.asn1Path!, /^MTS-APDU\.message\.content/);
});

test('a length running past the end of the input → X400_BER_TRUNCATED naming the element offset', () => {
  // A0 84 7F FF FF FF: four length octets announcing ~2 GB.
  const v = new Uint8Array([0xa0, 0x84, 0x7f, 0xff, 0xff, 0xff, ...p1.subarray(2)]);
  const e = typedError(() => x.decodeP1Message(v), ['X400_BER_TRUNCATED']);
  assert.equal(e.location.offset, 0);
});

test('a length running past the end of its enclosing element → X400_BER_MALFORMED at that element', () => {
  // The last envelope member (per-recipient-fields A2, short length) claims more than the SET holds;
  // the content OCTET STRING that follows keeps it inside the input.
  const bad = x.encodeP1Message({ content: new Uint8Array(300), contentType: x.ID_DATA, originator, recipients: [bob] });
  const lenAt = (o: number): [number, number] => (bad[o]! < 0x80 ? [bad[o]!, o + 1] : [bad.subarray(o + 1, o + 1 + (bad[o]! & 0x7f)).reduce((a, v) => a * 256 + v, 0), o + 1 + (bad[o]! & 0x7f)]);
  const setAt = lenAt(1)[1];
  const [setLen, setBody] = lenAt(setAt + 1);
  let last = setBody;
  for (let o = setBody; o < setBody + setLen; ) {
    last = o;
    const [l, c] = lenAt(o + 1);
    o = c + l;
  }
  assert.equal(bad[last], 0xa2);
  assert.ok(bad[last + 1]! < 0x7f);
  bad[last + 1] = 0x7f;
  const e = typedError(() => x.decodeP1Message(bad), ['X400_BER_MALFORMED']);
  assert.equal(e.location.offset, last);
  assert.match(e.message, /past the end of the enclosing element/);
});

test('absurd nesting (10 000 levels, definite and indefinite) → LIMIT_EXCEEDED with offset, no stack overflow', () => {
  const depth = 10_000;
  const indef = new Uint8Array(depth * 4);
  for (let i = 0; i < depth; i++) indef.set([0xa0, 0x80], i * 2);
  // the matching end-of-contents octets are zeros already
  for (const [, fn] of DECODERS) {
    const e = typedError(() => fn(indef), ['LIMIT_EXCEEDED']);
    assert.equal(e.location.offset, 64 * 2);
  }
  let nested: asn1js.BaseBlock = new asn1js.Null();
  for (let i = 0; i < 200; i++) nested = new asn1js.Sequence({ value: [nested] });
  const def = new Uint8Array(nested.toBER());
  typedError(() => x.decodeP1Message(def), ['LIMIT_EXCEEDED']);
});

test('the nesting limit is an option (maxDepth)', () => {
  assert.doesNotThrow(() => x.decodeP1Message(p1, { maxDepth: 64 }));
  typedError(() => x.decodeP1Message(p1, { maxDepth: 4 }), ['LIMIT_EXCEEDED']);
});

test('trailing bytes after the message, empty input, wrong outer structure → typed errors', () => {
  typedError(() => x.decodeP1Message(new Uint8Array([...p1, 0x00])), ['X400_BER_MALFORMED']);
  typedError(() => x.decodeP1Message(new Uint8Array(0)), ['X400_BER_TRUNCATED']);
  typedError(() => x.decodeP1Message(ipm), ['X400_BER_MALFORMED']);
  typedError(() => x.decodeIpm(p1), ['X400_BER_MALFORMED']);
  typedError(() => x.findCmsObjects(new Uint8Array([0x30, 0x00])), ['X400_BER_MALFORMED']);
});

test('property: random byte damage to P1/IPM never raises anything but SmimeBridgeError', () => {
  const inputs = [p1, ipm, p1ipm];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      (which, edits) => {
        const b = inputs[which]!.slice();
        for (const [pos, val] of edits) b[pos % b.length] = val;
        for (const [, fn] of DECODERS) {
          try {
            fn(b);
          } catch (e) {
            if (!(e instanceof SmimeBridgeError)) throw e;
            if (typeof e.location.offset !== 'number' && e.code !== 'X400_STRUCTURE') throw new Error(`no offset: ${e.message}`);
          }
        }
      },
    ),
    { numRuns: 400, seed: 4242 },
  );
});
