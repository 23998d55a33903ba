import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Attachment, MessageObject, PidNameKeywords, PidTagAttachContentId, PidTagAttachDataBinary, PidTagAttachFlags,
  PidTagAttachLongFilename, PidTagAttachMethod, PidTagAttachMimeTag, PidTagBody, PidTagClientSubmitTime,
  PidTagConversationIndex, PidTagConversationTopic, PidTagHtml, PidTagImportance, PidTagInternetCodepage,
  PidTagInternetMessageId, PidTagNormalizedSubject, PidTagReadReceiptRequested, PidTagSensitivity, PidTagSubject,
  PidTagSubjectPrefix, PT_MV_UNICODE, PT_UNICODE, internetHeader, PidTagReadReceiptSmtpAddress,
} from '../../src/mapi/index.js';
import { getLastField, headerText, parseMime } from '../../src/mime/index.js';
import { Diagnostics } from '../../src/errors.js';
import { headerCase, headersFromMessage, messageToMime, mimeToMessage } from '../../src/oxcmail/index.js';
import { mime } from './helpers.js';

const SOURCE = `From: Alice Example <alice@example.com>
Sender: Secretary <sec@example.com>
To: Bob <bob@example.org>, carol@example.net
Cc: =?utf-8?Q?J=C3=B6rg?= <j@example.de>
Bcc: hidden@example.com
Reply-To: Replies <replies@example.com>
Subject: Re: quarterly numbers
Date: Tue, 1 Jan 2030 10:00:00 +0000
Message-ID: <m1@example.com>
In-Reply-To: <m0@example.com>
References: <m0@example.com>
Importance: high
Sensitivity: Private
Keywords: one, two
Thread-Index: AQHXyz==
Disposition-Notification-To: alice@example.com
X-Mailer: Tester 1.0
Expires: Wed, 2 Jan 2030 00:00:00 +0000
X-Auto-Response-Suppress: RN, NRN
X-Message-Flag: Follow up
Content-Type: text/plain

body
`;

function headersOf(text: string): Map<string, string> {
  const { message } = mimeToMessage(mime(text));
  return new Map(headersFromMessage(message).map(([k, v]) => [k, v]));
}

test('MS-OXCMAIL 2.1.3.1: From from sent-representing, Sender only when different, To/Cc from recipients, never Bcc', () => {
  const h = headersOf(SOURCE);
  assert.equal(h.get('From'), 'Alice Example <alice@example.com>');
  assert.equal(h.get('Sender'), 'Secretary <sec@example.com>');
  assert.equal(h.get('To'), 'Bob <bob@example.org>, carol@example.net');
  assert.match(h.get('Cc')!, /^=\?utf-8\?.*\?= <j@example\.de>$/);
  assert.equal(h.has('Bcc'), false);
  assert.equal(h.get('Reply-To'), 'Replies <replies@example.com>');
  const noSender = headersOf(`From: a@x.io\nSubject: s\n\nb\n`);
  assert.equal(noSender.has('Sender'), false);
});

test('MS-OXCMAIL 2.1.3.2: Subject, Date, Message-ID, In-Reply-To, References, Importance, Sensitivity, Keywords, Thread-*', () => {
  const h = headersOf(SOURCE);
  assert.equal(h.get('Subject'), 'Re: quarterly numbers');
  assert.match(h.get('Date')!, /^Tue, 0?1 Jan 2030 10:00:00 \+0000$/);
  assert.equal(h.get('Message-ID'), '<m1@example.com>');
  assert.equal(h.get('In-Reply-To'), '<m0@example.com>');
  assert.equal(h.get('References'), '<m0@example.com>');
  assert.equal(h.get('Importance'), 'high');
  assert.equal(h.get('Sensitivity'), 'Private');
  assert.equal(h.get('Keywords'), 'one, two');
  assert.equal(h.get('Thread-Topic'), 'quarterly numbers');
  assert.equal(h.get('Thread-Index'), 'AQHXyw==');
  assert.equal(h.get('Disposition-Notification-To'), 'alice@example.com');
  assert.equal(h.get('X-Mailer'), 'Tester 1.0');
  assert.match(h.get('Expires')!, /^Wed, 0?2 Jan 2030 00:00:00 \+0000$/);
  assert.equal(h.get('X-Auto-Response-Suppress'), 'RN, NRN');
  assert.equal(h.get('X-Message-Flag'), 'Follow up');
});

test('MS-OXCMAIL 2.1.3.2: normal importance and sensitivity 0 are omitted', () => {
  const m = new MessageObject();
  m.properties.set(PidTagImportance, 1).set(PidTagSensitivity, 0).set(PidTagSubject, 'plain subject');
  const names = headersFromMessage(m).map(([k]) => k);
  assert.deepEqual(names, ['Subject']);
});

