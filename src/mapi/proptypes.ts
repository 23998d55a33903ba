/**
 * MAPI property types (MS-OXCDATA 2.11.1) and property-tag helpers.
 * A property tag is a 32-bit number: high 16 bits = property ID, low 16 bits = property type.
 */

export const PT_UNSPECIFIED = 0x0000;
export const PT_NULL = 0x0001;
export const PT_SHORT = 0x0002;
export const PT_LONG = 0x0003;
export const PT_FLOAT = 0x0004;
export const PT_DOUBLE = 0x0005;
export const PT_CURRENCY = 0x0006;
export const PT_APPTIME = 0x0007;
export const PT_ERROR = 0x000a;
export const PT_BOOLEAN = 0x000b;
export const PT_OBJECT = 0x000d;
export const PT_I8 = 0x0014;
export const PT_STRING8 = 0x001e;
export const PT_UNICODE = 0x001f;
export const PT_SYSTIME = 0x0040;
export const PT_CLSID = 0x0048;
export const PT_SVREID = 0x00fb;
export const PT_SRESTRICT = 0x00fd;
export const PT_ACTIONS = 0x00fe;
export const PT_BINARY = 0x0102;
/** Flag for multi-valued types (MS-OXCDATA 2.11.1.2). */
export const MV_FLAG = 0x1000;

export const PT_MV_SHORT = MV_FLAG | PT_SHORT;
export const PT_MV_LONG = MV_FLAG | PT_LONG;
export const PT_MV_FLOAT = MV_FLAG | PT_FLOAT;
export const PT_MV_DOUBLE = MV_FLAG | PT_DOUBLE;
export const PT_MV_CURRENCY = MV_FLAG | PT_CURRENCY;
export const PT_MV_APPTIME = MV_FLAG | PT_APPTIME;
export const PT_MV_I8 = MV_FLAG | PT_I8;
export const PT_MV_STRING8 = MV_FLAG | PT_STRING8;
export const PT_MV_UNICODE = MV_FLAG | PT_UNICODE;
export const PT_MV_SYSTIME = MV_FLAG | PT_SYSTIME;
export const PT_MV_CLSID = MV_FLAG | PT_CLSID;
export const PT_MV_BINARY = MV_FLAG | PT_BINARY;

const TYPE_NAMES: Record<number, string> = {
  [PT_UNSPECIFIED]: 'PT_UNSPECIFIED', [PT_NULL]: 'PT_NULL', [PT_SHORT]: 'PT_SHORT', [PT_LONG]: 'PT_LONG',
  [PT_FLOAT]: 'PT_FLOAT', [PT_DOUBLE]: 'PT_DOUBLE', [PT_CURRENCY]: 'PT_CURRENCY', [PT_APPTIME]: 'PT_APPTIME',
  [PT_ERROR]: 'PT_ERROR', [PT_BOOLEAN]: 'PT_BOOLEAN', [PT_OBJECT]: 'PT_OBJECT', [PT_I8]: 'PT_I8',
  [PT_STRING8]: 'PT_STRING8', [PT_UNICODE]: 'PT_UNICODE', [PT_SYSTIME]: 'PT_SYSTIME', [PT_CLSID]: 'PT_CLSID',
  [PT_SVREID]: 'PT_SVREID', [PT_SRESTRICT]: 'PT_SRESTRICT', [PT_ACTIONS]: 'PT_ACTIONS', [PT_BINARY]: 'PT_BINARY',
};

/** `PT_UNICODE`, `PT_MV_BINARY`, ... or `0x1234` for an unknown type. */
export function propTypeName(type: number): string {
  const base = TYPE_NAMES[type & ~MV_FLAG];
  if (base === undefined) return `0x${hex4(type)}`;
  return type & MV_FLAG ? base.replace('PT_', 'PT_MV_') : base;
}

/** Inverse of {@link propTypeName}; also accepts `0x001F`. Undefined for unknown names. */
export function propTypeFromName(name: string): number | undefined {
  if (/^0x[0-9a-f]{1,4}$/i.test(name)) return parseInt(name, 16);
  const mv = name.startsWith('PT_MV_');
  const baseName = mv ? name.replace('PT_MV_', 'PT_') : name;
  for (const [k, v] of Object.entries(TYPE_NAMES)) if (v === baseName) return Number(k) | (mv ? MV_FLAG : 0);
  return undefined;
}

/** Build a property tag from an ID and a type. */
export function makeTag(id: number, type: number): number {
  return ((id & 0xffff) << 16 | (type & 0xffff)) >>> 0;
}
/** The property ID (high 16 bits) of a tag. */
export function tagId(tag: number): number {
  return (tag >>> 16) & 0xffff;
}
/** The property type (low 16 bits) of a tag. */
export function tagType(tag: number): number {
  return tag & 0xffff;
}
/** `0x001A001F` */
export function tagHex(tag: number): string {
  return `0x${(tag >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}
export function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
/** True for types whose values live in a stream in a .msg file (MS-OXMSG 2.1.3). */
export function isVariableLength(type: number): boolean {
  const base = type & ~MV_FLAG;
  return base === PT_STRING8 || base === PT_UNICODE || base === PT_BINARY || base === PT_CLSID
    || base === PT_OBJECT || base === PT_SVREID || base === PT_SRESTRICT || base === PT_ACTIONS;
}
