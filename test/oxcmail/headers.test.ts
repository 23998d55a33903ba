import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../src/errors.js';
import {
  MessageObject, PidNameKeywords, PidTagAddressType, PidTagClientSubmitTime, PidTagConversationIndex,
  PidTagConversationTopic, PidTagDisplayBcc, PidTagDisplayCc, PidTagDisplayName, PidTagDisplayTo, PidTagDisplayType,
  PidTagEmailAddress, PidTagEntryId, PidTagImportance, PidTagInReplyToId, PidTagInternetMessageId,
  PidTagInternetReferences, PidTagMessageClass, PidTagMessageDeliveryTime, PidTagMessageFlags, PidTagMessageLocaleId,
  PidTagNormalizedSubject, PidTagObjectType, PidTagOriginatorDeliveryReportRequested, PidTagReadReceiptRequested,
  PidTagReadReceiptSmtpAddress, PidTagRecipientDisplayName, PidTagRecipientEntryId, PidTagRecipientFlags,
  PidTagRecipientType, PidTagReplyRecipientEntries, PidTagReplyRecipientNames, PidTagRowid, PidTagSearchKey,
  PidTagSenderEmailAddress, PidTagSenderEntryId, PidTagSenderName, PidTagSensitivity,
  PidTagSentRepresentingEmailAddress, PidTagSentRepresentingEntryId, PidTagSentRepresentingName, PidTagSmtpAddress,
  PidTagSubject, PidTagSubjectPrefix, PidTagTransportMessageHeaders, internetHeader, PidTagExpiryTime, PidTagReplyTime,
  PidTagAutoResponseSuppress,
} from '../../src/mapi/index.js';
import { PidLidFlagRequest, parseFlatEntryList, parseOneOffEntryId, promoteHeaders, splitSubject } from '../../src/oxcmail/index.js';
import { hex, mime } from './helpers.js';

function promote(text: string): MessageObject {
  const m = new MessageObject();
  promoteHeaders(mime(text), m, new Diagnostics(false));
  return m;
}

const BASE = `From: Alice Example <alice@example.com>
To: Bob <bob@example.org>, carol@example.net
Cc: "Dave, D." <dave@example.com>
Bcc: eve@example.com
Subject: Re: hello
Date: Tue, 1 Jan 2030 10:00:00 +0100
Message-ID: <m1@example.com>

body
`;

test('MS-OXCMAIL 2.2.3.1.3: From fills the PidTagSentRepresenting* group', () => {
  const p = promote(BASE).properties;
  assert.equal(p.getString(PidTagSentRepresentingName), 'Alice Example');
  assert.equal(p.getString(PidTagSentRepresentingEmailAddress), 'alice@example.com');
  const oneOff = parseOneOffEntryId(p.getBinary(PidTagSentRepresentingEntryId)!);
  assert.deepEqual(oneOff && { ...oneOff }, { displayName: 'Alice Example', addressType: 'SMTP', address: 'alice@example.com', flags: 0x8000 });
});

test('MS-OXCMAIL 2.2.3.1.4: without Sender, From fills the PidTagSender* group too', () => {
  const p = promote(BASE).properties;
  assert.equal(p.getString(PidTagSenderName), 'Alice Example');
  assert.equal(p.getString(PidTagSenderEmailAddress), 'alice@example.com');
  assert.ok(p.getBinary(PidTagSenderEntryId));
});

test('MS-OXCMAIL 2.2.3.1.4: a Sender field fills PidTagSender*, From stays sent-representing', () => {
  const p = promote(`From: Boss <boss@example.com>\nSender: Assistant <asst@example.com>\n\nx\n`).properties;
  assert.equal(p.getString(PidTagSenderEmailAddress), 'asst@example.com');
  assert.equal(p.getString(PidTagSenderName), 'Assistant');
  assert.equal(p.getString(PidTagSentRepresentingEmailAddress), 'boss@example.com');
});

