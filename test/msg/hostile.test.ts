/**
 * Hostile and broken compound files (MS-CFB) and property streams: FAT loops, sector indexes out
 * of range, sizes past the end, directory cycles, name overflow, streams larger than the file,
 * malformed property streams and name maps. Strict mode throws the typed error with the stream
 * path; lenient mode records it and goes on. Also the three corrupted POI files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { CfbReader } from '../../src/msg/cfb-read.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { corpusBytes } from './helpers.js';
import { sampleMessage } from './sample.js';

const base = writeMsg(sampleMessage());

/** A fresh copy of the sample file, its parsed layout, and a DataView over the copy. */
function copy() {
  const bytes = base.slice();
  const cfb = new CfbReader(bytes);
  return { bytes, cfb, dv: new DataView(bytes.buffer) };
}

function entryByPath(cfb: CfbReader, path: string) {
  let e = cfb.root;
  for (const part of path.split('/')) e = e.children.get(part.toUpperCase())!;
  assert.ok(e, `no ${path}`);
  return e;
}

function throwsTyped(bytes: Uint8Array, code: string, pathPart?: string): void {
  assert.throws(() => readMsg(bytes, { strict: true }), (e: unknown) => {
    assert.ok(e instanceof SmimeBridgeError, `not a SmimeBridgeError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pathPart !== undefined) assert.ok(e.location.streamPath?.includes(pathPart), `stream path ${e.location.streamPath} lacks ${pathPart}`);
    return true;
  });
}

const ATT = '__attach_version1.0_#00000000/__substg1.0_37010102'; // 5000 bytes: regular sectors

test('MS-CFB 2.3: a FAT loop in a stream chain is MSG_CFB_MALFORMED with the stream path (strict) and a warning (lenient)', () => {
  const { bytes, cfb, dv } = copy();
  const e = entryByPath(cfb, ATT);
  const secs = cfb.sectorsOf(e).sectors;
  const fatOff = (s: number) => cfb.offsetOf(cfb.fatSectors[Math.floor(s / 128)]!) + (s % 128) * 4;
  dv.setUint32(fatOff(secs[5]!), secs[1]!, true); // sector 6 points back to sector 2
  throwsTyped(bytes, 'MSG_CFB_MALFORMED', ATT);
  const r = readMsg(bytes);
  assert.ok(r.warnings.some((w) => w.code === 'MSG_CFB_MALFORMED' && w.location.streamPath === ATT && /loop/.test(w.message)));
});

test('MS-CFB 2.3: a sector index out of range is MSG_CFB_MALFORMED with the stream path', () => {
  const { bytes, cfb, dv } = copy();
  const secs = cfb.sectorsOf(entryByPath(cfb, ATT)).sectors;
  const fatOff = (s: number) => cfb.offsetOf(cfb.fatSectors[Math.floor(s / 128)]!) + (s % 128) * 4;
  dv.setUint32(fatOff(secs[2]!), 0x00ffff00, true);
  throwsTyped(bytes, 'MSG_CFB_MALFORMED', ATT);
});

test('MS-CFB 2.6.3: a stream size past the end of its chain, or larger than the file, is MSG_CFB_MALFORMED', () => {
  const a = copy();
  a.dv.setUint32(a.cfb.entryOffset(entryByPath(a.cfb, ATT).id) + 120, 6000, true); // chain holds 5120 bytes
  throwsTyped(a.bytes, 'MSG_CFB_MALFORMED', ATT);
  const b = copy();
  b.dv.setUint32(b.cfb.entryOffset(entryByPath(b.cfb, ATT).id) + 120, 0x7fff0000, true);
  throwsTyped(b.bytes, 'MSG_CFB_MALFORMED', ATT);
  const lenient = readMsg(b.bytes); // the attachment data is skipped, the rest is read
  assert.equal(lenient.message.attachments.length, 2);
  assert.ok(lenient.message.attachments[0]!.properties.getString(0x3707001f));
});

test('MS-CFB 2.6.4: a directory cycle is MSG_CFB_MALFORMED, never a hang', () => {
  const { bytes, cfb, dv } = copy();
  const storage = entryByPath(cfb, '__attach_version1.0_#00000000');
  const child = [...storage.children.values()][0]!;
  dv.setUint32(cfb.entryOffset(child.id) + 72, storage.id, true); // a child's right sibling is its own parent
  throwsTyped(bytes, 'MSG_CFB_MALFORMED');
  assert.ok(readMsg(bytes).warnings.some((w) => /cycle/.test(w.message)));
});

test('MS-CFB 2.6.1: a name length above 64 bytes (31 characters + NUL) is MSG_CFB_MALFORMED', () => {
  const { bytes, cfb, dv } = copy();
  dv.setUint16(cfb.entryOffset(entryByPath(cfb, '__substg1.0_0037001F').id) + 64, 80, true);
  throwsTyped(bytes, 'MSG_CFB_MALFORMED');
});

test('MS-CFB 2.2: broken headers (signature, FAT count, directory chain loop) always throw MSG_CFB_MALFORMED', () => {
  const sig = base.slice(); sig[0] = 0;
  assert.throws(() => readMsg(sig), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'MSG_CFB_MALFORMED');
  const fat = base.slice(); new DataView(fat.buffer).setUint32(44, 1_000_000, true);
  assert.throws(() => readMsg(fat), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'MSG_CFB_MALFORMED');
  const { bytes, cfb, dv } = copy();
  const d = cfb.directorySectors;
  const fatOff = (s: number) => cfb.offsetOf(cfb.fatSectors[Math.floor(s / 128)]!) + (s % 128) * 4;
  dv.setUint32(fatOff(d[d.length - 1]!), d[0]!, true);
  assert.throws(() => readMsg(bytes), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'MSG_CFB_MALFORMED' && /loops/.test(e.message));
  assert.throws(() => readMsg(base.subarray(0, 100)), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'MSG_CFB_MALFORMED');
});

test('MS-OXMSG 2.4: a property stream whose length does not fit header + 16-byte entries is MSG_PROPERTY_STREAM_MALFORMED', () => {
  const { bytes, cfb, dv } = copy();
  const ps = entryByPath(cfb, '__recip_version1.0_#00000001/__properties_version1.0');
  dv.setUint32(cfb.entryOffset(ps.id) + 120, ps.size - 3, true);
  throwsTyped(bytes, 'MSG_PROPERTY_STREAM_MALFORMED', '__recip_version1.0_#00000001/__properties_version1.0');
  const lenient = readMsg(bytes);
  assert.equal(lenient.message.recipients.length, 2);
});

test('MS-OXMSG 2.2.3.1.2: a name-map entry with a GUID index that does not exist is MSG_NAMEID_MALFORMED', () => {
  const { bytes, cfb, dv } = copy();
  const entries = entryByPath(cfb, '__nameid_version1.0/__substg1.0_00030102');
  // Entry streams are small: they live in the mini stream. Find the first entry's bytes there.
  const { mini, sectors } = cfb.sectorsOf(entries);
  assert.ok(mini);
  const miniOff = sectors[0]! * 64;
  const phys = cfb.offsetOf(cfb.miniStreamSectors[Math.floor(miniOff / 512)]!) + (miniOff % 512);
  dv.setUint32(phys + 4, (dv.getUint32(phys + 4, true) & 0xffff0001) | (40 << 1), true);
  throwsTyped(bytes, 'MSG_NAMEID_MALFORMED', '__nameid_version1.0');
  assert.ok(readMsg(bytes).warnings.some((w) => w.code === 'MSG_NAMEID_MALFORMED'));
});

test('Corrupted POI files (clusterfuzz): strict mode gives a typed error with a stream path; lenient mode reads with warnings', () => {
  for (const f of ['4735011465854976', '4848576776503296', '5336473854148608']) {
    const bytes = corpusBytes(`apache-poi-hsmf/test-data/hsmf/clusterfuzz-testcase-minimized-POIHSMFFuzzer-${f}.msg`);
    assert.throws(() => readMsg(bytes, { strict: true }), (e: unknown) => e instanceof SmimeBridgeError && /^MSG_/.test(e.code) && (e.location.streamPath !== undefined || e.location.offset !== undefined), f);
    const r = readMsg(bytes);
    assert.ok(r.warnings.length > 0, f);
  }
});

test('limits: embedded messages deeper than maxEmbeddingDepth are LIMIT_EXCEEDED', () => {
  assert.throws(() => readMsg(base, { limits: { maxEmbeddingDepth: 0 } }), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'LIMIT_EXCEEDED' && e.location.streamPath!.includes('__substg1.0_3701000D'));
  assert.throws(() => readMsg(base, { limits: { maxRecipients: 1 } }), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'LIMIT_EXCEEDED');
});

test('MS-CFB 2.3: streams sharing one sector chain cannot multiply memory (read budget of twice the file size)', () => {
  const { bytes, cfb, dv } = copy();
  const att = entryByPath(cfb, ATT);
  let patched = 0;
  for (const e of cfb.entries) {
    if (!e || e.type !== 2 || e.id === att.id) continue;
    const off = cfb.entryOffset(e.id);
    dv.setUint32(off + 116, att.startSector, true); // every stream now claims the attachment's 5000 bytes
    dv.setUint32(off + 120, att.size, true);
    patched++;
  }
  assert.ok(patched * att.size > 2 * bytes.length + 65536, 'not enough streams to exceed the budget');
  const r = readMsg(bytes);
  assert.ok(r.warnings.some((w) => w.code === 'LIMIT_EXCEEDED' && /twice the file size/.test(w.message)));
  assert.throws(() => readMsg(bytes, { strict: true }), (e: unknown) => e instanceof SmimeBridgeError);
});
