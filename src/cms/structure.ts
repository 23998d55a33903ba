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
import { bytesEqual } from './bytes.js';
import { rememberDer } from './certs.js';
import { ensureEngine } from './engine.js';
import { OID, oidName } from './oids.js';

/** A parsed ContentInfo. */
export interface ParsedContentInfo {
  contentType: string;
  content: asn1js.AsnType;
}

/**
 * The last decodings, so that describing a signature and verifying it (openMessage does both,
 * inspectCms then verifySignedData) decode it once: keyed by the input array, and used only while
 * its bytes are what was decoded (a copy is compared; inputs over {@link MEMO_MAX} are not kept).
 */
const decoded = new WeakMap<Uint8Array, { copy: Uint8Array; ci: ParsedContentInfo }>();
const signedOf = new WeakMap<ParsedContentInfo, pkijs.SignedData>();
const MEMO_MAX = 1 << 20;

/** Parse a CMS ContentInfo (RFC 5652 3). */
export function readContentInfo(der: Uint8Array, limits: BerLimits = {}): ParsedContentInfo {
  ensureEngine();
  const seen = decoded.get(der);
  if (seen && bytesEqual(seen.copy, der)) {
    checkBer(der, limits, 'ContentInfo'); // this call's limits still decide
    return seen.ci;
  }
  const asn = parseBer(der, limits, 'ContentInfo');
  const info = fromSchema(() => new pkijs.ContentInfo({ schema: asn }), 'ContentInfo');
  const ci = { contentType: info.contentType, content: info.content as asn1js.AsnType };
  if (der.length <= MEMO_MAX) decoded.set(der, { copy: der.slice(), ci });
  return ci;
}

/** Parse SignedData (RFC 5652 5.1) from a ContentInfo's content (once per ContentInfo). */
export function readSignedData(ci: ParsedContentInfo): pkijs.SignedData {
  if (ci.contentType !== OID.signedData) {
    throw new SmimeBridgeError('CMS_MALFORMED', `expected signed-data, found ${oidName(ci.contentType)}`, { asn1Path: 'ContentInfo.contentType' });
  }
  let sd = signedOf.get(ci);
  if (!sd) {
    sd = fromSchema(() => new pkijs.SignedData({ schema: ci.content }), 'ContentInfo.content.SignedData');
    rememberCertificateBytes(ci.content, sd);
    signedOf.set(ci, sd);
  }
  return sd;
}

