/**
 * CRL distribution points (RFC 5280 4.2.1.13) and issuingDistributionPoint (5.2.5), read from
 * the extension encoding. PKI.js is not used here: it mis-reads nameRelativeToCRLIssuer (the
 * whole extension fails to parse) and keeps the unused-bits octet of `reasons` as data.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer, toHex } from '../bytes.js';
import { bitsOf } from './ext.js';
import { type Ava, avaOf, generalNameKey, rdnsOf } from './names.js';

/** Reasons bits 1..8 (keyCompromise .. aACompromise) as a mask. */
export const ALL_REASONS = 0x1fe;

/** A DistributionPointName: full names, or an RDN relative to the CRL issuer. */
export type DpName = { full: pkijs.GeneralName[] } | { relative: Ava[] };

/** One DistributionPoint. */
export interface DistributionPoint {
  name?: DpName;
  reasons: number;
  /** cRLIssuer directoryNames (undefined when the field is absent). */
  crlIssuers?: pkijs.RelativeDistinguishedNames[];
}

/** issuingDistributionPoint. */
export interface IssuingDp {
  name?: DpName;
  reasons: number;
  onlyUser: boolean;
  onlyCa: boolean;
  indirect: boolean;
  onlyAttr: boolean;
  /** The extension value, hex (delta CRL scope comparison). */
  der: string;
}

function reasonsOf(el: asn1js.BaseBlock): number {
  const b = new Uint8Array((el as asn1js.Primitive).valueBlock.valueHexView);
  const bs = new asn1js.BitString({ valueHex: toArrayBuffer(b.subarray(1)), unusedBits: b[0] ?? 0 });
  const bits = bitsOf(bs);
  let m = 0;
  for (let i = 1; i <= 8; i++) if (bits[i]) m |= 1 << i;
  return m;
}

function children(el: asn1js.BaseBlock): asn1js.BaseBlock[] {
  return ((el as asn1js.Constructed).valueBlock?.value ?? []) as asn1js.BaseBlock[];
}

function dpNameOf(el: asn1js.BaseBlock): DpName | undefined {
  const inner = children(el)[0];
  if (!inner) return undefined;
  if (inner.idBlock.tagNumber === 0) return { full: children(inner).map((g) => new pkijs.GeneralName({ schema: g })) };
  if (inner.idBlock.tagNumber === 1) return { relative: children(inner).map((a) => avaOf(a as asn1js.Sequence)).filter((x): x is Ava => !!x) };
  return undefined;
}

function parse(v: asn1js.OctetString): asn1js.BaseBlock {
  return asn1js.fromBER(toArrayBuffer(new Uint8Array(v.valueBlock.valueHexView))).result;
}

/** The cRLDistributionPoints of an extension, or undefined. */
export function readDistributionPoints(ext: pkijs.Extension | undefined): DistributionPoint[] | undefined {
  if (!ext) return undefined;
  return children(parse(ext.extnValue)).map((dp) => {
    const out: DistributionPoint = { reasons: ALL_REASONS };
    for (const f of children(dp)) {
      if (f.idBlock.tagClass !== 3) continue;
      if (f.idBlock.tagNumber === 0) out.name = dpNameOf(f);
      else if (f.idBlock.tagNumber === 1) out.reasons = reasonsOf(f);
      else if (f.idBlock.tagNumber === 2) {
        out.crlIssuers = children(f)
          .map((g) => new pkijs.GeneralName({ schema: g }))
          .filter((g) => g.type === 4)
          .map((g) => g.value as pkijs.RelativeDistinguishedNames);
      }
    }
    return out;
  });
}

/** The issuingDistributionPoint of a CRL extension, or undefined. */
export function readIssuingDp(ext: pkijs.Extension | undefined): IssuingDp | undefined {
  if (!ext) return undefined;
  const out: IssuingDp = { reasons: ALL_REASONS, onlyUser: false, onlyCa: false, indirect: false, onlyAttr: false, der: toHex(new Uint8Array(ext.extnValue.valueBlock.valueHexView)) };
  for (const f of children(parse(ext.extnValue))) {
    if (f.idBlock.tagClass !== 3) continue;
    const flag = () => (new Uint8Array((f as asn1js.Primitive).valueBlock.valueHexView)[0] ?? 0) !== 0;
    switch (f.idBlock.tagNumber) {
      case 0: out.name = dpNameOf(f); break;
      case 1: out.onlyUser = flag(); break;
      case 2: out.onlyCa = flag(); break;
      case 3: out.reasons = reasonsOf(f); break;
      case 4: out.indirect = flag(); break;
      case 5: out.onlyAttr = flag(); break;
    }
  }
  return out;
}

/** Comparable keys of a DistributionPointName, a relative name resolved against `issuer`. */
export function dpNameKeys(n: DpName, issuer: pkijs.RelativeDistinguishedNames): string[] {
  if ('full' in n) return n.full.map(generalNameKey);
  return ['4:' + JSON.stringify([...rdnsOf(issuer), [...n.relative].sort(avaCompare)])];
}

function avaCompare(x: Ava, y: Ava): number {
  return x.type + '\0' + x.value < y.type + '\0' + y.value ? -1 : 1;
}

