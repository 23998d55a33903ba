/**
 * The message object model shared by every codec: a property bag, a recipient table and
 * attachments (MS-OXCMSG 2.2). Properties are keyed by tag (ID + type, MS-OXPROPS) or by named
 * property (property set GUID + name or LID). Values are typed by their property type:
 *
 * | type | JS value |
 * |---|---|
 * | PT_SHORT, PT_LONG, PT_FLOAT, PT_DOUBLE, PT_APPTIME, PT_ERROR | number |
 * | PT_BOOLEAN | boolean |
 * | PT_I8, PT_CURRENCY | bigint |
 * | PT_SYSTIME | bigint FILETIME ticks (see time.ts) |
 * | PT_STRING8, PT_UNICODE | string |
 * | PT_CLSID | string GUID, upper case, no braces |
 * | PT_BINARY, PT_OBJECT, PT_SVREID, PT_SRESTRICT, PT_ACTIONS | Uint8Array |
 * | PT_MV_* | an array of the single-valued form |
 */
import { SmimeBridgeError } from '../errors.js';
import {
  MV_FLAG, PT_APPTIME, PT_BOOLEAN, PT_CLSID, PT_CURRENCY, PT_DOUBLE, PT_ERROR, PT_FLOAT, PT_I8, PT_LONG,
  PT_SHORT, PT_STRING8, PT_SYSTIME, PT_UNICODE, makeTag, tagHex, tagId, tagType,
} from './proptypes.js';
import { type NamedId, namedKey, normalizeNamed } from './named.js';
import { dateToFiletime, filetimeToDate } from './time.js';

export type ScalarValue = number | boolean | bigint | string | Uint8Array;
export type PropValue = ScalarValue | ScalarValue[];

/** Identity of a property: a tagged property ID, or a named property. */
export type PropKey = { kind: 'tag'; id: number } | { kind: 'named'; named: NamedId };

/** One property: identity, type, value, and the .msg property-stream flags (MS-OXMSG 2.4.2.1). */
export interface Property {
  key: PropKey;
  type: number;
  value: PropValue;
  /** PROPATTR_* flags; writers default to 6 (readable | writable). */
  flags?: number;
}

function keyString(key: PropKey): string {
  return key.kind === 'tag' ? `t:${key.id}` : `n:${namedKey(key.named)}`;
}

/** Human-readable key for error locations: `0x0037001F` or `{GUID}/name`. */
export function propertyLabel(p: Pick<Property, 'key' | 'type'>): string {
  return p.key.kind === 'tag' ? tagHex(makeTag(p.key.id, p.type)) : namedKey(p.key.named);
}

/** Check that `value` has the JS shape the property type requires. */
export function checkValue(type: number, value: PropValue, where: string | (() => string)): void {
  const bad = (): never => {
    // the label is built only on failure: put() runs for every property of every message read
    throw new SmimeBridgeError('MAPI_PROPERTY_INVALID', `value does not fit property type 0x${type.toString(16)}`,
      { propertyTag: typeof where === 'string' ? where : where() });
  };
  if (type & MV_FLAG) {
    if (!Array.isArray(value)) bad();
    for (const v of value as ScalarValue[]) checkValue(type & ~MV_FLAG, v, where);
    return;
  }
  switch (type) {
    case PT_SHORT: case PT_LONG: case PT_FLOAT: case PT_DOUBLE: case PT_APPTIME: case PT_ERROR:
      if (typeof value !== 'number') bad(); return;
    case PT_BOOLEAN: if (typeof value !== 'boolean') bad(); return;
    case PT_I8: case PT_CURRENCY: case PT_SYSTIME: if (typeof value !== 'bigint') bad(); return;
    case PT_STRING8: case PT_UNICODE: case PT_CLSID: if (typeof value !== 'string') bad(); return;
    default: if (!(value instanceof Uint8Array)) bad();
  }
}

/** A set of properties, each identified once by tag ID or by named id. Insertion order is kept. */
export class PropertyBag implements Iterable<Property> {
  private readonly map = new Map<string, Property>();

  /** Number of properties. */
  get size(): number { return this.map.size; }

  [Symbol.iterator](): Iterator<Property> { return this.map.values(); }