test('MS-OXCMAIL 2.2.3.1.5: To/Cc/Bcc become recipient rows with type, names, SMTP address and one-off entry IDs', () => {
  const m = promote(BASE);
  assert.equal(m.recipients.length, 4);
  const types = m.recipients.map((r) => r.getNumber(PidTagRecipientType));
  assert.deepEqual(types, [1, 1, 2, 3]);
  const bob = m.recipients[0]!;
  assert.equal(bob.getString(PidTagDisplayName), 'Bob');
  assert.equal(bob.getString(PidTagRecipientDisplayName), 'Bob');
  assert.equal(bob.getString(PidTagAddressType), 'SMTP');
  assert.equal(bob.getString(PidTagEmailAddress), 'bob@example.org');
  assert.equal(bob.getString(PidTagSmtpAddress), 'bob@example.org');
  assert.equal(bob.getNumber(PidTagDisplayType), 0);
  assert.equal(bob.getNumber(PidTagObjectType), 6);
  assert.equal(bob.getNumber(PidTagRecipientFlags), 1);
  assert.deepEqual(m.recipients.map((r) => r.getNumber(PidTagRowid)), [0, 1, 2, 3]);
  assert.deepEqual(bob.getBinary(PidTagEntryId), bob.getBinary(PidTagRecipientEntryId));
  // Search key: "SMTP:" + upper-cased address + NUL (fact sheet 1.8).
  assert.equal(new TextDecoder().decode(bob.getBinary(PidTagSearchKey)!), 'SMTP:BOB@EXAMPLE.ORG\0');
  // 2.2.3.1.1: no phrase -> the display name is the address.
  assert.equal(m.recipients[1]!.getString(PidTagDisplayName), 'carol@example.net');
  assert.equal(m.recipients[2]!.getString(PidTagDisplayName), 'Dave, D.');
});

test('MS-OXCDATA 2.2.5.1: recipient one-off entry ID bytes (flags 0x8001, UTF-16LE strings)', () => {
  const m = promote(`To: Bo <b@x.io>\n\nx\n`);
  const id = m.recipients[0]!.getBinary(PidTagEntryId)!;
  const u16 = (s: string): string => hex(Uint8Array.from([...s].flatMap((c) => [c.charCodeAt(0), 0]))) + '0000';
  const expected = '00000000' + '812b1fa4bea310199d6e00dd010f5402' + '0000' + '0180' + u16('Bo') + u16('SMTP') + u16('b@x.io');
  assert.equal(hex(id), expected);
});

test('MS-OXOMSG 2.2.1.7-9: PidTagDisplayTo/Cc/Bcc list the display names joined by "; "', () => {
  const p = promote(BASE).properties;
  assert.equal(p.getString(PidTagDisplayTo), 'Bob; carol@example.net');
  assert.equal(p.getString(PidTagDisplayCc), 'Dave, D.');
  assert.equal(p.getString(PidTagDisplayBcc), 'eve@example.com');
});

test('MS-OXCMAIL 2.2.3.2: repeated address fields are combined; other repeated fields: the first wins', () => {
  const m = promote(`To: a@x.io\nTo: b@x.io\nSubject: first\nSubject: second\nX-Custom: one\nX-Custom: two\n\nx\n`);
  assert.deepEqual(m.recipients.map((r) => r.getString(PidTagEmailAddress)), ['a@x.io', 'b@x.io']);
  assert.equal(m.properties.getString(PidTagSubject), 'first');
  assert.equal(m.properties.getNamedString(internetHeader('X-Custom')), 'one');
});

test('MS-OXCMAIL 2.2.3.1.1: RFC 2047 display names are decoded; groups give their members', () => {
  const m = promote(`To: =?iso-8859-1?Q?J=F6rg_M=FCller?= <jm@x.de>, Team: a@x.io, b@x.io;, undisclosed-recipients:;\n\nx\n`);
  assert.deepEqual(m.recipients.map((r) => r.getString(PidTagDisplayName)), ['Jörg Müller', 'a@x.io', 'b@x.io']);
});

