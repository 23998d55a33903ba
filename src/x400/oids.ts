/**
 * Object identifiers of S/MIME over X.400 (draft-ietf-smime-x400transport-01 / RFC 3855,
 * X.420 IPMSObjectIdentifiers, RFC 5652 CMS) and the arc concatenation the draft asks for.
 */
import { SmimeBridgeError } from '../errors.js';

/** id-data, RFC 5652 4: the content type for a CMS object under an outer MIME wrapper (draft 2.2). */
export const ID_DATA = '1.2.840.113549.1.7.1';
/** id-ct-contentInfo, RFC 5652 3: the content type for a bare CMS object (draft 2.2). */
export const ID_CT_CONTENT_INFO = '1.2.840.113549.1.9.16.1.6';
/** id-signedData. */
export const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
/** id-envelopedData. */
export const ID_ENVELOPED_DATA = '1.2.840.113549.1.7.3';
/** id-ct-authEnvelopedData (RFC 5083). */
export const ID_AUTH_ENVELOPED_DATA = '1.2.840.113549.1.9.16.1.23';
/** id-ct-compressedData (RFC 3274). */
export const ID_COMPRESSED_DATA = '1.2.840.113549.1.9.16.1.9';

/** id-ipms = {joint-iso-itu-t mhs(6) ipms(1)} (X.420 IPMSObjectIdentifiers). */
export const ID_IPMS = '2.6.1';
/** id-et-content = {id-et 17}: prefix of a forwarded content body part's DATA OID (X.420, draft 2.3). */
export const ID_ET_CONTENT = '2.6.1.4.17';
/** id-ep-content = {id-ep 17}: prefix of its PARAMETERS OID (X.420, draft 2.3). */
export const ID_EP_CONTENT = '2.6.1.11.17';
/** id-et-pkcs7 = {id-et 18}: X.420 (1999) pkcs7-body-part (data is a CMS ContentInfo). */
export const ID_ET_PKCS7 = '2.6.1.4.18';
/** id-mct-p2 / id-mct-p22: content types of IPMS 1984 / 1988 as OIDs (X.420 id-mct). */
export const ID_MCT_P2 = '2.6.1.10.0';
export const ID_MCT_P22 = '2.6.1.10.1';

/** X.411 BuiltInContentType values. */
export const BUILTIN_P2 = 2;
export const BUILTIN_P22 = 22;

const OID_RE = /^[0-2](\.(0|[1-9]\d*))+$/;

/** True when `s` is a dotted OID. */
export function isOid(s: string): boolean {
  return OID_RE.test(s);
}

/**
 * Append every arc of `contentType` to `prefix`: "concatenated with content-type" of X.420
 * content-body-part (draft 2.3) is plain arc concatenation, the content type's first two arcs
 * are not re-packed (x400-facts.md 1; Wireshark p22.cnf registers 2.6.1.4.17.2.6.1.10.1).
 */
export function concatOid(prefix: string, contentType: string): string {
  if (!isOid(contentType)) throw new SmimeBridgeError('INVALID_ARGUMENT', `not an OID: ${contentType}`);
  return `${prefix}.${contentType}`;
}

/** The content type after `prefix.` in a concatenated OID, or undefined when the prefix differs. */
export function splitOid(prefix: string, oid: string): string | undefined {
  if (!oid.startsWith(prefix + '.')) return undefined;
  const rest = oid.slice(prefix.length + 1);
  return isOid(rest) ? rest : undefined;
}
