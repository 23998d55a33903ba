/**
 * MIME header block -> message properties: the MS-OXCMAIL 2.2.3.1 (addresses) and 2.2.3.2
 * (other header fields) rules that MS-OXOSMIME 3.1.5.1.2 / 3.1.5.2.2 call "promote header
 * fields". Facts: shared/reference/msg-and-oxcmail-facts.md section 3.1.
 */
import type { Diagnostics } from '../errors.js';
import { type HeaderField, type MimeEntity, decodeBase64, fieldText, getFields, parseDate } from '../mime/index.js';
import { latin1, latin1Bytes } from '../mime/bytes.js';
import { decodeUtf8Strict } from '../mime/charset.js';
import {
  type MessageObject, MessageFlags, PidNameKeywords, PidTagClientSubmitTime, PidTagConversationIndex,
  PidTagConversationTopic, PidTagDisplayBcc, PidTagDisplayCc, PidTagDisplayTo, PidTagImportance,
  PidTagInReplyToId, PidTagInternetMessageId, PidTagInternetReferences, PidTagMessageClass,
  PidTagMessageDeliveryTime, PidTagMessageFlags, PidTagMessageLocaleId, PidTagNormalizedSubject,
  PidTagOriginatorDeliveryReportRequested, PidTagReadReceiptEntryId, PidTagReadReceiptName,
  PidTagReadReceiptRequested, PidTagReadReceiptSmtpAddress, PidTagReplyRecipientEntries,
  PidTagReplyRecipientNames, PidTagSenderAddressType, PidTagSenderEmailAddress, PidTagSenderEntryId,
  PidTagSenderName, PidTagSenderSearchKey, PidTagSenderSmtpAddress, PidTagSensitivity, PidTagSentRepresentingAddressType,
  PidTagSentRepresentingEmailAddress, PidTagSentRepresentingEntryId, PidTagSentRepresentingName,
  PidTagSentRepresentingSearchKey, PidTagSentRepresentingSmtpAddress, PidTagSubject, PidTagSubjectPrefix,
  PidTagTransportMessageHeaders, PT_MV_UNICODE, PT_UNICODE, RecipientType, internetHeader, type NamedId, PSETID_Common,
  PidTagExpiryTime, PidTagReplyTime, PidTagAutoResponseSuppress,
} from '../mapi/index.js';
import { MESSAGE_LIMITS } from '../mapi/message.js';
import { type AddressGroupTags, type MapiAddress, addRecipient, parseMapiAddresses, setAddressGroup } from './address.js';
import { languageToLcid } from './codepage.js';
import { decodeHeaderText } from './decode.js';
import { OneOffFlags, flatEntryList, oneOffEntryId } from './entryid.js';
import { splitSubject } from './subject.js';

/** PidTagSentRepresenting* (From, MS-OXCMAIL 2.2.3.1.3). */
export const SENT_REPRESENTING: AddressGroupTags = {
  name: PidTagSentRepresentingName, addressType: PidTagSentRepresentingAddressType,
  emailAddress: PidTagSentRepresentingEmailAddress, entryId: PidTagSentRepresentingEntryId,
  searchKey: PidTagSentRepresentingSearchKey, smtpAddress: PidTagSentRepresentingSmtpAddress,
};
/** PidTagSender* (Sender, or From when there is none; MS-OXCMAIL 2.2.3.1.4). */
export const SENDER: AddressGroupTags = {
  name: PidTagSenderName, addressType: PidTagSenderAddressType, emailAddress: PidTagSenderEmailAddress,
  entryId: PidTagSenderEntryId, searchKey: PidTagSenderSearchKey, smtpAddress: PidTagSenderSmtpAddress,
};
/** PidTagReadReceipt* (Disposition-Notification-To, MS-OXCMAIL 2.2.3.1.7). */
export const READ_RECEIPT: AddressGroupTags = {
  name: PidTagReadReceiptName, entryId: PidTagReadReceiptEntryId, smtpAddress: PidTagReadReceiptSmtpAddress,
};

