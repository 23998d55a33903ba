// Known-answer tests: OIDs and DER bytes from ../shared/reference/x400-facts.md (section 1 table
// and section 2 wire notes), plus structures cross-checked with `openssl asn1parse -genconf`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x from '../../src/x400/index.js';
import { encodeDer } from '../../src/x400/der-encode.js';
import { prim } from '../../src/x400/schema.js';
import { MTSIdentifier } from '../../src/x400/modules.js';
import { mtsIdToAsn } from '../../src/x400/p1.js';
import { hex, makeFixture, openssl } from './helpers.js';

const fx = makeFixture();
after(() => fx.cleanup());

const oidDer = (oid: string) => hex(encodeDer(prim('oid'), oid));
const clean = (s: string) => s.replace(/\s/g, '').toUpperCase();

const TABLE: Array<[string, string, string]> = [
  ['id-data', x.ID_DATA, '06 09 2A 86 48 86 F7 0D 01 07 01'],
  ['id-ct-contentInfo', x.ID_CT_CONTENT_INFO, '06 0B 2A 86 48 86 F7 0D 01 09 10 01 06'],
  ['id-et-content', x.ID_ET_CONTENT, '06 04 56 01 04 11'],
  ['id-ep-content', x.ID_EP_CONTENT, '06 04 56 01 0B 11'],
  ['DATA OID, CMS', x.concatOid(x.ID_ET_CONTENT, x.ID_CT_CONTENT_INFO), '06 10 56 01 04 11 01 02 86 48 86 F7 0D 01 09 10 01 06'],
  ['PARAMS OID, CMS', x.concatOid(x.ID_EP_CONTENT, x.ID_CT_CONTENT_INFO), '06 10 56 01 0B 11 01 02 86 48 86 F7 0D 01 09 10 01 06'],
  ['DATA OID, id-data', x.concatOid(x.ID_ET_CONTENT, x.ID_DATA), '06 0E 56 01 04 11 01 02 86 48 86 F7 0D 01 07 01'],
  ['PARAMS OID, id-data', x.concatOid(x.ID_EP_CONTENT, x.ID_DATA), '06 0E 56 01 0B 11 01 02 86 48 86 F7 0D 01 07 01'],
];

for (const [name, oid, der] of TABLE) {
  test(`fact-sheet KAT: ${name} encodes as ${der}`, () => {
    assert.equal(oidDer(oid), clean(der));
  });
}

test('draft 2.3: body-part OIDs are plain arc concatenation (2.6.1.4.17 + content type arcs)', () => {
  assert.equal(x.concatOid(x.ID_ET_CONTENT, x.ID_CT_CONTENT_INFO), '2.6.1.4.17.1.2.840.113549.1.9.16.1.6');
  assert.equal(x.concatOid(x.ID_EP_CONTENT, x.ID_DATA), '2.6.1.11.17.1.2.840.113549.1.7.1');
  assert.equal(x.splitOid(x.ID_ET_CONTENT, '2.6.1.4.17.2.6.1.10.1'), x.ID_MCT_P22);
  assert.equal(x.splitOid(x.ID_ET_CONTENT, '2.6.1.4.18'), undefined);
});

test('X.411 MTSIdentifier DER equals what openssl asn1parse -genconf builds (64 17 63 0B 61 04 13 02 47 42 ...)', () => {
  const conf = [
    'asn1 = IMPLICIT:4A,SEQUENCE:mtsid',
    '[mtsid]',
    'gdi = IMPLICIT:3A,SEQUENCE:gdi',
    'local = IA5STRING:abc123',
    '[gdi]',
    'c = EXPLICIT:1A,PRINTABLESTRING:GB',
    'a = EXPLICIT:2A,PRINTABLESTRING:" "',
    '',
  ].join('\n');
  const p = fx.write('mtsid.cnf', conf);
  const out = join(fx.dir, 'mtsid.der');
  const r = openssl(['asn1parse', '-genconf', p, '-out', out, '-noout']);
  assert.equal(r.status, 0, r.stderr);
  const theirs = new Uint8Array(readFileSync(out));
  const ours = encodeDer(MTSIdentifier, mtsIdToAsn({ country: 'GB', adminDomain: ' ', localIdentifier: 'abc123' }));
  assert.equal(hex(ours), hex(theirs));
  assert.equal(hex(ours).slice(0, 20), '6415630B610413024742'.slice(0, 20));
});

test('x400-facts 2: envelope SET in DER tag order 06|60|64|69|A2 for an OID content type', () => {
  const o = x.parseORName('C=GB;A= ;P=Example;S=Surname');
  const p1 = x.encodeP1Message({ content: new Uint8Array([0x30, 0]), contentType: x.ID_CT_CONTENT_INFO, originator: o, recipients: [o], messageId: { localIdentifier: 'k1' }, arrivalTime: new Date(Date.UTC(2024, 0, 1)) });
  assert.deepEqual(topLevelEnvelopeTags(p1), [0x06, 0x60, 0x64, 0x69, 0xa2]);
});

test('x400-facts 2: envelope SET order 60|64|46|47|69|4A|A2 for built-in 22 with priority and content identifier', () => {
  const o = x.parseORName('C=GB;A= ;P=Example;S=Surname');
  const p1 = x.encodeP1Message({ content: new Uint8Array([0x30, 0]), contentType: 22, originator: o, recipients: [o], priority: 'urgent', contentIdentifier: 'cid', arrivalTime: new Date() });
  assert.deepEqual(topLevelEnvelopeTags(p1), [0x60, 0x64, 0x46, 0x47, 0x69, 0x4a, 0xa2]);
  // [APPLICATION 6] INTEGER 22 → 46 01 16; [APPLICATION 7] ENUMERATED urgent(2) → 47 01 02
  assert.ok(hex(p1).includes('460116'));
  assert.ok(hex(p1).includes('470102'));
});

