/**
 * The CMS content type of a protected part (RFC 5652 section 3 ContentInfo): just enough for
 * classification and `inspect` to say what an S/MIME layer holds; the full CMS work is in src/cms.
 *
 * Only the ContentInfo SEQUENCE header and its first element are read (asn1js decodes the OID),
 * so the cost does not grow with the size of the object: a 100 MB EnvelopedData costs the same as
 * a 1 KB one.
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

/** Offset after a BER length at `i`, and the length (-1 for indefinite); undefined when malformed. */
function readLength(b: Uint8Array, i: number): { next: number; length: number } | undefined {
  if (i >= b.length) return undefined;
  const first = b[i]!;
  if (first < 0x80) return { next: i + 1, length: first };
  if (first === 0x80) return { next: i + 1, length: -1 };
  const n = first & 0x7f;
  if (n > 4 || i + 1 + n > b.length) return undefined;
  let length = 0;
  for (let k = 0; k < n; k++) length = length * 256 + b[i + 1 + k]!;
  return { next: i + 1 + n, length };
}

/** `{ oid, name }` of a DER/BER ContentInfo, or undefined when the bytes do not start like one. */
export function cmsContentType(der: Uint8Array): { oid: string; name: string } | undefined {
  if (der.length < 4 || der[0] !== 0x30) return undefined;
  const seq = readLength(der, 1);
  if (!seq) return undefined;
  if (seq.length >= 0 && seq.next + seq.length > der.length) return undefined; // truncated
  if (der[seq.next] !== 0x06) return undefined;
  const oidLen = readLength(der, seq.next + 1);
  if (!oidLen || oidLen.length <= 0 || oidLen.next + oidLen.length > der.length) return undefined;
  const oidBytes = der.subarray(seq.next, oidLen.next + oidLen.length);
  const parsed = asn1js.fromBER(oidBytes);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.ObjectIdentifier)) return undefined;
  const oid = parsed.result.valueBlock.toString();
  return { oid, name: NAMES[oid] ?? oid };
}
