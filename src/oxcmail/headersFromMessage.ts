/**
 * Message properties -> envelope header fields (MS-OXCMAIL 2.1.3.1 addresses, 2.1.3.2 other
 * fields; fact sheet 3.4). Values are unencoded text except addresses, which are formatted
 * mailboxes; `foldHeader` from src/mime encodes and folds.
 */
import { formatDate, formatMailbox, parseAddressList } from '../mime/index.js';
import {
  type MessageObject, PidNameKeywords, PidTagClientSubmitTime, PidTagConversationIndex, PidTagConversationTopic,
  PidTagImportance, PidTagInReplyToId, PidTagInternetMessageId, PidTagInternetReferences, PidTagMessageLocaleId,
  PidTagNormalizedSubject, PidTagReadReceiptRequested, PidTagRecipientType, PidTagReplyRecipientEntries,
  PidTagReplyRecipientNames, PidTagSensitivity, PidTagSubject, PidTagSubjectPrefix, PS_INTERNET_HEADERS,
  PidTagAddressType, PidTagDisplayName, PidTagEmailAddress, PidTagEntryId, PidTagSmtpAddress, PidTagRecipientEntryId,
  RecipientType, PidTagExpiryTime, PidTagReplyTime, PidTagAutoResponseSuppress, PidTagMessageDeliveryTime,
  PidTagCreationTime, PidTagTransportMessageHeaders, PidTagSentRepresentingName, PidTagSenderName,
  PidTagRecipientDisplayName, PidTagSentRepresentingEmailAddress, PidTagSenderEmailAddress,
} from '../mapi/index.js';
import { type AddressGroupTags, type AddressSource, type ChosenAddress, groupAddress } from './address.js';
import { Diagnostics } from '../errors.js';
import { lcidToLanguage } from './codepage.js';
import { parseFlatEntryList, parseOneOffEntryId } from './entryid.js';
import { INTERNET_HEADER_SKIP, MAPPED_HEADERS, PidLidFlagRequest, READ_RECEIPT, SENDER, SENT_REPRESENTING } from './promoteHeaders.js';

const RECIPIENT: AddressGroupTags = {
  name: PidTagDisplayName, addressType: PidTagAddressType, emailAddress: PidTagEmailAddress, entryId: PidTagEntryId,
  smtpAddress: PidTagSmtpAddress, altNames: [PidTagRecipientDisplayName, 0x3a20001f /* PidTagTransmittableDisplayName */],
};
const RECIPIENT_ALT: AddressGroupTags = { ...RECIPIENT, entryId: PidTagRecipientEntryId };

// Words whose customary capitalisation is not "first letter upper".
const SPECIAL_WORDS: Record<string, string> = {
  id: 'ID', mime: 'MIME', ms: 'MS', msmail: 'MSMail', mimeole: 'MimeOLE', dkim: 'DKIM', arc: 'ARC', spf: 'SPF',
  smtp: 'SMTP', ip: 'IP', uid: 'UID', url: 'URL', tnef: 'TNEF', crm: 'CRM', eop: 'EOP', atp: 'ATP', ssl: 'SSL',
  tls: 'TLS', av: 'AV', lcid: 'LCID', uri: 'URI', oob: 'OOB', scl: 'SCL', pcl: 'PCL', bcl: 'BCL',
};

/** Re-case a lower-case header name: `x-mailer` -> `X-Mailer`, `message-id` -> `Message-ID`. */
export function headerCase(lname: string): string {
  return lname.split('-').map((w) => SPECIAL_WORDS[w.toLowerCase()] ?? (w ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : w)).join('-');
}

function mailbox(a: { name: string; address: string } | undefined): string | undefined {
  if (!a) return undefined;
  const s = formatMailbox({ name: a.name || undefined, address: a.address });
  return s || undefined;
}

