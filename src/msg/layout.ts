/**
 * The fixed parts of the .msg layout (MS-OXMSG 2.2, 2.4): storage and stream names, property
 * stream headers and 16-byte entries, fixed-size value encodings, GUIDs in on-disk byte order.
 * Shared by read.ts and write.ts.
 */
import {
  MV_FLAG, PT_APPTIME, PT_BOOLEAN, PT_CLSID, PT_CURRENCY, PT_DOUBLE, PT_ERROR, PT_FLOAT, PT_I8, PT_LONG, PT_SHORT,
  PT_SYSTIME,
} from '../mapi/proptypes.js';
import { MESSAGE_LIMITS } from '../mapi/message.js';

/** MS-OXMSG 2.2.1: root storage CLSID {00020D0B-0000-0000-C000-000000000046}. */
export const MSG_ROOT_CLSID = '00020D0B-0000-0000-C000-000000000046';
export const PROPERTIES_STREAM = '__properties_version1.0';
export const NAMEID_STORAGE = '__nameid_version1.0';
/** MS-OXMSG 2.2.2.1: storage of an embedded message inside an attachment storage. */
export const EMBEDDED_STORAGE = '__substg1.0_3701000D';
export const GUID_STREAM = '__substg1.0_00020102';
export const ENTRY_STREAM = '__substg1.0_00030102';
export const STRING_STREAM = '__substg1.0_00040102';
/** MS-OXMSG 2.2.1, 2.2.2: at most 2048 recipient and attachment storages. */
export const MAX_RECIPIENTS = MESSAGE_LIMITS.recipients;
export const MAX_ATTACHMENTS = MESSAGE_LIMITS.attachments;
/** MS-CFB 2.6.1: names hold at most 31 UTF-16 code units plus the terminating NUL. */
export const MAX_CFB_NAME = 31;

/** MS-OXMSG 2.4.1: property stream header sizes. */
export const HEADER_TOP = 32;
export const HEADER_EMBEDDED = 24;
export const HEADER_SUB = 8;