test('X.420: forwarded body part is AF { A0 { 06 10 56010B11.., A0 { 31 .. } }, 28 { 06 10 56010411.., A0 { 04 .. } } }', () => {
  const cms = new Uint8Array([0x30, 0x03, 0x06, 0x01, 0x00]);
  const ipm = x.encodeIpmForward({ cms, contentType: x.ID_CT_CONTENT_INFO, thisIpm: 'a' });
  const h = hex(ipm);
  const params = '0610' + '56010B11' + '0102864886F70D0109100106';
  const data = '0610' + '56010411' + '0102864886F70D0109100106';
  const m = new RegExp(`AF..A0..${params}A0023100` + `28..${data}A0..04${'05'}${hex(cms)}`).exec(h);
  assert.ok(m, h);
});

/** Identifier octets of the envelope SET's members (A0 L 31 L ...). */
function topLevelEnvelopeTags(p1: Uint8Array): number[] {
  const tags: number[] = [];
  let off = 0;
  const len = (o: number): [number, number] => {
    const b = p1[o]!;
    if (b < 0x80) return [b, o + 1];
    let n = 0;
    for (let i = 1; i <= (b & 0x7f); i++) n = n * 256 + p1[o + i]!;
    return [n, o + 1 + (b & 0x7f)];
  };
  off = len(1)[1]; // skip A0 header
  const [setLen, setStart] = len(off + 1);
  for (let o = setStart; o < setStart + setLen; ) {
    tags.push(p1[o]!);
    const [l, c] = len(o + 1);
    o = c + l;
  }
  return tags;
}

// A whole P1 message written independently as an `openssl asn1parse -genconf` description
// (openssl's ASN1_generate DER-sorts SET members itself).
const P1_GENCONF = `asn1 = IMPLICIT:0C,SEQUENCE:message
[message]
env = SET:env
content = FORMAT:HEX,OCTETSTRING:3000
[env]
ct = OID:1.2.840.113549.1.9.16.1.6
orig = IMPLICIT:0A,SEQUENCE:orig
mid = IMPLICIT:4A,SEQUENCE:mtsid
trace = IMPLICIT:9A,SEQUENCE:trace
prf = IMPLICIT:2C,SEQUENCE:prfs
[orig]
bisa = SEQUENCE:obisa
[obisa]
c = EXPLICIT:1A,PRINTABLESTRING:GB
a = EXPLICIT:2A,PRINTABLESTRING:" "
p = EXPLICIT:2C,PRINTABLESTRING:Example
o = IMPLICIT:3C,PRINTABLESTRING:Org
pn = IMPLICIT:5C,SET:opn
[opn]
s = IMPLICIT:0C,PRINTABLESTRING:Surname
g = IMPLICIT:1C,PRINTABLESTRING:Given
[mtsid]
gdi = IMPLICIT:3A,SEQUENCE:gdi
local = IA5STRING:msg-1
[gdi]
c = EXPLICIT:1A,PRINTABLESTRING:GB
a = EXPLICIT:2A,PRINTABLESTRING:" "
p = PRINTABLESTRING:Example
[trace]
t1 = SEQUENCE:tie
[tie]
gdi = IMPLICIT:3A,SEQUENCE:gdi
dsi = SET:dsi
[dsi]
at = IMPLICIT:0C,UTCTIME:250102030405Z
ra = IMPLICIT:2C,ENUMERATED:0
[prfs]
r1 = SET:prf1
[prf1]
name = IMPLICIT:0A,SEQUENCE:rcpt
num = IMPLICIT:0C,INTEGER:1
ind = IMPLICIT:1C,FORMAT:HEX,BITSTRING:A8
[rcpt]
bisa = SEQUENCE:rbisa
dda = SEQUENCE:rddas
[rbisa]
c = EXPLICIT:1A,PRINTABLESTRING:GB
a = EXPLICIT:2A,PRINTABLESTRING:" "
p = EXPLICIT:2C,PRINTABLESTRING:Gateway
[rddas]
d1 = SEQUENCE:rdda
[rdda]
t = PRINTABLESTRING:RFC-822
v = PRINTABLESTRING:bob(a)example.com
`;

test('whole P1 message: our DER equals openssl asn1parse -genconf byte for byte, and we decode openssl\'s bytes', () => {
  const out = join(fx.dir, 'p1-genconf.der');
  const r = openssl(['asn1parse', '-genconf', fx.write('p1.cnf', P1_GENCONF), '-out', out, '-noout']);
  assert.equal(r.status, 0, r.stderr);
  const theirs = new Uint8Array(readFileSync(out));
  const ours = x.encodeP1Message({
    content: new Uint8Array([0x30, 0x00]),
    contentType: x.ID_CT_CONTENT_INFO,
    originator: x.parseORName('C=GB;A= ;P=Example;O=Org;S=Surname;G=Given'),
    recipients: [x.orNameFromRfc822('bob@example.com', 'C=GB;A= ;P=Gateway')],
    messageId: { localIdentifier: 'msg-1' },
    arrivalTime: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
  });
  assert.equal(hex(ours), hex(theirs));
  const d = x.decodeP1Message(theirs);
  assert.equal(d.messageId.localIdentifier, 'msg-1');
  assert.equal(x.formatORName(d.originator), 'C=GB;A= ;P=Example;O=Org;S=Surname;G=Given');
  assert.equal(x.rfc822FromORName(d.recipients[0]!.name), 'bob@example.com');
  assert.equal(d.trace[0]!.arrivalTime.toISOString(), '2025-01-02T03:04:05.000Z');
});