/** The bytes each certificate of the SignedData was read from (certDer gives them, instead of an encoding of its own). */
function rememberCertificateBytes(content: asn1js.AsnType, sd: pkijs.SignedData): void {
  const items = content instanceof asn1js.Sequence ? content.valueBlock.value : [];
  const set = items.find((x) => x.idBlock.tagClass === 3 && x.idBlock.tagNumber === 0) as asn1js.Constructed | undefined;
  const blocks = set?.valueBlock.value ?? [];
  (sd.certificates ?? []).forEach((c, i) => {
    const b = blocks[i];
    if (c instanceof pkijs.Certificate && b) rememberDer(c, b.valueBeforeDecodeView);
  });
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

/** An element whose end is known (`end`, definite length) or found by end-of-contents octets (`end` -1). */
export interface OpenElement {
  end: number;
}

/**
 * The start of an EnvelopedData (RFC 5652 6.1) read from a prefix of its DER/BER: every field
 * before the encrypted content, and where that content starts. For decrypting the content as it
 * arrives, without holding the message.
 */
export interface EnvelopedHead {
  env: Omit<Enveloped, 'encryptedContent'>;
  /** Offset of the encryptedContent element's contents octets (X.690 8.1.1). */
  contentStart: number;
  /** Its form: primitive with a length, or constructed of OCTET STRING segments (`length` -1: indefinite). */
  content: { constructed: boolean; length: number };
  /** The elements that enclose the content, outermost first: ContentInfo, [0], EnvelopedData, EncryptedContentInfo. */
  enclosing: OpenElement[];
}

interface Header {
  tagClass: number;
  constructed: boolean;
  tagNumber: number;
  /** Contents octets start here. */
  contentStart: number;
  /** -1: indefinite. */
  length: number;
}

/** The identifier and length octets at `off` (low tag numbers only), or undefined when they do not fit in `b`. */
function headerAt(b: Uint8Array, off: number): Header | undefined {
  if (off + 2 > b.length) return undefined;
  const id = b[off]!;
  if ((id & 0x1f) === 0x1f) return undefined;
  const l0 = b[off + 1]!;
  let p = off + 2;
  let length = l0;
  if (l0 === 0x80) length = -1;
  else if (l0 & 0x80) {
    const n = l0 & 0x7f;
    if (n > 4 || p + n > b.length) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + b[p++]!;
  }
  return { tagClass: id >> 6, constructed: (id & 0x20) !== 0, tagNumber: id & 0x1f, contentStart: p, length };
}

/**
 * Read the head of an EnvelopedData from `prefix`, the first bytes of a ContentInfo. Undefined
 * when the prefix is too short or the encoding is anything but the plain one (then the whole
 * message goes through {@link readEnvelopedDer}, which also gives the errors): this reader never
 * decides that input is malformed, it only recognises the ordinary case.
 */
export function readEnvelopedHead(prefix: Uint8Array): EnvelopedHead | undefined {
  ensureEngine();
  const b = prefix;
  const enclosing: OpenElement[] = [];
  const open = (h: Header | undefined, cls: number, num: number): Header | undefined => {
    if (!h || h.tagClass !== cls || h.tagNumber !== num || !h.constructed) return undefined;
    enclosing.push({ end: h.length < 0 ? -1 : h.contentStart + h.length });
    return h;
  };
  // a whole element inside the prefix: its end, or undefined
  const whole = (off: number): number | undefined => {
    try {
      return off + checkBer(b.subarray(off), {}, 'EnvelopedData');
    } catch {
      return undefined;
    }
  };
  const ci = open(headerAt(b, 0), 0, 16);
  if (!ci) return undefined;
  const oidEnd = whole(ci.contentStart);
  if (oidEnd === undefined || b[ci.contentStart] !== 0x06) return undefined;
  let contentType: string;
  try {
    contentType = oidAt(b, readTlv(b, ci.contentStart), 'ContentInfo.contentType');
  } catch {
    return undefined;
  }
  if (contentType !== OID.envelopedData) return undefined;
  const wrap = open(headerAt(b, oidEnd), 2, 0);
  const ed = wrap && open(headerAt(b, wrap.contentStart), 0, 16);
  if (!ed) return undefined;
  const path = 'ContentInfo.content.EnvelopedData';
  try {
    let p = ed.contentStart;
    const vEnd = whole(p);
    if (vEnd === undefined || b[p] !== 0x02) return undefined;
    const vv = parseBer(b.subarray(p, vEnd), {}, path + '.version');
    const version = vv instanceof asn1js.Integer ? vv.valueBlock.valueDec : -1;
    p = vEnd;
    let originatorCerts: pkijs.Certificate[] = [];
    if (b[p] === 0xa0) {
      const e = whole(p);
      if (e === undefined) return undefined;
      originatorCerts = originatorCertsOf(decodeAs(b, readTlv(b, p), path + '.originatorInfo', 0x30));
      p = e;
    }
    const rEnd = whole(p);
    if (rEnd === undefined || b[p] !== 0x31) return undefined;
    const ris = decodeAs(b, readTlv(b, p), path + '.recipientInfos') as asn1js.Set;
    const recipientInfos = ris.valueBlock.value.map((r, k) => fromSchema(() => new pkijs.RecipientInfo({ schema: r }), `${path}.recipientInfos[${k}]`));
    p = rEnd;
    const eci = open(headerAt(b, p), 0, 16);
    if (!eci) return undefined;
    const eciPath = path + '.encryptedContentInfo';
    const tEnd = whole(eci.contentStart);
    if (tEnd === undefined || b[eci.contentStart] !== 0x06) return undefined;
    const ct = oidAt(b, readTlv(b, eci.contentStart), eciPath + '.contentType');
    const aEnd = whole(tEnd);
    if (aEnd === undefined || b[tEnd] !== 0x30) return undefined;
    const algSchema = decodeAs(b, readTlv(b, tEnd), eciPath + '.contentEncryptionAlgorithm');
    const algorithm = fromSchema(() => new pkijs.AlgorithmIdentifier({ schema: algSchema }), eciPath + '.contentEncryptionAlgorithm');
    const c = headerAt(b, aEnd);
    if (!c || c.tagClass !== 2 || c.tagNumber !== 0) return undefined;
    if (!c.constructed && c.length < 0) return undefined;
    return {
      env: { authenticated: false, version, originatorCerts, recipientInfos, contentType: ct, algorithm, authAttrsDer: new Uint8Array(0) },
      contentStart: c.contentStart,
      content: { constructed: c.constructed, length: c.length },
      enclosing,
    };
  } catch {
    return undefined;
  }
}
