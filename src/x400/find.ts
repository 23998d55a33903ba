/**
 * The way back (issue 5 item 4): find every CMS object in a P1 message or an IPM, as X.400
 * content (draft 2.2: id-ct-contentInfo bare, id-data under a MIME wrapper) or as a forwarded
 * content body part (draft 2.3), through nested IPMs (built-in 22 content, forwarded IPMs, message
 * body parts), with the Internet header values the envelope and heading give.
 */
import { SmimeBridgeError } from '../errors.js';
import { decodeBer, type BerLimits } from './ber.js';
import { cmsContentType } from './content.js';
import { decodeIpm, type Ipm, type ORDescriptor } from './ipm.js';
import { BUILTIN_P2, BUILTIN_P22, ID_CT_CONTENT_INFO, ID_DATA, ID_MCT_P2, ID_MCT_P22 } from './oids.js';
import { rfc822FromORName, formatORName, type ORName } from './orname.js';
import { decodeP1Message, type P1Message } from './p1.js';
import { any, ctx, f, seq, type RawElement, type Rec } from './schema.js';

/** Header values for the Internet message, from the P1 envelope and IPM heading (when present). */
export interface FoundHeaders {
  subject?: string;
  originator?: ORName;
  recipients: ORName[];
  /** Arrival time of the first trace element or the forwarded delivery time. */
  date?: Date;
  /** X.400 message identifier (`C=..;A=..;local`), RFC 2156 X400-MTS-Identifier style. */
  mtsIdentifier?: string;
}

/** A CMS object found in X.400 content. */
export interface FoundCms {
  /** The ContentInfo DER, or for `mimeWrapped` the MIME entity bytes exactly as carried. */
  cms: Uint8Array;
  /** Envelope / body part content type: id-ct-contentInfo, id-data, or id-et-pkcs7 for pkcs7-body-part. */
  contentType: string;
  /** ASN.1 path of the content, e.g. `MTS-APDU.message.content` or `...ipm.body[0].extended.data`. */
  where: string;
  /** True for id-data content: `cms` is an S/MIME entity with its outer MIME wrapper (draft 2.4). */
  mimeWrapped: boolean;
  /** Content type inside the ContentInfo (signedData, envelopedData, ...), when it parses. */
  cmsType?: string;
  headers: FoundHeaders;
}

const Peek = ctx(0, seq('Peek', f('first', any()), f('second', any())));

/** Tell a P1 MTS-APDU `message` (A0 { SET, OCTET STRING }) from an InformationObject `ipm` (A0 { SET, SEQUENCE }). */
export function detectKind(ber: Uint8Array, limits?: BerLimits): 'p1' | 'ipm' {
  const v = decodeBer(Peek, ber, '$', limits) as Rec;
  const second = v['second'] as RawElement;
  if (second.tag === 'OCTET STRING') return 'p1';
  if (second.tag === 'SEQUENCE') return 'ipm';
  throw new SmimeBridgeError('X400_STRUCTURE', `neither a P1 message nor an IPM (second element is ${second.tag})`, { offset: second.offset, asn1Path: '$[1]' });
}

function nameOf(d?: ORDescriptor): ORName | undefined {
  return d?.formalName;
}

function mtsIdText(m: P1Message): string {
  const id = m.messageId;
  return `${formatORName({ country: id.country, adminDomain: id.adminDomain, ...(id.privateDomain !== undefined ? { privateDomain: id.privateDomain } : {}) })};${id.localIdentifier}`;
}

function tryCmsType(b: Uint8Array, limits?: BerLimits): string | undefined {
  try {
    return cmsContentType(b, limits);
  } catch {
    return undefined;
  }
}

/**
 * Every CMS object in `ber` (a P1 message or an X.420 IPM; `kind` is detected when absent).
 * @throws SmimeBridgeError X400_UNKNOWN_CONTENT when a P1 content type is neither a CMS one
 *   (id-ct-contentInfo, id-data) nor IPMS (built-in 2/22); BER errors with offset and path.
 */
