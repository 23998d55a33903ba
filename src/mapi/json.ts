/**
 * The lossless JSON form of a message object, read and written by the CLI (`.json` files).
 *
 * ```json
 * { "format": "smime-bridge/message-object", "version": 1,
 *   "properties": [
 *     { "tag": "0x001A001F", "name": "PidTagMessageClass", "type": "PT_UNICODE", "value": "IPM.Note.SMIME" },
 *     { "named": { "set": "PS_INTERNET_HEADERS", "guid": "00020386-0000-0000-C000-000000000046", "name": "content-type" },
 *       "type": "PT_UNICODE", "value": "application/pkcs7-mime; smime-type=enveloped-data" } ],
 *   "recipients": [ { "properties": [ ... ] } ],
 *   "attachments": [ { "properties": [ ... ], "embedded": { ...a message object... } } ] }
 * ```
 *
 * Value encodings: binary types as base64 strings; PT_SYSTIME as ISO 8601 UTC with seven
 * fractional digits (FILETIME precision); PT_I8/PT_CURRENCY as decimal strings; PT_FLOAT/
 * PT_DOUBLE as numbers (or "NaN", "Infinity", "-Infinity"); multi-valued as arrays. `name`
 * and `set` are informative; `tag`/`guid` and `type` decide. `flags` appears when not 6.
 */
import { SmimeBridgeError } from '../errors.js';
import { trimEndWhere } from '../trim.js';
import { Attachment, MESSAGE_LIMITS, MessageObject, type Property, PropertyBag, type PropValue, type ScalarValue } from './message.js';
import { type NamedId, isGuid, normalizeGuid, propertySetName } from './named.js';
import {
  MV_FLAG, PT_APPTIME, PT_BOOLEAN, PT_CLSID, PT_CURRENCY, PT_DOUBLE, PT_ERROR, PT_FLOAT, PT_I8, PT_LONG, PT_SHORT,
  PT_BINARY, PT_OBJECT, PT_STRING8, PT_SYSTIME, PT_UNICODE, isVariableLength, makeTag, propTypeFromName, propTypeName, tagHex,
} from './proptypes.js';

/** Element types a .msg stores multi-valued (MS-OXMSG 2.1.4.2.1 fixed-size, 2.1.4.2.2 variable-size). */
const MV_STORABLE = new Set([PT_SHORT, PT_LONG, PT_FLOAT, PT_DOUBLE, PT_CURRENCY, PT_APPTIME, PT_ERROR, PT_BOOLEAN, PT_I8, PT_SYSTIME, PT_CLSID, PT_STRING8, PT_UNICODE, PT_BINARY]);
/** Single-valued types with a meaning of their own; any other fixed type is kept as its raw 8 bytes (MS-OXMSG 2.4.2.1). */
const KNOWN_FIXED = new Set([PT_SHORT, PT_LONG, PT_FLOAT, PT_DOUBLE, PT_CURRENCY, PT_APPTIME, PT_ERROR, PT_BOOLEAN, PT_I8, PT_SYSTIME]);
import { tagName } from './tags.js';
import { filetimeToIso, isoToFiletime } from './time.js';

export const JSON_FORMAT = 'smime-bridge/message-object';
export const JSON_VERSION = 1;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// ---- base64 without Node's Buffer (the core runs in browsers) ----
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INV = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64_INV[B64.charCodeAt(i)] = i;

/** Standard base64 (RFC 4648 section 4), one line. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + '=';
  }
  return out;
}

/** Strict base64 decode for JSON values: throws on characters outside the alphabet. */
export function fromBase64(s: string, where: string): Uint8Array {
  const clean = trimEndWhere(s, (c) => c === 0x3d); // the '=' padding
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = B64_INV[clean.charCodeAt(i) & 0xff]!;
    if (v < 0 || clean.charCodeAt(i) > 255) throw new SmimeBridgeError('MAPI_JSON_INVALID', `invalid base64 character at ${i}`, { propertyTag: where });
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 0xff; }
  }
  return out.subarray(0, o);
}

