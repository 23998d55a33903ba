/**
 * DER encoding of values described by ./schema.ts, through asn1js blocks (X.690 10/11): definite
 * lengths, SET members sorted by tag (10.3), SET OF sorted by encoding (11.6), DEFAULT values
 * omitted by the callers (11.5). asn1js writes every identifier, length and contents octet.
 */
import * as asn1js from 'asn1js';
import { SmimeBridgeError } from '../errors.js';
import { CLASS_NUM, type BitStr, type Prim, type RawElement, type Rec, type Schema, type TagClass } from './schema.js';
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
