/**
 * Issue 11: the nine defects of the general MS-OXCMAIL export, each with an expectation from
 * outside: the MS-OXCMAIL rule, what python3-olefile reads from the same .msg, or what Python's
 * email package (policy.default) decodes from the .eml we write. Also issue 12's foldHeader hang
 * (asserting the output, not the time).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { foldHeader } from '../../src/mime/index.js';
import {
  Attachment, MessageObject, PidTagAddressType, PidTagAttachDataBinary, PidTagAttachLongFilename, PidTagAttachMethod,
  PidTagBody, PidTagClientSubmitTime, PidTagCreationTime, PidTagDisplayName, PidTagEmailAddress, PidTagMessageDeliveryTime,
  PidTagRecipientType, PidTagSenderAddressType, PidTagSenderEmailAddress, PidTagSenderName, PidTagSenderSmtpAddress,
  PidTagSentRepresentingAddressType, PidTagSentRepresentingEmailAddress, PidTagSentRepresentingName, PidTagSmtpAddress,
  PidTagSubject, PropertyBag, PS_INTERNET_HEADERS, PT_UNICODE,
} from '../../src/mapi/index.js';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { toInternet, toMessage } from '../../src/smime/index.js';
import { messageToMime } from '../../src/oxcmail/index.js';
import { Diagnostics } from '../../src/errors.js';
import { tempDir } from '../helpers/openssl.js';

const t = tempDir('smime-bridge-issue11-');
after(() => t.cleanup());

interface PyView {
  subject: string | null; from: string[][]; sender: string[][]; to: string[][]; cc: string[][]; date: string | null;
  messageId: string | null; attachments: Array<[string, string, number]>; defects: string[]; longestLine: number; bareLf: number;
}
let n = 0;
/** What Python's email package (policy.default) reads from each .eml (test/helpers/eml_fields.py). */
function python(...emls: Uint8Array[]): PyView[] {
  const files = emls.map((b) => t.file(`m${n++}.eml`, b));
  return JSON.parse(execFileSync('/usr/bin/python3', ['test/helpers/eml_fields.py', ...files], { maxBuffer: 64 << 20 }).toString()) as PyView[];
}
function pyExpr(code: string, eml: Uint8Array): string {
  const f = t.file(`x${n++}.eml`, eml);
  return execFileSync('/usr/bin/python3', ['-c', `import sys,email,email.policy\nm=email.message_from_bytes(open(sys.argv[1],'rb').read(),policy=email.policy.default)\n${code}`, f], { maxBuffer: 64 << 20 }).toString();
}
/**
 * python3-olefile: a string property of a .msg (`storage` '' for the top level): the PT_UNICODE
 * stream as UTF-16LE, else the PT_STRING8 stream decoded by Python's codec for the code page of
 * PidTagMessageCodepage (0x3FFD), else PidTagInternetCodepage (0x3FDE), read from the top-level
 * property stream; the ISO-2022-JP family is stored as 932 (MS-OXCMAIL code page rules, issue 11).
 */