test('MS-OXCMAIL 2.2.3.1.1: IMCEA addresses are de-encapsulated', () => {
  const m = promote(`To: IMCEAEX-_O=ORG_OU=SITE_CN=RECIPIENTS_CN=JDOE@example.com\n\nx\n`);
  assert.equal(m.recipients[0]!.getString(PidTagAddressType), 'EX');
  assert.equal(m.recipients[0]!.getString(PidTagEmailAddress), '/O=ORG/OU=SITE/CN=RECIPIENTS/CN=JDOE');
});

test('MS-OXCMAIL 2.2.3.1.6: Reply-To becomes names and a FLATENTRYLIST of one-off entry IDs', () => {
  const p = promote(`Reply-To: List <list@x.io>, r2@x.io\n\nx\n`).properties;
  assert.equal(p.getString(PidTagReplyRecipientNames), 'List; r2@x.io');
  const ids = parseFlatEntryList(p.getBinary(PidTagReplyRecipientEntries)!);
  assert.equal(ids.length, 2);
  assert.equal(parseOneOffEntryId(ids[1]!)?.address, 'r2@x.io');
  // MS-OXCDATA 2.3.3: count, then total size of the padded entries.
  const flat = p.getBinary(PidTagReplyRecipientEntries)!;
  const dv = new DataView(flat.buffer, flat.byteOffset);
  assert.equal(dv.getUint32(0, true), 2);
  assert.equal(dv.getUint32(4, true), flat.length - 8);
});

test('MS-OXCMAIL 2.2.3.1.7-8: Disposition-Notification-To and Return-Receipt-To request receipts', () => {
  const p = promote(`Disposition-Notification-To: <rr@x.io>\nReturn-Receipt-To: whatever\n\nx\n`).properties;
  assert.equal(p.getBoolean(PidTagReadReceiptRequested), true);
  assert.equal(p.getString(PidTagReadReceiptSmtpAddress), 'rr@x.io');
  assert.equal(p.getBoolean(PidTagOriginatorDeliveryReportRequested), true);
});

test('MS-OXCMAIL 2.2.3.2.6.1: subject prefix rule (1-3 non-digit, non-space, non-colon characters, colon, space)', () => {
  assert.deepEqual(splitSubject('Re: hello'), { prefix: 'Re: ', normalized: 'hello' });
  assert.deepEqual(splitSubject('AW: Antwort'), { prefix: 'AW: ', normalized: 'Antwort' });
  assert.deepEqual(splitSubject('Fwd: news'), { prefix: 'Fwd: ', normalized: 'news' });
  assert.deepEqual(splitSubject('RE:   spaced'), { prefix: 'RE: ', normalized: 'spaced' });
  assert.deepEqual(splitSubject('Re:x'), { prefix: '', normalized: 'Re:x' });
  assert.deepEqual(splitSubject('1: one'), { prefix: '', normalized: '1: one' });
  assert.deepEqual(splitSubject('Four: x'), { prefix: '', normalized: 'Four: x' });
  assert.deepEqual(splitSubject('hello'), { prefix: '', normalized: 'hello' });
});

test('MS-OXCMAIL 2.2.3.2.6: Subject is decoded and split into PidTagSubjectPrefix + PidTagNormalizedSubject', () => {
  const p = promote(`Subject: =?utf-8?B?QVc6IEdyw7zDn2U=?=\n\nx\n`).properties;
  assert.equal(p.getString(PidTagSubject), 'AW: Grüße');
  assert.equal(p.getString(PidTagSubjectPrefix), 'AW: ');
  assert.equal(p.getString(PidTagNormalizedSubject), 'Grüße');
  // 2.2.3.2.7: the conversation topic defaults to the normalized subject.
  assert.equal(p.getString(PidTagConversationTopic), 'Grüße');
});

