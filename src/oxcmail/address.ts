/**
 * Internet addresses as MAPI address properties (MS-OXCMAIL 2.2.3.1.1): display name, address
 * type "SMTP", e-mail address, one-off entry ID, search key; IMCEA de-encapsulation
 * (MS-OXCMAIL 2.1.3.1.2 / 2.2.3.1.1); and the reverse (2.1.3.1.1: which address to write).
 */
import { parseAddressList } from '../mime/index.js';
import { decodeHeaderText } from './decode.js';
import {
  type MessageObject, PropertyBag, PidTagAddressType, PidTagDisplayName, PidTagDisplayType, PidTagEmailAddress,
  PidTagEntryId, PidTagObjectType, PidTagRecipientDisplayName, PidTagRecipientEntryId, PidTagRecipientFlags,
  PidTagRecipientType, PidTagRowid, PidTagSearchKey, PidTagSmtpAddress,
} from '../mapi/index.js';
import { OneOffFlags, oneOffEntryId, parseOneOffEntryId, searchKey } from './entryid.js';

/** One address as promoted into a property group. */
export interface MapiAddress {
  displayName: string;
  addressType: string;
  address: string;
  /** The SMTP address, when there is one (not for de-encapsulated IMCEA addresses of other types). */
  smtp?: string;
}

/**
 * IMCEA de-encapsulation (MS-OXCMAIL 2.2.3.1.1): `IMCEA<type>-<encoded>@domain`, where `_` is
 * `/` and `+XX` is the byte 0xXX. Undefined when `address` is not IMCEA-encapsulated.
 */
export function decodeImcea(address: string): { addressType: string; address: string } | undefined {
  const m = /^IMCEA([A-Za-z0-9]+)-(.+)@[^@]*$/i.exec(address);
  if (!m) return undefined;
  const type = m[1]!.toUpperCase();
  const enc = m[2]!;
  let out = '';
  for (let i = 0; i < enc.length; i++) {
    const c = enc[i]!;
    if (c === '_') out += '/';
    else if (c === '+' && /^[0-9A-Fa-f]{2}$/.test(enc.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(enc.slice(i + 1, i + 3), 16));
      i += 2;
    } else out += c;
  }
  return { addressType: type, address: out };
}

