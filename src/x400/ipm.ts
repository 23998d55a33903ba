/**
 * X.420 IPM (InformationObject `ipm`) carrying a CMS object as a forwarded content body part,
 * draft-ietf-smime-x400transport-01 2.3 (RFC 3855 2.3): an ExtendedBodyPart whose parameters
 * are ForwardedContentParameters identified by {id-ep-content content-type} and whose data is
 * the Content (OCTET STRING) identified by {id-et-content content-type}. Decoding accepts the
 * X.420 (1999) fourth parameter `submission-proof`, X.420 pkcs7-body-part (id-et-pkcs7), ia5-text
 * and message body parts; other body parts are kept raw and reported.
 */
import { Diagnostics, SmimeBridgeError, type Diagnostic } from '../errors.js';
import { decodeBer, type BerLimits } from './ber.js';
import { ForwardedContentParameters as FCP, InformationObject, IPM as IPMSchema } from './modules.js';
import { concatOid, ID_EP_CONTENT, ID_ET_CONTENT, ID_ET_PKCS7, isOid, splitOid } from './oids.js';
import { orNameFromAsn, orNameToAsn, type ORName } from './orname.js';
import { contentTypeToAsn, mtsIdFromAsn, mtsIdToAsn, type MtsIdentifier, type Priority } from './p1.js';
import { encodeDer } from './der-encode.js';
import type { RawElement, Rec } from './schema.js';

/** X.420 ORDescriptor. */
export interface ORDescriptor {
  formalName?: ORName;
  freeFormName?: string;
  telephoneNumber?: string;
}

/** Delivery envelope of a forwarded content (X.411 OtherMessageDeliveryFields, the fields modelled). */
export interface DeliveryEnvelope {
  /** Delivered content type: OID or built-in number; defaults to the forwarded content type. */
  contentType?: string | number;
  originator: ORName;
  thisRecipient: ORName;
  submissionTime: Date;
  priority?: Priority;
  contentIdentifier?: string;
}

/** ForwardedContentParameters (X.420 (1999) 7.4.16 / draft 2.3). */
export interface ForwardedContentParams {
  deliveryTime?: Date;
  deliveryEnvelope?: DeliveryEnvelope;
  mtsIdentifier?: MtsIdentifier;
  /** X.420 (1999) submission-proof (SubmissionProof SET), its members kept raw (decode only). */
  submissionProof?: { proofOfSubmission: RawElement; originatingMtaCertificate: RawElement; messageSubmissionEnvelope: RawElement };
  /** Members not modelled, kept raw. */
  unknownFields?: RawElement[];
}

/** One body part of a decoded IPM. */
export type IpmBodyPart =
  | {
      kind: 'forwarded-content';
      index: number;
      where: string;
      contentType: string;
      content: Uint8Array;
      /** Offset of the content octets in the outermost input (absent when reassembled from segments). */
      contentOffset?: number;
      parameters?: ForwardedContentParams;
    }
  | { kind: 'pkcs7'; index: number; where: string; content: Uint8Array }
  | { kind: 'ia5-text'; index: number; where: string; text: string }
  | { kind: 'message'; index: number; where: string; deliveryTime?: Date; ipm: Ipm }
  | { kind: 'unknown-extended'; index: number; where: string; dataType: string; raw: Uint8Array }
  | { kind: 'unknown'; index: number; where: string; tag: string; raw: Uint8Array };

/** A decoded IPM: heading fields and body parts. */
export interface Ipm {
  thisIpm: { id: string; user?: ORName };
  originator?: ORDescriptor;
  primaryRecipients: ORDescriptor[];
  copyRecipients: ORDescriptor[];
  blindCopyRecipients: ORDescriptor[];
  subject?: string;
  /** Heading fields not modelled (replied-to-IPM, expiry-time, extensions, ...), kept raw. */
  otherHeadingFields: RawElement[];
  body: IpmBodyPart[];
  /** Unknown body parts and fields, reported. */
  warnings: Diagnostic[];
}

