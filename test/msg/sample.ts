/**
 * A hand-built message object for the writer tests (built with src/mapi only): subject, sender
 * and sent-representing groups, To/Cc recipients with one-off entry IDs, a body, a binary
 * attachment, an embedded message, named properties and one PT_STRING8 value.
 */
import { Attachment, MessageObject, PropertyBag } from '../../src/mapi/message.js';
import { PS_INTERNET_HEADERS, PSETID_Common, PidNameKeywords } from '../../src/mapi/named.js';
import { PT_BOOLEAN, PT_MV_BINARY, PT_MV_LONG, PT_MV_UNICODE, PT_STRING8, PT_UNICODE, makeTag } from '../../src/mapi/proptypes.js';
import * as T from '../../src/mapi/tags.js';

/** MS-OXCDATA 2.2.5.1 one-off EntryID (Unicode, no rich info). */
export function oneOff(name: string, email: string): Uint8Array {
  const enc = (s: string) => { const b: number[] = []; for (const c of s + '\0') { const u = c.charCodeAt(0); b.push(u & 255, u >> 8); } return b; };
  const uid = [0x81, 0x2b, 0x1f, 0xa4, 0xbe, 0xa3, 0x10, 0x19, 0x9d, 0x6e, 0x00, 0xdd, 0x01, 0x0f, 0x54, 0x02];
  return Uint8Array.from([0, 0, 0, 0, ...uid, 0, 0, 0x01, 0x80, ...enc(name), ...enc('SMTP'), ...enc(email)]);
}

function searchKey(email: string): Uint8Array {
  return Uint8Array.from([...`SMTP:${email.toUpperCase()}`].map((c) => c.charCodeAt(0)).concat(0));
}

/** Deterministic pseudo-random bytes (xorshift), so attachments are not compressible text. */
export function pseudoRandom(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; out[i] = x & 0xff; }
  return out;
}

function recipient(type: number, name: string, email: string, row: number): PropertyBag {
  return new PropertyBag()
    .set(T.PidTagRecipientType, type)
    .set(T.PidTagDisplayName, name)
    .set(T.PidTagAddressType, 'SMTP')
    .set(T.PidTagEmailAddress, email)
    .set(T.PidTagSmtpAddress, email)
    .set(T.PidTagEntryId, oneOff(name, email))
    .set(T.PidTagRecipientEntryId, oneOff(name, email))
    .set(T.PidTagSearchKey, searchKey(email))
    .set(T.PidTagRowid, row)
    .set(T.PidTagObjectType, 6)
    .set(T.PidTagDisplayType, 0);
}

export const ATTACHMENT_BYTES = pseudoRandom(5000, 7); // >= 4096: regular sectors, not the mini stream
export const SUBJECT = 'Quarterly report \u00fcber alles';

