/**
 * Reading CMS ContentInfo (RFC 5652 3), SignedData (5), EnvelopedData (6) and AuthEnvelopedData
 * (RFC 5083 2.1) from BER bytes into PKI.js objects, with typed errors.
 *
 * Both enveloped forms are read field by field with the bounded walker of der.ts and normalised to
 * {@link Enveloped}: PKI.js decodes only the small fields (its EnvelopedData class would decode, and
 * asn1js copy, the whole encrypted content; it has no AuthEnvelopedData class at all).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../errors.js';
import { type BerLimits, type Tlv, checkBer, childrenOf, fromSchema, octetSegments, octetsOf, parseBer, readTlv } from './der.js';
import { concatBytes } from '../mime/bytes.js';
import { ensureEngine } from './engine.js';
import { OID, oidName } from './oids.js';

/** A parsed ContentInfo. */
export interface ParsedContentInfo {
  contentType: string;
  content: asn1js.AsnType;
}

/** Parse a CMS ContentInfo (RFC 5652 3). */
export function readContentInfo(der: Uint8Array, limits: BerLimits = {}): ParsedContentInfo {
  ensureEngine();
  const asn = parseBer(der, limits, 'ContentInfo');
  const ci = fromSchema(() => new pkijs.ContentInfo({ schema: asn }), 'ContentInfo');
  return { contentType: ci.contentType, content: ci.content as asn1js.AsnType };
}

/** Parse SignedData (RFC 5652 5.1) from a ContentInfo's content. */
export function readSignedData(ci: ParsedContentInfo): pkijs.SignedData {
  if (ci.contentType !== OID.signedData) {
    throw new SmimeBridgeError('CMS_MALFORMED', `expected signed-data, found ${oidName(ci.contentType)}`, { asn1Path: 'ContentInfo.contentType' });
  }
  return fromSchema(() => new pkijs.SignedData({ schema: ci.content }), 'ContentInfo.content.SignedData');
}

/** EnvelopedData or AuthEnvelopedData, normalised. */
export interface Enveloped {
  authenticated: boolean;
  version: number;
  /** Certificates from originatorInfo, if any. */
  originatorCerts: pkijs.Certificate[];
  recipientInfos: pkijs.RecipientInfo[];
  contentType: string;
  algorithm: pkijs.AlgorithmIdentifier;
  encryptedContent: Uint8Array;
  /** AuthEnvelopedData: DER of authAttrs with the SET OF tag (RFC 5083 2.2, the GCM AAD), or empty. */
  authAttrsDer: Uint8Array;
  /** AuthEnvelopedData: the mac (GCM tag). */
  mac?: Uint8Array;
}