/** Options of {@link encodeIpmForward}. */
export interface IpmForwardOptions {
  /** The content to forward: a CMS ContentInfo (or a MIME entity with contentType id-data). */
  cms: Uint8Array;
  /** Its content type: id-ct-contentInfo or id-data (draft 2.2). */
  contentType: string;
  /** Heading subject (Internet Subject); written as the ASCII subset of TeletexString. */
  subject?: string;
  originator?: ORName | ORDescriptor;
  recipients?: Array<ORName | ORDescriptor>;
  copyRecipients?: Array<ORName | ORDescriptor>;
  /** user-relative-identifier of this-IPM (PrintableString); random when absent. */
  thisIpm?: string;
  /** ForwardedContentParameters, filled when known. */
  deliveryTime?: Date;
  deliveryEnvelope?: DeliveryEnvelope;
  mtsIdentifier?: MtsIdentifier;
}

const PRIORITIES: Priority[] = ['normal', 'non-urgent', 'urgent'];

function isDescriptor(x: ORName | ORDescriptor): x is ORDescriptor {
  return 'formalName' in x || 'freeFormName' in x || 'telephoneNumber' in x;
}

function descToAsn(x: ORName | ORDescriptor): Rec {
  const d: ORDescriptor = isDescriptor(x) ? x : { formalName: x };
  return {
    'formal-name': d.formalName ? orNameToAsn(d.formalName) : undefined,
    'free-form-name': d.freeFormName !== undefined ? teletex(d.freeFormName, 64) : undefined,
    'telephone-number': d.telephoneNumber,
  };
}

function descFromAsn(v: Rec): ORDescriptor {
  const d: ORDescriptor = {};
  if (v['formal-name']) d.formalName = orNameFromAsn(v['formal-name'] as Rec);
  if (v['free-form-name'] !== undefined) d.freeFormName = v['free-form-name'] as string;
  if (v['telephone-number'] !== undefined) d.telephoneNumber = v['telephone-number'] as string;
  return d;
}

/** TeletexString text: the ASCII subset of T.61, other characters become '?', cut to `max`. */
function teletex(s: string, max: number): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}