function olefileString(msgPath: string, storage: string, id: number): string {
  return execFileSync('/usr/bin/python3', ['-c', `import olefile,sys,struct
o=olefile.OleFileIO(sys.argv[1]); pre=sys.argv[2]; pid='%04X' % int(sys.argv[3])
if o.exists(pre + '__substg1.0_' + pid + '001F'):
    sys.stdout.write(o.openstream(pre + '__substg1.0_' + pid + '001F').read().decode('utf-16-le').rstrip('\\0')); sys.exit()
ps=o.openstream('__properties_version1.0').read(); cps={}
for off in range(32, len(ps) - 15, 16):
    tag, = struct.unpack_from('<I', ps, off)
    if tag in (0x3FFD0003, 0x3FDE0003): cps[tag], = struct.unpack_from('<i', ps, off + 8)
cp=cps.get(0x3FFD0003, cps.get(0x3FDE0003, 1252))
cp=932 if cp in (50220, 50221, 50222) else cp
sys.stdout.write(o.openstream(pre + '__substg1.0_' + pid + '001E').read().rstrip(b'\\0').decode('cp%d' % cp))`, msgPath, storage, String(id)]).toString();
}
/** python3-olefile: a PT_SYSTIME (FILETIME) of the top-level property stream, as ISO 8601 UTC seconds. */
function olefileTime(msgPath: string, id: number): string | null {
  const out = execFileSync('/usr/bin/python3', ['-c', `import olefile,sys,struct,datetime
o=olefile.OleFileIO(sys.argv[1]); ps=o.openstream('__properties_version1.0').read()
for off in range(32, len(ps) - 15, 16):
    tag, = struct.unpack_from('<I', ps, off)
    if tag >> 16 == int(sys.argv[2]) and tag & 0xffff == 0x40:
        ft, = struct.unpack_from('<Q', ps, off + 8)
        d = datetime.datetime(1601, 1, 1) + datetime.timedelta(microseconds=ft // 10)
        print(d.strftime('%Y-%m-%dT%H:%M:%SZ')); break
else: print('none')`, msgPath, String(id)]).toString().trim();
  return out === 'none' ? null : out;
}
const corpus = (rel: string) => `../shared/corpus/${rel}`;
const emlOfMsg = (rel: string, diag?: Diagnostics) => {
  const r = toInternet(readMsg(new Uint8Array(readFileSync(corpus(rel)))).message);
  diag?.warnings.push(...r.warnings);
  return r.bytes;
};
const lines = (b: Uint8Array) => new TextDecoder('latin1').decode(b).split('\r\n');
const oneRecipient = (m: MessageObject, name: string, address?: string, type = 1) => {
  const r = new PropertyBag().set(PidTagRecipientType, type).set(PidTagDisplayName, name);
  if (address) r.set(PidTagAddressType, 'SMTP').set(PidTagEmailAddress, address);
  m.recipients.push(r);
  return r;
};

