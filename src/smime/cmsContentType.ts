/**
 * The CMS content type of a protected part (RFC 5652 section 3 ContentInfo), read with asn1js.
 * Just enough for `inspect` to say what an S/MIME layer holds; the full CMS work is in src/cms.
 */
import * as asn1js from 'asn1js';

const NAMES: Record<string, string> = {
  '1.2.840.113549.1.7.1': 'data',
  '1.2.840.113549.1.7.2': 'signed-data',
  '1.2.840.113549.1.7.3': 'enveloped-data',
  '1.2.840.113549.1.9.16.1.23': 'auth-enveloped-data',
  '1.2.840.113549.1.9.16.1.9': 'compressed-data',
  '1.2.840.113549.1.9.16.1.2': 'authenticated-data',
  '1.2.840.113549.1.9.16.1.1': 'receipt',
};

/** `{ oid, name }` of a DER/BER ContentInfo, or undefined when the bytes are not one. */
export function cmsContentType(der: Uint8Array): { oid: string; name: string } | undefined {
  if (der.length < 4 || der[0] !== 0x30) return undefined;
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1) return undefined;
  const seq = parsed.result;
  if (!(seq instanceof asn1js.Sequence)) return undefined;
  const first = seq.valueBlock.value[0];
  if (!(first instanceof asn1js.ObjectIdentifier)) return undefined;
  const oid = first.valueBlock.toString();
  return { oid, name: NAMES[oid] ?? oid };
}