test('MS-OXCMAIL 2.1.3.2: Subject is prefix + normalized subject, else PidTagSubject', () => {
  const m = new MessageObject();
  m.properties.set(PidTagSubject, 'ignored').set(PidTagSubjectPrefix, 'AW: ').set(PidTagNormalizedSubject, 'Thema');
  assert.deepEqual(headersFromMessage(m), [['Subject', 'AW: Thema']]);
});

test('MS-OXCMAIL 2.1.3.2.4: PS_INTERNET_HEADERS strings are re-emitted with sensible case, except mapped and MIME fields', () => {
  const m = new MessageObject();
  m.properties.setNamed(internetHeader('x-mailer'), PT_UNICODE, 'M');
  m.properties.setNamed(internetHeader('x-msmail-priority'), PT_UNICODE, 'High');
  m.properties.setNamed(internetHeader('list-id'), PT_UNICODE, '<l.x.io>');
  m.properties.setNamed(internetHeader('content-type'), PT_UNICODE, 'application/pkcs7-mime');
  m.properties.setNamed(internetHeader('mime-version'), PT_UNICODE, '1.0');
  m.properties.setNamed(internetHeader('subject'), PT_UNICODE, 'dup');
  assert.deepEqual(headersFromMessage(m), [['X-Mailer', 'M'], ['List-ID', '<l.x.io>']]);
  assert.equal(headerCase('message-id'), 'Message-ID');
  assert.equal(headerCase('x-ms-has-attach'), 'X-MS-Has-Attach');
});

test('MS-OXCMAIL 2.1.3.1.1: one-off entry IDs give the SMTP address; read receipts use their own address', () => {
  const m = new MessageObject();
  m.properties.set(PidTagReadReceiptRequested, true).set(PidTagReadReceiptSmtpAddress, 'rr@x.io');
  m.properties.setNamed(PidNameKeywords, PT_MV_UNICODE, ['k']);
  const h = new Map(headersFromMessage(m));
  assert.equal(h.get('Disposition-Notification-To'), 'rr@x.io');
  assert.equal(h.get('Keywords'), 'k');
});

function build(): MessageObject {
  const m = new MessageObject();
  const p = m.properties;
  p.set(PidTagSubject, 'Grüße: café ☕');
  p.set(PidTagClientSubmitTime, 133_000_000_000_000_000n);
  p.set(PidTagInternetMessageId, '<rt@example.com>');
  p.set(PidTagBody, 'Hello ☕\r\nsecond line\r\n');
  p.set(PidTagHtml, new TextEncoder().encode('<p>Hello &#9749; <img src="cid:pic@x"></p>'));
  p.set(PidTagInternetCodepage, 65001);
  p.set(PidTagConversationTopic, 'Grüße: café ☕');
  p.set(PidTagConversationIndex, Uint8Array.from([1, 2, 3]));
  const img = new Attachment();
  img.properties.set(PidTagAttachMethod, 1).set(PidTagAttachLongFilename, 'pic.png').set(PidTagAttachMimeTag, 'image/png')
    .set(PidTagAttachContentId, 'pic@x').set(PidTagAttachFlags, 4).set(PidTagAttachDataBinary, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 255]));
  const doc = new Attachment();
  doc.properties.set(PidTagAttachMethod, 1).set(PidTagAttachLongFilename, 'Bericht für Jörg.pdf')
    .set(PidTagAttachDataBinary, Uint8Array.from({ length: 300 }, (_, i) => i & 0xff));
  const emb = new Attachment();
  emb.properties.set(PidTagAttachMethod, 5);
  emb.embedded = new MessageObject();
  emb.embedded.properties.set(PidTagSubject, 'inner').set(PidTagBody, 'inner body');
  m.attachments.push(img, doc, emb);
  return m;
}

test('MS-OXCMAIL 2.1.3.3: HTML with inline images -> related(alternative, image); other attachments -> mixed', () => {
  const bytes = messageToMime(build());
  const { root } = parseMime(bytes);
  assert.equal(root.contentType.value, 'multipart/mixed');
  const [related, doc, emb] = root.children;
  assert.equal(related!.contentType.value, 'multipart/related');
  assert.equal(related!.contentType.params['type'], 'multipart/alternative');
  assert.deepEqual(related!.children[0]!.children.map((c) => c.contentType.value), ['text/plain', 'text/html']);
  assert.equal(related!.children[1]!.contentType.value, 'image/png');
  assert.equal(headerText(related!.children[1]!, 'content-id'), '<pic@x>');
  assert.equal(doc!.contentType.value, 'application/pdf'); // from the extension
  assert.equal(doc!.disposition?.params['filename'], 'Bericht für Jörg.pdf');
  assert.equal(doc!.transferEncoding, 'base64');
  assert.equal(emb!.contentType.value, 'message/rfc822');
  assert.equal(headerText(root, 'mime-version'), '1.0');
  assert.ok(getLastField(root, 'date'));
});

