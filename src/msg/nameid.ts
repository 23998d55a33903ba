/**
 * The named-property mapping storage `__nameid_version1.0` (MS-OXMSG 2.2.3): GUID stream, entry
 * stream, string stream and the name-to-id hash buckets. One map lives at the top level and is
 * shared by recipients, attachments and embedded messages (MS-OXMSG 2.2.3, 2.2.2.1).
 */
import { Diagnostics } from '../errors.js';
import { trimEndWhere } from '../trim.js';
import { type NamedId, PS_MAPI, PS_PUBLIC_STRINGS, namedKey, normalizeNamed } from '../mapi/named.js';
import { crc32Rtf } from './crc.js';
import { ENTRY_STREAM, GUID_STREAM, NAMEID_STORAGE, STRING_STREAM, guidFromBytes, guidToBytes, toUtf16le } from './layout.js';

/** MS-OXMSG 2.2.3.1.2: GUID index 1 = PS_MAPI, 2 = PS_PUBLIC_STRINGS, n >= 3 = GUID stream entry n - 3. */
const GUID_INDEX_PS_MAPI = 1;
const GUID_INDEX_PS_PUBLIC_STRINGS = 2;

/** Streams of the name map, as read from a file (undefined when absent). */
export interface NameIdStreams {
  guids?: Uint8Array;
  entries?: Uint8Array;
  strings?: Uint8Array;
}

/**
 * Decode the name map into `result[propIndex]` = named id (property ID 0x8000 + propIndex).
 * Bad entries are reported as `MSG_NAMEID_MALFORMED` and skipped. Hash buckets are not needed to
 * read (Outlook's "new" client writes none).
 */
export function readNameMap(s: NameIdStreams, diag: Diagnostics): Map<number, NamedId> {
  const out = new Map<number, NamedId>();
  const where = (name: string) => ({ streamPath: `${NAMEID_STORAGE}/${name}` });
  const g = s.guids ?? new Uint8Array(0);
  const e = s.entries ?? new Uint8Array(0);
  const str = s.strings ?? new Uint8Array(0);
  if (g.length % 16) diag.report('MSG_NAMEID_MALFORMED', `GUID stream length ${g.length} is not a multiple of 16`, where(GUID_STREAM));
  if (e.length % 8) diag.report('MSG_NAMEID_MALFORMED', `entry stream length ${e.length} is not a multiple of 8`, where(ENTRY_STREAM));
  const guids: string[] = [];
  for (let i = 0; i + 16 <= g.length; i += 16) guids.push(guidFromBytes(g, i));
  const dv = new DataView(e.buffer, e.byteOffset, e.length);
  const sdv = new DataView(str.buffer, str.byteOffset, str.length);
  for (let off = 0; off + 8 <= e.length; off += 8) {
    const nameOrOffset = dv.getUint32(off, true);
    const iak = dv.getUint32(off + 4, true); // MS-OXMSG 2.2.3.1.2 Index and Kind Information
    const kind = iak & 1;
    const guidIndex = (iak >>> 1) & 0x7fff;
    const propIndex = iak >>> 16;
    const at = { streamPath: where(ENTRY_STREAM).streamPath, offset: off };
    let guid: string | undefined;
    if (guidIndex === GUID_INDEX_PS_MAPI) guid = PS_MAPI;
    else if (guidIndex === GUID_INDEX_PS_PUBLIC_STRINGS) guid = PS_PUBLIC_STRINGS;
    else if (guidIndex >= 3 && guidIndex - 3 < guids.length) guid = guids[guidIndex - 3];
    if (guid === undefined) {
      diag.report('MSG_NAMEID_MALFORMED', `entry ${off / 8}: GUID index ${guidIndex} does not exist (${guids.length} GUIDs)`, at);
      continue;
    }
    if (propIndex > 0x7ffe) {
      diag.report('MSG_NAMEID_MALFORMED', `entry ${off / 8}: property index ${propIndex} is above 0x7FFE`, at);
      continue;
    }
    let named: NamedId;
    if (kind === 0) {
      named = { guid, lid: nameOrOffset };
    } else {
      // MS-OXMSG 2.2.3.1.3: u32 byte length, then the UTF-16LE name.
      if (nameOrOffset + 4 > str.length) {
        diag.report('MSG_NAMEID_MALFORMED', `entry ${off / 8}: string offset ${nameOrOffset} is past the string stream (${str.length} bytes)`, at);
        continue;
      }
      const len = sdv.getUint32(nameOrOffset, true);
      if (len % 2 || nameOrOffset + 4 + len > str.length) {
        diag.report('MSG_NAMEID_MALFORMED', `entry ${off / 8}: string of ${len} bytes at ${nameOrOffset} does not fit the string stream`, { streamPath: where(STRING_STREAM).streamPath, offset: nameOrOffset });
        continue;
      }
      let name = '';
      for (let i = 0; i < len; i += 2) name += String.fromCharCode(sdv.getUint16(nameOrOffset + 4 + i, true));
      named = { guid, name: trimEndWhere(name, (c) => c === 0) };
    }
    if (out.has(propIndex)) {
      diag.report('MSG_NAMEID_MALFORMED', `entry ${off / 8}: property index ${propIndex} is mapped twice`, at);
      continue;
    }
    out.set(propIndex, normalizeNamed(named));
  }
  return out;
}

