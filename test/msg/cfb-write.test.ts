/**
 * The hand-written CFB writer (src/msg/cfb-write.ts) checked by python3-olefile in strict mode
 * (raise_defects=DEFECT_INCORRECT): header fields, DIFAT for more than 109 FAT sectors (files
 * above ~7 MB and above 100 MB), mini stream vs regular sectors at the 4096-byte cutoff, empty
 * streams, CLSIDs, and stream contents by SHA-256.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildCfb, type CfbStreamSpec } from '../../src/msg/cfb-write.js';
import { CfbReader, ENDOFCHAIN } from '../../src/msg/cfb-read.js';
import { Diagnostics } from '../../src/errors.js';
import { guidToBytes } from '../../src/msg/layout.js';
import { olefileJson } from './helpers.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const MSG_CLSID = '00020D0B-0000-0000-C000-000000000046';

/** Deterministic pseudo-random bytes (xorshift32), cheap for 100 MB. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  const w = new Uint32Array(out.buffer, 0, n >>> 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < w.length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    w[i] = x;
  }
  for (let i = w.length * 4; i < n; i++) out[i] = i & 0xff;
  return out;
}

interface OleReport {
  clsid: string;
  header: { major: number; minor: number; sectorShift: number; miniShift: number; fatSectors: number; difatSectors: number; firstDifat: number; cutoff: number };
  streams: Record<string, { size: number; sha: string; mini: boolean }>;
  storages: Record<string, string>;
}

/** Strict olefile: every stream's size, SHA-256, and whether it lives in the mini stream. */
function oleReport(bytes: Uint8Array): OleReport {
  return olefileJson(bytes, `
import hashlib, struct
o = olefile.OleFileIO(sys.argv[1], raise_defects=olefile.DEFECT_INCORRECT)
with open(sys.argv[1], 'rb') as f: h = f.read(512)
streams, storages = {}, {}
for p in o.listdir(streams=True, storages=False):
    path = '/'.join(p)
    e = o.direntries[o._find(p)]
    streams[path] = {'size': o.get_size(path), 'sha': hashlib.sha256(o.openstream(path).read()).hexdigest(), 'mini': e.size < o.minisectorcutoff}
for p in o.listdir(streams=False, storages=True):
    storages['/'.join(p)] = o.getclsid('/'.join(p))
print(json.dumps({
  'clsid': o.root.clsid,
  'header': {'minor': struct.unpack_from('<H', h, 24)[0], 'major': struct.unpack_from('<H', h, 26)[0],
    'sectorShift': struct.unpack_from('<H', h, 30)[0], 'miniShift': struct.unpack_from('<H', h, 32)[0],
    'fatSectors': struct.unpack_from('<I', h, 44)[0], 'firstDifat': struct.unpack_from('<I', h, 68)[0],
    'difatSectors': struct.unpack_from('<I', h, 72)[0], 'cutoff': struct.unpack_from('<I', h, 56)[0]},
  'streams': streams, 'storages': storages,
}))
`) as OleReport;
}

function checkAgainst(specs: CfbStreamSpec[], r: OleReport): void {
  assert.deepEqual(Object.keys(r.streams).sort(), specs.map((s) => s.path).sort());
  for (const s of specs) {
    const got = r.streams[s.path]!;
    assert.equal(got.size, s.data.length, s.path);
    assert.equal(got.sha, sha256(s.data), s.path);
  }
}