/** Header fields that a rule of this module maps to a property (lower case); they are not kept as PS_INTERNET_HEADERS. */
export const MAPPED_HEADERS: ReadonlySet<string> = new Set([
  'from', 'sender', 'to', 'cc', 'bcc', 'reply-to', 'disposition-notification-to', 'return-receipt-to', 'subject',
  'thread-topic', 'thread-index', 'date', 'message-id', 'in-reply-to', 'references', 'importance', 'priority',
  'x-priority', 'x-msmail-priority', 'sensitivity', 'keywords', 'content-language', 'expires', 'expiry-date',
  'reply-by', 'x-auto-response-suppress', 'x-message-flag',
]);

/** PidLidFlagRequest: PSETID_Common LID 0x8530 (PT_UNICODE), from X-Message-Flag (MS-OXCMAIL 2.2.3.2.16). */
export const PidLidFlagRequest: NamedId = { guid: PSETID_Common, lid: 0x8530 };

/** PidTagAutoResponseSuppress bits (MS-OXOMSG 2.2.1.77) by X-Auto-Response-Suppress token. */
export const AUTO_RESPONSE_SUPPRESS: Readonly<Record<string, number>> = {
  dr: 0x01, ndr: 0x02, rn: 0x04, nrn: 0x08, oof: 0x10, autoreply: 0x20,
};

/** MS-OXCMAIL 2.2.3.2.29: header fields never kept as PS_INTERNET_HEADERS properties (lower case). */
export const INTERNET_HEADER_SKIP: ReadonlySet<string> = new Set([
  'received', 'resent-from', 'resent-sender', 'resent-date', 'resent-message-id', 'content-type',
  'content-disposition', 'content-description', 'content-transfer-encoding', 'content-id', 'content-md5',
  'mime-version', 'return-path', 'comments', 'adhoc', 'apparently-to', 'approved', 'control', 'distribution',
  'encoding', 'followup-to', 'lines', 'bytes', 'article', 'supercedes', 'newsgroups', 'nntp-posting-host',
  'nntppostinghost', 'organization', 'path', 'rr', 'summary', 'trace', 'encrypted', 'x-mimeole',
  'x-ms-tnef-correlator',
]);
/** The X-MS-Exchange-Organization-* fields that MS-OXCMAIL 2.2.3.2.29 does keep. */
const KEPT_EXCHANGE_ORG = new Set(['authas', 'authdomain', 'authmechanism', 'authsource']);

function isExchangeInternal(lname: string): boolean {
  return lname.startsWith('x-ms-exchange-organization-') || lname.startsWith('x-ms-exchange-forest-');
}

/** True when MS-OXCMAIL 2.2.3.2.29 keeps header `lname` as a PS_INTERNET_HEADERS property. */
export function keepsAsInternetHeader(lname: string): boolean {
  if (MAPPED_HEADERS.has(lname) || INTERNET_HEADER_SKIP.has(lname)) return false;
  if (lname.startsWith('x-ms-exchange-organization-')) return KEPT_EXCHANGE_ORG.has(lname.slice('x-ms-exchange-organization-'.length));
  if (lname.startsWith('x-ms-exchange-forest-')) return false;
  return true;
}

/** Unfolded, RFC 2047-decoded text of a field. */
function decoded(e: MimeEntity, f: HeaderField): string {
  return decodeHeaderText(fieldText(e.source, f));
}

/** The FIRST field named `lname`, decoded (MS-OXCMAIL 2.2.3.2: the first instance wins). */
function firstText(e: MimeEntity, lname: string): string | undefined {
  const f = getFields(e, lname)[0];
  return f ? decoded(e, f) : undefined;
}

/** All mailboxes of every field named `lname` (address headers are combined, MS-OXCMAIL 2.2.3.2). */
function addresses(e: MimeEntity, lname: string): MapiAddress[] {
  const out: MapiAddress[] = [];
  for (const f of getFields(e, lname)) out.push(...parseMapiAddresses(fieldText(e.source, f)));
  return out;
}