test('defect 1: RFC 2047 display names are encoded once: .eml -> .msg -> .eml keeps them (python email decodes the names)', () => {
  const eml = new TextEncoder().encode([
    'From: =?utf-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.de>',
    'Sender: =?utf-8?B?w4lsb2RpZQ==?= <elodie@example.fr>',
    'To: =?utf-8?Q?Ren=C3=A9e?= <renee@example.fr>, "M\u00fcller, J\u00f6rg" <j2@example.de>',
    'Cc: =?iso-8859-1?Q?Fran=E7ois?= <f@example.fr>',
    'Reply-To: =?utf-8?Q?Z=C3=BCrich_Desk?= <desk@example.ch>',
    'Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=',
    'Date: Tue, 01 Dec 2026 09:00:00 +0000',
    'Message-ID: <a@example.de>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '', 'hi', ''].join('\r\n'));
  const back = toInternet(readMsg(writeMsg(toMessage(eml).message)).message).bytes;
  const [v] = python(back);
  assert.deepEqual(v!.defects, []);
  assert.deepEqual(v!.from, [['Jörg Müller', 'joerg@example.de']]);
  assert.deepEqual(v!.sender, [['Élodie', 'elodie@example.fr']]);
  assert.deepEqual(v!.to, [['Renée', 'renee@example.fr'], ['Müller, Jörg', 'j2@example.de']]);
  assert.deepEqual(v!.cc, [['François', 'f@example.fr']]);
  assert.equal(v!.subject, 'Grüße aus Köln');
  assert.equal(pyExpr('print(m["Reply-To"].addresses[0].display_name)', back).trim(), 'Zürich Desk');
  assert.doesNotMatch(new TextDecoder('latin1').decode(back), /=\?utf-8\?[BQ]\?PT9/i, 'no encoded-word of an encoded-word');
});

test('defect 1: a real file with a non-ASCII display name and specials (chinese-traditional.msg): python decodes the name olefile reads', () => {
  const rel = 'apache-poi-hsmf/test-data/hsmf/chinese-traditional.msg';
  const [v] = python(emlOfMsg(rel));
  assert.deepEqual(v!.defects, []);
  const name = olefileString(corpus(rel), '__recip_version1.0_#00000000/', 0x3001);
  assert.equal(v!.to[0]![0], name);
  assert.match(name, /[^\x00-\x7f]/);
});

test('defect 2: HTML rebuilt from compressed RTF is labelled with what it is (nonUnicodeCP932.msg, Internet code page 50220): python decodes the Japanese body text olefile reads from PidTagBody', () => {
  const rel = 'msgreader-js/test/nonUnicodeCP932.msg';
  const body = olefileString(corpus(rel), '', 0x1000).trim();
  assert.match(body, /日本語/);
  const html = pyExpr('import re\nfor p in m.walk():\n    if p.get_content_type()=="text/html": print(p.get_content_charset()); print(re.sub(r"<[^>]+>|&nbsp;|\\s+", " ", p.get_content()))', emlOfMsg(rel));
  assert.ok(!html.includes('\ufffd'), 'no replacement characters');
  assert.ok(html.replace(/\s+/g, ' ').includes(body.replace(/\s+/g, ' ')), html.slice(-300));
});

test('defect 3: PT_STRING8 of a Japanese ANSI file is decoded with the message code page 932, not the Internet code page 50220 (olefile + cp932)', () => {
  const rel = 'msgreader-js/test/nonUnicodeCP932.msg';
  const warnings = new Diagnostics(false);
  const [v] = python(emlOfMsg(rel, warnings));
  const subject = olefileString(corpus(rel), '', 0x0037);
  assert.equal(v!.subject, subject);
  assert.match(subject, /タイトル/);
  assert.deepEqual(readMsg(new Uint8Array(readFileSync(corpus(rel)))).warnings.filter((w) => w.code === 'CHARSET_SUBSTITUTED'), []);
});

test('defect 3: a decoder that has to substitute characters says so (CHARSET_SUBSTITUTED): a Shift-JIS lead byte without a trail byte in RTF-only HTML', () => {
  const rtf = new TextEncoder().encode("{\\rtf1\\ansi\\ansicpg932\\fromhtml1 {\\*\\htmltag1 <html>}\\'81\\'20{\\*\\htmltag2 </html>}}");
  const value = new Uint8Array(16 + rtf.length);
  const dv = new DataView(value.buffer);
  dv.setUint32(0, rtf.length + 12, true); // COMPSIZE counts the bytes after itself (MS-OXRTFCP 2.1.3.1.1)
  dv.setUint32(4, rtf.length, true);
  dv.setUint32(8, 0x414c454d, true); // "MELA": uncompressed
  value.set(rtf, 16);
  const m = new MessageObject();
  m.properties.set(0x10090102, value).set(0x3fde0003, 932);
  const r = readMsg(writeMsg(m));
  assert.ok(r.warnings.some((w) => w.code === 'CHARSET_SUBSTITUTED'), JSON.stringify(r.warnings));
});

test('defect 4: RTF font charsets: Korean (\\fcharset129) and Chinese (\\fcharset134) text in an \\ansicpg932 document (Hello +CJK.msg) decode as olefile reads them from PidTagBody', () => {
  const rel = 'msgreader-js/test/Hello +CJK.msg';
  const body = olefileString(corpus(rel), '', 0x1000);
  const html = pyExpr('import re\nfor p in m.walk():\n    if p.get_content_type()=="text/html": print(re.sub(r"<[^>]+>|&nbsp;", " ", p.get_content()))', emlOfMsg(rel));
  for (const word of ['안녕하세요', '你好', 'こんにちは']) {
    assert.ok(body.includes(word), `PidTagBody has ${word}`);
    assert.ok(html.includes(word), `HTML has ${word}`);
  }
});

test('defect 5: Date from PidTagMessageDeliveryTime when PidTagClientSubmitTime is absent (Hello +CJK.msg, olefile reads the FILETIME)', () => {
  const rel = 'msgreader-js/test/Hello +CJK.msg';
  assert.equal(olefileTime(corpus(rel), 0x0039), null);
  const delivery = olefileTime(corpus(rel), 0x0e06);
  assert.ok(delivery);
  const [v] = python(emlOfMsg(rel));
  assert.equal(v!.date, delivery);
  // MS-OXCMAIL 2.1.3.2.11: no Message-ID is invented for an export (the property is absent)
  assert.equal(v!.messageId, null);
});

test('defect 5: Date falls back to PidTagCreationTime (51873.msg), else is absent with OXCMAIL_NO_DATE', () => {
  const rel = 'apache-poi-hsmf/test-data/hsmf/51873.msg';
  const [v] = python(emlOfMsg(rel));
  assert.equal(v!.date, olefileTime(corpus(rel), 0x3007));
  const m = new MessageObject();
  m.properties.set(PidTagBody, 'b');
  const diag = new Diagnostics(true); // a fact, not a violation: never thrown
  const [w] = python(messageToMime(m, { diag }));
  assert.equal(w!.date, null);
  assert.ok(diag.warnings.some((x) => x.code === 'OXCMAIL_NO_DATE'));
  const times = new MessageObject();
  times.properties.set(PidTagBody, 'b').setTime(PidTagCreationTime, new Date('2020-01-02T03:04:05Z')).setTime(PidTagMessageDeliveryTime, new Date('2021-01-02T03:04:05Z'));
  assert.equal(python(messageToMime(times))[0]!.date, '2021-01-02T03:04:05Z');
  times.properties.setTime(PidTagClientSubmitTime, new Date('2022-01-02T03:04:05Z'));
  assert.equal(python(messageToMime(times))[0]!.date, '2022-01-02T03:04:05Z');
});

test('defect 5: a Message-ID is generated only for SMTP submission (MS-OXCMAIL 2.1.3.2.11), deterministic and marked', () => {
  const m = new MessageObject();
  m.properties.set(PidTagBody, 'b').set(PidTagSubject, 's');
  const d1 = new Diagnostics(false);
  const a = python(messageToMime(m, { submit: true, diag: d1 }))[0]!.messageId;
  const b = python(messageToMime(m, { submit: true }))[0]!.messageId;
  assert.ok(a && a === b, `${a} vs ${b}`);
  assert.match(a!, /^<[0-9a-f]{32}@generated\.smime-bridge\.invalid>$/);
  assert.ok(d1.warnings.some((w) => w.code === 'OXCMAIL_MESSAGE_ID_GENERATED'));
  m.properties.set(PidTagSubject, 't');
  assert.notEqual(python(messageToMime(m, { submit: true }))[0]!.messageId, a);
  assert.equal(python(messageToMime(m))[0]!.messageId, null);
});

test('defect 6: the SMTP address is taken from where the message holds it, not IMCEAEX (MS-OXCMAIL 2.1.3.1.1)', () => {
  const m = new MessageObject();
  m.properties.set(PidTagBody, 'b')
    .set(PidTagSentRepresentingName, 'Ann Ex').set(PidTagSentRepresentingAddressType, 'EX')
    .set(PidTagSentRepresentingEmailAddress, '/O=ORG/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=ANN')
    .set(PidTagSenderName, 'Ann Ex').set(PidTagSenderAddressType, 'EX')
    .set(PidTagSenderEmailAddress, '/O=ORG/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=ANN')
    .set(PidTagSenderSmtpAddress, 'ann@example.org');
  const r1 = oneRecipient(m, 'Bob Ex');
  r1.set(PidTagAddressType, 'EX').set(PidTagEmailAddress, '/O=ORG/CN=BOB').set(PidTagSmtpAddress, 'bob@example.org');
  const r2 = oneRecipient(m, 'Cy Ex', undefined, 2);
  r2.set(PidTagAddressType, 'EX').set(PidTagEmailAddress, 'cy@example.org'); // an EX "address" that is already SMTP
  const r3 = oneRecipient(m, 'Di Proxy', undefined, 2);
  r3.set(PidTagAddressType, 'EX').set(PidTagEmailAddress, '/O=ORG/CN=DI').set(0x800f101f, ['X400:c=US;', 'smtp:alias@example.org', 'SMTP:di@example.org']);
  const [v] = python(messageToMime(m));
  assert.deepEqual(v!.defects, []);
  assert.deepEqual(v!.from, [['Ann Ex', 'ann@example.org']]);
  assert.deepEqual(v!.sender, []); // same mailbox: no Sender (MS-OXCMAIL 2.1.3.1.4)
  assert.deepEqual(v!.to, [['Bob Ex', 'bob@example.org']]);
  assert.deepEqual(v!.cc, [['Cy Ex', 'cy@example.org'], ['Di Proxy', 'di@example.org']]);
});

test('defect 6: real Exchange files: From is the SMTP address olefile reads from PidTagSentRepresentingSmtpAddress (EmailWith2Attachments.msg), or the From of PidTagTransportMessageHeaders as python parses it (attachment_msg_pdf.msg)', () => {
  const rel = 'msgreader-net/MsgReaderTests/SampleFiles/EmailWith2Attachments.msg';
  assert.equal(olefileString(corpus(rel), '', 0x0064), 'EX');
  assert.equal(python(emlOfMsg(rel))[0]!.from[0]![1], olefileString(corpus(rel), '', 0x5d02));
  const rel2 = 'apache-poi-hsmf/test-data/hsmf/attachment_msg_pdf.msg';
  const headers = olefileString(corpus(rel2), '', 0x007d);
  const theirs = execFileSync('/usr/bin/python3', ['-c', 'import sys,email,email.policy\nm=email.message_from_string(sys.stdin.read(),policy=email.policy.default)\nprint(m["From"].addresses[0].addr_spec)'], { input: headers }).toString().trim();
  const [v] = python(emlOfMsg(rel2));
  assert.equal(v!.from[0]![1], theirs);
  assert.doesNotMatch(theirs, /IMCEA|invalid/);
});

test('defect 7: a recipient with only a display name is written as an empty group that python reads, with a warning', () => {
  const m = new MessageObject();
  m.properties.set(PidTagBody, 'b');
  oneRecipient(m, 'Anna Only');
  oneRecipient(m, 'Bo <b@example.org>', 'b@example.org');
  oneRecipient(m, 'Cé Only', undefined, 2);
  const diag = new Diagnostics(false);
  const [v] = python(messageToMime(m, { diag }));
  assert.deepEqual(v!.defects, []);
  assert.deepEqual(v!.to, [['Bo <b@example.org>', 'b@example.org'], ['Anna Only', '']]);
  assert.deepEqual(v!.cc, [['Cé Only', '']]);
  assert.equal(diag.warnings.filter((w) => w.code === 'OXCMAIL_ADDRESS_MISSING').length, 2);
});

test('defect 8: no header line is longer than 998 octets (RFC 5322 2.1.1); python decodes the long values whole', () => {
  const m = new MessageObject();
  const subject = 'x'.repeat(5000) + ' Ünïcode ' + 'y'.repeat(1200);
  const name = Array.from({ length: 120 }, (_, i) => `Näme${i}`).join(' ');
  m.properties.set(PidTagBody, 'b').set(PidTagSubject, subject);
  oneRecipient(m, name, 'long@example.org');
  m.properties.setNamed({ guid: PS_INTERNET_HEADERS, name: 'x-long' }, PT_UNICODE, 'z'.repeat(3000));
  const a = new Attachment();
  a.properties.set(PidTagAttachMethod, 1).set(PidTagAttachDataBinary, Uint8Array.of(1, 2)).set(PidTagAttachLongFilename, 'ä'.repeat(300) + '.txt');
  m.attachments.push(a);
  const eml = messageToMime(m);
  const [v] = python(eml);
  assert.ok(v!.longestLine <= 1000, `longest line ${v!.longestLine}`); // 998 + CRLF
  assert.deepEqual(v!.defects, []);
  assert.equal(v!.subject, subject);
  // python's email joins adjacent encoded-words of a phrase with a space (RFC 2047 6.2 says the
  // whitespace between them is ignored), so spaces may come out doubled: compare words
  assert.equal(v!.to[0]![0]!.replace(/ +/g, ' '), name);
  assert.equal(v!.to[0]![1], 'long@example.org');
  assert.equal(v!.attachments[0]![0], 'ä'.repeat(300) + '.txt');
  assert.equal(pyExpr('print(m["X-Long"])', eml).trim(), 'z'.repeat(3000));
});

test('issue 12: foldHeader of 200 kB of spaces and short words is linear: every line fits, none is only whitespace, python decodes the value', () => {
  const value = ('a' + ' '.repeat(5000) + 'bc d ').repeat(40);
  const field = foldHeader('Subject', value);
  const ls = field.split('\r\n').slice(0, -1);
  for (const l of ls) {
    assert.ok(l.length <= 78, `line of ${l.length}`);
    assert.match(l, /\S/);
  }
  const eml = new TextEncoder().encode(field + 'MIME-Version: 1.0\r\n\r\nx\r\n');
  assert.equal(python(eml)[0]!.subject, value.trimEnd());
  const many = Array.from({ length: 40000 }, (_, i) => `w${i % 10}`).join(' ');
  const f2 = foldHeader('X-Words', many).split('\r\n').slice(0, -1);
  assert.ok(f2.every((l) => l.length <= 78));
  assert.equal(f2.map((l, i) => (i === 0 ? l.slice('X-Words: '.length) : l.slice(1))).join(' '), many);
});

test('defects 1 and 8 on every header field of a real file: lines.length <= 998 and python finds no defect (200 recipients.msg)', () => {
  const eml = emlOfMsg('msgreader-js/test/200 recipients.msg');
  for (const l of lines(eml)) assert.ok(l.length <= 998, `line of ${l.length}`);
  const [v] = python(eml);
  assert.deepEqual(v!.defects, []);
  assert.ok(v!.to.length + v!.cc.length >= 200, `${v!.to.length} + ${v!.cc.length}`);
});