export function findCmsObjects(ber: Uint8Array, kind?: 'p1' | 'ipm', limits?: BerLimits): FoundCms[] {
  const k = kind ?? detectKind(ber, limits);
  const out: FoundCms[] = [];
  if (k === 'ipm') {
    fromIpm(decodeIpm(ber, { ...limits }), { recipients: [] }, out, limits, 0);
    return out;
  }
  const m = decodeP1Message(ber, limits);
  const headers: FoundHeaders = { originator: m.originator, recipients: m.recipients.map((r) => r.name), mtsIdentifier: mtsIdText(m) };
  if (m.trace[0]) headers.date = m.trace[0].arrivalTime;
  const where = 'MTS-APDU.message.content';
  const ct = m.contentType;
  if (ct === ID_CT_CONTENT_INFO || ct === ID_DATA) {
    const found: FoundCms = { cms: m.content, contentType: ct, where, mimeWrapped: ct === ID_DATA, headers };
    const t = ct === ID_CT_CONTENT_INFO ? tryCmsType(m.content, limits) : undefined;
    if (t) found.cmsType = t;
    out.push(found);
  } else if (ct === BUILTIN_P22 || ct === BUILTIN_P2 || ct === ID_MCT_P22 || ct === ID_MCT_P2) {
    const ipm = decodeIpm(m.content, { ...limits, base: m.contentOffset ?? 0, path: where });
    fromIpm(ipm, headers, out, limits, 0);
  } else {
    throw new SmimeBridgeError('X400_UNKNOWN_CONTENT', `P1 content type ${ct} carries no CMS object this library knows`, {
      offset: m.contentOffset ?? 0,
      asn1Path: 'MTS-APDU.message.envelope.content-type',
    });
  }
  return out;
}

function fromIpm(ipm: Ipm, outer: FoundHeaders, out: FoundCms[], limits: BerLimits | undefined, depth: number): void {
  const headers: FoundHeaders = { ...outer };
  if (ipm.subject !== undefined) headers.subject = ipm.subject;
  const orig = nameOf(ipm.originator) ?? ipm.thisIpm.user;
  if (orig) headers.originator = orig;
  const rcpts = [...ipm.primaryRecipients, ...ipm.copyRecipients].map(nameOf).filter((n): n is ORName => !!n);
  if (rcpts.length) headers.recipients = rcpts;
  for (const bp of ipm.body) {
    if (bp.kind === 'forwarded-content') {
      const h = { ...headers };
      if (bp.parameters?.deliveryTime) h.date = bp.parameters.deliveryTime;
      if (bp.contentType === ID_CT_CONTENT_INFO || bp.contentType === ID_DATA) {
        const found: FoundCms = { cms: bp.content, contentType: bp.contentType, where: bp.where, mimeWrapped: bp.contentType === ID_DATA, headers: h };
        const t = bp.contentType === ID_CT_CONTENT_INFO ? tryCmsType(bp.content, limits) : undefined;
        if (t) found.cmsType = t;
        out.push(found);
      } else if ((bp.contentType === ID_MCT_P22 || bp.contentType === ID_MCT_P2) && depth < 8) {
        // A forwarded IPM: look inside it too.
        fromIpm(decodeIpm(bp.content, { ...limits, base: bp.contentOffset ?? 0, path: bp.where }), h, out, limits, depth + 1);
      }
    } else if (bp.kind === 'pkcs7') {
      const found: FoundCms = { cms: bp.content, contentType: ID_CT_CONTENT_INFO, where: bp.where, mimeWrapped: false, headers };
      const t = tryCmsType(bp.content, limits);
      if (t) found.cmsType = t;
      out.push(found);
    } else if (bp.kind === 'message') {
      const h = { ...headers };
      if (bp.deliveryTime) h.date = bp.deliveryTime;
      fromIpm(bp.ipm, h, out, limits, depth + 1);
    }
  }
}

/** The RFC 822 address of an O/R name (RFC 2156 RFC-822 DDA), if it has one. */
export function rfc822Of(n?: ORName): string | undefined {
  return n ? rfc822FromORName(n) : undefined;
}
