import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../src/errors.js';
import {
  MessageObject, PidNameContentType, PidTagAttachContentId, PidTagAttachDataBinary, PidTagAttachExtension,
  PidTagAttachFilename, PidTagAttachFlags, PidTagAttachLongFilename, PidTagAttachMethod, PidTagAttachMimeTag,
  PidTagAttachNumber, PidTagAttachSize, PidTagAttachmentHidden, PidTagBody, PidTagBodyContentId, PidTagDisplayName,
  PidTagHasAttachments, PidTagHtml, PidTagInternetCodepage, PidTagMessageFlags, PidTagNativeBody,
  PidTagRenderingPosition, PidTagSubject, PidTagTextAttachmentCharset,
} from '../../src/mapi/index.js';
import { mimeToMessage, promoteBody, selectBody, shortFilename, attachmentNames } from '../../src/oxcmail/index.js';
import { mime } from './helpers.js';
import { parseMime } from '../../src/mime/index.js';

const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

test('MS-OXCMAIL 2.2.3.3.2: a single text/plain part becomes PidTagBody with its charset code page', () => {
  const { message: m } = mimeToMessage(mime(`Subject: s\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nGr=FC=DFe\nline 2\n`));
  assert.equal(m.properties.getString(PidTagBody), 'Grüße\r\nline 2\r\n');
  assert.equal(m.properties.getNumber(PidTagInternetCodepage), 28591);
  assert.equal(m.properties.getNumber(PidTagNativeBody), 1);
  assert.equal(m.attachments.length, 0);
});

test('MS-OXCMAIL 2.2.3.3.2: a single text/html part becomes PidTagHtml bytes (original charset) + code page', () => {
  const { message: m } = mimeToMessage(mime(`Content-Type: text/html; charset=windows-1252\n\n<p>cafe</p>\n`));
  assert.equal(text(m.properties.getBinary(PidTagHtml)), '<p>cafe</p>\r\n');
  assert.equal(m.properties.getNumber(PidTagInternetCodepage), 1252);
  assert.equal(m.properties.getNumber(PidTagNativeBody), 3);
  assert.equal(m.properties.getString(PidTagBody), undefined);
});

test('MS-OXCMAIL 2.2.3.3.2.1: multipart/alternative keeps both the plain and the HTML version (gromox practice)', () => {
  const e = mime(`Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\n\nplain\n--b\nContent-Type: text/html; charset=utf-8\n\n<b>html</b>\n--b--\n`);
  const sel = selectBody(e);
  assert.equal(sel.plain?.path, '1');
  assert.equal(sel.html?.path, '2');
  const { message: m } = mimeToMessage(e);
  assert.equal(m.properties.getString(PidTagBody), 'plain');
  assert.equal(text(m.properties.getBinary(PidTagHtml)), '<b>html</b>');
  assert.equal(m.properties.getNumber(PidTagInternetCodepage), 65001);
  assert.equal(m.attachments.length, 0);
});

const RELATED = `Subject: related
Content-Type: multipart/related; boundary=r

--r
Content-Type: multipart/alternative; boundary=a

--a
Content-Type: text/plain

see picture
--a
Content-Type: text/html
Content-ID: <body@x>

<p><img src="cid:Img1@X"></p>
--a--
--r
Content-Type: image/png; name=pic.png
Content-ID: <img1@x>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--r
Content-Type: image/gif; name=unused.gif
Content-ID: <other@x>
Content-Transfer-Encoding: base64

R0lGODlh
--r--
`;