/** The sample message (see module comment). */
export function sampleMessage(): MessageObject {
  const m = new MessageObject();
  const when = new Date('2024-03-01T10:20:30Z');
  m.properties
    .set(T.PidTagMessageClass, 'IPM.Note')
    .set(T.PidTagSubject, SUBJECT)
    .set(T.PidTagNormalizedSubject, SUBJECT)
    .set(T.PidTagBody, 'Hello Alice,\r\nthe numbers are attached.\r\n')
    .set(makeTag(0x0070, PT_STRING8), 'Quarterly report') // PT_STRING8 on purpose: must be written as PT_UNICODE
    .set(T.PidTagSenderName, 'Carol Sender')
    .set(T.PidTagSenderAddressType, 'SMTP')
    .set(T.PidTagSenderEmailAddress, 'carol@example.net')
    .set(T.PidTagSenderSmtpAddress, 'carol@example.net')
    .set(T.PidTagSenderEntryId, oneOff('Carol Sender', 'carol@example.net'))
    .set(T.PidTagSenderSearchKey, searchKey('carol@example.net'))
    .set(T.PidTagSentRepresentingName, 'Carol Sender')
    .set(T.PidTagSentRepresentingAddressType, 'SMTP')
    .set(T.PidTagSentRepresentingEmailAddress, 'carol@example.net')
    .set(T.PidTagSentRepresentingSmtpAddress, 'carol@example.net')
    .set(T.PidTagSentRepresentingEntryId, oneOff('Carol Sender', 'carol@example.net'))
    .set(T.PidTagDisplayTo, 'Alice Example')
    .set(T.PidTagDisplayCc, 'Bob Builder')
    .set(T.PidTagInternetMessageId, '<sample-1@example.net>')
    .setTime(T.PidTagClientSubmitTime, when)
    .setTime(T.PidTagMessageDeliveryTime, when)
    .set(T.PidTagInternetCodepage, 65001)
    .set(makeTag(0x8000 - 1, PT_MV_LONG), [1, -2, 3]); // 0x7FFF: a tagged multi-valued PT_LONG
  // Named properties: x-mailer first, so PS_INTERNET_HEADERS gets GUID index 3 (fact sheet 1.7).
  m.properties.setNamed({ guid: PS_INTERNET_HEADERS, name: 'X-Mailer' }, PT_UNICODE, 'smime-bridge tests');
  m.properties.setNamed({ guid: PSETID_Common, lid: 0x8514 }, PT_BOOLEAN, false);
  m.properties.setNamed(PidNameKeywords, PT_MV_UNICODE, ['alpha', 'beta']);
  m.properties.setNamed({ guid: PSETID_Common, lid: 0x8580 }, PT_MV_BINARY, [Uint8Array.from([1, 2, 3]), new Uint8Array(0)]);
  m.recipients.push(recipient(1, 'Alice Example', 'alice@example.com', 0), recipient(2, 'Bob Builder', 'bob@example.org', 1));

  const file = new Attachment();
  file.properties
    .set(T.PidTagAttachMethod, 1)
    .set(T.PidTagAttachDataBinary, ATTACHMENT_BYTES)
    .set(T.PidTagAttachFilename, 'numbers.bin')
    .set(T.PidTagAttachLongFilename, 'numbers.bin')
    .set(T.PidTagAttachExtension, '.bin')
    .set(T.PidTagDisplayName, 'numbers.bin')
    .set(T.PidTagAttachMimeTag, 'application/octet-stream')
    .set(T.PidTagRenderingPosition, -1)
    .set(T.PidTagAttachNumber, 0);
  m.attachments.push(file);

  const inner = new MessageObject();
  inner.properties
    .set(T.PidTagMessageClass, 'IPM.Note')
    .set(T.PidTagSubject, 'Inner message')
    .set(T.PidTagBody, 'This message is embedded.\r\n')
    .set(T.PidTagSenderName, 'Dave Inner')
    .set(T.PidTagSenderAddressType, 'SMTP')
    .set(T.PidTagSenderEmailAddress, 'dave@example.com')
    .set(T.PidTagSentRepresentingName, 'Dave Inner')
    .set(T.PidTagSentRepresentingAddressType, 'SMTP')
    .set(T.PidTagSentRepresentingEmailAddress, 'dave@example.com')
    .set(T.PidTagMessageFlags, 0); // MS-OXCMAIL 3.3: embedded messages clear mfRead / mfUnsent
  inner.properties.setNamed({ guid: PS_INTERNET_HEADERS, name: 'X-Mailer' }, PT_UNICODE, 'inner mailer');
  inner.recipients.push(recipient(1, 'Erin Inner', 'erin@example.com', 0));
  const emb = new Attachment();
  emb.properties
    .set(T.PidTagAttachMethod, 5)
    .set(T.PidTagDisplayName, 'Inner message')
    .set(T.PidTagRenderingPosition, -1)
    .set(T.PidTagAttachNumber, 1);
  emb.embedded = inner;
  m.attachments.push(emb);
  return m;
}
