/**
 * Address-book identifiers built from an Internet address: one-off entry IDs (MS-OXCDATA
 * 2.2.5.1), search keys (MS-OXCPERM/MS-OXOABK "ADDRTYPE:ADDRESS" form) and FLATENTRYLISTs
 * (MS-OXCDATA 2.3.3) for PidTagReplyRecipientEntries.
 *
 * Hand-written: these are fixed little byte layouts that no JavaScript library produces.
 */

/** ProviderUID of one-off entry IDs: `81 2B 1F A4 BE A3 10 19 9D 6E 00 DD 01 0F 54 02` (MS-OXCDATA 2.2.5.1). */
export const ONE_OFF_PROVIDER_UID = Uint8Array.from([
  0x81, 0x2b, 0x1f, 0xa4, 0xbe, 0xa3, 0x10, 0x19, 0x9d, 0x6e, 0x00, 0xdd, 0x01, 0x0f, 0x54, 0x02,
]);

/** One-off flag bits (the u16 after the version, little-endian; MS-OXCDATA 2.2.5.1). */
export const OneOffFlags = {
  /** M: do not send rich (TNEF) information. */
  NoRichInfo: 0x0001,
  /** U: the strings are UTF-16LE. */
  Unicode: 0x8000,
} as const;

/** The strings inside a one-off entry ID. */
export interface OneOff {
  displayName: string;
  addressType: string;
  address: string;
  /** The 16-bit flag word (see {@link OneOffFlags}). */
  flags: number;
}

function utf16z(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out.push(c & 0xff, c >> 8);
  }
  out.push(0, 0);
  return out;
}

/**
 * A one-off entry ID (MS-OXCDATA 2.2.5.1): 4 zero flag bytes, the one-off ProviderUID, version
 * 0x0000, the flag word, then NUL-terminated UTF-16LE display name, address type and address.
 * Outlook writes flags 0x8001 (Unicode + no rich info) for recipients and 0x8000 for the
 * sent-representing group (fact sheet 1.8).
 */
export function oneOffEntryId(displayName: string, addressType: string, address: string, flags: number = OneOffFlags.Unicode | OneOffFlags.NoRichInfo): Uint8Array {
  const head = [0, 0, 0, 0, ...ONE_OFF_PROVIDER_UID, 0, 0, flags & 0xff, (flags >> 8) & 0xff];
  return Uint8Array.from([...head, ...utf16z(displayName), ...utf16z(addressType), ...utf16z(address)]);
}

function readZ(b: Uint8Array, pos: number, unicode: boolean): [string, number] | undefined {
  let s = '';
  if (unicode) {
    for (let i = pos; i + 1 < b.length; i += 2) {
      const c = b[i]! | (b[i + 1]! << 8);
      if (c === 0) return [s, i + 2];
      s += String.fromCharCode(c);
    }
    return undefined;
  }
  for (let i = pos; i < b.length; i++) {
    if (b[i] === 0) return [s, i + 1];
    s += String.fromCharCode(b[i]!);
  }
  return undefined;
}

/** Parse a one-off entry ID; `undefined` when `b` is not one (wrong provider, truncated). Never throws. */
export function parseOneOffEntryId(b: Uint8Array): OneOff | undefined {
  if (b.length < 24) return undefined;
  for (let i = 0; i < 16; i++) if (b[4 + i] !== ONE_OFF_PROVIDER_UID[i]) return undefined;
  const flags = b[22]! | (b[23]! << 8);
  const unicode = (flags & OneOffFlags.Unicode) !== 0;
  const a = readZ(b, 24, unicode);
  if (!a) return undefined;
  const t = readZ(b, a[1], unicode);
  if (!t) return undefined;
  const e = readZ(b, t[1], unicode);
  if (!e) return undefined;
  return { displayName: a[0], addressType: t[0], address: e[0], flags };
}

/**
 * Search key of an address: ASCII `TYPE:ADDRESS` upper-cased plus a NUL (MS-OXCMSG 2.2.1.20 /
 * obs. in Outlook files: `SMTP:USER@EXAMPLE.COM\0`). Non-ASCII characters are UTF-8 encoded.
 */
export function searchKey(addressType: string, address: string): Uint8Array {
  const text = `${addressType}:${address}`.toUpperCase();
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/**
 * A FLATENTRYLIST (MS-OXCDATA 2.3.3): count u32, size u32 of the FLATENTRY array, then each
 * FLATENTRY (size u32 + entry ID) padded to a multiple of 4 bytes (2.3.2).
 */
export function flatEntryList(entries: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const e of entries) size += 4 + e.length + ((4 - (e.length % 4)) % 4);
  const out = new Uint8Array(8 + size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, entries.length, true);
  dv.setUint32(4, size, true);
  let o = 8;
  for (const e of entries) {
    dv.setUint32(o, e.length, true);
    out.set(e, o + 4);
    o += 4 + e.length + ((4 - (e.length % 4)) % 4);
  }
  return out;
}

/** Parse a FLATENTRYLIST into its entry IDs; stops (without throwing) at the first truncated entry. */
export function parseFlatEntryList(b: Uint8Array): Uint8Array[] {
  if (b.length < 8) return [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const count = dv.getUint32(0, true);
  const out: Uint8Array[] = [];
  let o = 8;
  for (let i = 0; i < count && o + 4 <= b.length; i++) {
    const n = dv.getUint32(o, true);
    if (o + 4 + n > b.length) break;
    out.push(b.subarray(o + 4, o + 4 + n));
    o += 4 + n + ((4 - (n % 4)) % 4);
  }
  return out;
}
