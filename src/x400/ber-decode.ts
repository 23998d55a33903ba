/**
 * BER decoding of values described by ./schema.ts from an asn1js block tree (X.690 8): SET
 * members in any order (8.11.2), constructed strings (8.7.3), unknown SET members and trailing
 * SEQUENCE elements kept raw under `$unknown`. Every failure is X400_BER_MALFORMED with the
 * byte offset and the ASN.1 path.
 */
import * as asn1js from 'asn1js';
import { SmimeBridgeError } from '../errors.js';
import { CLASS_NUM, tagName, UNIVERSAL_TAG, type BitStr, type Prim, type RawElement, type Rec, type Schema } from './schema.js';

type Block = asn1js.BaseBlock;
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