function scalarToJson(type: number, v: ScalarValue): Json {
  switch (type) {
    case PT_SHORT: case PT_LONG: case PT_ERROR: case PT_APPTIME: case PT_FLOAT: case PT_DOUBLE: {
      const n = v as number;
      return Number.isFinite(n) ? n : String(n);
    }
    case PT_BOOLEAN: return v as boolean;
    case PT_I8: case PT_CURRENCY: return (v as bigint).toString();
    case PT_SYSTIME: return filetimeToIso(v as bigint);
    case PT_STRING8: case PT_UNICODE: case PT_CLSID: return v as string;
    default: return toBase64(v as Uint8Array);
  }
}

function scalarFromJson(type: number, j: Json, where: string): ScalarValue {
  const bad = (): never => {
    throw new SmimeBridgeError('MAPI_JSON_INVALID', `value ${JSON.stringify(j)?.slice(0, 40)} does not fit ${propTypeName(type)}`, { propertyTag: where });
  };
  // Each value must fit its type's storage (MS-OXCDATA 2.11.1), or the .msg writer would change
  // it; signed and unsigned spellings of the same bits are both read, as the form .msg reads back.
  const int = (bits: 16 | 32): number => {
    if (typeof j !== 'number' || !Number.isInteger(j) || j < -(2 ** (bits - 1)) || j >= 2 ** bits) return bad();
    return bits === 16 ? (j << 16) >> 16 : j | 0;
  };
  switch (type) {
    case PT_SHORT: return int(16);
    case PT_LONG: return int(32);
    case PT_ERROR: return int(32) >>> 0;
    case PT_APPTIME: case PT_FLOAT: case PT_DOUBLE: {
      const v = typeof j === 'number' ? j : j === 'NaN' || j === 'Infinity' || j === '-Infinity' ? Number(j) : bad();
      return type === PT_FLOAT && !Number.isNaN(v) && Math.fround(v) !== v ? bad() : v;
    }
    case PT_BOOLEAN: return typeof j === 'boolean' ? j : bad();
    case PT_I8: case PT_CURRENCY: {
      if (typeof j !== 'string' && typeof j !== 'number') return bad();
      let v: bigint;
      try { v = BigInt(j); } catch { return bad(); }
      return v === BigInt.asIntN(64, v) ? v : bad();
    }
    case PT_SYSTIME: {
      if (typeof j !== 'string') return bad();
      const ft = isoToFiletime(j as string);
      return ft === undefined ? bad() : ft;
    }
    case PT_STRING8: case PT_UNICODE: return typeof j === 'string' ? j : bad();
    // the .msg writer stores a CLSID as its 16 bytes (MS-OXCDATA 2.11.1): only a GUID can be written
    case PT_CLSID: return typeof j === 'string' && isGuid(j) ? normalizeGuid(j) : bad();
    default: {
      if (typeof j !== 'string') return bad();
      const b = fromBase64(j, where);
      // MS-OXMSG 2.4.2.1: a fixed-size value of a type we do not know is its 8 bytes in the entry.
      if (!isVariableLength(type) && !KNOWN_FIXED.has(type) && b.length !== 8) return bad();
      return b;
    }
  }
}

function propertyToJson(p: Property): Json {
  const type = p.type;
  const value: Json = type & MV_FLAG
    ? (p.value as ScalarValue[]).map((v) => scalarToJson(type & ~MV_FLAG, v))
    : scalarToJson(type, p.value as ScalarValue);
  const out: { [k: string]: Json } = {};
  if (p.key.kind === 'tag') {
    out.tag = tagHex(makeTag(p.key.id, type));
    const name = tagName(p.key.id);
    if (name) out.name = name;
  } else {
    const n = p.key.named;
    const named: { [k: string]: Json } = {};
    const setName = propertySetName(n.guid);
    if (setName) named.set = setName;
    named.guid = n.guid;
    if (n.name !== undefined) named.name = n.name; else named.lid = `0x${(n.lid! >>> 0).toString(16).toUpperCase().padStart(4, '0')}`;
    out.named = named;
  }
  out.type = propTypeName(type);
  out.value = value;
  if (p.flags !== undefined && p.flags !== 6) out.flags = p.flags;
  return out;
}

