/**
 * A small declarative ASN.1 schema layer over asn1js, used to declare every X.411/X.420 structure
 * of this folder once (see ./modules.ts) and to drive both DER encoding (./der-encode.ts) and BER
 * decoding (./ber-decode.ts) from it.
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

/** Universal tag number of each primitive type. */
export const UNIVERSAL_TAG: Record<Prim, number> = {
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
