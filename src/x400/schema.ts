/**
 * A small declarative ASN.1 schema layer over asn1js, used to declare every X.411/X.420 structure
 * of this folder once (see ./modules.ts) and to drive both DER encoding and BER decoding from it.
 *
 * Why not @peculiar/asn1-schema: it only knows context-specific tags, while X.400 is built on
 * APPLICATION tags (ORName [APPLICATION 0], MTSIdentifier [APPLICATION 4], ...), and its SET
 * parsing, like asn1js `compareSchema`, is order-sensitive, while BER allows SET members in any
 * order (X.690 8.11.2). So the schemas here are plain descriptor objects; asn1js does all the
 * TLV work (identifier/length octets, INTEGER/OID/UTCTime/BIT STRING content, definite-length
 * DER output). Nothing here assembles bytes by hand.
 *
 * Encoding rules applied: DER (X.690 10/11): definite lengths, SET members sorted by tag
 * (X.690 10.3: universal < application < context < private, then tag number), SET OF sorted by
 * encoding (X.690 11.6). A tag on a CHOICE or an open type is always explicit (X.680 31.2.7).
 * Decoding accepts BER: indefinite lengths (asn1js), SET members in any order, constructed
 * strings (X.690 8.7.3 / 8.21.5), unknown trailing SEQUENCE elements and unknown SET members
 * (kept raw under `$unknown` and reported).
 */
import * as asn1js from 'asn1js';
import { SmimeBridgeError } from '../errors.js';

/** Tag class of an identifier octet (X.690 8.1.2.2). */
export type TagClass = 'universal' | 'application' | 'context' | 'private';
/** asn1js numbers for the tag classes. */
export const CLASS_NUM: Record<TagClass, number> = { universal: 1, application: 2, context: 3, private: 4 };

/** Primitive (universal) types the X.400 modules use. */
export type Prim =
  | 'oid'
  | 'integer'
  | 'enumerated'
  | 'boolean'
  | 'octets'
  | 'null'
  | 'printable'
  | 'numeric'
  | 'ia5'
  | 'teletex'
  | 'utctime'
  | 'bits';

const UNIVERSAL_TAG: Record<Prim, number> = {
  boolean: 1,
  integer: 2,
  bits: 3,
  octets: 4,
  null: 5,
  oid: 6,
  enumerated: 10,
  numeric: 18,
  printable: 19,
  teletex: 20,
  ia5: 22,
  utctime: 23,
};

/** A schema node. */
export type Schema =
  | { t: 'prim'; prim: Prim }
  /** Any one element, kept raw; with `tag` only an element with that tag matches. */
  | { t: 'any'; tag?: { cls: TagClass; num: number } }
  | { t: 'seq' | 'set'; name: string; fields: Field[] }
  | { t: 'seqOf' | 'setOf'; of: Schema }
  | { t: 'choice'; alts: Field[] }
  | { t: 'tag'; cls: TagClass; num: number; mode: 'implicit' | 'explicit'; inner: Schema };

/** A named component of a SEQUENCE, SET or CHOICE. */
export interface Field {
  name: string;
  schema: Schema;
  /** OPTIONAL or DEFAULT: absent on decode is fine; encoders omit DEFAULT values themselves. */
  optional?: boolean;
}

/** A BIT STRING value: content bytes and the number of unused bits in the last byte. */
export interface BitStr {
  bytes: Uint8Array;
  unused: number;
}

/** An element kept as raw BER: its whole TLV, where it was and its tag. */
export interface RawElement {
  /** The element's identifier, length and contents octets, as found in the input. */
  bytes: Uint8Array;
  /** Byte offset of the element in the outermost input. */
  offset: number;
  /** Tag in ASN.1 notation, e.g. `[APPLICATION 5]`, `[3]`, `UNIVERSAL 16`. */
  tag: string;
  /** ASN.1 path of the element. */
  path: string;
}

/** Decoded SEQUENCE / SET: field values by name, plus unknown members kept raw. */
export type Rec = { [field: string]: unknown; $unknown?: RawElement[]; $offset?: number };

// ---------------------------------------------------------------------------------------------
// Declaration helpers (used by ./modules.ts)