const RANK: Record<AddressSource, number> = { 'one-off': 0, 'smtp-type': 1, 'smtp-property': 2, proxy: 3, 'ex-smtp': 4, fallback: 5, imcea: 6, 'display-name': 7, none: 8 };
function better(a: ChosenAddress | undefined, b: ChosenAddress | undefined): ChosenAddress | undefined {
  if (!a) return b;
  if (!b) return a;
  return RANK[b.source] < RANK[a.source] ? { ...b, name: a.name || b.name } : a;
}

function where(type: number, i: number): { streamPath: string } {
  return { streamPath: `__recip_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')} (${type === RecipientType.To ? 'To' : 'Cc'})` };
}

/**
 * The To or Cc header of `m` (MS-OXCMAIL 2.1.3.1.1: one MIME recipient per recipient row of that
 * type, PidTagRecipientType & 3 per the MAY of that section). A recipient without any address
 * but with a display name is written as an empty RFC 5322 3.4 group (`Name:;`), which mail
 * readers show by name, with a warning; never dropped silently.
 */
function recipients(m: MessageObject, type: number, diag: Diagnostics): string[] {
  const out: string[] = [];
  m.recipients.forEach((row, i) => {
    if (((row.getNumber(PidTagRecipientType) ?? RecipientType.To) & 0x3) !== type) return;
    const a = better(groupAddress(row, RECIPIENT), groupAddress(row, RECIPIENT_ALT));
    if (!a) {
      diag.note('OXCMAIL_ADDRESS_MISSING', 'recipient has neither an address nor a display name; not written', where(type, i));
      return;
    }
    if (!a.address) diag.note('OXCMAIL_ADDRESS_MISSING', `recipient "${a.name}" has no address; written as the empty group "${a.name}:;"`, where(type, i));
    else if (a.source === 'imcea') diag.note('OXCMAIL_ADDRESS_NOT_SMTP', `recipient "${a.name}" has no SMTP address; written IMCEA-encapsulated (MS-OXCMAIL 2.1.3.1.2)`, where(type, i));
    const s = mailbox(a);
    if (s) out.push(s);
  });
  return out;
}

/**
 * The first mailbox of a field of PidTagTransportMessageHeaders (the received message's own
 * header block, MS-OXCMAIL 2.2.3.2.28). Scans the lines once; undefined when absent.
 */
function transportMailbox(m: MessageObject, field: string): { name?: string; address: string } | undefined {
  const text = m.properties.getString(PidTagTransportMessageHeaders);
  if (!text) return undefined;
  const lines = text.split(/\r?\n/);
  const want = field + ':';
  for (let i = 0; i < lines.length && lines[i] !== ''; i++) {
    const l = lines[i]!;
    if (l.length < want.length || l.slice(0, want.length).toLowerCase() !== want) continue;
    let v = l.slice(want.length);
    for (let j = i + 1; j < lines.length && /^[ \t]/.test(lines[j]!) && v.length < 4096; j++) v += ' ' + lines[j]!.trim();
    return parseAddressList(v.slice(0, 4096))[0];
  }
  return undefined;
}

/** Transport From/Sender is used only when it names the same person (or nobody). */
function sameName(fallback: { name?: string } | undefined, name: string | undefined): boolean {
  return !!fallback && (!fallback.name || !name || fallback.name.trim().toLowerCase() === name.trim().toLowerCase());
}

/** Reply-To from PidTagReplyRecipientEntries (+ names when the counts agree) (MS-OXCMAIL 2.1.3.1.4). */
function replyTo(m: MessageObject): string[] {
  const flat = m.properties.getBinary(PidTagReplyRecipientEntries);
  if (!flat) return [];
  const entries = parseFlatEntryList(flat);
  const names = (m.properties.getString(PidTagReplyRecipientNames) ?? '').split(';').map((s) => s.trim());
  const useNames = names.length === entries.length;
  const out: string[] = [];
  entries.forEach((id, i) => {
    const o = parseOneOffEntryId(id);
    if (!o || !o.address) return;
    const name = useNames ? names[i]! : o.displayName;
    const s = mailbox({ name: name === o.address ? '' : name, address: o.address });
    if (s) out.push(s);
  });
  return out;
}