/** MS-OXCMAIL 2.2.3.2.5: Importance wins over Priority, X-Priority, X-MSMail-Priority. */
export function importanceOf(e: MimeEntity): number | undefined {
  const imp = firstText(e, 'importance')?.trim().toLowerCase();
  if (imp !== undefined) {
    const v = ({ low: 0, normal: 1, high: 2 } as Record<string, number>)[imp];
    if (v !== undefined) return v;
  }
  const pri = firstText(e, 'priority')?.trim().toLowerCase();
  if (pri !== undefined) {
    const v = ({ 'non-urgent': 0, normal: 1, urgent: 2 } as Record<string, number>)[pri];
    if (v !== undefined) return v;
  }
  const xp = firstText(e, 'x-priority');
  if (xp !== undefined) {
    const m = /^\s*([1-5])/.exec(xp);
    if (m) {
      const n = Number(m[1]);
      return n >= 4 ? 0 : n === 3 ? 1 : 2;
    }
  }
  const ms = firstText(e, 'x-msmail-priority')?.trim().toLowerCase();
  if (ms !== undefined) {
    const v = ({ low: 0, normal: 1, high: 2 } as Record<string, number>)[ms];
    if (v !== undefined) return v;
  }
  return undefined;
}

const SENSITIVITY: Record<string, number> = { normal: 0, personal: 1, private: 2, 'company-confidential': 3 };

/**
 * The transport header block (MS-OXCMAIL 2.2.3.2.28): every field of the top-level header block
 * except X-MS-Exchange-Organization-* and X-MS-Exchange-Forest-*, as received (UTF-8 when the
 * bytes are valid UTF-8, else latin1), with CRLF line ends.
 */
export function transportHeaders(e: MimeEntity): string {
  let out = '';
  for (const f of e.fields) {
    if (isExchangeInternal(f.lname)) continue;
    const raw = e.source.subarray(f.raw.start, f.raw.end);
    let text = decodeUtf8Strict(raw);
    if (text === undefined) text = latin1(raw);
    text = text.replace(/\r?\n/g, '\r\n');
    if (!text.endsWith('\r\n')) text += '\r\n';
    out += text;
  }
  return out;
}

/**
 * Promote the header block of `e` into `m` (MS-OXCMAIL 2.2.3.1 and 2.2.3.2; fact sheet 3.1).
 *
 * - From -> PidTagSentRepresenting*; Sender (else From) -> PidTagSender*.
 * - To/Cc/Bcc -> recipient rows (every field, every mailbox) and PidTagDisplayTo/Cc/Bcc.
 * - Reply-To, Disposition-Notification-To, Return-Receipt-To, Subject (prefix split),
 *   Thread-Topic/Index, Date, Message-ID, In-Reply-To, References, Importance & co.,
 *   Sensitivity, Keywords, Content-Language, Expires/Expiry-Date, Reply-By,
 *   X-Auto-Response-Suppress, X-Message-Flag.
 * - PidTagTransportMessageHeaders; every other field (except the skip list) as a
 *   PS_INTERNET_HEADERS named property. The first instance of a field wins.
 * - PidTagMessageFlags = mfRead (imported mail is never mfUnsent); PidTagMessageClass `IPM.Note` if unset.
 */
