/**
 * Names for path validation: distinguished names compared as RFC 5280 7.1 asks (RDN by RDN,
 * multi-valued RDNs as sets, string attributes after a simplified RFC 4518 preparation: trim,
 * compress inner white space, case-fold), and GeneralName equality for CRL distribution points
 * (RFC 5280 6.3.3 (b)(2)(i)).
 *
 * PKI.js flattens the RDN sets of a Name (`typesAndValues`); this module reads the encoding again
 * so that multi-valued RDNs and the RDN boundaries used by directoryName constraints survive.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toHex } from '../bytes.js';

/** One attribute of an RDN: type OID and comparable value (prepared string or `#` + DER hex). */
export interface Ava {
  type: string;
  value: string;
}

/** A distinguished name as RDNs (outer order kept), each a sorted list of AVAs. */
export type Rdns = Ava[][];

const cache = new WeakMap<pkijs.RelativeDistinguishedNames, Rdns>();

/** Simplified RFC 4518 string preparation: trim, compress white space runs, lower-case. */
export function prepString(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** One AttributeTypeAndValue SEQUENCE read as an {@link Ava}. */
export function avaOf(a: asn1js.Sequence): Ava | undefined {
  const [t, v] = a.valueBlock?.value ?? [];
  return t instanceof asn1js.ObjectIdentifier && v ? { type: t.valueBlock.toString(), value: avaValue(v) } : undefined;
}

function avaValue(v: asn1js.AsnType): string {
  const b = (v as { valueBlock?: { value?: unknown } }).valueBlock;
  // every ASN.1 string type of asn1js exposes its decoded text as valueBlock.value
  if (b && typeof b.value === 'string' && !(v instanceof asn1js.ObjectIdentifier)) return prepString(b.value);
  return '#' + toHex(new Uint8Array(v.toBER(false)));
}

/** The RDNs of a Name, read from its encoding. */
export function rdnsOf(name: pkijs.RelativeDistinguishedNames): Rdns {
  const hit = cache.get(name);
  if (hit) return hit;
  let out: Rdns = [];
  const seq = name.valueBeforeDecode.byteLength ? asn1js.fromBER(name.valueBeforeDecode).result : name.toSchema();
  if (seq instanceof asn1js.Sequence) {
    for (const set of seq.valueBlock.value) {
      const avas: Ava[] = [];
      for (const a of (set as asn1js.Set).valueBlock.value ?? []) {
        const ava = avaOf(a as asn1js.Sequence);
        if (ava) avas.push(ava);
      }
      avas.sort((x, y) => (x.type + '\0' + x.value < y.type + '\0' + y.value ? -1 : 1));
      out.push(avas);
    }
  } else {
    out = name.typesAndValues.map((tv) => [{ type: tv.type, value: avaValue(tv.value as asn1js.AsnType) }]);
  }
  cache.set(name, out);
  return out;
}

function rdnEqual(a: Ava[], b: Ava[]): boolean {
  return a.length === b.length && a.every((x, i) => x.type === b[i]!.type && x.value === b[i]!.value);
}

/** RFC 5280 7.1: are two names equal? */
export function namesEqual(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  const x = rdnsOf(a);
  const y = rdnsOf(b);
  return x.length === y.length && x.every((r, i) => rdnEqual(r, y[i]!));
}

/** Is `base` a prefix (subtree root) of `name` (RFC 5280 4.2.1.10 directoryName)? */
export function dnWithin(name: Rdns, base: Rdns): boolean {
  return base.length <= name.length && base.every((r, i) => rdnEqual(r, name[i]!));
}

/** A stable text key of a name (for maps). */
export function nameKey(name: pkijs.RelativeDistinguishedNames): string {
  return JSON.stringify(rdnsOf(name));
}

/** Is the name empty (no RDNs)? */
export function isEmptyName(name: pkijs.RelativeDistinguishedNames): boolean {
  return rdnsOf(name).length === 0;
}

/** A comparable key of a GeneralName: directoryName per 7.1, URIs exactly, DNS names and e-mail addresses case-folded, others by DER. */
export function generalNameKey(g: pkijs.GeneralName): string {
  if (g.type === 4) return '4:' + JSON.stringify(rdnsOf(g.value as pkijs.RelativeDistinguishedNames));
  if (typeof g.value === 'string') return `${g.type}:` + (g.type === 6 ? g.value : g.value.toLowerCase());
  const v = g.value as asn1js.BaseBlock | undefined;
  return `${g.type}:` + (v && typeof v.toBER === 'function' ? toHex(new Uint8Array(v.toBER(false))) : String(v));
}

/** The key of a directoryName for `name`. */
export function dirNameKey(name: pkijs.RelativeDistinguishedNames): string {
  return '4:' + JSON.stringify(rdnsOf(name));
}