test('MS-OXCMAIL 2.2.3.2.7-8: Thread-Topic and Thread-Index (base64) are promoted', () => {
  const p = promote(`Subject: Re: a\nThread-Topic: the topic\nThread-Index: AQHXyz==\n\nx\n`).properties;
  assert.equal(p.getString(PidTagConversationTopic), 'the topic');
  assert.equal(hex(p.getBinary(PidTagConversationIndex)!), '0101d7cb');
  const bad = promote(`Thread-Index: !!notbase64\n\nx\n`).properties;
  assert.equal(bad.getBinary(PidTagConversationIndex), undefined);
});

test('MS-OXCMAIL 2.2.3.2.2: Date -> PidTagClientSubmitTime (UTC) and PidTagMessageDeliveryTime', () => {
  const p = promote(BASE).properties;
  assert.equal(p.getTime(PidTagClientSubmitTime)?.toISOString(), '2030-01-01T09:00:00.000Z');
  assert.equal(p.getTime(PidTagMessageDeliveryTime)?.toISOString(), '2030-01-01T09:00:00.000Z');
});

test('MS-OXCMAIL 2.2.3.2.1/3/9: Message-ID (with <>), References and In-Reply-To are copied', () => {
  const p = promote(`Message-ID: <a@b>\nIn-Reply-To: <p@b>\nReferences: <o@b> <p@b>\n\nx\n`).properties;
  assert.equal(p.getString(PidTagInternetMessageId), '<a@b>');
  assert.equal(p.getString(PidTagInReplyToId), '<p@b>');
  assert.equal(p.getString(PidTagInternetReferences), '<o@b> <p@b>');
});

test('MS-OXCMAIL 2.2.3.2.5: Importance wins over Priority, X-Priority and X-MSMail-Priority', () => {
  const imp = (h: string): number | undefined => promote(`${h}\n\nx\n`).properties.getNumber(PidTagImportance);
  assert.equal(imp('Importance: low\nPriority: urgent\nX-Priority: 1'), 0);
  assert.equal(imp('Priority: non-urgent\nX-Priority: 1'), 0);
  assert.equal(imp('Priority: urgent'), 2);
  assert.equal(imp('X-Priority: 1 (Highest)\nX-MSMail-Priority: Low'), 2);
  assert.equal(imp('X-Priority: 3'), 1);
  assert.equal(imp('X-Priority: 5'), 0);
  assert.equal(imp('X-MSMail-Priority: High'), 2);
  assert.equal(imp('Subject: none'), 1);
});

test('MS-OXCMAIL 2.2.3.2.4: Sensitivity values', () => {
  const s = (v: string): number | undefined => promote(`Sensitivity: ${v}\n\nx\n`).properties.getNumber(PidTagSensitivity);
  assert.equal(s('Personal'), 1);
  assert.equal(s('private'), 2);
  assert.equal(s('Company-Confidential'), 3);
  assert.equal(s('Normal'), 0);
});

test('MS-OXCMAIL 2.2.3.2.12: Keywords -> PidNameKeywords, split on commas and trimmed', () => {
  const p = promote(`Keywords: alpha, beta ,, gamma delta\n\nx\n`).properties;
  assert.deepEqual(p.getNamed(PidNameKeywords)?.value, ['alpha', 'beta', 'gamma delta']);
});

test('MS-OXCMAIL 2.2.3.2.10: Content-Language -> PidTagMessageLocaleId', () => {
  assert.equal(promote(`Content-Language: de-DE\n\nx\n`).properties.getNumber(PidTagMessageLocaleId), 0x0407);
  assert.equal(promote(`Content-Language: en\n\nx\n`).properties.getNumber(PidTagMessageLocaleId), 0x0409);
});

test('MS-OXCMAIL 2.2.3.2.28: the transport header block excludes X-MS-Exchange-Organization-* and -Forest-*', () => {
  const p = promote(`Received: from a by b\nX-MS-Exchange-Organization-SCL: 1\nX-MS-Exchange-Forest-X: y\nSubject: s\n\nx\n`).properties;
  assert.equal(p.getString(PidTagTransportMessageHeaders), 'Received: from a by b\r\nSubject: s\r\n');
});

