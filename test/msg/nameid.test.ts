/**
 * Named-property map (MS-OXMSG 2.2.3): CRC and hash-bucket rules checked against the fact sheet's
 * worked value, against the buckets Outlook wrote in corpus files, and (for our own output)
 * against python's zlib CRC-32 recomputation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashStreamId, nameCrc } from '../../src/msg/nameid.js';
import { type CfbEntry, CfbReader } from '../../src/msg/cfb-read.js';
import { buildCfb } from '../../src/msg/cfb-write.js';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { PS_INTERNET_HEADERS, PS_MAPI, PS_PUBLIC_STRINGS, PSETID_Common } from '../../src/mapi/named.js';
import { MessageObject } from '../../src/mapi/message.js';
import { PT_LONG, PT_UNICODE } from '../../src/mapi/proptypes.js';
import { corpusBytes, msgEntries, olefileJson } from './helpers.js';
import { sampleMessage } from './sample.js';

test('MS-OXMSG 2.2.3.2.2: CRC of "x-mailer" is 0xFF504E89 and with GUID index 3 it goes to stream 0x100F', () => {
  assert.equal(nameCrc('x-mailer'), 0xff504e89);
  assert.equal(hashStreamId({ guid: PS_INTERNET_HEADERS, name: 'x-mailer' }, 3), 0x100f);
  // PS_INTERNET_HEADERS names are lower-cased before hashing (MS-OXMSG note <1>).
  assert.equal(hashStreamId({ guid: PS_INTERNET_HEADERS, name: 'X-Mailer' }, 3), 0x100f);
});

test('MS-OXMSG 2.2.3.2.2: our bucket rule reproduces every bucket entry Outlook wrote in the corpus', () => {
  let checked = 0;
  const failures: string[] = [];
  for (const e of msgEntries()) {
    if (e.path.includes('clusterfuzz')) continue;
    const cfb = new CfbReader(corpusBytes(e.path));
    const nameid = cfb.root.children.get('__NAMEID_VERSION1.0');
    if (!nameid) continue;
    const rd = (n: string) => { const x = nameid.children.get(n.toUpperCase()); return x ? cfb.read(x) : undefined; };
    const entries = rd('__substg1.0_00030102');
    const strings = rd('__substg1.0_00040102') ?? new Uint8Array(0);
    if (!entries) continue;
    const dv = new DataView(entries.buffer, entries.byteOffset, entries.length);
    const sdv = new DataView(strings.buffer, strings.byteOffset, strings.length);
    for (let off = 0; off + 8 <= entries.length; off += 8) {
      const first = dv.getUint32(off, true);
      const iak = dv.getUint32(off + 4, true);
      const gi = (iak >>> 1) & 0x7fff;
      let sid: number;
      let key: number;
      if (iak & 1) {
        const len = sdv.getUint32(first, true);
        let name = '';
        for (let i = 0; i < len; i += 2) name += String.fromCharCode(sdv.getUint16(first + 4 + i, true));
        key = nameCrc(name);
        sid = hashStreamId({ guid: PS_PUBLIC_STRINGS, name }, gi); // set only matters for lower-casing
      } else {
        key = first;
        sid = hashStreamId({ guid: PS_MAPI, lid: first }, gi);
      }
      const bucket = rd(`__substg1.0_${sid.toString(16).toUpperCase()}0102`);
      if (!bucket) continue; // "new Outlook" writes no buckets
      const bdv = new DataView(bucket.buffer, bucket.byteOffset, bucket.length);
      let found = false;
      for (let b = 0; b + 8 <= bucket.length; b += 8) if (bdv.getUint32(b, true) === key && bdv.getUint32(b + 4, true) === iak) found = true;
      checked++;
      if (!found) failures.push(`${e.path}: entry ${off / 8} not in bucket 0x${sid.toString(16)}`);
    }
  }
  assert.ok(checked >= 200, `only ${checked} entries checked`);
  assert.deepEqual(failures, []);
});

test('MS-OXMSG 2.2.3: written name map — PS_MAPI/PS_PUBLIC_STRINGS not stored, indexes 1/2, lower-case header names, buckets agree with zlib CRC', () => {
  const m = sampleMessage();
  m.properties.setNamed({ guid: PS_MAPI, lid: 0x8001 }, PT_LONG, 7);
  m.properties.setNamed({ guid: PS_PUBLIC_STRINGS, name: 'Custom Name' }, PT_UNICODE, 'v');
  m.properties.setNamed({ guid: PSETID_Common, name: 'Content-Type' }, PT_UNICODE, 'not a header set: case kept');
  const r = olefileJson(writeMsg(m), `
import zlib, struct
o = olefile.OleFileIO(sys.argv[1])
rd = lambda n: o.openstream('__nameid_version1.0/' + n).read()
g, e, s = rd('__substg1.0_00020102'), rd('__substg1.0_00030102'), rd('__substg1.0_00040102')
guids = [g[i:i+16].hex() for i in range(0, len(g), 16)]
out = {'guids': guids, 'entries': [], 'bucketsOk': True}
for i in range(0, len(e), 8):
    first, iak = struct.unpack('<II', e[i:i+8])
    gi = (iak >> 1) & 0x7fff
    if iak & 1:
        n = struct.unpack('<I', s[first:first+4])[0]
        name = s[first+4:first+4+n].decode('utf-16-le')
        crc = zlib.crc32(name.encode('utf-16-le'), 0xffffffff) ^ 0xffffffff  # MS-OXRTFCP CRC: init 0, no final xor
        sid = 0x1000 + ((crc ^ ((gi << 1) | 1)) % 0x1f)
        key = crc
    else:
        name = None
        key = first
        sid = 0x1000 + ((first ^ (gi << 1)) % 0x1f)
    b = rd('__substg1.0_%04X0102' % sid)
    pairs = [struct.unpack('<II', b[j:j+8]) for j in range(0, len(b), 8)]
    if (key, iak) not in pairs: out['bucketsOk'] = False
    out['entries'].append({'gi': gi, 'name': name, 'lid': None if name is not None else first, 'index': iak >> 16})
print(json.dumps(out))
`) as { guids: string[]; entries: { gi: number; name: string | null; lid: number | null; index: number }[]; bucketsOk: boolean };
  assert.equal(r.bucketsOk, true);
  assert.ok(!r.guids.includes('2803020000000000c000000000000046'), 'PS_MAPI stored in the GUID stream');
  assert.ok(!r.guids.includes('2903020000000000c000000000000046'), 'PS_PUBLIC_STRINGS stored in the GUID stream');
  assert.deepEqual(r.entries.map((x) => x.index), r.entries.map((_, i) => i)); // consecutive indexes
  assert.ok(r.entries.some((x) => x.gi === 1 && x.lid === 0x8001));
  assert.ok(r.entries.some((x) => x.gi === 2 && x.name === 'Custom Name'));
  assert.ok(r.entries.some((x) => x.gi === 2 && x.name === 'Keywords'));
  assert.ok(r.entries.some((x) => x.name === 'x-mailer'));
  assert.ok(!r.entries.some((x) => x.name === 'X-Mailer'));
  assert.ok(r.entries.some((x) => x.name === 'Content-Type'), 'non-header set name was lower-cased');
});

test('MS-OXMSG 2.2.3: embedded messages share the top-level name map (one entry for x-mailer used at both levels)', () => {
  const bytes = writeMsg(sampleMessage());
  const cfb = new CfbReader(bytes);
  const nameid = cfb.root.children.get('__NAMEID_VERSION1.0')!;
  const strings = cfb.read(nameid.children.get('__SUBSTG1.0_00040102')!);
  const text = new TextDecoder('utf-16le').decode(strings);
  assert.equal(text.split('x-mailer').length - 1, 1);
  const back = readMsg(bytes, { strict: true }).message;
  assert.equal(back.attachments[1]!.embedded!.properties.getNamedString({ guid: PS_INTERNET_HEADERS, name: 'x-mailer' }), 'inner mailer');
  assert.equal(back.properties.getNamedString({ guid: PS_INTERNET_HEADERS, name: 'x-mailer' }), 'smime-bridge tests');
});

test('MS-OXMSG 2.2.3: a message without named properties still gets an (empty) name map', () => {
  const cfb = new CfbReader(writeMsg(new MessageObject()));
  const nameid = cfb.root.children.get('__NAMEID_VERSION1.0');
  assert.ok(nameid);
  assert.equal(cfb.read(nameid.children.get('__SUBSTG1.0_00030102')!).length, 0);
});

test('MS-OXMSG 2.2.3.2: a name map without hash-bucket streams reads the same named properties', () => {
  const bytes = writeMsg(sampleMessage());
  const cfb = new CfbReader(bytes);
  const streams: { path: string; data: Uint8Array }[] = [];
  const walk = (e: CfbEntry) => {
    for (const c of e.children.values()) {
      if (c.type === 1) walk(c);
      else if (!/^__nameid_version1\.0\/__substg1\.0_10[0-9A-F]{2}0102$/.test(c.path)) streams.push({ path: c.path, data: cfb.read(c) });
    }
  };
  walk(cfb.root);
  const stripped = buildCfb(streams, '00020D0B-0000-0000-C000-000000000046');
  assert.ok(stripped.length > 0);
  const a = readMsg(bytes, { strict: true }).message;
  const b = readMsg(stripped, { strict: true }).message;
  const named = (m: typeof a) => [...m.properties].filter((p) => p.key.kind === 'named').map((p) => JSON.stringify([p.key, p.type, p.value instanceof Uint8Array ? [...p.value] : p.value]));
  assert.ok(named(a).length >= 4);
  assert.deepEqual(named(b), named(a));
});