function sameAddress(a?: { address: string }, b?: { address: string }): boolean {
  return !!a && !!b && a.address.toLowerCase() === b.address.toLowerCase();
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Options for {@link headersFromMessage}. */
export interface HeadersFromMessageOptions {
  /** Where facts about the output go (IMCEA or missing addresses); default: dropped. */
  diag?: Diagnostics;
}

/**
 * The time of the message for the Date field: PidTagClientSubmitTime (MS-OXCMAIL 2.1.3.2.7),
 * else PidTagMessageDeliveryTime, else PidTagCreationTime (the message's own times, as
 * msgconvert uses them); undefined when none is a valid time.
 */
export function messageDate(m: MessageObject): Date | undefined {
  for (const tag of [PidTagClientSubmitTime, PidTagMessageDeliveryTime, PidTagCreationTime]) {
    const d = m.properties.getTime(tag);
    if (d && !Number.isNaN(d.getTime())) return d;
  }
  return undefined;
}

/**
 * The envelope header fields of `m` (MS-OXCMAIL 2.1.3; fact sheet 3.4), in this order: From
 * (sent-representing), Sender (only when different), To, Cc (never Bcc), Reply-To, Subject
 * (prefix + normalized subject, else PidTagSubject), Date (client submit time), Message-ID,
 * In-Reply-To, References, Importance (not for normal), Sensitivity (not for 0), Keywords,
 * Content-Language (from the locale ID), Thread-Topic, Thread-Index (base64), Expires, Reply-By,
 * X-Auto-Response-Suppress, X-Message-Flag, Disposition-Notification-To, then the
 * PS_INTERNET_HEADERS string properties that no other property maps and that are not MIME
 * structure fields (`content-*`, `mime-version`).
 * Nothing is generated: a property that is absent gives no field.
 */
export function headersFromMessage(m: MessageObject, opts: HeadersFromMessageOptions = {}): Array<[string, string]> {
  const diag = opts.diag ?? new Diagnostics(false);
  const p = m.properties;
  const out: Array<[string, string]> = [];
  const tFrom = transportMailbox(m, 'from');
  const tSender = transportMailbox(m, 'sender') ?? tFrom;
  const repName = p.getString(PidTagSentRepresentingName);
  const sndName = p.getString(PidTagSenderName);
  let from = groupAddress(p, SENT_REPRESENTING, sameName(tFrom, repName ?? sndName) ? tFrom : undefined)
    ?? groupAddress(p, SENDER, sameName(tFrom, sndName) ? tFrom : undefined);
  const sender = groupAddress(p, SENDER, sameName(tSender, sndName) ? tSender : undefined);
  // The same person in both groups (same native address): the sender group's SMTP address serves From too.
  const repNative = p.getString(PidTagSentRepresentingEmailAddress)?.toLowerCase();
  if (from && sender && RANK[from.source] >= RANK.imcea && RANK[sender.source] < RANK.imcea
    && (repNative === undefined || repNative === p.getString(PidTagSenderEmailAddress)?.toLowerCase())) {
    from = { ...from, address: sender.address, source: sender.source };
  }
  const fromText = mailbox(from);
  if (fromText) out.push(['From', fromText]);
  if (from?.source === 'imcea') diag.note('OXCMAIL_ADDRESS_NOT_SMTP', `the sender "${from.name}" has no SMTP address in the message; From is IMCEA-encapsulated (MS-OXCMAIL 2.1.3.1.2)`, { propertyTag: '0x0065001F' });
  else if (from && !from.address) diag.note('OXCMAIL_ADDRESS_MISSING', `the sender "${from.name}" has no address; From is the empty group "${from.name}:;"`, { propertyTag: '0x0065001F' });
  // MS-OXCMAIL 2.1.3.1.4: Sender only when it is not the From mailbox.
  if (sender && from && sender.address && !sameAddress(sender, from)) out.push(['Sender', mailbox(sender)!]);
  const to = recipients(m, RecipientType.To, diag);
  if (to.length) out.push(['To', to.join(', ')]);
  const cc = recipients(m, RecipientType.Cc, diag);
  if (cc.length) out.push(['Cc', cc.join(', ')]);
  const rt = replyTo(m);
  if (rt.length) out.push(['Reply-To', rt.join(', ')]);
  const prefix = p.getString(PidTagSubjectPrefix);
  const normalized = p.getString(PidTagNormalizedSubject);
  const subject = normalized !== undefined ? (prefix ?? '') + normalized : p.getString(PidTagSubject);
  if (subject !== undefined) out.push(['Subject', subject]);
  const date = messageDate(m);
  if (date) out.push(['Date', formatDate(date)]);
  const mid = p.getString(PidTagInternetMessageId);
  if (mid) out.push(['Message-ID', mid]);
  const irt = p.getString(PidTagInReplyToId);
  if (irt) out.push(['In-Reply-To', irt]);
  const refs = p.getString(PidTagInternetReferences);
  if (refs) out.push(['References', refs]);
  const imp = p.getNumber(PidTagImportance);
  if (imp === 0) out.push(['Importance', 'low']);
  else if (imp === 2) out.push(['Importance', 'high']);
  const sens = p.getNumber(PidTagSensitivity);
  const sensName = sens === undefined ? undefined : ['', 'Personal', 'Private', 'Company-Confidential'][sens];
  if (sensName) out.push(['Sensitivity', sensName]);
  const kw = p.getNamed(PidNameKeywords)?.value;
  if (Array.isArray(kw) && kw.length) out.push(['Keywords', kw.map(String).join(', ')]);
  const lcid = p.getNumber(PidTagMessageLocaleId);
  const lang = lcid !== undefined ? lcidToLanguage(lcid) : undefined;
  if (lang) out.push(['Content-Language', lang]);
  const topic = p.getString(PidTagConversationTopic);
  if (topic !== undefined && topic !== '') out.push(['Thread-Topic', topic]);
  const tindex = p.getBinary(PidTagConversationIndex);
  if (tindex && tindex.length) out.push(['Thread-Index', base64(tindex)]);
  const expires = p.getTime(PidTagExpiryTime);
  if (expires && !Number.isNaN(expires.getTime())) out.push(['Expires', formatDate(expires)]);
  const replyBy = p.getTime(PidTagReplyTime);
  if (replyBy && !Number.isNaN(replyBy.getTime())) out.push(['Reply-By', formatDate(replyBy)]);
  const ars = p.getNumber(PidTagAutoResponseSuppress);
  if (ars !== undefined && ars !== 0) {
    const names = (ars >>> 0) === 0xffffffff ? ['All'] : Object.entries({ DR: 0x01, NDR: 0x02, RN: 0x04, NRN: 0x08, OOF: 0x10, AutoReply: 0x20 }).filter(([, b]) => ars & b).map(([n]) => n);
    if (names.length) out.push(['X-Auto-Response-Suppress', names.join(', ')]);
  }
  const flag = p.getNamedString(PidLidFlagRequest);
  if (flag) out.push(['X-Message-Flag', flag]);
  if (p.getBoolean(PidTagReadReceiptRequested)) {
    const rr = groupAddress(p, READ_RECEIPT) ?? from;
    const s = mailbox(rr);
    if (s) out.push(['Disposition-Notification-To', s]);
  }
  // MS-OXCMAIL 2.1.3.2.4: PS_INTERNET_HEADERS strings are re-emitted unless another property maps them.
  const seen = new Set(out.map(([n]) => n.toLowerCase()));
  for (const prop of p) {
    if (prop.key.kind !== 'named' || prop.key.named.guid !== PS_INTERNET_HEADERS || prop.key.named.name === undefined) continue;
    if (typeof prop.value !== 'string') continue;
    const lname = prop.key.named.name.toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(lname)) continue;
    if (seen.has(lname) || MAPPED_HEADERS.has(lname) || INTERNET_HEADER_SKIP.has(lname)) continue;
    if (lname === 'mime-version' || (lname.startsWith('content-') && lname !== 'content-class')) continue;
    seen.add(lname);
    out.push([headerCase(lname), prop.value]);
  }
  return out;
}