export function promoteHeaders(e: MimeEntity, m: MessageObject, diag: Diagnostics): void {
  const p = m.properties;
  const where = { partPath: e.path };

  // 2.2.3.1.3 From -> sent representing (first mailbox); 2.2.3.1.4 Sender, or From.
  const from = addresses(e, 'from');
  if (from[0]) setAddressGroup(p, SENT_REPRESENTING, from[0], OneOffFlags.Unicode);
  const sender = addresses(e, 'sender');
  const senderAddr = sender[0] ?? from[0];
  if (senderAddr) setAddressGroup(p, SENDER, senderAddr, OneOffFlags.Unicode);

  // 2.2.3.1.5 To/Cc/Bcc -> recipient table; MS-OXOMSG 2.2.1.7-9 display lists.
  const display: Record<number, string[]> = { [RecipientType.To]: [], [RecipientType.Cc]: [], [RecipientType.Bcc]: [] };
  for (const [lname, type] of [['to', RecipientType.To], ['cc', RecipientType.Cc], ['bcc', RecipientType.Bcc]] as const) {
    for (const a of addresses(e, lname)) {
      if (m.recipients.length >= MESSAGE_LIMITS.recipients) {
        // MS-OXMSG 2.2.1: a .msg holds at most 2048 recipient rows; the rest would be unwritable.
        diag.report('LIMIT_EXCEEDED', `more than ${MESSAGE_LIMITS.recipients} recipients; the rest are not in the recipient table`, where);
        break;
      }
      addRecipient(m, type, a);
      display[type]!.push(a.displayName);
    }
  }
  if (display[RecipientType.To]!.length) p.set(PidTagDisplayTo, display[RecipientType.To]!.join('; '));
  if (display[RecipientType.Cc]!.length) p.set(PidTagDisplayCc, display[RecipientType.Cc]!.join('; '));
  if (display[RecipientType.Bcc]!.length) p.set(PidTagDisplayBcc, display[RecipientType.Bcc]!.join('; '));

  // 2.2.3.1.6 Reply-To -> names + FLATENTRYLIST of one-off entry IDs.
  const replyTo = addresses(e, 'reply-to');
  if (replyTo.length) {
    p.set(PidTagReplyRecipientNames, replyTo.map((a) => a.displayName).join('; '));
    p.set(PidTagReplyRecipientEntries, flatEntryList(replyTo.map((a) => oneOffEntryId(a.displayName, a.addressType, a.address))));
  }
  // 2.2.3.1.7 Disposition-Notification-To.
  const dnt = addresses(e, 'disposition-notification-to');
  if (dnt[0]) {
    p.set(PidTagReadReceiptRequested, true);
    setAddressGroup(p, READ_RECEIPT, dnt[0]);
  }
  // 2.2.3.1.8 Return-Receipt-To: the value is ignored.
  if (getFields(e, 'return-receipt-to').length) p.set(PidTagOriginatorDeliveryReportRequested, true);

  // 2.2.3.2.6 Subject -> PidTagSubject, PidTagSubjectPrefix, PidTagNormalizedSubject.
  const subject = firstText(e, 'subject');
  let normalized: string | undefined;
  if (subject !== undefined) {
    const s = splitSubject(subject);
    normalized = s.normalized;
    p.set(PidTagSubject, subject);
    p.set(PidTagSubjectPrefix, s.prefix);
    p.set(PidTagNormalizedSubject, s.normalized);
  }
  // 2.2.3.2.7 Thread-Topic (default: the normalized subject); 2.2.3.2.8 Thread-Index (ignored if invalid).
  const topic = firstText(e, 'thread-topic') ?? normalized;
  if (topic !== undefined) p.set(PidTagConversationTopic, topic);
  const tindex = firstText(e, 'thread-index');
  if (tindex !== undefined) {
    const t = tindex.replace(/\s+/g, '');
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(t) && t.length % 4 === 0) p.set(PidTagConversationIndex, decodeBase64(latin1Bytes(t)));
    else diag.warnings.push({ code: 'MIME_HEADER_MALFORMED', message: 'Thread-Index is not base64; ignored (MS-OXCMAIL 2.2.3.2.8)', location: where });
  }

  // 2.2.3.2.2 Date -> client submit time (UTC, whole seconds); the current time when missing or invalid.
  const dateText = firstText(e, 'date');
  let date = dateText !== undefined ? parseDate(dateText) : undefined;
  if (dateText !== undefined && date === undefined) {
    diag.report('MIME_HEADER_MALFORMED', `Date is not an RFC 5322 date: ${JSON.stringify(dateText.slice(0, 80))}`, where);
  }
  if (date === undefined || Number.isNaN(date.getTime())) date = new Date();
  date = new Date(Math.floor(date.getTime() / 1000) * 1000);
  p.setTime(PidTagClientSubmitTime, date);
  p.setTime(PidTagMessageDeliveryTime, date);

  // 2.2.3.2.1 Message-ID (verbatim, with <>); 2.2.3.2.3 References; 2.2.3.2.9 In-Reply-To.
  const msgId = firstText(e, 'message-id');
  if (msgId) p.set(PidTagInternetMessageId, msgId);
  const refs = firstText(e, 'references');
  if (refs) p.set(PidTagInternetReferences, refs.length > 65536 ? refs.slice(refs.length - 65536) : refs);
  const irt = firstText(e, 'in-reply-to');
  if (irt) p.set(PidTagInReplyToId, irt);

  // 2.2.3.2.5 Importance (normal when no header says otherwise); 2.2.3.2.4 Sensitivity.
  p.set(PidTagImportance, importanceOf(e) ?? 1);
  const sens = firstText(e, 'sensitivity');
  if (sens !== undefined) {
    const v = SENSITIVITY[sens.trim().toLowerCase()];
    if (v !== undefined) p.set(PidTagSensitivity, v);
  }
  // 2.2.3.2.12 Keywords -> PidNameKeywords: split on commas, trimmed.
  const kw = firstText(e, 'keywords');
  if (kw !== undefined) {
    const words = kw.split(',').map((w) => w.trim()).filter((w) => w !== '');
    if (words.length) p.setNamed(PidNameKeywords, PT_MV_UNICODE, words);
  }
  // 2.2.3.2.10 Content-Language -> PidTagMessageLocaleId.
  const lang = firstText(e, 'content-language');
  if (lang !== undefined) {
    const lcid = languageToLcid(lang);
    if (lcid !== undefined) p.set(PidTagMessageLocaleId, lcid);
  }

  // 2.2.3.2.13-14 Expires / Expiry-Date -> PidTagExpiryTime; Reply-By -> PidTagReplyTime.
  const expires = firstText(e, 'expires') ?? firstText(e, 'expiry-date');
  const expiresDate = expires !== undefined ? parseDate(expires) : undefined;
  if (expiresDate) p.setTime(PidTagExpiryTime, expiresDate);
  const replyBy = firstText(e, 'reply-by');
  const replyByDate = replyBy !== undefined ? parseDate(replyBy) : undefined;
  if (replyByDate) p.setTime(PidTagReplyTime, replyByDate);
  // 2.2.3.2.15 X-Auto-Response-Suppress -> PidTagAutoResponseSuppress (comma-separated tokens; All, None).
  const ars = firstText(e, 'x-auto-response-suppress');
  if (ars !== undefined) {
    let bits = 0;
    for (const tok of ars.split(',').map((t) => t.trim().toLowerCase())) {
      if (tok === 'all') bits = 0xffffffff | 0;
      else bits |= AUTO_RESPONSE_SUPPRESS[tok] ?? 0;
    }
    p.set(PidTagAutoResponseSuppress, bits);
  }
  // 2.2.3.2.16 X-Message-Flag -> PidLidFlagRequest.
  const flag = firstText(e, 'x-message-flag');
  if (flag) p.setNamed(PidLidFlagRequest, PT_UNICODE, flag);

  // 2.2.3.2.28 the transport header block.
  if (e.fields.length) p.set(PidTagTransportMessageHeaders, transportHeaders(e));

  // 2.2.3.2.29 every other field as a PS_INTERNET_HEADERS property; the first instance wins.
  for (const f of e.fields) {
    if (!keepsAsInternetHeader(f.lname) || !/^[\x21-\x39\x3b-\x7e]+$/.test(f.name)) continue;
    const named = internetHeader(f.lname);
    if (p.getNamed(named)) continue;
    p.setNamed(named, PT_UNICODE, decoded(e, f));
  }

  // MS-OXCMSG 2.2.1.6 / fact sheet 5.1: imported mail is read, never unsent.
  p.set(PidTagMessageFlags, MessageFlags.mfRead);
  if (!p.has(PidTagMessageClass)) p.set(PidTagMessageClass, 'IPM.Note');
}