/** A universal primitive type. */
export const prim = (p: Prim): Schema => ({ t: 'prim', prim: p });
/** SEQUENCE { fields }. */
export const seq = (name: string, ...fields: Field[]): Schema => ({ t: 'seq', name, fields });
/** SET { fields }. */
export const set = (name: string, ...fields: Field[]): Schema => ({ t: 'set', name, fields });
/** SEQUENCE OF. */
export const seqOf = (of: Schema): Schema => ({ t: 'seqOf', of });
/** SET OF. */
export const setOf = (of: Schema): Schema => ({ t: 'setOf', of });
/** CHOICE { alts }. */
export const choice = (...alts: Field[]): Schema => ({ t: 'choice', alts });
/** Any element (open type), optionally restricted to one tag; kept raw. */
export const any = (cls?: TagClass, num?: number): Schema =>
  cls === undefined || num === undefined ? { t: 'any' } : { t: 'any', tag: { cls, num } };
/** [APPLICATION n] tag; implicit unless the inner type is a CHOICE or open type. */
export const app = (num: number, inner: Schema, mode: 'implicit' | 'explicit' = 'implicit'): Schema =>
  tagged('application', num, inner, mode);
/** [n] (context-specific) tag; implicit unless the inner type is a CHOICE or open type. */
export const ctx = (num: number, inner: Schema, mode: 'implicit' | 'explicit' = 'implicit'): Schema =>
  tagged('context', num, inner, mode);
/** [UNIVERSAL n] IMPLICIT (used for INSTANCE OF = [UNIVERSAL 8] IMPLICIT SEQUENCE, X.681 C.7). */
export const universal = (num: number, inner: Schema): Schema => tagged('universal', num, inner, 'implicit');
/** A mandatory field. */
export const f = (name: string, schema: Schema): Field => ({ name, schema });
/** An OPTIONAL (or DEFAULT) field. */
export const opt = (name: string, schema: Schema): Field => ({ name, schema, optional: true });

function tagged(cls: TagClass, num: number, inner: Schema, mode: 'implicit' | 'explicit'): Schema {
  // X.680 31.2.7: a tag on a CHOICE or open type is explicit whatever the module default.
  const m = inner.t === 'choice' || (inner.t === 'any' && !inner.tag) ? 'explicit' : mode;
  return { t: 'tag', cls, num, mode: m, inner };
}

/** Render a tag the ASN.1 way. */
export function tagName(cls: number, num: number): string {
  if (cls === 1) {
    const names: Record<number, string> = {
      1: 'BOOLEAN', 2: 'INTEGER', 3: 'BIT STRING', 4: 'OCTET STRING', 5: 'NULL', 6: 'OBJECT IDENTIFIER',
      8: 'EXTERNAL', 10: 'ENUMERATED', 16: 'SEQUENCE', 17: 'SET', 18: 'NumericString', 19: 'PrintableString',
      20: 'TeletexString', 22: 'IA5String', 23: 'UTCTime',
    };
    return names[num] ?? `UNIVERSAL ${num}`;
  }
  if (cls === 2) return `[APPLICATION ${num}]`;
  if (cls === 3) return `[${num}]`;
  return `[PRIVATE ${num}]`;
}

// ---------------------------------------------------------------------------------------------
// Encoding (DER)

type Block = asn1js.BaseBlock;

function err(message: string, path: string): SmimeBridgeError {
  return new SmimeBridgeError('INVALID_ARGUMENT', message, { asn1Path: path });
}

function retag(node: Block, cls: TagClass, num: number): Block {
  node.idBlock.tagClass = CLASS_NUM[cls];
  node.idBlock.tagNumber = num;
  return node;
}