function bagToJson(bag: PropertyBag): Json[] {
  return [...bag].map(propertyToJson);
}

/** The JSON-ready form of a message object (see the module comment). */
export function messageToJson(m: MessageObject): Json {
  return {
    format: JSON_FORMAT,
    version: JSON_VERSION,
    ...messageBodyToJson(m),
  };
}

function messageBodyToJson(m: MessageObject): { [k: string]: Json } {
  return {
    properties: bagToJson(m.properties),
    recipients: m.recipients.map((r) => ({ properties: bagToJson(r) })),
    attachments: m.attachments.map((a) => {
      const o: { [k: string]: Json } = { properties: bagToJson(a.properties) };
      if (a.embedded) o.embedded = messageBodyToJson(a.embedded);
      return o;
    }),
  };
}

/** Serialize a message object as pretty JSON text. */
export function stringifyMessage(m: MessageObject): string {
  return JSON.stringify(messageToJson(m), null, 2) + '\n';
}

function isObj(j: unknown): j is { [k: string]: Json } {
  return typeof j === 'object' && j !== null && !Array.isArray(j);
}

function bagFromJson(arr: Json | undefined, bag: PropertyBag, where: string, attachment = false): void {
  if (arr === undefined) return;
  if (!Array.isArray(arr)) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${where}.properties is not an array`);
  arr.forEach((pj, i) => {
    const at = `${where}.properties[${i}]`;
    if (!isObj(pj)) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at} is not an object`);
    const type = typeof pj.type === 'string' ? propTypeFromName(pj.type) : undefined;
    if (type === undefined) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at}.type ${JSON.stringify(pj.type)} is unknown`);
    const label = typeof pj.tag === 'string' ? pj.tag : at;
    if (type & MV_FLAG && !MV_STORABLE.has(type & ~MV_FLAG)) {
      throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at}: ${propTypeName(type)} cannot be stored multi-valued (MS-OXMSG 2.1.4.2)`, { propertyTag: label });
    }
    const value: PropValue = type & MV_FLAG
      ? (Array.isArray(pj.value) ? pj.value.map((v) => scalarFromJson(type & ~MV_FLAG, v, label)) : (() => { throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at}.value must be an array`, { propertyTag: label }); })())
      : scalarFromJson(type, pj.value ?? null, label);
    // MS-OXMSG 2.4.2.1: the flags of a property entry are a 32-bit unsigned integer; nothing else can be written
    if (pj.flags !== undefined && !(Number.isInteger(pj.flags) && (pj.flags as number) >= 0 && (pj.flags as number) <= 0xffffffff)) {
      throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at}.flags ${JSON.stringify(pj.flags)} is not a 32-bit unsigned integer (MS-OXMSG 2.4.2.1)`, { propertyTag: label });
    }
    const flags = pj.flags as number | undefined;
    if (type === PT_OBJECT && !(attachment && pj.tag === '0x3701000D')) {
      // MS-OXMSG 2.2.2.1-2: the only object a .msg stores is an attachment's PidTagAttachDataObject
      throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at}: PT_OBJECT only as an attachment's PidTagAttachDataObject (0x3701000D)`, { propertyTag: label });
    }
    if (typeof pj.tag === 'string' && /^0x[0-9a-f]{8}$/i.test(pj.tag)) {
      const tag = parseInt(pj.tag, 16);
      if ((tag & 0xffff) !== type) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at}: tag type and "type" differ`, { propertyTag: pj.tag });
      // MS-OXPROPS 1.3.2: IDs 0x8000 and above belong to named properties; a bare tag there has no identity.
      if (tag >>> 16 >= 0x8000) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at}: tag ${pj.tag} is in the named-property range; give "named"`, { propertyTag: pj.tag });
      bag.set(tag, value, flags);
    } else if (isObj(pj.named) && typeof pj.named.guid === 'string') {
      const n = pj.named;
      let named: NamedId;
      if (typeof n.name === 'string') {
        // MS-OXMSG 2.2.3.1.2: .msg readers drop trailing U+0000 of a name as its terminator, so such a name cannot be stored
        if (n.name.endsWith('\u0000')) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at}.named.name ends in U+0000, which a .msg cannot keep (MS-OXMSG 2.2.3.1.2)`);
        named = { guid: n.guid as string, name: n.name };
      }
      else if (typeof n.lid === 'string' || typeof n.lid === 'number') named = { guid: n.guid as string, lid: Number(n.lid) };
      else throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at}.named needs name or lid`);
      if (!isGuid(named.guid)) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at}.named.guid ${JSON.stringify(named.guid).slice(0, 60)} is not a GUID`);
      bag.setNamed(named, type, value, flags);
    } else {
      throw new SmimeBridgeError('MAPI_JSON_INVALID', `${at} needs "tag" (0xIIIITTTT) or "named"`);
    }
  });
}

function messageFromJsonBody(j: { [k: string]: Json }, where: string, depth: number): MessageObject {
  // The .msg writer nests at most MESSAGE_LIMITS.embeddingDepth (16) deep: accept exactly that.
  if (depth > MESSAGE_LIMITS.embeddingDepth) throw new SmimeBridgeError('LIMIT_EXCEEDED', `embedded messages nested deeper than ${MESSAGE_LIMITS.embeddingDepth} at ${where}`);
  const m = new MessageObject();
  bagFromJson(j.properties, m.properties, where);
  const recips = j.recipients ?? [];
  if (!Array.isArray(recips)) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${where}.recipients is not an array`);
  if (recips.length > MESSAGE_LIMITS.recipients) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${recips.length} recipients at ${where}; a .msg holds at most ${MESSAGE_LIMITS.recipients}`);
  recips.forEach((r, i) => {
    if (!isObj(r)) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${where}.recipients[${i}] is not an object`);
    const bag = new PropertyBag();
    bagFromJson(r.properties, bag, `${where}.recipients[${i}]`);
    m.recipients.push(bag);
  });
  const atts = j.attachments ?? [];
  if (!Array.isArray(atts)) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${where}.attachments is not an array`);
  if (atts.length > MESSAGE_LIMITS.attachments) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${atts.length} attachments at ${where}; a .msg holds at most ${MESSAGE_LIMITS.attachments}`);
  atts.forEach((a, i) => {
    if (!isObj(a)) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${where}.attachments[${i}] is not an object`);
    const att = new Attachment();
    bagFromJson(a.properties, att.properties, `${where}.attachments[${i}]`, true);
    if (a.embedded !== undefined) {
      if (!isObj(a.embedded)) throw new SmimeBridgeError('MAPI_JSON_INVALID', `${where}.attachments[${i}].embedded is not an object`);
      att.embedded = messageFromJsonBody(a.embedded, `${where}.attachments[${i}].embedded`, depth + 1);
    }
    m.attachments.push(att);
  });
  return m;
}

/** Read the JSON form (object or text) back into a message object. Throws `MAPI_JSON_INVALID`. */
export function messageFromJson(input: unknown): MessageObject {
  let j: unknown = input;
  if (typeof input === 'string') {
    try { j = JSON.parse(input); } catch (e) {
      throw new SmimeBridgeError('MAPI_JSON_INVALID', `not JSON: ${(e as Error).message}`);
    }
  }
  if (!isObj(j)) throw new SmimeBridgeError('MAPI_JSON_INVALID', 'top level is not an object');
  if (j.format !== JSON_FORMAT) throw new SmimeBridgeError('MAPI_JSON_INVALID', `"format" must be "${JSON_FORMAT}"`);
  if (j.version !== JSON_VERSION) throw new SmimeBridgeError('MAPI_JSON_INVALID', `unsupported version ${JSON.stringify(j.version)}`);
  return messageFromJsonBody(j, 'message', 0);
}