test('MS-OXCMAIL 2.2.3.2.29: other fields become PS_INTERNET_HEADERS properties, except the skip list', () => {
  const p = promote(`X-Mailer: =?utf-8?Q?M=C3=BCtt?=\nUser-Agent: ua\nReceived: r\nReturn-Path: <x@y>\nContent-Type: text/plain\nMIME-Version: 1.0\nOrganization: org\nX-MimeOLE: ole\nX-MS-Exchange-Organization-AuthAs: Internal\nX-MS-Exchange-Organization-SCL: 1\nSubject: mapped\n\nx\n`).properties;
  assert.equal(p.getNamedString(internetHeader('x-mailer')), 'Mütt');
  assert.equal(p.getNamedString(internetHeader('user-agent')), 'ua');
  assert.equal(p.getNamedString(internetHeader('x-ms-exchange-organization-authas')), 'Internal');
  for (const skipped of ['received', 'return-path', 'content-type', 'mime-version', 'organization', 'x-mimeole', 'x-ms-exchange-organization-scl', 'subject']) {
    assert.equal(p.getNamed(internetHeader(skipped)), undefined, skipped);
  }
});

test('MS-OXCMSG 2.2.1.6: imported mail is mfRead, never mfUnsent; class IPM.Note when unset', () => {
  const p = promote(BASE).properties;
  assert.equal(p.getNumber(PidTagMessageFlags), 1);
  assert.equal(p.getString(PidTagMessageClass), 'IPM.Note');
  const m = new MessageObject();
  m.properties.set(PidTagMessageClass, 'IPM.Note.Custom');
  promoteHeaders(mime(BASE), m, new Diagnostics(false));
  assert.equal(m.properties.getString(PidTagMessageClass), 'IPM.Note.Custom');
});

test('MS-OXCMAIL 2.2.3.2.2: an invalid Date is a diagnostic (lenient) or an error (strict)', () => {
  const d = new Diagnostics(false);
  promoteHeaders(mime(`Date: not a date\n\nx\n`), new MessageObject(), d);
  assert.equal(d.warnings[0]?.code, 'MIME_HEADER_MALFORMED');
  assert.throws(() => promoteHeaders(mime(`Date: not a date\n\nx\n`), new MessageObject(), new Diagnostics(true)), /MIME_HEADER_MALFORMED/);
});

test('MS-OXCMAIL 2.2.3.2: encoded-words with literal spaces (common RFC 2047 misuse) are decoded, as Python does', () => {
  const p = promote(`Subject: =?iso-8859-1?Q?Test E-Mail=21?=\n\nx\n`).properties;
  assert.equal(p.getString(PidTagSubject), 'Test E-Mail!');
});

test('MS-OXCMAIL 2.2.3.2.13-16: Expires, Reply-By, X-Auto-Response-Suppress and X-Message-Flag are promoted', () => {
  const p = promote(`Expires: Wed, 2 Jan 2030 00:00:00 +0000\nReply-By: Thu, 3 Jan 2030 12:00:00 +0000\nX-Auto-Response-Suppress: DR, OOF, AutoReply\nX-Message-Flag: Follow up\n\nx\n`).properties;
  assert.equal(p.getTime(PidTagExpiryTime)?.toISOString(), '2030-01-02T00:00:00.000Z');
  assert.equal(p.getTime(PidTagReplyTime)?.toISOString(), '2030-01-03T12:00:00.000Z');
  assert.equal(p.getNumber(PidTagAutoResponseSuppress), 0x01 | 0x10 | 0x20);
  assert.equal(p.getNamedString(PidLidFlagRequest), 'Follow up');
  assert.equal(p.getNamed(internetHeader('expires')), undefined);
  assert.equal(promote(`X-Auto-Response-Suppress: All\n\nx\n`).properties.getNumber(PidTagAutoResponseSuppress), -1);
});