test('MS-CFB 2.2 / 2.4 / 2.6.3: small file — v3 header, mini stream below 4096 bytes, empty streams at ENDOFCHAIN, CLSIDs kept (olefile strict)', () => {
  const clsid = guidToBytes('00020D0B-0000-0000-C000-000000000046')!;
  const subClsid = guidToBytes('12345678-9ABC-DEF0-1122-334455667788')!;
  const specs: CfbStreamSpec[] = [
    { path: 'a', data: noise(4095, 1) },
    { path: 'b', data: noise(4096, 2) },
    { path: 'empty', data: new Uint8Array(0) },
    { path: 'dir/one', data: noise(1, 3) },
    { path: 'dir/deeper/big', data: noise(10_000, 4) },
  ];
  const bytes = buildCfb(specs, clsid, [{ path: 'dir', clsid: subClsid }, { path: 'nothing' }]);
  const r = oleReport(bytes);
  assert.equal(r.clsid, MSG_CLSID);
  assert.deepEqual(r.header, { minor: 0x3e, major: 3, sectorShift: 9, miniShift: 6, fatSectors: 1, difatSectors: 0, firstDifat: ENDOFCHAIN, cutoff: 4096 });
  checkAgainst(specs, r);
  assert.equal(r.streams['a']!.mini, true);
  assert.equal(r.streams['b']!.mini, false);
  assert.deepEqual(r.storages, { dir: '12345678-9ABC-DEF0-1122-334455667788', 'dir/deeper': '', nothing: '' });
  // MS-CFB 2.6.3: a zero-length stream's starting sector is ENDOFCHAIN.
  const cfb = new CfbReader(bytes, new Diagnostics(true));
  const empty = cfb.root.children.get('EMPTY')!;
  assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getUint32(cfb.entryOffset(empty.id) + 116, true), ENDOFCHAIN);
});

test('MS-CFB 2.5: a file above 7 MB needs more than 109 FAT sectors and a DIFAT sector (olefile strict)', () => {
  const specs: CfbStreamSpec[] = [
    { path: 'big', data: noise(7_500_000, 5) },
    { path: 'small', data: noise(100, 6) },
    { path: 's/t', data: noise(5000, 7) },
  ];
  const bytes = buildCfb(specs, MSG_CLSID);
  const r = oleReport(bytes);
  assert.ok(r.header.fatSectors > 109, `FAT sectors ${r.header.fatSectors}`);
  assert.equal(r.header.difatSectors, 1);
  assert.notEqual(r.header.firstDifat, ENDOFCHAIN);
  checkAgainst(specs, r);
});

test('MS-CFB 2.5: a file above 100 MB (several DIFAT sectors) opens in olefile with every byte intact', () => {
  const specs: CfbStreamSpec[] = [
    { path: '__attach_version1.0_#00000000/__substg1.0_37010102', data: noise(101 * 1024 * 1024 + 17, 8) },
    { path: '__substg1.0_0037001F', data: noise(64, 9) },
    { path: '__properties_version1.0', data: noise(32 + 16 * 5, 10) },
  ];
  const bytes = buildCfb(specs, MSG_CLSID);
  assert.ok(bytes.length > 100 * 1024 * 1024);
  const r = oleReport(bytes);
  // 101 MiB / 512 B / 128 per FAT sector ≈ 1616 FAT sectors; (1616 - 109) / 127 → 12 DIFAT sectors.
  assert.ok(r.header.fatSectors > 1600);
  assert.equal(r.header.difatSectors, Math.ceil((r.header.fatSectors - 109) / 127));
  checkAgainst(specs, r);
});

test('the writer is deterministic: the same streams give the same bytes', () => {
  const specs: CfbStreamSpec[] = [{ path: 'x/y', data: noise(5000, 11) }, { path: 'z', data: noise(10, 12) }];
  assert.deepEqual(buildCfb(specs, MSG_CLSID), buildCfb(specs, MSG_CLSID));
});

test('MS-CFB 2.6.1: an entry written twice (case-insensitively) or a stream used as a storage is INVALID_ARGUMENT', () => {
  const one = Uint8Array.of(1);
  assert.throws(() => buildCfb([{ path: 'ab', data: one }, { path: 'AB', data: one }], MSG_CLSID), /written twice/);
  assert.throws(() => buildCfb([{ path: 'ab', data: one }, { path: 'ab/c', data: one }], MSG_CLSID), /stream and a storage/);
  assert.throws(() => buildCfb([{ path: 'a:b', data: one }], MSG_CLSID), /reserved character/);
});