/** Upper-case hex, 8 digits (MS-OXMSG uses upper-case hex in every name). */
export function hex8(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
/** `__substg1.0_TTTTYYYY` (MS-OXMSG 2.1.3) and `...-NNNNNNNN` for multi-valued values (2.1.4.2.2). */
export function substgName(tag: number, index?: number): string {
  return `__substg1.0_${hex8(tag)}${index === undefined ? '' : `-${hex8(index)}`}`;
}
export function recipStorageName(i: number): string {
  return `__recip_version1.0_#${hex8(i)}`;
}
export function attachStorageName(i: number): string {
  return `__attach_version1.0_#${hex8(i)}`;
}
export const RECIP_RE = /^__recip_version1\.0_#([0-9A-Fa-f]{8})$/;
export const ATTACH_RE = /^__attach_version1\.0_#([0-9A-Fa-f]{8})$/;
export const SUBSTG_RE = /^__substg1\.0_([0-9A-Fa-f]{4})([0-9A-Fa-f]{4})$/;

/** Byte size of one element of a fixed-size type (single or multi-valued element), or 0 if not fixed. */
export function fixedSize(type: number): number {
  switch (type & ~MV_FLAG) {
    case PT_SHORT: return 2;
    case PT_LONG: case PT_FLOAT: case PT_ERROR: return 4;
    case PT_BOOLEAN: return (type & MV_FLAG) ? 2 : 1;
    case PT_DOUBLE: case PT_CURRENCY: case PT_APPTIME: case PT_I8: case PT_SYSTIME: return 8;
    case PT_CLSID: return 16;
    default: return 0;
  }
}

/** GUID string (upper case, no braces) from 16 on-disk bytes (MS-DTYP 2.3.4.1: Data1-3 little-endian). */
export function guidFromBytes(b: Uint8Array, off = 0): string {
  const h = (i: number) => b[off + i]!.toString(16).padStart(2, '0');
  const s = h(3) + h(2) + h(1) + h(0) + '-' + h(5) + h(4) + '-' + h(7) + h(6) + '-' + h(8) + h(9) + '-'
    + h(10) + h(11) + h(12) + h(13) + h(14) + h(15);
  return s.toUpperCase();
}

/** 16 on-disk bytes of a GUID string (braces optional). Returns undefined for a malformed GUID. */
export function guidToBytes(guid: string): Uint8Array | undefined {
  const g = guid.replace(/[{}]/g, '');
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(g)) return undefined;
  const hex = g.replace(/-/g, '');
  const raw = new Uint8Array(16);
  for (let i = 0; i < 16; i++) raw[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  const out = raw.slice();
  out[0] = raw[3]!; out[1] = raw[2]!; out[2] = raw[1]!; out[3] = raw[0]!;
  out[4] = raw[5]!; out[5] = raw[4]!; out[6] = raw[7]!; out[7] = raw[6]!;
  return out;
}

/** Decode one fixed-size scalar at `off` (MS-OXMSG 2.4.2.1.1). Junk padding is ignored. */
export function decodeFixed(type: number, dv: DataView, off: number): number | boolean | bigint | string {
  switch (type) {
    case PT_SHORT: return dv.getInt16(off, true);
    case PT_LONG: return dv.getInt32(off, true);
    case PT_ERROR: return dv.getUint32(off, true);
    case PT_FLOAT: return dv.getFloat32(off, true);
    case PT_DOUBLE: case PT_APPTIME: return dv.getFloat64(off, true);
    case PT_BOOLEAN: return dv.getUint8(off) !== 0;
    case PT_CURRENCY: case PT_I8: return dv.getBigInt64(off, true);
    case PT_SYSTIME: return dv.getBigUint64(off, true);
    case PT_CLSID: return guidFromBytes(new Uint8Array(dv.buffer, dv.byteOffset + off, 16));
    default: throw new RangeError(`not a fixed type 0x${type.toString(16)}`);
  }
}

/** Encode one fixed-size scalar into `dv` at `off`. */
export function encodeFixed(type: number, value: unknown, dv: DataView, off: number): void {
  switch (type) {
    case PT_SHORT: dv.setInt16(off, Number(value), true); return;
    case PT_LONG: case PT_ERROR: dv.setUint32(off, Number(value) >>> 0, true); return;
    case PT_FLOAT: dv.setFloat32(off, Number(value), true); return;
    case PT_DOUBLE: case PT_APPTIME: dv.setFloat64(off, Number(value), true); return;
    case PT_BOOLEAN: dv.setUint8(off, value ? 1 : 0); return;
    case PT_CURRENCY: case PT_I8: dv.setBigInt64(off, BigInt.asIntN(64, value as bigint), true); return;
    case PT_SYSTIME: dv.setBigUint64(off, BigInt.asUintN(64, value as bigint), true); return;
    case PT_CLSID: {
      const g = guidToBytes(String(value)) ?? new Uint8Array(16);
      new Uint8Array(dv.buffer, dv.byteOffset + off, 16).set(g);
      return;
    }
    default: throw new RangeError(`not a fixed type 0x${type.toString(16)}`);
  }
}

const UTF16LE = new TextDecoder('utf-16le');

/**
 * UTF-16LE decode. `nuls` says which trailing NULs are terminators to drop: `'all'` (some writers
 * store the terminator, or several; MS-OXMSG 2.1.3 says they should not) or `'one'` (one stored
 * terminator at most: a multi-valued string value, whose terminator MS-OXMSG 2.1.4.2.2 stores, or a
 * stream whose Size in the property entry is its length + 2). TextDecoder is fast but turns unpaired surrogates into U+FFFD; when its result
 * holds a U+FFFD the code units are converted one by one instead, so every value survives a round trip.
 */
export function utf16le(b: Uint8Array, nuls: 'all' | 'one' = 'all'): string {
  let n = b.length & ~1;
  if (nuls === 'one') { if (n >= 2 && b[n - 1] === 0 && b[n - 2] === 0) n -= 2; }
  else while (n >= 2 && b[n - 1] === 0 && b[n - 2] === 0) n -= 2;
  const fast = UTF16LE.decode(b.subarray(0, n));
  if (fast.indexOf('\uFFFD') < 0) return fast;
  const parts: string[] = [];
  const units: number[] = [];
  for (let i = 0; i < n; i += 2) {
    units.push(b[i]! | (b[i + 1]! << 8));
    if (units.length === 8192) { parts.push(String.fromCharCode(...units)); units.length = 0; }
  }
  parts.push(String.fromCharCode(...units));
  return parts.join('');
}

/** UTF-16LE encode without a terminator. */
export function toUtf16le(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >> 8;
  }
  return out;
}
