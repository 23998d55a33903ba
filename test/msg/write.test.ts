/**
 * Writer rules of MS-OXMSG checked on the raw file with python3-olefile (property-stream entries
 * parsed in Python): Unicode strings with STORE_UNICODE_OK, Size fields, the embedded-message
 * entry, multi-valued layouts, default message flags, upper-case hex numbering, zero timestamps,
 * and the typed errors for limits and values a .msg cannot hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { buildCfb } from '../../src/msg/cfb-write.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { Attachment, MessageObject, PropertyBag } from '../../src/mapi/message.js';
import { PT_OBJECT, PT_UNICODE, makeTag } from '../../src/mapi/proptypes.js';
import * as T from '../../src/mapi/tags.js';
import { olefileJson } from './helpers.js';
import { sampleMessage } from './sample.js';

type Props = Record<string, { flags: number; v: string }>;
interface View {
  top: Props; att0: Props; att1: Props; emb: Props; recip: Props;
  sizes: Record<string, number>;
  mvLong: string;
  stringTypes: string[]; times: (string | null)[];
}

const view = olefileJson(writeMsg(sampleMessage()), `
import struct
o = olefile.OleFileIO(sys.argv[1])
rd = lambda p: o.openstream(p).read()
def props(p, hs):
    d = rd(p); out = {}
    for i in range(hs, len(d), 16):
        tag, flags = struct.unpack('<II', d[i:i+8])
        out['%08X' % tag] = {'flags': flags, 'v': d[i+8:i+16].hex()}
    return out
A1 = '__attach_version1.0_#00000001/'
E = A1 + '__substg1.0_3701000D/'
paths = ['/'.join(p) for p in o.listdir()]
print(json.dumps({
  'top': props('__properties_version1.0', 32),
  'att0': props('__attach_version1.0_#00000000/__properties_version1.0', 8),
  'att1': props(A1 + '__properties_version1.0', 8),
  'emb': props(E + '__properties_version1.0', 24),
  'recip': props('__recip_version1.0_#00000000/__properties_version1.0', 8),
  'sizes': {p: o.get_size(p) for p in paths},
  'mvLong': rd('__substg1.0_7FFF1003').hex(),
  'stringTypes': sorted(set(p[-4:] for p in paths if p.split('/')[-1].startswith('__substg1.0_') and len(p.split('/')[-1]) == 20)),
  'times': [str(o.getctime(p)) if o.getctime(p) else None for p in paths] + [str(o.getmtime(p)) if o.getmtime(p) else None for p in paths],
}))
`) as View;

const le32 = (hex: string, at = 0) => parseInt(hex.slice(at * 2, at * 2 + 8).match(/../g)!.reverse().join(''), 16);

test('MS-OXMSG 2.1.1.1: PidTagStoreSupportMask has STORE_UNICODE_OK on the message, embedded message and attachments', () => {
  for (const [name, p] of [['top', view.top], ['emb', view.emb], ['att0', view.att0], ['att1', view.att1]] as const) {
    const e = p['340D0003'];
    assert.ok(e, `${name}: no 340D`);
    assert.equal(le32(e.v) & 0x00040000, 0x00040000, name);
  }
});

test('MS-OXMSG 2.1.3: no PT_STRING8 anywhere; the PT_STRING8 input became a PT_UNICODE stream', () => {
  assert.ok(!Object.keys(view.top).some((t) => t.endsWith('001E') || t.endsWith('101E')));
  assert.ok(view.top['0070001F']);
  assert.ok(!view.stringTypes.includes('001E'));
});

test('MS-OXMSG 2.4.2.2: Size is stream length + 2 for PT_UNICODE and the length for PT_BINARY; Reserved 0', () => {
  const subj = view.top['0037001F']!;
  assert.equal(le32(subj.v), view.sizes['__substg1.0_0037001F']! + 2);
  assert.equal(le32(subj.v, 4), 0);
  const data = view.att0['37010102']!;
  assert.equal(le32(data.v), 5000);
  assert.equal(subj.flags, 6); // PROPATTR_READABLE | PROPATTR_WRITABLE
});

test('MS-OXMSG 2.4.2.2: the embedded-message entry 0x3701000D has Size 0xFFFFFFFF and Reserved 1', () => {
  const e = view.att1['3701000D']!;
  assert.equal(le32(e.v), 0xffffffff);
  assert.equal(le32(e.v, 4), 1);
  assert.equal(le32(view.att1['37050003']!.v), 5);
});

test('MS-OXCMSG 2.2.1.6: PidTagMessageFlags defaults to mfRead (1) and never gains mfUnsent', () => {
  assert.equal(le32(view.top['0E070003']!.v), 1);
  assert.equal(le32(view.emb['0E070003']!.v), 0); // set explicitly on the embedded message: kept
  const m = new MessageObject();
  m.properties.set(T.PidTagMessageFlags, 0x10);
  assert.equal(readMsg(writeMsg(m)).message.properties.getNumber(T.PidTagMessageFlags), 0x10);
});

test('MS-OXMSG 2.1.4: multi-valued properties — packed fixed values; length stream + NUL-terminated string values', () => {
  assert.equal(view.mvLong, '01000000' + 'feffffff' + '03000000');
  const back = readMsg(writeMsg(sampleMessage()), { strict: true }).message;
  assert.deepEqual(back.properties.get(makeTag(0x7fff, 0x1003))?.value, [1, -2, 3]);
  const kw = back.properties.getNamed({ guid: '00020329-0000-0000-C000-000000000046', name: 'Keywords' });
  assert.deepEqual(kw?.value, ['alpha', 'beta']);
});

test('MS-OXMSG 2.1.4.2.2: string length entries are 4 bytes counting the NUL; binary entries are 8 bytes', () => {
  const r = olefileJson(writeMsg(sampleMessage()), `
import struct
o = olefile.OleFileIO(sys.argv[1])
p = o.openstream('__properties_version1.0').read()
tags = {}
for i in range(32, len(p), 16):
    tag = struct.unpack('<I', p[i:i+4])[0]
    tags['%08X' % tag] = struct.unpack('<I', p[i+8:i+12])[0]
mvs = [t for t in tags if t.endswith('101F')]
mvb = [t for t in tags if t.endswith('1102')]
s, b = mvs[0], mvb[0]
print(json.dumps({
  'sLen': o.openstream('__substg1.0_' + s).read().hex(), 'sSize': tags[s],
  's0': o.openstream('__substg1.0_' + s + '-00000000').read().hex(),
  'bLen': o.openstream('__substg1.0_' + b).read().hex(),
  'b1': o.openstream('__substg1.0_' + b + '-00000001').read().hex(),
}))
`) as { sLen: string; sSize: number; s0: string; bLen: string; b1: string };
  assert.equal(r.sLen, '0c000000' + '0a000000'); // "alpha\0" = 12 bytes, "beta\0" = 10 bytes
  assert.equal(r.sSize, 8);
  assert.equal(r.s0, '61006c00700068006100' + '0000');
  assert.equal(r.bLen, '03000000' + '00000000' + '00000000' + '00000000');
  assert.equal(r.b1, '');
});

test('MS-OXMSG 2.2.2: storages numbered in upper-case hex (#0000000A), header counts, no timestamps in the directory', () => {
  const m = new MessageObject();
  for (let i = 0; i < 11; i++) {
    const a = new Attachment();
    a.properties.set(T.PidTagAttachMethod, 1).set(T.PidTagAttachDataBinary, Uint8Array.of(i));
    m.attachments.push(a);
  }
  const r = olefileJson(writeMsg(m), `
o = olefile.OleFileIO(sys.argv[1])
print(json.dumps({'paths': ['/'.join(p) for p in o.listdir(storages=True)], 'hdr': o.openstream('__properties_version1.0').read()[:32].hex()}))
`) as { paths: string[]; hdr: string };
  assert.ok(r.paths.includes('__attach_version1.0_#0000000A'));
  assert.ok(!r.paths.some((p) => /#0000000a/.test(p)));
  assert.equal(r.hdr, '0000000000000000' + '00000000' + '0b000000' + '00000000' + '0b000000' + '0000000000000000');
  assert.deepEqual(view.times.filter((t) => t !== null), []);
});

test('MS-OXMSG 2.2.1 / 2.2.2: more than 2048 recipients or attachments is LIMIT_EXCEEDED', () => {
  const m = new MessageObject();
  for (let i = 0; i < 2049; i++) m.recipients.push(new PropertyBag().set(T.PidTagRecipientType, 1));
  assert.throws(() => writeMsg(m), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'LIMIT_EXCEEDED');
  const n = new MessageObject();
  for (let i = 0; i < 2049; i++) n.attachments.push(new Attachment());
  assert.throws(() => writeMsg(n), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'LIMIT_EXCEEDED');
});

test('MS-CFB 2.6.1: a CFB name longer than 31 characters is refused with the stream path', () => {
  assert.throws(() => buildCfb([{ path: `a/${'x'.repeat(32)}`, data: new Uint8Array(1) }], '00020D0B-0000-0000-C000-000000000046'),
    (e: unknown) => e instanceof SmimeBridgeError && e.code === 'INVALID_ARGUMENT' && e.location.streamPath === `a/${'x'.repeat(32)}`);
  assert.doesNotThrow(() => buildCfb([{ path: 'x'.repeat(31), data: new Uint8Array(1) }], '00020D0B-0000-0000-C000-000000000046'));
});

test('values a .msg cannot hold are MAPI_PROPERTY_INVALID: PT_OBJECT without a message, a bare tag in the named range', () => {
  const a = new MessageObject();
  const att = new Attachment();
  att.properties.set(makeTag(0x3701, PT_OBJECT), new Uint8Array(0));
  a.attachments.push(att);
  assert.throws(() => writeMsg(a), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'MAPI_PROPERTY_INVALID');
  const b = new MessageObject();
  b.properties.set(makeTag(0x8001, PT_UNICODE), 'x');
  assert.throws(() => writeMsg(b), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'MAPI_PROPERTY_INVALID' && e.location.propertyTag === '0x8001001F');
});

test('an empty message object writes a valid file that reads back with the defaults', () => {
  const r = readMsg(writeMsg(new MessageObject()), { strict: true });
  assert.equal(r.message.messageClass, 'IPM.Note');
  assert.equal(r.message.properties.getNumber(T.PidTagMessageFlags), 1);
  assert.deepEqual(r.warnings, []);
});

test('MS-OXMSG 2.2.2.2: an OLE storage attachment (method 6) is written as a storage with its CLSID, Reserved 4, and read back', () => {
  const oleClsid = '0003000C-0000-0000-C000-000000000046'; // OLE Package
  const ole = buildCfb([
    { path: '\u0001Ole10Native', data: Uint8Array.of(1, 2, 3, 4, 5) },
    { path: '\u0003ObjInfo', data: Uint8Array.of(0, 3, 4, 0, 0, 0) },
    { path: 'Inner/Deep', data: new Uint8Array(4500).fill(7) },
  ], oleClsid, [{ path: 'Inner', clsid: new Uint8Array(16).fill(0x11) }]);
  const m = new MessageObject();
  const att = new Attachment();
  att.properties.set(T.PidTagAttachMethod, 6).set(makeTag(0x3701, PT_OBJECT), ole);
  m.attachments.push(att);
  const bytes = writeMsg(m);
  const r = olefileJson(bytes, `
import struct
o = olefile.OleFileIO(sys.argv[1])
S = '__attach_version1.0_#00000000/__substg1.0_3701000D'
p = o.openstream('__attach_version1.0_#00000000/__properties_version1.0').read()
ents = {('%08X' % struct.unpack('<I', p[i:i+4])[0]): p[i+8:i+16].hex() for i in range(8, len(p), 16)}
print(json.dumps({'clsid': o.getclsid(S), 'inner': o.getclsid(S + '/Inner'), 'native': o.openstream(S + '/\\x01Ole10Native').read().hex(),
  'deep': len(o.openstream(S + '/Inner/Deep').read()), 'entry': ents.get('3701000D')}))
`) as { clsid: string; inner: string; native: string; deep: number; entry: string };
  assert.equal(r.clsid, oleClsid);
  assert.equal(r.inner, '11111111-1111-1111-1111-111111111111');
  assert.equal(r.native, '0102030405');
  assert.equal(r.deep, 4500);
  assert.equal(r.entry, 'ffffffff04000000');
  const back = readMsg(bytes, { strict: true }).message.attachments[0]!.properties.get(makeTag(0x3701, PT_OBJECT));
  assert.ok(back && back.value instanceof Uint8Array);
  assert.equal(Buffer.compare(Buffer.from(back.value), Buffer.from(ole)), 0);
});

test('MS-CFB 2.6.4: every storage\'s siblings form a red-black tree ordered by length, then upper-case name (checked in Python)', () => {
  const m = sampleMessage();
  const att = new Attachment();
  // "_x" sorts before "ax" by raw code units but after it by upper-case compare ('A' < '_').
  const ole = buildCfb([{ path: '_x', data: Uint8Array.of(1) }, { path: 'ax', data: Uint8Array.of(2) }, { path: 'AY', data: Uint8Array.of(3) }], '00000000-0000-0000-0000-000000000000');
  att.properties.set(T.PidTagAttachMethod, 6).set(makeTag(0x3701, PT_OBJECT), ole);
  m.attachments.push(att);
  const r = olefileJson(writeMsg(m), `
o = olefile.OleFileIO(sys.argv[1], raise_defects=olefile.DEFECT_INCORRECT)
d = o.direntries
NOSTREAM = 0xFFFFFFFF
problems = []
key = lambda name: (len(name), name.upper())
def check(sid, depth_black, path):
    # returns black height of the subtree, collects in-order names
    if sid == NOSTREAM: return 1, []
    e = d[sid]
    lb, ln = check(e.sid_left, 0, path)
    rb, rn = check(e.sid_right, 0, path)
    if lb != rb: problems.append('black height differs under %r in %s' % (e.name, path))
    for c in (e.sid_left, e.sid_right):
        if c != NOSTREAM and e.color == 0 and d[c].color == 0: problems.append('red-red at %r in %s' % (e.name, path))
    return lb + (1 if e.color == 1 else 0), ln + [e.name] + rn
count = 0
for e in d:
    if e is None or e.entry_type not in (1, 5): continue
    if e.sid_child == NOSTREAM: continue
    if d[e.sid_child].color != 1: problems.append('tree root of %r is red' % e.name)
    _, names = check(e.sid_child, 0, e.name)
    if [key(n) for n in names] != sorted(key(n) for n in names): problems.append('order in %r: %r' % (e.name, names))
    count += 1
print(json.dumps({'problems': problems, 'storages': count}))
`) as { problems: string[]; storages: number };
  assert.ok(r.storages >= 8);
  assert.deepEqual(r.problems, []);
});