test('MS-OXCMAIL 2.2.3.4.1.4: an image in multipart/related referenced by cid: is inline (AttachFlags 4, hidden)', () => {
  const { message: m } = mimeToMessage(mime(RELATED));
  assert.equal(m.properties.getString(PidTagBody), 'see picture');
  assert.match(text(m.properties.getBinary(PidTagHtml)), /cid:Img1@X/);
  assert.equal(m.properties.getString(PidTagBodyContentId), 'body@x');
  assert.equal(m.attachments.length, 2);
  const [pic, unused] = m.attachments.map((a) => a.properties);
  assert.equal(pic!.getString(PidTagAttachContentId), 'img1@x');
  assert.equal(pic!.getNumber(PidTagAttachFlags), 4);
  assert.equal(pic!.getBoolean(PidTagAttachmentHidden), true);
  assert.deepEqual([...pic!.getBinary(PidTagAttachDataBinary)!.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  // not referenced from the HTML: an ordinary attachment
  assert.equal(unused!.getNumber(PidTagAttachFlags), undefined);
  assert.equal(unused!.getBoolean(PidTagAttachmentHidden), undefined);
});

test('MS-OXCMAIL 2.2.3.4: multipart/mixed: the first text part is the body, every other leaf an attachment (method 1)', () => {
  const { message: m } = mimeToMessage(mime(`Content-Type: multipart/mixed; boundary=m

--m
Content-Type: text/plain

the body
--m
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--m
Content-Type: text/plain; charset=utf-8; name=notes.txt

second text part
--m--
`));
  assert.equal(m.properties.getString(PidTagBody), 'the body');
  assert.equal(m.attachments.length, 2);
  const pdf = m.attachments[0]!.properties;
  assert.equal(pdf.getNumber(PidTagAttachMethod), 1);
  assert.equal(pdf.getNumber(PidTagAttachNumber), 0);
  assert.equal(pdf.getNumber(PidTagRenderingPosition), -1);
  assert.equal(pdf.getString(PidTagAttachMimeTag), 'application/pdf');
  assert.equal(text(pdf.getBinary(PidTagAttachDataBinary)), '%PDF-1.4\n');
  assert.equal(pdf.getNumber(PidTagAttachSize), 9);
  assert.equal(pdf.getString(PidTagAttachLongFilename), 'report.pdf');
  assert.equal(pdf.getString(PidTagAttachFilename), 'report.pdf');
  assert.equal(pdf.getString(PidTagAttachExtension), '.pdf');
  assert.equal(pdf.getString(PidTagDisplayName), 'report.pdf');
  const notes = m.attachments[1]!.properties;
  assert.equal(notes.getString(PidTagTextAttachmentCharset), 'utf-8');
  assert.equal(m.properties.getBoolean(PidTagHasAttachments), true);
  assert.equal(m.properties.getNumber(PidTagMessageFlags)! & 0x8, 0);
});

test('MS-OXCMAIL 2.2.3.3.2: a text part with Content-Disposition: attachment is not the body', () => {
  const { message: m } = mimeToMessage(mime(`Content-Type: multipart/mixed; boundary=m

--m
Content-Type: text/plain
Content-Disposition: attachment; filename=log.txt

log line
--m
Content-Type: text/plain

real body
--m--
`));
  assert.equal(m.properties.getString(PidTagBody), 'real body');
  assert.equal(m.attachments.length, 1);
  assert.equal(m.attachments[0]!.properties.getString(PidTagAttachLongFilename), 'log.txt');
});

test('MS-OXCMAIL 2.2.3.4.1.1: file names from RFC 2231 continuations and from RFC 2047 inside quotes', () => {
  const { message: m } = mimeToMessage(mime(`Content-Type: multipart/mixed; boundary=m

--m
Content-Type: text/plain

b
--m
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*0*=utf-8''%C3%BCber%20lange; filename*1*=%20Datei.bin

x
--m
Content-Type: application/octet-stream; name="=?iso-8859-1?Q?r=E9sum=E9.doc?="

y
--m
Content-Type: application/octet-stream
Content-Description: just a description

z
--m--
`));
  const names = m.attachments.map((a) => a.properties.getString(PidTagAttachLongFilename));
  assert.deepEqual(names, ['über lange Datei.bin', 'résumé.doc', 'just a description']);
  assert.equal(m.attachments[0]!.properties.getString(PidTagAttachFilename), 'BERLAN~1.BIN');
  assert.equal(m.attachments[2]!.properties.getString(PidTagDisplayName), 'just a description');
});

test('MS-OXCMAIL 2.2.3.4.1.1: names are sanitised and get an 8.3 form', () => {
  assert.deepEqual(attachmentNames(' ..a<b>:c|d"e.TXT.. '), { longFilename: 'abcde.TXT', filename: 'abcde.TXT', extension: '.TXT' });
  assert.equal(shortFilename('Quarterly Report', 'xlsx'), 'QUARTE~1.XLS');
  assert.equal(attachmentNames('\x01/\\'), undefined);
});

test('MS-OXCMAIL 2.2.3.4.1.2: a pkcs7-mime attachment also keeps its whole Content-Type in PidNameContentType', () => {
  const { message: m } = mimeToMessage(mime(`Content-Type: multipart/mixed; boundary=m

--m
Content-Type: text/plain

b
--m
Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m
Content-Transfer-Encoding: base64

MIAGCSqGSIb3DQEHA6CAMIACAQAx
--m--
`));
  const a = m.attachments[0]!.properties;
  assert.equal(a.getString(PidTagAttachMimeTag), 'application/pkcs7-mime');
  assert.equal(a.getNamedString(PidNameContentType), 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m');
});

test('MS-OXCMAIL 2.2.3.4.3: message/rfc822 becomes an embedded message (method 5) converted recursively', () => {
  const { message: m } = mimeToMessage(mime(`Subject: outer
Content-Type: multipart/mixed; boundary=m

--m
Content-Type: text/plain

outer body
--m
Content-Type: message/rfc822

Subject: inner subject
From: in@x.io
Content-Type: multipart/mixed; boundary=n

--n
Content-Type: text/plain

inner body
--n
Content-Type: application/octet-stream; name=deep.bin

deep
--n--
--m--
`));
  assert.equal(m.properties.getString(PidTagSubject), 'outer');
  assert.equal(m.attachments.length, 1);
  const att = m.attachments[0]!;
  assert.equal(att.properties.getNumber(PidTagAttachMethod), 5);
  assert.equal(att.properties.getString(PidTagAttachMimeTag), 'message/rfc822');
  assert.equal(att.properties.getString(PidTagDisplayName), 'inner subject');
  const inner = att.embedded!;
  assert.equal(inner.properties.getString(PidTagSubject), 'inner subject');
  assert.equal(inner.properties.getString(PidTagBody), 'inner body');
  assert.equal(inner.attachments[0]!.properties.getString(PidTagAttachLongFilename), 'deep.bin');
  // 2.2.3.4.3: mfRead and mfUnsent cleared on the embedded message.
  assert.equal(inner.properties.getNumber(PidTagMessageFlags)! & 0x9, 0);
});

test('MS-OXCMAIL 2.2.3.4.3: nesting beyond the embed depth limit stays a file attachment with a LIMIT_EXCEEDED warning', () => {
  let msg = 'Subject: level 3\n\ninnermost\n';
  for (let i = 2; i >= 0; i--) msg = `Subject: level ${i}\nContent-Type: message/rfc822\n\n${msg}`;
  const r = mimeToMessage(mime(msg), { maxEmbedDepth: 1 });
  assert.ok(r.warnings.some((w) => w.code === 'LIMIT_EXCEEDED'));
  const lvl1 = r.message.attachments[0]!.embedded!;
  assert.equal(lvl1.attachments[0]!.properties.getNumber(PidTagAttachMethod), 1);
  assert.throws(() => mimeToMessage(mime(msg), { maxEmbedDepth: 1, strict: true }), /LIMIT_EXCEEDED/);
});

test('MS-OXCMAIL 2.2.3.3.2: text/enriched is converted to HTML; text/calendar gives its DESCRIPTION', () => {
  const { message: m } = mimeToMessage(mime(`Content-Type: text/enriched\n\n<bold>Hi</bold> <<there>\n`));
  assert.match(text(m.properties.getBinary(PidTagHtml)), /<b>Hi<\/b> &lt;there&gt;/);
  const { message: c } = mimeToMessage(mime(`Content-Type: text/calendar\n\nBEGIN:VEVENT\nDESCRIPTION:line1\\nline2\\, more\nEND:VEVENT\n`));
  assert.equal(c.properties.getString(PidTagBody), 'line1\r\nline2, more');
});

test('MS-OXCMAIL 2.2.3.3.2: promoteBody returns the selection; unknown charsets give MIME_CHARSET_UNKNOWN', () => {
  const d = new Diagnostics(false);
  const m = new MessageObject();
  const sel = promoteBody(mime(`Content-Type: text/plain; charset=x-unknown-cs\n\nabc\n`), m, d);
  assert.ok(sel.plain);
  assert.equal(m.properties.getString(PidTagBody), 'abc\r\n');
  assert.equal(d.warnings[0]?.code, 'MIME_CHARSET_UNKNOWN');
});

test('MS-OXCMAIL 2.2.3.3.2: windows-1252 bodies decode 0x80-0x9F by the windows-1252 table (smart quotes, euro)', () => {
  const bytes = Uint8Array.from([...new TextEncoder().encode('Content-Type: text/plain; charset=windows-1252\r\n\r\n'), 0x93, 0x41, 0x94, 0x20, 0x80, 0x96]);
  const { message: m } = mimeToMessage(parseMime(bytes).root);
  assert.equal(m.properties.getString(PidTagBody), '\u201cA\u201d \u20ac\u2013');
  assert.equal(m.properties.getNumber(PidTagInternetCodepage), 1252);
});

test('MS-OXCMAIL 2.2.3.3.2.1: an HTML part labelled us-ascii but holding UTF-8 gets code page 65001', () => {
  const bytes = new TextEncoder().encode('Content-Type: text/html; charset=us-ascii\r\n\r\n<p>Grüße</p>');
  const { message: m } = mimeToMessage(parseMime(bytes).root);
  assert.equal(m.properties.getNumber(PidTagInternetCodepage), 65001);
});