function originatorCertsOf(oi: asn1js.AsnType | undefined): pkijs.Certificate[] {
  if (!oi) return [];
  const o = fromSchema(() => new pkijs.OriginatorInfo({ schema: oi }), 'originatorInfo');
  return (o.certs?.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
}

/** A checked ContentInfo (RFC 5652 3) located in `der`: its content type and the `[0] EXPLICIT` content element. */
export interface LocatedContentInfo {
  contentType: string;
  /** The content element (inside the `[0]` wrapper), undefined when absent. */
  content?: Tlv;
}

function malformed(m: string, offset: number, asn1Path: string): never {
  throw new SmimeBridgeError('CMS_MALFORMED', m, { offset, asn1Path });
}

function oidAt(der: Uint8Array, t: Tlv | undefined, path: string): string {
  if (!t || t.tagClass !== 0 || t.tagNumber !== 6 || t.constructed) malformed('an OBJECT IDENTIFIER was expected', t?.start ?? 0, path);
  const v = parseBer(der.subarray(t.start, t.end), {}, path);
  if (!(v instanceof asn1js.ObjectIdentifier)) malformed('an OBJECT IDENTIFIER was expected', t.start, path);
  return v.valueBlock.toString();
}

/**
 * Check `der` with the bounded walker and locate its ContentInfo without decoding the content:
 * the readers below decode only the small parts, never a large encrypted content (RFC 5652 3).
 */
export function locateContentInfo(der: Uint8Array, limits: BerLimits = {}): LocatedContentInfo {
  const end = checkBer(der, limits, 'ContentInfo');
  for (let i = end; i < der.length; i++) {
    if (der[i] !== 0) malformed(`ContentInfo: ${der.length - end} bytes after the end of the encoding`, end, 'ContentInfo');
  }
  const ci = readTlv(der, 0);
  if (ci.tagClass !== 0 || ci.tagNumber !== 16 || !ci.constructed) malformed('ContentInfo is not a SEQUENCE', 0, 'ContentInfo');
  const [type, content, extra] = childrenOf(der, ci);
  const contentType = oidAt(der, type, 'ContentInfo.contentType');
  if (!content) return { contentType };
  if (content.tagClass !== 2 || content.tagNumber !== 0 || !content.constructed || extra) malformed('ContentInfo.content is not [0] EXPLICIT', content.start, 'ContentInfo.content');
  const inner = childrenOf(der, content);
  if (inner.length !== 1) malformed(`ContentInfo.content holds ${inner.length} elements instead of 1`, content.start, 'ContentInfo.content');
  return { contentType, content: inner[0] };
}

/** Decode the element `t` of `der`, with its tag replaced by `tag` (IMPLICIT [n] read as its base type). */
function decodeAs(der: Uint8Array, t: Tlv, path: string, tag?: number): asn1js.AsnType {
  let bytes = der.subarray(t.start, t.end);
  if (tag !== undefined) {
    bytes = bytes.slice();
    bytes[0] = tag;
  }
  return parseBer(bytes, {}, path);
}

/**
 * EnvelopedData (RFC 5652 6.1) or AuthEnvelopedData (RFC 5083 2.1) read from the bytes: the
 * bounded walker locates every field, PKI.js decodes only the small ones (originatorInfo,
 * recipientInfos, the algorithm), and the encrypted content stays a view of `der` (one view for
 * the usual primitive encoding; the segments joined once for a constructed one).
 */
export function readEnvelopedDer(der: Uint8Array, limits: BerLimits = {}): Enveloped {
  ensureEngine();
  const ci = locateContentInfo(der, limits);
  const authenticated = ci.contentType === OID.authEnvelopedData;
  if (ci.contentType !== OID.envelopedData && !authenticated) {
    throw new SmimeBridgeError('CMS_MALFORMED', `expected enveloped-data, found ${oidName(ci.contentType)}`, { asn1Path: 'ContentInfo.contentType' });
  }
  const path = authenticated ? 'ContentInfo.content.AuthEnvelopedData' : 'ContentInfo.content.EnvelopedData';
  const seq = ci.content;
  if (!seq || seq.tagClass !== 0 || seq.tagNumber !== 16 || !seq.constructed) malformed(`${authenticated ? 'AuthEnvelopedData' : 'EnvelopedData'} is not a SEQUENCE`, seq?.start ?? 0, path);
  const items = childrenOf(der, seq);
  const isCtx = (t: Tlv | undefined, n: number) => t?.tagClass === 2 && t.tagNumber === n;
  let i = 0;
  // version CMSVersion
  const vt = items[i];
  if (!vt || vt.tagClass !== 0 || vt.tagNumber !== 2) malformed('version missing', vt?.start ?? seq.contentStart, path + '.version');
  const vv = decodeAs(der, vt, path + '.version');
  const version = vv instanceof asn1js.Integer ? vv.valueBlock.valueDec : -1;
  i++;
  // originatorInfo [0] IMPLICIT OriginatorInfo OPTIONAL
  let originatorCerts: pkijs.Certificate[] = [];
  if (isCtx(items[i], 0)) {
    const oi = decodeAs(der, items[i]!, path + '.originatorInfo', 0x30);
    originatorCerts = originatorCertsOf(oi);
    i++;
  }
  // recipientInfos RecipientInfos (SET OF RecipientInfo)
  const rt = items[i++];
  if (!rt || rt.tagClass !== 0 || rt.tagNumber !== 17) malformed('recipientInfos is not a SET', rt?.start ?? seq.contentEnd, path + '.recipientInfos');
  const ris = decodeAs(der, rt, path + '.recipientInfos') as asn1js.Set;
  const recipientInfos = ris.valueBlock.value.map((r, k) => fromSchema(() => new pkijs.RecipientInfo({ schema: r }), `${path}.recipientInfos[${k}]`));
  // (auth)encryptedContentInfo: contentType, contentEncryptionAlgorithm, [0] IMPLICIT OCTET STRING OPTIONAL
  const eciPath = path + (authenticated ? '.authEncryptedContentInfo' : '.encryptedContentInfo');
  const et = items[i++];
  if (!et || et.tagClass !== 0 || et.tagNumber !== 16 || !et.constructed) malformed('the encrypted content info is not a SEQUENCE', et?.start ?? seq.contentEnd, eciPath);
  const [ct, at, ect, more] = childrenOf(der, et);
  const contentType = oidAt(der, ct, eciPath + '.contentType');
  if (!at || at.tagClass !== 0 || at.tagNumber !== 16) malformed('contentEncryptionAlgorithm is not a SEQUENCE', at?.start ?? et.contentEnd, eciPath + '.contentEncryptionAlgorithm');
  const algSchema = decodeAs(der, at, eciPath + '.contentEncryptionAlgorithm');
  const algorithm = fromSchema(() => new pkijs.AlgorithmIdentifier({ schema: algSchema }), eciPath + '.contentEncryptionAlgorithm');
  if (ect && !isCtx(ect, 0)) malformed('encryptedContent is not [0] IMPLICIT OCTET STRING', ect.start, eciPath + '.encryptedContent');
  if (more) malformed('unexpected element after encryptedContent', more.start, eciPath);
  const segments = ect ? octetSegments(der, ect, eciPath + '.encryptedContent') : [];
  const encryptedContent = segments.length === 1 ? segments[0]! : concatBytes(segments);
  if (!authenticated) {
    // unprotectedAttrs [1] IMPLICIT OPTIONAL: not used for decryption (RFC 5652 6.1)
    if (items[i] && !isCtx(items[i], 1)) malformed('unexpected element after encryptedContentInfo', items[i]!.start, path);
    return { authenticated, version, originatorCerts, recipientInfos, contentType, algorithm, encryptedContent, authAttrsDer: new Uint8Array(0) };
  }
  let authAttrsDer = new Uint8Array(0);
  if (isCtx(items[i], 1)) {
    // RFC 5083 2.2: the AAD is the DER of authAttrs with an EXPLICIT SET OF tag
    authAttrsDer = der.slice(items[i]!.start, items[i]!.end);
    authAttrsDer[0] = 0x31;
    i++;
  }
  const mt = items[i++];
  if (!mt || mt.tagClass !== 0 || mt.tagNumber !== 4) malformed('AuthEnvelopedData mac missing', mt?.start ?? seq.contentEnd, path + '.mac');
  const mac = concatBytes(octetSegments(der, mt, path + '.mac'));
  return { authenticated, version, originatorCerts, recipientInfos, contentType, algorithm, encryptedContent, authAttrsDer, mac };
}