function encodePrim(p: Prim, v: unknown, path: string): Block {
  switch (p) {
    case 'oid':
      if (typeof v !== 'string' || !/^\d+(\.\d+)+$/.test(v)) throw err(`expected an OID string, got ${String(v)}`, path);
      return new asn1js.ObjectIdentifier({ value: v });
    case 'integer':
    case 'enumerated':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw err(`expected an integer, got ${String(v)}`, path);
      return p === 'integer' ? new asn1js.Integer({ value: v }) : new asn1js.Enumerated({ value: v });
    case 'boolean':
      return new asn1js.Boolean({ value: v === true });
    case 'null':
      return new asn1js.Null();
    case 'octets':
      if (!(v instanceof Uint8Array)) throw err('expected bytes', path);
      return new asn1js.OctetString({ valueHex: v });
    case 'bits': {
      const b = v as BitStr;
      if (!b || !(b.bytes instanceof Uint8Array)) throw err('expected a BIT STRING value', path);
      return new asn1js.BitString({ valueHex: b.bytes, unusedBits: b.unused });
    }
    case 'utctime':
      if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw err('expected a Date', path);
      if (v.getUTCFullYear() < 1950 || v.getUTCFullYear() > 2049) throw err('UTCTime covers 1950..2049 only', path);
      return new asn1js.UTCTime({ valueDate: new Date(Math.floor(v.getTime() / 1000) * 1000) });
    case 'printable':
    case 'numeric':
    case 'ia5':
    case 'teletex': {
      if (typeof v !== 'string') throw err('expected a string', path);
      checkChars(p, v, path);
      const Ctor = { printable: asn1js.PrintableString, numeric: asn1js.NumericString, ia5: asn1js.IA5String, teletex: asn1js.TeletexString }[p];
      return new Ctor({ value: v });
    }
  }
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
function checkChars(p: Prim, v: string, path: string): void {
  const ok =
    p === 'printable' ? PRINTABLE.test(v) : p === 'numeric' ? /^[0-9 ]*$/.test(v) : /^[\x00-\x7f]*$/.test(v);
  // TeletexString: this library writes only the ASCII subset (T.61 graphics differ from Latin-1).
  if (!ok) throw err(`${JSON.stringify(v)} is not a valid ${p} string`, path);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Build the asn1js block for `value` according to `schema` (DER rules). */
export function toBlock(schema: Schema, value: unknown, path = '$'): Block {
  switch (schema.t) {
    case 'prim':
      return encodePrim(schema.prim, value, path);
    case 'any': {
      const raw = value instanceof Uint8Array ? value : (value as RawElement | undefined)?.bytes;
      if (!(raw instanceof Uint8Array)) throw err('expected raw BER bytes', path);
      const r = asn1js.fromBER(raw, { parseEmbedded: false, maxContentLength: raw.length, maxDepth: 1000, maxNodes: 1e7 });
      if (r.offset !== raw.length || r.result.error) throw err('raw element is not one BER element', path);
      return r.result;
    }
    case 'seq':
    case 'set': {
      const rec = value as Rec | undefined;
      if (!rec || typeof rec !== 'object') throw err(`expected a ${schema.name} object`, path);
      const items: Block[] = [];
      for (const fld of schema.fields) {
        const v = rec[fld.name];
        if (v === undefined) {
          if (!fld.optional) throw err(`missing mandatory component ${fld.name}`, `${path}.${fld.name}`);
          continue;
        }
        items.push(toBlock(fld.schema, v, `${path}.${fld.name}`));
      }
      for (const u of rec.$unknown ?? []) items.push(toBlock({ t: 'any' }, u, path));
      if (schema.t === 'seq') return new asn1js.Sequence({ value: items });
      // X.690 10.3: DER orders SET components by tag class, then tag number.
      items.sort((a, b) => a.idBlock.tagClass - b.idBlock.tagClass || a.idBlock.tagNumber - b.idBlock.tagNumber);
      return new asn1js.Set({ value: items });
    }
    case 'seqOf':
    case 'setOf': {
      if (!Array.isArray(value)) throw err('expected an array', path);
      const items = value.map((v, i) => toBlock(schema.of, v, `${path}[${i}]`));
      if (schema.t === 'seqOf') return new asn1js.Sequence({ value: items });
      // X.690 11.6: DER orders SET OF components by their encodings.
      const enc = items.map((b) => ({ b, d: new Uint8Array(b.toBER(false)) }));
      enc.sort((x, y) => compareBytes(x.d, y.d));
      return new asn1js.Set({ value: enc.map((e) => e.b) });
    }
    case 'choice': {
      const rec = value as Rec | undefined;
      const key = rec && typeof rec === 'object' ? Object.keys(rec).find((k) => !k.startsWith('$')) : undefined;
      const alt = schema.alts.find((a) => a.name === key);
      if (!alt || key === undefined) throw err(`no alternative chosen (one of ${schema.alts.map((a) => a.name).join(', ')})`, path);
      return toBlock(alt.schema, rec![key], `${path}.${key}`);
    }
    case 'tag': {
      const inner = toBlock(schema.inner, value, path);
      if (schema.mode === 'implicit') return retag(inner, schema.cls, schema.num);
      return new asn1js.Constructed({
        idBlock: { tagClass: CLASS_NUM[schema.cls], tagNumber: schema.num },
        value: [inner],
      });
    }
  }
}

/** DER-encode `value` according to `schema`. */
export function encodeDer(schema: Schema, value: unknown, path = '$'): Uint8Array {
  return new Uint8Array(toBlock(schema, value, path).toBER(false));
}

// ---------------------------------------------------------------------------------------------
// Decoding (BER)

/** Decoding context: the outermost input and where the asn1js tree's root sits in it. */
export interface DecodeContext {
  /** The bytes asn1js decoded (the root element starts at offset 0 of this). */
  input: Uint8Array;
  /** Offset of `input` inside the caller's outermost buffer (for error locations). */
  base: number;
  /** byteOffset of the root's `valueBeforeDecodeView` inside asn1js's own buffer. */
  rootByteOffset: number;
  /** Upper bound on SEQUENCE OF / SET OF elements. */
  maxElements: number;
}

/** Offset of `node` inside `ctx.input`. */
export function localOffset(c: DecodeContext, node: Block): number {
  return node.valueBeforeDecodeView.byteOffset - c.rootByteOffset;
}

function malformed(c: DecodeContext, node: Block, message: string, path: string): SmimeBridgeError {
  return new SmimeBridgeError('X400_BER_MALFORMED', message, { offset: c.base + localOffset(c, node), asn1Path: path });
}

/** Identifier + length octets of a node. */
function headerLength(node: Block): number {
  return node.idBlock.blockLength + node.lenBlock.blockLength;
}

/** The whole TLV of `node` as a view of the input. */
export function rawOf(c: DecodeContext, node: Block): Uint8Array {
  const off = localOffset(c, node);
  return c.input.subarray(off, off + node.valueBeforeDecodeView.length);
}

function children(node: Block): Block[] {
  const v = (node.valueBlock as unknown as { value?: unknown }).value;
  return node.idBlock.isConstructed && Array.isArray(v) ? (v as Block[]) : [];
}

/** Contents octets of a primitive, or the concatenated segments of a constructed string. */
function contentOf(c: DecodeContext, node: Block, path: string, depth = 0): Uint8Array {
  if (!node.idBlock.isConstructed) {
    const off = localOffset(c, node) + headerLength(node);
    return c.input.subarray(off, off + node.lenBlock.length);
  }
  // X.690 8.7.3.2: the constructed form's contents are the concatenation of OCTET STRING
  // segments; restricted character strings are encoded like an implicit OCTET STRING (8.23.6).
  const parts = children(node).map((ch) => {
    if (ch.idBlock.tagClass !== 1 || ch.idBlock.tagNumber !== 4)
      throw malformed(c, ch, 'segment of a constructed string must be an OCTET STRING', path);
    if (depth > 8) throw malformed(c, ch, 'constructed string nested too deeply', path);
    return contentOf(c, ch, path, depth + 1);
  });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

const UTC_TIME = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(Z|[+-]\d{4})$/;

function decodePrim(c: DecodeContext, p: Prim, node: Block, path: string): unknown {
  const bytes = contentOf(c, node, path);
  const bad = (m: string) => malformed(c, node, m, path);
  switch (p) {
    case 'oid': {
      const o = new asn1js.ObjectIdentifier();
      if (bytes.length === 0 || o.valueBlock.fromBER(bytes, 0, bytes.length) === -1 || o.valueBlock.error)
        throw bad('bad OBJECT IDENTIFIER');
      return o.getValue();
    }
    case 'integer':
    case 'enumerated': {
      if (bytes.length === 0) throw bad(`empty ${p.toUpperCase()}`);
      if (bytes.length > 6) throw bad(`${p.toUpperCase()} too large`);
      return new asn1js.Integer({ valueHex: bytes }).valueBlock.valueDec;
    }
    case 'boolean':
      if (bytes.length !== 1) throw bad('BOOLEAN must be one octet');
      return bytes[0] !== 0;
    case 'null':
      if (bytes.length !== 0) throw bad('NULL must be empty');
      return null;
    case 'octets':
      return bytes;
    case 'bits':
      if (bytes.length === 0 || bytes[0]! > 7 || (bytes.length === 1 && bytes[0] !== 0)) throw bad('bad BIT STRING');
      return { bytes: bytes.subarray(1), unused: bytes[0]! } satisfies BitStr;
    case 'utctime': {
      const m = UTC_TIME.exec(latin1(bytes));
      if (!m) throw bad('bad UTCTime');
      const yy = Number(m[1]);
      let t = Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
      if (m[7] !== 'Z') {
        const sign = m[7]!.startsWith('-') ? -1 : 1;
        t -= sign * (Number(m[7]!.slice(1, 3)) * 60 + Number(m[7]!.slice(3, 5))) * 60000;
      }
      return new Date(t);
    }
    case 'printable':
    case 'numeric':
    case 'ia5':
    case 'teletex':
      return latin1(bytes);
  }
}

/** True when `node` can be the start of a value of `schema`. */
export function matches(schema: Schema, node: Block): boolean {
  const cls = node.idBlock.tagClass;
  const num = node.idBlock.tagNumber;
  switch (schema.t) {
    case 'prim':
      return cls === 1 && num === UNIVERSAL_TAG[schema.prim];
    case 'any':
      return !schema.tag || (cls === CLASS_NUM[schema.tag.cls] && num === schema.tag.num);
    case 'seq':
    case 'seqOf':
      return cls === 1 && num === 16;
    case 'set':
    case 'setOf':
      return cls === 1 && num === 17;
    case 'choice':
      return schema.alts.some((a) => matches(a.schema, node));
    case 'tag':
      return cls === CLASS_NUM[schema.cls] && num === schema.num;
  }
}

/**
 * Decode `node` as `schema`. With `implicit`, the node's own tag was checked by the caller and
 * replaces the type's tag. Unknown SET members and trailing SEQUENCE elements are kept raw.
 */
export function fromBlock(c: DecodeContext, schema: Schema, node: Block, path: string, implicit = false): unknown {
  if (!implicit && !matches(schema, node))
    throw malformed(c, node, `unexpected ${tagName(node.idBlock.tagClass, node.idBlock.tagNumber)}`, path);
  switch (schema.t) {
    case 'prim':
      if (node.idBlock.isConstructed && !['octets', 'printable', 'numeric', 'ia5', 'teletex'].includes(schema.prim))
        throw malformed(c, node, `${schema.prim} must be primitive`, path);
      return decodePrim(c, schema.prim, node, path);
    case 'any':
      return {
        bytes: rawOf(c, node),
        offset: c.base + localOffset(c, node),
        tag: tagName(node.idBlock.tagClass, node.idBlock.tagNumber),
        path,
      } satisfies RawElement;
    case 'seq':
    case 'set': {
      if (!node.idBlock.isConstructed) throw malformed(c, node, `${schema.name} must be constructed`, path);
      const kids = children(node);
      const out: Rec = { $offset: c.base + localOffset(c, node) };
      const unknown: RawElement[] = [];
      if (schema.t === 'seq') {
        let i = 0;
        for (const fld of schema.fields) {
          const kid = kids[i];
          if (kid && matches(fld.schema, kid)) {
            out[fld.name] = fromBlock(c, fld.schema, kid, `${path}.${fld.name}`);
            i++;
          } else if (!fld.optional) {
            throw malformed(c, kid ?? node, `${schema.name}: missing ${fld.name}`, `${path}.${fld.name}`);
          }
        }
        for (; i < kids.length; i++) unknown.push(fromBlock(c, { t: 'any' }, kids[i]!, `${path}[${i}]`) as RawElement);
      } else {
        kids.forEach((kid, i) => {
          const fld = schema.fields.find((fl) => matches(fl.schema, kid));
          if (!fld) {
            unknown.push(fromBlock(c, { t: 'any' }, kid, `${path}[${i}]`) as RawElement);
            return;
          }
          if (out[fld.name] !== undefined) throw malformed(c, kid, `${schema.name}: ${fld.name} occurs twice`, `${path}.${fld.name}`);
          out[fld.name] = fromBlock(c, fld.schema, kid, `${path}.${fld.name}`);
        });
        for (const fld of schema.fields)
          if (!fld.optional && out[fld.name] === undefined)
            throw malformed(c, node, `${schema.name}: missing ${fld.name}`, `${path}.${fld.name}`);
      }
      if (unknown.length) out.$unknown = unknown;
      return out;
    }
    case 'seqOf':
    case 'setOf': {
      if (!node.idBlock.isConstructed) throw malformed(c, node, 'SEQUENCE OF / SET OF must be constructed', path);
      const kids = children(node);
      if (kids.length > c.maxElements) throw malformed(c, node, `more than ${c.maxElements} elements`, path);
      return kids.map((kid, i) => fromBlock(c, schema.of, kid, `${path}[${i}]`));
    }
    case 'choice': {
      const alt = schema.alts.find((a) => matches(a.schema, node));
      if (!alt) throw malformed(c, node, `no CHOICE alternative has ${tagName(node.idBlock.tagClass, node.idBlock.tagNumber)}`, path);
      return { [alt.name]: fromBlock(c, alt.schema, node, `${path}.${alt.name}`) };
    }
    case 'tag': {
      if (schema.mode === 'implicit') return fromBlock(c, schema.inner, node, path, true);
      const kids = children(node);
      if (kids.length !== 1) throw malformed(c, node, 'explicit tag must hold exactly one element', path);
      return fromBlock(c, schema.inner, kids[0]!, path);
    }
  }
}