test('Round trip: mimeToMessage -> messageToMime -> parseMime -> mimeToMessage keeps subject, addresses, body and attachment bytes', () => {
  const first = mimeToMessage(mime(SOURCE.replace('Content-Type: text/plain\n\nbody\n', `Content-Type: multipart/mixed; boundary=m

--m
Content-Type: multipart/alternative; boundary=a

--a
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Grüße, body text
--a
Content-Type: text/html; charset=iso-8859-1

<p>Gr\u00fc\u00dfe</p>
--a--
--m
Content-Type: application/octet-stream; name="data.bin"
Content-Transfer-Encoding: base64

AAECAwQFBgcICf8=
--m
Content-Type: message/rfc822

Subject: embedded one
From: e@x.io

embedded body
--m--
`))).message;
  const second = mimeToMessage(parseMime(messageToMime(first)).root).message;
  const pick = (m: MessageObject) => ({
    subject: m.properties.getString(PidTagSubject),
    body: m.properties.getString(PidTagBody),
    html: m.properties.getBinary(PidTagHtml),
    cp: m.properties.getNumber(PidTagInternetCodepage),
    recipients: m.recipients.filter((r) => r.getNumber(0x0c150003) !== 3).map((r) => [r.getNumber(0x0c150003), r.getString(0x3001001f), r.getString(0x3003001f)]),
    headers: headersFromMessage(m).filter(([k]) => k !== 'Date'),
    attachments: m.attachments.map((a) => [a.properties.getString(PidTagAttachLongFilename), a.properties.getBinary(PidTagAttachDataBinary), a.embedded?.properties.getString(PidTagSubject), a.embedded?.properties.getString(PidTagBody)]),
  });
  assert.deepEqual(pick(second), pick(first));
  assert.equal(pick(first).recipients.length, 3);
  assert.equal(pick(first).body, 'Grüße, body text');
});

test('MS-OXCMAIL 2.1.3.3: a plain-only message is one text/plain entity in UTF-8; HTML-only is text/html', () => {
  const m = new MessageObject();
  m.properties.set(PidTagSubject, 's').set(PidTagBody, 'only plain €\r\n');
  const { root } = parseMime(messageToMime(m));
  assert.equal(root.contentType.value, 'text/plain');
  assert.equal(root.contentType.params['charset'], 'utf-8');
  assert.equal(mimeToMessage(root).message.properties.getString(PidTagBody), 'only plain €\r\n');
  const h = new MessageObject();
  h.properties.set(PidTagHtml, Uint8Array.from([0x3c, 0x70, 0x3e, 0xe9])).set(PidTagInternetCodepage, 28591);
  const hr = parseMime(messageToMime(h)).root;
  assert.equal(hr.contentType.value, 'text/html');
  assert.equal(hr.contentType.params['charset'], 'iso-8859-1');
  assert.deepEqual([...mimeToMessage(hr).message.properties.getBinary(PidTagHtml)!], [0x3c, 0x70, 0x3e, 0xe9]);
});

test('MS-OXCMAIL 2.1.3.4.2: attachment data that MIME cannot carry is reported, not silently dropped', () => {
  const m = new MessageObject();
  m.properties.set(PidTagBody, 'b');
  const ole = new Attachment();
  ole.properties.set(PidTagAttachMethod, 6).set(PidTagAttachLongFilename, 'object.bin');
  m.attachments.push(ole);
  const diag = new Diagnostics(false);
  messageToMime(m, { diag });
  assert.ok(diag.warnings.some((w) => w.code === 'UNSUPPORTED_FORMAT'), JSON.stringify(diag.warnings));
  assert.throws(() => messageToMime(m, { diag: new Diagnostics(true) }), /UNSUPPORTED_FORMAT/);
});

test('MS-OXCMAIL 2.1.3.4.2: mime tag, else extension, else octet-stream; structure types forced to octet-stream', () => {
  const make = (props: (a: Attachment) => void): string => {
    const m = new MessageObject();
    m.properties.set(PidTagBody, 'b');
    const a = new Attachment();
    a.properties.set(PidTagAttachMethod, 1).set(PidTagAttachDataBinary, Uint8Array.of(1));
    props(a);
    m.attachments.push(a);
    return parseMime(messageToMime(m)).root.children[1]!.contentType.value;
  };
  assert.equal(make((a) => a.properties.set(PidTagAttachMimeTag, 'application/x-custom')), 'application/x-custom');
  assert.equal(make((a) => a.properties.set(PidTagAttachLongFilename, 'x.PNG')), 'image/png');
  assert.equal(make(() => undefined), 'application/octet-stream');
  assert.equal(make((a) => a.properties.set(PidTagAttachMimeTag, 'multipart/signed')), 'application/octet-stream');
});
