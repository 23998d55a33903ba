/**
 * Named properties (MS-OXPROPS 1.3.2, MS-OXCDATA 2.6): a property set GUID plus a string name or a
 * numeric LID. GUIDs are kept in canonical upper-case form without braces.
 */

/** A named-property identity: property set + either a string `name` or a numeric `lid`. */
export interface NamedId {
  guid: string;
  name?: string;
  lid?: number;
}

export const PS_MAPI = '00020328-0000-0000-C000-000000000046';
export const PS_PUBLIC_STRINGS = '00020329-0000-0000-C000-000000000046';
export const PS_INTERNET_HEADERS = '00020386-0000-0000-C000-000000000046';
export const PSETID_Common = '00062008-0000-0000-C000-000000000046';
export const PSETID_Address = '00062004-0000-0000-C000-000000000046';
export const PSETID_Appointment = '00062002-0000-0000-C000-000000000046';
export const PSETID_Task = '00062003-0000-0000-C000-000000000046';
export const PSETID_Messaging = '41F28F13-83F4-4114-A584-EEDB5A6B0BFF';
export const PSETID_Attachment = '96357F7F-59E1-47D0-99A7-46515C183B54';

const SET_NAMES: Record<string, string> = {
  [PS_MAPI]: 'PS_MAPI', [PS_PUBLIC_STRINGS]: 'PS_PUBLIC_STRINGS', [PS_INTERNET_HEADERS]: 'PS_INTERNET_HEADERS',
  [PSETID_Common]: 'PSETID_Common', [PSETID_Address]: 'PSETID_Address', [PSETID_Appointment]: 'PSETID_Appointment',
  [PSETID_Task]: 'PSETID_Task', [PSETID_Messaging]: 'PSETID_Messaging', [PSETID_Attachment]: 'PSETID_Attachment',
};

/** `PS_INTERNET_HEADERS` for a known set GUID, undefined otherwise. */
export function propertySetName(guid: string): string | undefined {
  return SET_NAMES[normalizeGuid(guid)];
}

/** Upper-case, no braces: `00020386-0000-0000-C000-000000000046`. */
/** True for a GUID in registry form, braces optional (`00020329-0000-0000-C000-000000000046`). */
export function isGuid(s: string): boolean {
  return /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/.test(s);
}

export function normalizeGuid(guid: string): string {
  return guid.replace(/[{}]/g, '').toUpperCase();
}

/**
 * Canonical form of a named id. Names in PS_INTERNET_HEADERS are header names and compared
 * case-insensitively; they are kept in lower case, as Outlook stores them (MS-OXMSG note <1>).
 */
export function normalizeNamed(n: NamedId): NamedId {
  const guid = normalizeGuid(n.guid);
  if (n.name !== undefined) {
    return { guid, name: guid === PS_INTERNET_HEADERS ? n.name.toLowerCase() : n.name };
  }
  return { guid, lid: n.lid ?? 0 };
}

/** A stable string key for maps: `{GUID}/name` or `{GUID}#0x8514`. */
export function namedKey(n: NamedId): string {
  const c = normalizeNamed(n);
  return c.name !== undefined ? `{${c.guid}}/${c.name}` : `{${c.guid}}#0x${(c.lid! >>> 0).toString(16).toUpperCase()}`;
}

/** PidNameContentType: PS_INTERNET_HEADERS "Content-Type" (MS-OXOSMIME 2.2.2 item 4). */
export const PidNameContentType: NamedId = { guid: PS_INTERNET_HEADERS, name: 'content-type' };
/** PidNameKeywords: PS_PUBLIC_STRINGS "Keywords" (PT_MV_UNICODE). */
export const PidNameKeywords: NamedId = { guid: PS_PUBLIC_STRINGS, name: 'Keywords' };
/** PidNameContentClass: PS_INTERNET_HEADERS "Content-Class". */
export const PidNameContentClass: NamedId = { guid: PS_INTERNET_HEADERS, name: 'content-class' };
/** PidNameAcceptLanguage: PS_INTERNET_HEADERS "Accept-Language". */
export const PidNameAcceptLanguage: NamedId = { guid: PS_INTERNET_HEADERS, name: 'accept-language' };
/** PidLidSmartNoAttach: PSETID_Common LID 0x8514 (PT_BOOLEAN): hides the paperclip. */
export const PidLidSmartNoAttach: NamedId = { guid: PSETID_Common, lid: 0x8514 };

/** An internet header as a PS_INTERNET_HEADERS named property (MS-OXCMAIL 2.2.3.2.29). */
export function internetHeader(name: string): NamedId {
  return { guid: PS_INTERNET_HEADERS, name: name.toLowerCase() };
}
