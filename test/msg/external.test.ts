/**
 * Files written by writeMsg, checked by readers we did not write: python3-olefile,
 * @kenjiuno/msgreader and Debian's msgconvert (libemail-outlook-message-perl).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import MsgReaderPkg from '@kenjiuno/msgreader';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { ATTACHMENT_BYTES, SUBJECT, sampleMessage } from './sample.js';
import { corpusBytes, haveTool, msgEntries, msgconvert, olefileJson } from './helpers.js';

const bytes = writeMsg(sampleMessage());
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface OleView {
  clsid: string;
  paths: string[];
  storageClsids: string[];
  topHeader: string;
  topLen: number;
  embHeader: string;
  embLen: number;
  recipLen: number;
  subject: string;
  attachSha: string;
  xmailerBucket: string;
  guids: string;
}
const ole = olefileJson(bytes, `
o = olefile.OleFileIO(sys.argv[1], raise_defects=olefile.DEFECT_INCORRECT)
paths = ['/'.join(p) for p in o.listdir(streams=True, storages=True)]
def rd(p): return o.openstream(p).read()
import hashlib
emb = '__attach_version1.0_#00000001/__substg1.0_3701000D/__properties_version1.0'
print(json.dumps({
  'clsid': o.root.clsid,
  'paths': paths,
  'storageClsids': sorted(set(e.clsid for e in o.direntries if e is not None and e.entry_type == 1)),
  'topHeader': rd('__properties_version1.0')[:32].hex(),
  'topLen': len(rd('__properties_version1.0')),
  'embHeader': rd(emb)[:24].hex(),
  'embLen': len(rd(emb)),
  'recipLen': len(rd('__recip_version1.0_#00000000/__properties_version1.0')),
  'subject': rd('__substg1.0_0037001F').decode('utf-16-le'),
  'attachSha': hashlib.sha256(rd('__attach_version1.0_#00000000/__substg1.0_37010102')).hexdigest(),
  'xmailerBucket': rd('__nameid_version1.0/__substg1.0_100F0102').hex(),
  'guids': rd('__nameid_version1.0/__substg1.0_00020102').hex(),
}))
`) as OleView;

test('python3-olefile opens the file; root CLSID is {00020D0B-0000-0000-C000-000000000046}, sub-storages zero (MS-OXMSG 2.2.1)', () => {
  assert.equal(ole.clsid, '00020D0B-0000-0000-C000-000000000046');
  assert.deepEqual(ole.storageClsids, ['']); // olefile shows a null CLSID as ''
});

test('python3-olefile lists the expected streams and storages, and no cfb marker stream', () => {
  for (const p of [
    '__substg1.0_001A001F', '__substg1.0_0037001F', '__properties_version1.0',
    '__nameid_version1.0/__substg1.0_00020102', '__nameid_version1.0/__substg1.0_00030102', '__nameid_version1.0/__substg1.0_00040102',
    '__recip_version1.0_#00000000/__properties_version1.0', '__recip_version1.0_#00000001/__substg1.0_3001001F',
    '__attach_version1.0_#00000000/__substg1.0_37010102', '__attach_version1.0_#00000001/__substg1.0_3701000D',
    '__attach_version1.0_#00000001/__substg1.0_3701000D/__recip_version1.0_#00000000/__properties_version1.0',
    '__substg1.0_0070001F', // the PT_STRING8 conversation topic, written as PT_UNICODE (MS-OXMSG 2.1.3)
  ]) assert.ok(ole.paths.includes(p), `missing ${p}`);
  assert.ok(!ole.paths.some((p) => p.includes('Sh33tJ5') || p.includes('\u0001')), 'marker stream present');
  assert.ok(!ole.paths.some((p) => /001E(-|$)/.test(p)), 'a PT_STRING8 stream was written');
  assert.ok(!ole.paths.some((p) => p.startsWith('__attach_version1.0_#00000001/__substg1.0_3701000D/__nameid')), 'embedded message has its own name map');
});

test('MS-OXMSG 2.4.1: property stream headers are 32 / 24 / 8 bytes with the counts; entries are 16 bytes', () => {
  // 8 reserved, NextRecipientId 2, NextAttachmentId 2, RecipientCount 2, AttachmentCount 2, 8 reserved
  assert.equal(ole.topHeader, '0000000000000000' + '02000000'.repeat(4) + '0000000000000000');
  assert.equal((ole.topLen - 32) % 16, 0);
  assert.equal(ole.embHeader, '0000000000000000' + '01000000' + '00000000' + '01000000' + '00000000');
  assert.equal((ole.embLen - 24) % 16, 0);
  assert.equal((ole.recipLen - 8) % 16, 0);
});

test('python3-olefile reads the Unicode subject and the attachment bytes', () => {
  assert.equal(ole.subject, SUBJECT);
  assert.equal(ole.attachSha, sha256(ATTACHMENT_BYTES));
});

test('MS-OXMSG 2.2.3.2.2: "x-mailer" (GUID index 3) sits in hash stream 0x100F with CRC 0xFF504E89', () => {
  // PS_INTERNET_HEADERS is the first stored GUID (PS_MAPI/PS_PUBLIC_STRINGS are never stored).
  assert.equal(ole.guids.slice(0, 32), '8603020000000000c000000000000046');
  const first = ole.xmailerBucket.slice(0, 16);
  assert.equal(first.slice(0, 8), '894e50ff'); // 0xFF504E89 little-endian
  assert.equal(parseInt(first.slice(8, 16).match(/../g)!.reverse().join(''), 16) & 0xffff, (3 << 1) | 1); // guid index 3, string kind
});

test('@kenjiuno/msgreader reads the class, subject, sender, recipients, attachment names and bytes', () => {
  // CommonJS package: under NodeNext the default import is module.exports, whose `default` is the class.
  const r = new MsgReaderPkg.default(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  const d = r.getFileData();
  assert.equal(d.error, undefined);
  assert.equal(d.messageClass, 'IPM.Note');
  assert.equal(d.subject, SUBJECT);
  assert.equal(d.senderEmail, 'carol@example.net');
  assert.deepEqual(d.recipients?.map((x) => [x.name, x.email, x.recipType]), [
    ['Alice Example', 'alice@example.com', 'to'], ['Bob Builder', 'bob@example.org', 'cc']]);
  assert.equal(d.attachments?.length, 2);
  const a0 = d.attachments![0]!;
  assert.equal(a0.fileName, 'numbers.bin');
  assert.equal(a0.attachMimeTag, 'application/octet-stream');
  assert.equal(sha256(r.getAttachment(a0).content), sha256(ATTACHMENT_BYTES));
  const a1 = d.attachments![1]!;
  assert.equal(a1.innerMsgContent, true);
  assert.equal(a1.innerMsgContentFields?.subject, 'Inner message');
  assert.equal(a1.innerMsgContentFields?.recipients?.[0]?.email, 'erin@example.com');
});

test('Debian msgconvert reads subject, sender, recipients, attachment bytes and the embedded message', () => {
  assert.ok(haveTool('msgconvert'), 'msgconvert is missing: apt-get install libemail-outlook-message-perl (.ci/run does)');
  const eml = msgconvert(bytes);
  const header = eml.slice(0, eml.indexOf('\n\n') >= 0 ? eml.indexOf('\n\n') : eml.length);
  const unfolded = header.replace(/\r?\n[ \t]+/g, ' ');
  const subj = /^Subject: (.*)$/m.exec(unfolded)?.[1] ?? '';
  const decoded = subj.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, t: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(t, 'base64').toString('utf8') : Buffer.from(t.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')).replace(/\?=\s+=\?/g, '');
  assert.equal(decoded.replace(/\s+/g, ' '), SUBJECT);
  assert.match(unfolded, /^From: .*carol@example\.net/m);
  assert.match(unfolded, /^To: .*alice@example\.com/m);
  assert.match(unfolded, /^Cc: .*bob@example\.org/m);
  // The attachment part: base64 after its headers, up to the next boundary.
  const m = /filename="?numbers\.bin"?[\s\S]*?\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(eml);
  assert.ok(m, 'attachment part not found');
  assert.equal(sha256(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'))), sha256(ATTACHMENT_BYTES));
  assert.match(eml, /message\/rfc822/);
  assert.match(eml, /Subject: Inner message/);
});

test('@kenjiuno/msgreader reads every rewritten corpus .msg with the manifest\'s class, attachment count and subject', () => {
  const failures: string[] = [];
  for (const e of msgEntries()) {
    const out = writeMsg(readMsg(corpusBytes(e.path)).message);
    const d = new MsgReaderPkg.default(out.buffer.slice(out.byteOffset, out.byteOffset + out.length) as ArrayBuffer).getFileData();
    // U+FFFD in the manifest marks bytes its decoder could not decode; those subjects are checked in corpus.test.ts.
    const subjectOk = typeof e.subject !== 'string' || e.subject.includes('\uFFFD') || (d.subject ?? '') === e.subject;
    if (d.error || d.messageClass !== e.messageClass || (d.attachments?.length ?? 0) !== e.attachmentCount || !subjectOk) {
      failures.push(`${e.path}: ${d.error ?? ''} ${d.messageClass} ${d.attachments?.length} ${JSON.stringify(d.subject)}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('Debian msgconvert turns rewritten corpus files into the same mail as the originals (headers, attachment names, part bytes)', () => {
  assert.ok(haveTool('msgconvert'), 'msgconvert is missing: apt-get install libemail-outlook-message-perl (.ci/run does)');
  const files = [
    'apache-poi-hsmf/test-data/hsmf/example_received_unicode.msg',
    'apache-poi-hsmf/test-data/hsmf/attachment_msg_pdf.msg', // embedded message
    'simple-java-mail/modules/simple-java-mail/src/test/resources/test-messages/#298 Email with nested msg with own attachment.msg',
    'simple-java-mail/modules/simple-java-mail/src/test/resources/pkcs12/test messages/S_MIME test message signed.msg',
    'apache-poi-hsmf/test-data/hsmf/bug66335.msg',
  ];
  // msgconvert makes up boundaries and dates; everything else must agree.
  const summary = (eml: string) => ({
    headers: eml.split(/\r?\n/).filter((l) => /^(Subject|From|To|Cc|Message-ID):/i.test(l)).sort(),
    names: [...eml.matchAll(/filename="?([^";\r\n]+)/g)].map((m) => m[1]).sort(),
    parts: [...eml.matchAll(/\r?\n\r?\n([A-Za-z0-9+/]{60,}={0,2}(?:\r?\n[A-Za-z0-9+/]+={0,2})*)/g)]
      .map((m) => sha256(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')))).sort(),
  });
  let parts = 0;
  let names = 0;
  for (const f of files) {
    const original = corpusBytes(f);
    const rewritten = writeMsg(readMsg(original).message);
    const want = summary(msgconvert(original));
    assert.deepEqual(summary(msgconvert(rewritten)), want, f);
    parts += want.parts.length;
    names += want.names.length;
  }
  assert.ok(parts >= 5 && names >= 4, `too little compared: ${parts} parts, ${names} names`);
});