/** IMCEA encapsulation (MS-OXCMAIL 2.1.3.1.2) of a non-SMTP address, for writing it as an Internet address. */
export function encodeImcea(addressType: string, address: string, domain = 'invalid'): string {
  let enc = '';
  for (const ch of address) {
    const c = ch.codePointAt(0)!;
    if (ch === '/') enc += '_';
    else if (c > 0x20 && c < 0x7f && !'+@_()<>,;:\\"[]'.includes(ch)) enc += ch;
    else if (c < 0x100) enc += `+${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else enc += '+3F';
  }
  // the type is an atom of letters and digits (MS-OXCMAIL 2.1.3.1.2); anything else would break the address
  const type = addressType.toUpperCase().replace(/[^A-Z0-9]/g, '') || 'UNKNOWN';
  return `IMCEA${type}-${enc}@${domain}`;
}

/**
 * Parse an address header value (unfolded, not RFC 2047-decoded) into MAPI addresses
 * (MS-OXCMAIL 2.2.3.1.1): comments ignored, display name = the decoded phrase or else the
 * address, type "SMTP". Group names and empty groups yield nothing; their members are kept.
 */
export function parseMapiAddresses(text: string): MapiAddress[] {
  const out: MapiAddress[] = [];
  let list: ReturnType<typeof parseAddressList>;
  try {
    list = parseAddressList(text);
  } catch {
    return out;
  }
  for (const mb of list) {
    const address = (mb.address ?? '').trim();
    if (!address) continue;
    const rawName = (mb.name ?? '').trim();
    const name = rawName.includes('=?') ? decodeHeaderText(rawName) : rawName;
    const imcea = decodeImcea(address);
    if (imcea) {
      out.push({ displayName: name || imcea.address, addressType: imcea.addressType, address: imcea.address, smtp: imcea.addressType === 'SMTP' ? imcea.address : undefined });
    } else {
      out.push({ displayName: name || address, addressType: 'SMTP', address, smtp: address });
    }
  }
  return out;
}

/** Tags of one sender-like property group (PidTagSender*, PidTagSentRepresenting*, ...). */
export interface AddressGroupTags {
  name: number;
  addressType?: number;
  emailAddress?: number;
  entryId?: number;
  searchKey?: number;
  smtpAddress?: number;
  /** A multi-valued proxy address list (`SMTP:a@b`, MS-OXOABK 2.2.3.23). */
  proxyAddresses?: number;
  /** Further display-name properties, used when `name` is absent (PidTagRecipientDisplayName, ...). */
  altNames?: number[];
}

/** Fill a property group from one address (MS-OXCMAIL 2.2.3.1.3 / 2.2.3.1.4). */
export function setAddressGroup(bag: PropertyBag, g: AddressGroupTags, a: MapiAddress, oneOffFlags: number = OneOffFlags.Unicode): void {
  bag.set(g.name, a.displayName);
  if (g.addressType !== undefined) bag.set(g.addressType, a.addressType);
  if (g.emailAddress !== undefined) bag.set(g.emailAddress, a.address);
  if (g.entryId !== undefined) bag.set(g.entryId, oneOffEntryId(a.displayName, a.addressType, a.address, oneOffFlags));
  if (g.searchKey !== undefined) bag.set(g.searchKey, searchKey(a.addressType, a.address));
  if (g.smtpAddress !== undefined && a.smtp !== undefined) bag.set(g.smtpAddress, a.smtp);
}

/**
 * Append one recipient row (MS-OXCMAIL 2.2.3.1.5, MS-OXOMSG 2.2.3; Outlook-observed set from the
 * fact sheet 1.8): type, names, address type, address, SMTP address, one-off entry ID (as both
 * PidTagEntryId and PidTagRecipientEntryId), search key, display type 0 (DT_MAILUSER), row id,
 * object type 6 (MAPI_MAILUSER), recipient flags 1 (recipSendable).
 */
export function addRecipient(m: MessageObject, type: number, a: MapiAddress): void {
  const row = new PropertyBag();
  const entryId = oneOffEntryId(a.displayName, a.addressType, a.address, OneOffFlags.Unicode | OneOffFlags.NoRichInfo);
  row.set(PidTagRecipientType, type);
  row.set(PidTagDisplayName, a.displayName);
  row.set(PidTagAddressType, a.addressType);
  row.set(PidTagEmailAddress, a.address);
  if (a.smtp !== undefined) row.set(PidTagSmtpAddress, a.smtp);
  row.set(PidTagEntryId, entryId);
  row.set(PidTagRecipientEntryId, entryId);
  row.set(PidTagSearchKey, searchKey(a.addressType, a.address));
  row.set(PidTagDisplayType, 0);
  row.set(PidTagRowid, m.recipients.length);
  row.set(PidTagObjectType, 6);
  row.set(PidTagRecipientDisplayName, a.displayName);
  row.set(PidTagRecipientFlags, 1);
  m.recipients.push(row);
}

/** RFC 5322 3.4.1 addr-spec as stored by Outlook (no route, no spaces): what "already an SMTP address" means. */
const SMTP_LIKE = /^[^\s@<>()[\]\\,;:"/]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
/** True when `s` is a plain SMTP address (`local@domain.tld`), not an X.500 DN or an IMCEA form. */
export function isSmtpAddress(s: string | undefined): s is string {
  return s !== undefined && s.length <= 320 && SMTP_LIKE.test(s) && !/^IMCEA[A-Za-z0-9]+-/i.test(s);
}

/** PidTagAddressBookProxyAddresses (MS-OXOABK 2.2.3.23): `SMTP:` marks the primary address, `smtp:` others. */
const PidTagAddressBookProxyAddresses = 0x800f101f;

/** The primary (else the first) SMTP address of a proxy address list (MS-OXOABK 2.2.3.23). */
export function proxySmtpAddress(values: unknown): string | undefined {
  if (!Array.isArray(values)) return undefined;
  const smtp = values.filter((v): v is string => typeof v === 'string' && /^smtp:/i.test(v));
  const primary = smtp.find((v) => v.startsWith('SMTP:')) ?? smtp[0];
  const a = primary?.slice(5).trim();
  return isSmtpAddress(a) ? a : undefined;
}

/** Where {@link groupAddress} found the address (for diagnostics and tests). */
export type AddressSource = 'one-off' | 'smtp-type' | 'smtp-property' | 'proxy' | 'ex-smtp' | 'fallback' | 'imcea' | 'display-name' | 'none';

/** An address chosen for an Internet header: display name (may be empty) and address (empty when there is none). */
export interface ChosenAddress {
  name: string;
  address: string;
  source: AddressSource;
}

/**
 * The Internet address of a property group (MS-OXCMAIL 2.1.3.1.1 for recipients, 2.1.3.1.3 /
 * 2.1.3.1.4 for From / Sender), in this order:
 * 1. a one-off entry ID of type SMTP ([MS-OXCDATA] 2.2.5.1): its address;
 * 2. PidTagAddressType "SMTP" with PidTagEmailAddress;
 * 3. the SMTP address property of the group (PidTagSmtpAddress, PidTagSenderSmtpAddress,
 *    PidTagSentRepresentingSmtpAddress, ...), which 2.1.3.1.1 says clients set "particularly to
 *    save the SMTP address when the value of the PidTagAddressType property is not SMTP";
 * 4. the primary SMTP proxy address (PidTagAddressBookProxyAddresses, MS-OXOABK 2.2.3.23);
 * 5. an e-mail address of another type (EX, or a one-off of another type) that is already a
 *    plain SMTP address;
 * 6. `fallback` (e.g. the From field of PidTagTransportMessageHeaders for a received message);
 * 7. the IMCEA encapsulation of the native address (MS-OXCMAIL 2.1.3.1.2), which is not deliverable
 *    but keeps the information.
 * With no address at all, a display name that is itself an SMTP address is the address; any
 * other display name gives an empty address (written as an RFC 5322 group without members);
 * undefined when there is neither.
 */
export function groupAddress(bag: PropertyBag, g: AddressGroupTags, fallback?: { name?: string; address: string }): ChosenAddress | undefined {
  const entry = g.entryId !== undefined ? bag.getBinary(g.entryId) : undefined;
  const oneOff = entry ? parseOneOffEntryId(entry) : undefined;
  const type = g.addressType !== undefined ? bag.getString(g.addressType)?.trim() : undefined;
  const email = g.emailAddress !== undefined ? bag.getString(g.emailAddress)?.trim() : undefined;
  const smtp = g.smtpAddress !== undefined ? bag.getString(g.smtpAddress)?.trim() : undefined;
  let address: string | undefined;
  let source: AddressSource = 'none';
  const pick = (a: string | undefined, s: AddressSource): boolean => {
    if (address !== undefined || !a) return false;
    address = a;
    source = s;
    return true;
  };
  if (oneOff && oneOff.addressType.toUpperCase() === 'SMTP' && oneOff.address?.includes('@')) pick(oneOff.address.trim(), 'one-off');
  if (email && (type === undefined || type === '' || type.toUpperCase() === 'SMTP') && email.includes('@')) pick(email, 'smtp-type');
  if (isSmtpAddress(smtp)) pick(smtp, 'smtp-property');
  if (g.proxyAddresses !== undefined) pick(proxySmtpAddress(bag.get(g.proxyAddresses)?.value), 'proxy');
  pick(proxySmtpAddress(bag.get(PidTagAddressBookProxyAddresses)?.value), 'proxy');
  if (isSmtpAddress(email)) pick(email, 'ex-smtp');
  if (oneOff && isSmtpAddress(oneOff.address)) pick(oneOff.address, 'ex-smtp');
  if (fallback && isSmtpAddress(fallback.address)) pick(fallback.address, 'fallback');
  // an SMTP-typed address that is not an address (`'`, empty) is no address; other types are encapsulated
  if (email && type && type.toUpperCase() !== 'SMTP') pick(encodeImcea(type, email), 'imcea');
  if (oneOff && oneOff.address && oneOff.addressType.toUpperCase() !== 'SMTP') pick(encodeImcea(oneOff.addressType || 'X', oneOff.address), 'imcea');
  const name = (bag.getString(g.name) ?? (g.altNames ?? []).map((t) => bag.getString(t)).find((s) => s) ?? oneOff?.displayName ?? ((source as AddressSource) === 'fallback' ? fallback?.name : undefined) ?? '').trim();
  // no address anywhere, but the display name is one (Outlook shows typed-in addresses so): use it
  if (address === undefined && isSmtpAddress(name)) return { name: '', address: name, source: 'display-name' };
  if (address === undefined) return name ? { name, address: '', source: 'none' } : undefined;
  return { name: name === address ? '' : name, address, source };
}
