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
  return `IMCEA${addressType.toUpperCase()}-${enc}@${domain}`;
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

/**
 * The Internet address of a property group, by MS-OXCMAIL 2.1.3.1.1 preference: a one-off entry
 * ID's SMTP address; the e-mail address when the type is SMTP; the SMTP address property; an
 * IMCEA-encapsulated form of any other address. Undefined when the group has no address.
 */
export function groupAddress(bag: PropertyBag, g: AddressGroupTags): { name: string; address: string } | undefined {
  const entry = g.entryId !== undefined ? bag.getBinary(g.entryId) : undefined;
  const oneOff = entry ? parseOneOffEntryId(entry) : undefined;
  const type = g.addressType !== undefined ? bag.getString(g.addressType) : undefined;
  const email = g.emailAddress !== undefined ? bag.getString(g.emailAddress) : undefined;
  const smtp = g.smtpAddress !== undefined ? bag.getString(g.smtpAddress) : undefined;
  let address: string | undefined;
  if (oneOff && oneOff.addressType.toUpperCase() === 'SMTP' && oneOff.address) address = oneOff.address;
  else if (email && (type === undefined || type.toUpperCase() === 'SMTP') && email.includes('@')) address = email;
  else if (smtp) address = smtp;
  else if (email && type) address = encodeImcea(type, email);
  else if (oneOff && oneOff.address) address = encodeImcea(oneOff.addressType || 'X', oneOff.address);
  if (address === undefined) return undefined;
  const name = bag.getString(g.name) ?? oneOff?.displayName ?? '';
  return { name: name === address ? '' : name, address };
}