/** The hash-bucket stream number for a named property (MS-OXMSG 2.2.3.2.2). */
export function hashStreamId(named: NamedId, guidIndex: number): number {
  const n = normalizeNamed(named);
  if (n.name === undefined) return 0x1000 + (((n.lid! ^ (guidIndex << 1)) >>> 0) % 0x1f);
  return 0x1000 + (((nameCrc(n.name) ^ ((guidIndex << 1) | 1)) >>> 0) % 0x1f);
}

/** CRC-32 (MS-OXRTFCP variant) of a property name in UTF-16LE (MS-OXMSG 2.2.3.2.2). */
export function nameCrc(name: string): number {
  return crc32Rtf(toUtf16le(name));
}

/** Assigns property IDs 0x8000+ to named properties while writing, and builds the streams. */
export class NameMapBuilder {
  private readonly byKey = new Map<string, number>();
  private readonly list: NamedId[] = [];

  /** Property ID for a named property, assigning the next free one on first use. */
  idOf(named: NamedId): number {
    const key = namedKey(named);
    let idx = this.byKey.get(key);
    if (idx === undefined) {
      idx = this.list.length;
      if (idx > 0x7ffe) throw new RangeError('more than 32767 named properties');
      this.byKey.set(key, idx);
      this.list.push(normalizeNamed(named));
    }
    return 0x8000 + idx;
  }

  get size(): number { return this.list.length; }

  /** The streams of `__nameid_version1.0`: name -> bytes (GUID, entry, string and hash-bucket streams). */
  streams(): Map<string, Uint8Array> {
    const guids: string[] = [];
    const guidIndex = (g: string): number => {
      if (g === PS_MAPI) return GUID_INDEX_PS_MAPI; // MS-OXMSG 2.2.3.1.2: not stored in the GUID stream
      if (g === PS_PUBLIC_STRINGS) return GUID_INDEX_PS_PUBLIC_STRINGS;
      let i = guids.indexOf(g);
      if (i < 0) { i = guids.length; guids.push(g); }
      return i + 3;
    };
    const entries = new Uint8Array(this.list.length * 8);
    const edv = new DataView(entries.buffer);
    const strParts: Uint8Array[] = [];
    let strLen = 0;
    const buckets = new Map<number, number[]>();
    this.list.forEach((n, idx) => {
      const gi = guidIndex(n.guid);
      const kind = n.name === undefined ? 0 : 1;
      const iak = ((idx << 16) | (gi << 1) | kind) >>> 0;
      let first: number;
      if (n.name === undefined) {
        first = n.lid! >>> 0;
        edv.setUint32(idx * 8, first, true);
      } else {
        const u = toUtf16le(n.name);
        const padded = new Uint8Array(4 + u.length + ((4 - (u.length % 4)) % 4));
        new DataView(padded.buffer).setUint32(0, u.length, true);
        padded.set(u, 4);
        edv.setUint32(idx * 8, strLen, true);
        strParts.push(padded);
        strLen += padded.length;
        first = nameCrc(n.name);
      }
      edv.setUint32(idx * 8 + 4, iak, true);
      const sid = hashStreamId(n, gi);
      const b = buckets.get(sid) ?? [];
      b.push(first, iak); // MS-OXMSG 2.2.3.2.2: append to the bucket
      buckets.set(sid, b);
    });
    const guidBytes = new Uint8Array(guids.length * 16);
    guids.forEach((g, i) => guidBytes.set(guidToBytes(g)!, i * 16));
    const strings = new Uint8Array(strLen);
    let o = 0;
    for (const p of strParts) { strings.set(p, o); o += p.length; }
    const out = new Map<string, Uint8Array>([[GUID_STREAM, guidBytes], [ENTRY_STREAM, entries], [STRING_STREAM, strings]]);
    for (const sid of [...buckets.keys()].sort((a, b) => a - b)) {
      const vals = buckets.get(sid)!;
      const bytes = new Uint8Array(vals.length * 4);
      const dv = new DataView(bytes.buffer);
      vals.forEach((v, i) => dv.setUint32(i * 4, v, true));
      out.set(`__substg1.0_${sid.toString(16).toUpperCase().padStart(4, '0')}0102`, bytes);
    }
    return out;
  }
}