function randomId(): string {
  const b = new Uint8Array(8);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** ForwardedContentParameters schema value. */
function paramsToAsn(o: IpmForwardOptions): Rec {
  const env = o.deliveryEnvelope;
  return {
    'delivery-time': o.deliveryTime,
    'delivery-envelope': env
      ? {
          'content-type': contentTypeToAsn(env.contentType ?? o.contentType),
          'originator-name': orNameToAsn(env.originator),
          priority: env.priority && env.priority !== 'normal' ? PRIORITIES.indexOf(env.priority) : undefined,
          'this-recipient-name': orNameToAsn(env.thisRecipient),
          'message-submission-time': env.submissionTime,
          'content-identifier': env.contentIdentifier,
        }
      : undefined,
    'mts-identifier': o.mtsIdentifier ? mtsIdToAsn(o.mtsIdentifier) : undefined,
  };
}

/**
 * Encode an X.420 InformationObject `ipm` (DER) whose one body part is the draft 2.3
 * content-body-part forwarding `cms`: heading this-IPM, originator, primary/copy recipients and
 * subject; parameters {id-ep-content ct} ForwardedContentParameters; data {id-et-content ct} Content.
 * The result can stand alone or be the content of a P1 message with built-in type 22.
 */
export function encodeIpmForward(o: IpmForwardOptions): Uint8Array {
  if (!(o.cms instanceof Uint8Array)) throw new SmimeBridgeError('INVALID_ARGUMENT', 'cms must be bytes');
  if (!isOid(o.contentType)) throw new SmimeBridgeError('INVALID_ARGUMENT', `content type ${o.contentType} is not an OID`);
  const thisIpm = o.thisIpm ?? randomId();
  if (thisIpm.length === 0 || thisIpm.length > 64) throw new SmimeBridgeError('INVALID_ARGUMENT', 'thisIpm must be 1..64 characters (ub-local-ipm-identifier)');
  const originatorName = o.originator ? (isDescriptor(o.originator) ? o.originator.formalName : o.originator) : undefined;
  const heading: Rec = {
    'this-IPM': { user: originatorName ? orNameToAsn(originatorName) : undefined, 'user-relative-identifier': thisIpm },
    originator: o.originator ? descToAsn(o.originator) : undefined,
    'primary-recipients': o.recipients?.length ? o.recipients.map((r) => ({ recipient: descToAsn(r) })) : undefined,
    'copy-recipients': o.copyRecipients?.length ? o.copyRecipients.map((r) => ({ recipient: descToAsn(r) })) : undefined,
    subject: o.subject !== undefined ? teletex(o.subject, 128) : undefined, // ub-subject-field 128
  };
  const params = encodeDer(FCP, paramsToAsn(o), 'ForwardedContentParameters');
  const data = encodeDer({ t: 'prim', prim: 'octets' }, o.cms, 'Content');
  const part = {
    extended: {
      // draft 2.3: PARAMETERS {ForwardedContentParameters IDENTIFIED BY {id-ep-content content-type}}
      parameters: { 'type-id': concatOid(ID_EP_CONTENT, o.contentType), value: params },
      // draft 2.3: DATA {Content IDENTIFIED BY {id-et-content content-type}}
      data: { 'type-id': concatOid(ID_ET_CONTENT, o.contentType), value: data },
    },
  };
  return encodeDer(InformationObject, { ipm: { heading, body: [part] } }, 'InformationObject');
}

function paramsFromAsn(v: Rec): ForwardedContentParams {
  const p: ForwardedContentParams = {};
  if (v['delivery-time']) p.deliveryTime = v['delivery-time'] as Date;
  const env = v['delivery-envelope'] as Rec | undefined;
  if (env) {
    const ct = env['content-type'] as Rec;
    const e: DeliveryEnvelope = {
      contentType: (ct['built-in'] ?? ct['extended']) as string | number,
      originator: orNameFromAsn(env['originator-name'] as Rec),
      thisRecipient: orNameFromAsn(env['this-recipient-name'] as Rec),
      submissionTime: env['message-submission-time'] as Date,
    };
    if (env['priority'] !== undefined) e.priority = PRIORITIES[env['priority'] as number] ?? 'normal';
    if (env['content-identifier'] !== undefined) e.contentIdentifier = env['content-identifier'] as string;
    p.deliveryEnvelope = e;
  }
  if (v['mts-identifier']) p.mtsIdentifier = mtsIdFromAsn(v['mts-identifier'] as Rec);
  if (v['submission-proof']) {
    const sp = v['submission-proof'] as Rec;
    p.submissionProof = {
      proofOfSubmission: sp['proof-of-submission'] as RawElement,
      originatingMtaCertificate: sp['originating-MTA-certificate'] as RawElement,
      messageSubmissionEnvelope: sp['message-submission-envelope'] as RawElement,
    };
  }
  if (v.$unknown?.length) p.unknownFields = v.$unknown;
  return p;
}

/** Context for decoding nested IPMs with absolute offsets. */
interface IpmDecodeOptions extends BerLimits {
  /** Offset of the IPM in the outermost input (for error locations). */
  base?: number;
  /** Path prefix (e.g. `MTS-APDU.message.content`). */
  path?: string;
  /** Strict mode: unknown body parts and heading fields throw instead of being reported. */
  strict?: boolean;
}

/**
 * Decode an X.420 InformationObject `ipm` from BER.
 * @throws SmimeBridgeError X400_BER_MALFORMED / X400_BER_TRUNCATED / LIMIT_EXCEEDED with offset and path;
 *   X400_STRUCTURE when it is an IPN.
 */
export function decodeIpm(ber: Uint8Array, options: IpmDecodeOptions = {}): Ipm {
  const base = options.base ?? 0;
  const path = `${options.path ? options.path + '.' : ''}InformationObject`;
  const io = decodeBer(InformationObject, ber, path, options, base) as Rec;
  if (!io['ipm']) throw new SmimeBridgeError('X400_STRUCTURE', 'InformationObject is an IPN, not an IPM', { offset: base, asn1Path: `${path}.ipn` });
  return ipmFromAsn(io['ipm'] as Rec, `${path}.ipm`, options, 0);
}

function ipmFromAsn(v: Rec, path: string, options: IpmDecodeOptions, depth: number): Ipm {
  const diags = new Diagnostics(options.strict ?? false);
  const h = v['heading'] as Rec;
  const thisIpm = h['this-IPM'] as Rec;
  const recips = (k: string) => ((h[k] as Rec[] | undefined) ?? []).map((r) => descFromAsn(r['recipient'] as Rec));
  const ipm: Ipm = {
    thisIpm: { id: thisIpm['user-relative-identifier'] as string },
    primaryRecipients: recips('primary-recipients'),
    copyRecipients: recips('copy-recipients'),
    blindCopyRecipients: recips('blind-copy-recipients'),
    otherHeadingFields: [...(h.$unknown ?? [])],
    body: [],
    warnings: diags.warnings,
  };
  if (thisIpm['user']) ipm.thisIpm.user = orNameFromAsn(thisIpm['user'] as Rec);
  if (h['originator']) ipm.originator = descFromAsn(h['originator'] as Rec);
  if (h['subject'] !== undefined) ipm.subject = h['subject'] as string;

  ((v['body'] as Rec[]) ?? []).forEach((bp, index) => {
    const where = `${path}.body[${index}]`;
    if (bp['extended']) {
      const ext = bp['extended'] as Rec;
      const data = ext['data'] as Rec;
      const dataType = data['type-id'] as string;
      const value = data['value'] as RawElement;
      const ct = splitOid(ID_ET_CONTENT, dataType);
      if (ct !== undefined) {
        // draft 2.3: the data is the forwarded Content OCTET STRING.
        const content = decodeBer({ t: 'prim', prim: 'octets' }, value.bytes, `${where}.extended.data`, options, value.offset) as Uint8Array;
        const part: IpmBodyPart = { kind: 'forwarded-content', index, where: `${where}.extended.data`, contentType: ct, content };
        if (content.buffer === value.bytes.buffer) part.contentOffset = value.offset + (content.byteOffset - value.bytes.byteOffset);
        const params = ext['parameters'] as Rec | undefined;
        if (params) {
          const pType = params['type-id'] as string;
          const pv = params['value'] as RawElement;
          if (splitOid(ID_EP_CONTENT, pType) !== ct)
            diags.report('X400_STRUCTURE', `parameters ${pType} do not match data ${dataType}`, { offset: pv.offset, asn1Path: `${where}.extended.parameters` });
          else part.parameters = paramsFromAsn(decodeBer(FCP, pv.bytes, `${where}.extended.parameters`, options, pv.offset) as Rec);
        }
        ipm.body.push(part);
      } else if (dataType === ID_ET_PKCS7) {
        // X.420 (1999) pkcs7-body-part: the data value is the ContentInfo itself.
        ipm.body.push({ kind: 'pkcs7', index, where: `${where}.extended.data`, content: value.bytes });
      } else {
        diags.report('X400_UNKNOWN_CONTENT', `extended body part ${dataType} kept raw`, { offset: value.offset, asn1Path: where });
        ipm.body.push({ kind: 'unknown-extended', index, where, dataType, raw: value.bytes });
      }
    } else if (bp['ia5-text']) {
      ipm.body.push({ kind: 'ia5-text', index, where, text: (bp['ia5-text'] as Rec)['data'] as string });
    } else if (bp['message']) {
      const mbp = bp['message'] as Rec;
      const raw = mbp['data'] as RawElement;
      if (depth >= 8) throw new SmimeBridgeError('LIMIT_EXCEEDED', 'forwarded IPMs nested more than 8 deep', { offset: raw.offset, asn1Path: where });
      const inner = decodeBer(IPMSchema, raw.bytes, `${where}.message.data`, options, raw.offset) as Rec;
      const part: IpmBodyPart = { kind: 'message', index, where, ipm: ipmFromAsn(inner, `${where}.message.data`, options, depth + 1) };
      const params = mbp['parameters'] as Rec;
      if (params['delivery-time']) part.deliveryTime = params['delivery-time'] as Date;
      ipm.body.push(part);
    } else {
      const raw = bp['other'] as RawElement;
      diags.report('X400_UNKNOWN_CONTENT', `body part ${raw.tag} kept raw`, { offset: raw.offset, asn1Path: where });
      ipm.body.push({ kind: 'unknown', index, where, tag: raw.tag, raw: raw.bytes });
    }
  });
  for (const u of ipm.otherHeadingFields)
    diags.report('X400_STRUCTURE', `heading field ${u.tag} kept raw`, { offset: u.offset, asn1Path: u.path });
  return ipm;
}
