// BER, not just DER, on input (X.690 8): indefinite lengths (8.1.3.6), SET members in any order
// (8.11.2), constructed OCTET STRINGs (8.7.3). The variants are re-encodings of our DER made with
// asn1js; each must decode to the same values as the DER original.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import * as x from '../../src/x400/index.js';
import { checkBer, makeFixture, sameBytes, signWithOpenssl } from './helpers.js';

const fx = makeFixture();
after(() => fx.cleanup());

const cms = signWithOpenssl(fx, 'DER');
const originator = x.parseORName('C=GB;A= ;P=Example;O=Org;S=Surname;G=Given');
const bob = x.orNameFromRfc822('bob@example.com', 'C=GB;A= ;P=Gateway');
const when = new Date(Date.UTC(2025, 5, 1, 12, 0, 0));

const p1 = x.encodeP1Message({ content: cms, contentType: x.ID_CT_CONTENT_INFO, originator, recipients: [bob, originator], messageId: { localIdentifier: 'v1' }, contentIdentifier: 'var', priority: 'urgent', arrivalTime: when });
const ipm = x.encodeIpmForward({ cms, contentType: x.ID_CT_CONTENT_INFO, subject: 'variants', originator, recipients: [bob], thisIpm: 'v', deliveryTime: when, mtsIdentifier: { country: 'GB', adminDomain: ' ', localIdentifier: 'm' } });

type Node = asn1js.BaseBlock & { valueBlock: { value?: asn1js.BaseBlock[]; isIndefiniteForm?: boolean } };

function walk(n: asn1js.BaseBlock, fn: (n: Node) => void): void {
  fn(n as Node);
  if (n.idBlock.isConstructed) for (const k of (n as Node).valueBlock.value ?? []) walk(k, fn);
}

function reencode(der: Uint8Array, fn: (n: Node) => void): Uint8Array {
  const root = asn1js.fromBER(der, { parseEmbedded: false }).result;
  walk(root, fn);
  return new Uint8Array(root.toBER());
}

/** Every constructed element in indefinite-length form. */
const indefinite = (n: Node) => {
  if (n.idBlock.isConstructed) {
    n.lenBlock.isIndefiniteForm = true;
    n.valueBlock.isIndefiniteForm = true;
  }
};

/** Members of every SET (universal 17, and the implicitly tagged SETs: envelope fields) reversed. */
const reverseSets = (n: Node) => {
  if (n.idBlock.isConstructed && n.idBlock.tagClass === 1 && n.idBlock.tagNumber === 17) n.valueBlock.value?.reverse();
};

/** Every primitive OCTET STRING longer than 100 bytes split into a constructed one of 100-byte segments. */
const chunkOctets = (n: Node) => {
  if (!n.idBlock.isConstructed || !Array.isArray(n.valueBlock.value)) return;
  for (const [i, k] of n.valueBlock.value.entries()) {
    if (k.idBlock.tagClass === 1 && k.idBlock.tagNumber === 4 && !k.idBlock.isConstructed) {
      const bytes = (k as asn1js.OctetString).valueBlock.valueHexView;
      if (bytes.length <= 100) continue;
      const segs: asn1js.OctetString[] = [];
      for (let o = 0; o < bytes.length; o += 100) segs.push(new asn1js.OctetString({ valueHex: bytes.slice(o, o + 100) }));
      n.valueBlock.value![i] = new asn1js.OctetString({ isConstructed: true, value: segs });
    }
  }
};

function p1Summary(b: Uint8Array) {
  const d = x.decodeP1Message(b);
  return {
    messageId: d.messageId,
    originator: d.originator,
    recipients: d.recipients.map((r) => [r.name, r.originallySpecifiedNumber, Array.from(r.indicators.bytes)]),
    contentType: d.contentType,
    contentIdentifier: d.contentIdentifier,
    priority: d.priority,
    trace: d.trace.map((t) => [t.domain, t.arrivalTime.getTime(), t.routingAction]),
    content: Buffer.from(d.content).toString('hex'),
  };
}

function ipmSummary(b: Uint8Array) {
  const d = x.decodeIpm(b);
  return JSON.stringify(d, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)).replace(/"(contentOffset|offset)":\d+,?/g, '');
}

test('X.690 8.1.3.6: a P1 message with indefinite lengths everywhere decodes to the same values', () => {
  const v = reencode(p1, indefinite);
  assert.notEqual(v.length, p1.length);
  assert.deepEqual(p1Summary(v), p1Summary(p1));
  assert.ok(checkBer(fx, 'p1_indef.ber', v, 'p1').ok);
});

test('X.690 8.11.2: a P1 message with SET members in reverse order decodes to the same values', () => {
  const v = reencode(p1, reverseSets);
  assert.ok(!sameBytes(v, p1));
  assert.deepEqual(p1Summary(v), p1Summary(p1));
});

test('X.690 8.7.3: a P1 content in a constructed OCTET STRING decodes to the same content bytes', () => {
  const v = reencode(p1, chunkOctets);
  assert.ok(v.length > p1.length);
  assert.deepEqual(p1Summary(v), p1Summary(p1));
  assert.equal(x.decodeP1Message(v).contentOffset, undefined);
  assert.ok(sameBytes(x.findCmsObjects(v)[0]!.cms, cms));
});

test('all three BER variations at once on an IPM forward give the same heading, parameters and CMS', () => {
  const v = reencode(reencode(reencode(ipm, chunkOctets), reverseSets), indefinite);
  assert.equal(ipmSummary(v), ipmSummary(ipm));
  assert.ok(sameBytes(x.findCmsObjects(v, 'ipm')[0]!.cms, cms));
});

test('BER variations of an IPM inside P1 (built-in 22): the CMS is still found, identical', () => {
  const inP1 = x.encodeP1Message({ content: reencode(ipm, indefinite), contentType: 22, originator, recipients: [bob] });
  const v = reencode(reencode(inP1, reverseSets), indefinite);
  const found = x.findCmsObjects(v);
  assert.equal(found.length, 1);
  assert.ok(sameBytes(found[0]!.cms, cms));
  assert.equal(found[0]!.headers.subject, 'variants');
});