  /** Set a tagged property; the tag's type decides the value's type. Replaces any value with the same ID. */
  set(tag: number, value: PropValue, flags?: number): this {
    return this.put({ key: { kind: 'tag', id: tagId(tag) }, type: tagType(tag), value, flags });
  }

  /** Set a named property. */
  setNamed(named: NamedId, type: number, value: PropValue, flags?: number): this {
    return this.put({ key: { kind: 'named', named: normalizeNamed(named) }, type, value, flags });
  }

  /** Add a property record as it is (validated). */
  put(p: Property): this {
    const rec: Property = p.key.kind === 'named' ? { ...p, key: { kind: 'named', named: normalizeNamed(p.key.named) } } : p;
    checkValue(rec.type, rec.value, () => propertyLabel(rec));
    this.map.set(keyString(rec.key), rec);
    return this;
  }

  /** The property with the tag's ID (whatever its stored type), or undefined. */
  get(tag: number): Property | undefined {
    return this.map.get(`t:${tagId(tag)}`);
  }

  /** The named property, or undefined. */
  getNamed(named: NamedId): Property | undefined {
    return this.map.get(`n:${namedKey(named)}`);
  }

  has(tag: number): boolean { return this.map.has(`t:${tagId(tag)}`); }
  delete(tag: number): boolean { return this.map.delete(`t:${tagId(tag)}`); }
  deleteNamed(named: NamedId): boolean { return this.map.delete(`n:${namedKey(named)}`); }

  /** String value (PT_UNICODE or PT_STRING8), or undefined. */
  getString(tag: number): string | undefined {
    const v = this.get(tag)?.value;
    return typeof v === 'string' ? v : undefined;
  }
  /** String value of a named property. */
  getNamedString(named: NamedId): string | undefined {
    const v = this.getNamed(named)?.value;
    return typeof v === 'string' ? v : undefined;
  }
  /** Binary value, or undefined. */
  getBinary(tag: number): Uint8Array | undefined {
    const v = this.get(tag)?.value;
    return v instanceof Uint8Array ? v : undefined;
  }
  /** Numeric value (PT_LONG, PT_SHORT, ...), or undefined. */
  getNumber(tag: number): number | undefined {
    const v = this.get(tag)?.value;
    return typeof v === 'number' ? v : undefined;
  }
  /** Boolean value, or undefined. */
  getBoolean(tag: number): boolean | undefined {
    const v = this.get(tag)?.value;
    return typeof v === 'boolean' ? v : undefined;
  }
  /** PT_SYSTIME as a Date, or undefined. */
  getTime(tag: number): Date | undefined {
    const p = this.get(tag);
    return p && p.type === PT_SYSTIME && typeof p.value === 'bigint' ? filetimeToDate(p.value) : undefined;
  }
  /** Set a PT_SYSTIME property from a Date. */
  setTime(tag: number, d: Date): this {
    return this.set(tag, dateToFiletime(d));
  }
}

/** An attachment: its properties, and for `PidTagAttachMethod` 5 the embedded message. */
export class Attachment {
  readonly properties = new PropertyBag();
  /** The embedded message object (attach method 5, `message/rfc822`). */
  embedded?: MessageObject;
}

/**
 * What every writer of a message object can write (MS-OXMSG 2.2.1, 2.2.2: recipient and attachment
 * storages are numbered up to 0x7FF; the .msg writer nests embedded messages at most 16 deep).
 * Readers (toMessage, messageFromJson) stop at these and say so, so that what they accept can be
 * written (issue 12: "accepted, then unwritable").
 */
export const MESSAGE_LIMITS = { recipients: 2048, attachments: 2048, embeddingDepth: 16 } as const;

/** A message object: properties, recipient table (one property bag per row), attachments. */
export class MessageObject {
  readonly properties = new PropertyBag();
  readonly recipients: PropertyBag[] = [];
  readonly attachments: Attachment[] = [];

  /** PidTagMessageClass, `IPM.Note` when absent (MS-OXCMSG 2.2.1.3). */
  get messageClass(): string {
    return this.properties.getString(makeTag(0x001a, PT_UNICODE)) ?? 'IPM.Note';
  }
}

