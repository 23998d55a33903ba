/**
 * X.411 P1 MTS-APDU `message` (MTAAbstractService 12.2.1): encode a MessageTransferEnvelope plus
 * content in DER, and decode BER back into envelope fields and content bytes.
 * Draft-ietf-smime-x400transport-01 2.2: the CMS object (or its MIME wrapper) is the content; the
 * envelope content type is an OBJECT IDENTIFIER on the wire (x400-facts.md 1) or built-in 22
 * when the content is an IPM (draft 2.3). Unknown envelope members and extensions are kept.
 */
import { SmimeBridgeError } from '../errors.js';
import { decodeBer, type BerLimits } from './ber.js';
import { MtsApdu } from './modules.js';
import { isOid } from './oids.js';
import { orNameFromAsn, orNameToAsn, validateORName, type ORName } from './orname.js';
import { encodeDer } from './der-encode.js';
import type { BitStr, RawElement, Rec } from './schema.js';

/** X.411 GlobalDomainIdentifier. */
export interface GlobalDomainId {
  country: string;
  adminDomain: string;
  privateDomain?: string;
}

/** X.411 MTSIdentifier (message identifier, MessageDeliveryIdentifier). */
export interface MtsIdentifier extends GlobalDomainId {
  localIdentifier: string;
}

/** X.411 Priority. */
export type Priority = 'normal' | 'non-urgent' | 'urgent';
const PRIORITIES: Priority[] = ['normal', 'non-urgent', 'urgent'];

/** One ExtensionField of an envelope, kept as found. */
export interface X400Extension {
  /** standard-extension number or private-extension OID. */
  type: number | string;
  criticality?: BitStr;
  /** The value's BER, as found. */
  value?: RawElement;
}

/** One TraceInformationElement. */
export interface TraceElement {
  domain: GlobalDomainId;
  arrivalTime: Date;
  routingAction: 'relayed' | 'rerouted' | number;
}

/** One PerRecipientMessageTransferFields. */
export interface P1Recipient {
  name: ORName;
  originallySpecifiedNumber: number;
  /** PerRecipientIndicators BIT STRING (bit 0 = responsibility). */
  indicators: BitStr;
  extensions: X400Extension[];
  unknownFields: RawElement[];
}

/** A decoded P1 message. */
export interface P1Message {
  messageId: MtsIdentifier;
  originator: ORName;
  /** OID string (extended) or number (built-in, 22 = IPM 1988). */
  contentType: string | number;
  contentIdentifier?: string;
  priority: Priority;
  deferredDeliveryTime?: Date;
  trace: TraceElement[];
  recipients: P1Recipient[];
  /** Envelope extensions, kept and listed (none is interpreted). */
  extensions: X400Extension[];
  /** Envelope members this library does not model (original-EITs, bilateral information) or does not know. */
  unknownFields: RawElement[];
  /** The content octets (a view of the input). */
  content: Uint8Array;
  /** Byte offset of the content octets in the input (absent when a constructed OCTET STRING was reassembled). */
  contentOffset?: number;
  /** PerMessageIndicators, when present. */
  perMessageIndicators?: BitStr;
}

/** Options of {@link encodeP1Message}. */
export interface EncodeP1Options {
  content: Uint8Array;
  /** Envelope content type: an OID (id-ct-contentInfo, id-data, ...) or a built-in number (22). */
  contentType: string | number;
  originator: ORName;
  recipients: ORName[];
  /** Message identifier; the domain defaults to the originator's C and A, the local part is random. */
  messageId?: Partial<MtsIdentifier>;
  /** ContentIdentifier (PrintableString, up to 16 characters). */
  contentIdentifier?: string;
  priority?: Priority;
  /** Arrival time in the first trace element (default: now). */
  arrivalTime?: Date;
  /** Extensions to carry as found on a decoded message (raw). */
  extensions?: X400Extension[];
}

/** GlobalDomainIdentifier schema value. */
export function gdiToAsn(d: GlobalDomainId): Rec {
  const ch = (v: string) => (/^[0-9]+$/.test(v) ? { numeric: v } : { printable: v });
  return {
    'country-name': /^[0-9]+$/.test(d.country) ? { 'x121-dcc-code': d.country } : { 'iso-3166-alpha2-code': d.country },
    'administration-domain-name': ch(d.adminDomain),
    'private-domain-identifier': d.privateDomain !== undefined ? ch(d.privateDomain) : undefined,
  };
}

function choiceStr(v: unknown): string {
  return String(Object.values((v ?? {}) as Rec)[0] ?? '');
}

/** GlobalDomainIdentifier schema value → object. */
export function gdiFromAsn(v: Rec): GlobalDomainId {
  const out: GlobalDomainId = { country: choiceStr(v['country-name']), adminDomain: choiceStr(v['administration-domain-name']) };
  if (v['private-domain-identifier'] !== undefined) out.privateDomain = choiceStr(v['private-domain-identifier']);
  return out;
}

/** MTSIdentifier schema value. */
export function mtsIdToAsn(id: MtsIdentifier): Rec {
  if (!id.localIdentifier || id.localIdentifier.length > 32) throw new SmimeBridgeError('INVALID_ARGUMENT', 'local identifier must be 1..32 characters');
  return { 'global-domain-identifier': gdiToAsn(id), 'local-identifier': id.localIdentifier };
}

/** MTSIdentifier schema value → object. */
export function mtsIdFromAsn(v: Rec): MtsIdentifier {
  return { ...gdiFromAsn(v['global-domain-identifier'] as Rec), localIdentifier: String(v['local-identifier']) };
}

/** ExtensionField values → objects. */
export function extensionsFromAsn(list: unknown): X400Extension[] {
  if (!Array.isArray(list)) return [];
  return (list as Rec[]).map((e) => {
    const t = e['type'] as Rec;
    const x: X400Extension = { type: (t['standard-extension'] ?? t['private-extension']) as number | string };
    if (e['criticality']) x.criticality = e['criticality'] as BitStr;
    if (e['value']) x.value = e['value'] as RawElement;
    return x;
  });
}

function extensionsToAsn(list: X400Extension[]): Rec[] {
  return list.map((x) => ({
    type: typeof x.type === 'number' ? { 'standard-extension': x.type } : { 'private-extension': x.type },
    criticality: x.criticality,
    value: x.value,
  }));
}

function randomLocalId(): string {
  const b = new Uint8Array(12);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Content type value for the ContentType CHOICE. */
export function contentTypeToAsn(ct: string | number): Rec {
  if (typeof ct === 'number') {
    if (!Number.isInteger(ct) || ct < 0 || ct > 32767) throw new SmimeBridgeError('INVALID_ARGUMENT', `built-in content type ${ct} out of range`);
    return { 'built-in': ct };
  }
  if (!isOid(ct)) throw new SmimeBridgeError('INVALID_ARGUMENT', `content type ${JSON.stringify(ct)} is not an OID`);
  return { extended: ct };
}

/**
 * Encode an MTS-APDU `message` (X.411 12.2.1.1) in DER: envelope with message identifier,
 * originator, content type (OID, x400-facts 1), optional content identifier and priority,
 * one trace element, one PerRecipientMessageTransferFields per recipient; then the content.
 */
export function encodeP1Message(opts: EncodeP1Options): Uint8Array {
  if (!(opts.content instanceof Uint8Array)) throw new SmimeBridgeError('INVALID_ARGUMENT', 'content must be bytes');
  if (!opts.recipients?.length) throw new SmimeBridgeError('INVALID_ARGUMENT', 'at least one recipient is required (X.411 per-recipient-fields SIZE(1..))');
  validateORName(opts.originator);
  const domain: GlobalDomainId = {
    country: opts.messageId?.country ?? opts.originator.country ?? 'XX',
    adminDomain: opts.messageId?.adminDomain ?? opts.originator.adminDomain ?? ' ',
  };
  const pd = opts.messageId?.privateDomain ?? opts.originator.privateDomain;
  if (pd !== undefined) domain.privateDomain = pd;
  const messageId: MtsIdentifier = { ...domain, localIdentifier: opts.messageId?.localIdentifier ?? randomLocalId() };
  const priority = opts.priority ?? 'normal';
  if (!PRIORITIES.includes(priority)) throw new SmimeBridgeError('INVALID_ARGUMENT', `unknown priority ${String(priority)}`);
  if (opts.contentIdentifier !== undefined && (opts.contentIdentifier.length === 0 || opts.contentIdentifier.length > 16))
    throw new SmimeBridgeError('INVALID_ARGUMENT', 'content identifier must be 1..16 characters (ub-content-id-length)');
  const envelope: Rec = {
    'message-identifier': mtsIdToAsn(messageId),
    'originator-name': orNameToAsn(opts.originator),
    'content-type': contentTypeToAsn(opts.contentType),
    'content-identifier': opts.contentIdentifier,
    // Priority DEFAULT normal: DER omits the default value (X.690 11.5).
    priority: priority === 'normal' ? undefined : PRIORITIES.indexOf(priority),
    'trace-information': [
      {
        'global-domain-identifier': gdiToAsn(domain),
        'domain-supplied-information': { 'arrival-time': opts.arrivalTime ?? new Date(), 'routing-action': 0 /* relayed */ },
      },
    ],
    extensions: opts.extensions?.length ? extensionsToAsn(opts.extensions) : undefined,
    'per-recipient-fields': opts.recipients.map((r, i) => ({
      'recipient-name': orNameToAsn(r),
      'originally-specified-recipient-number': i + 1,
      // responsibility(0), originating-MTA-non-delivery-report(2), originator-non-delivery-report(4)
      'per-recipient-indicators': { bytes: new Uint8Array([0xa8]), unused: 0 },
    })),
  };
  return encodeDer(MtsApdu, { message: { envelope, content: opts.content } }, 'MTS-APDU');
}

/**
 * Decode an MTS-APDU `message` from BER.
 * @throws SmimeBridgeError X400_BER_MALFORMED / X400_BER_TRUNCATED / LIMIT_EXCEEDED with offset and ASN.1 path;
 *   X400_STRUCTURE when the APDU is a probe or report.
 */
export function decodeP1Message(ber: Uint8Array, limits?: BerLimits): P1Message {
  const apdu = decodeBer(MtsApdu, ber, 'MTS-APDU', limits) as Rec;
  const msg = apdu['message'] as Rec | undefined;
  if (!msg) {
    const other = Object.keys(apdu)[0]!;
    throw new SmimeBridgeError('X400_STRUCTURE', `MTS-APDU is a ${other}, not a message`, { offset: 0, asn1Path: `MTS-APDU.${other}` });
  }
  const env = msg['envelope'] as Rec;
  const ct = env['content-type'] as Rec;
  const unknownFields: RawElement[] = [...(env.$unknown ?? [])];
  for (const k of ['original-encoded-information-types', 'per-domain-bilateral-information'])
    if (env[k] !== undefined) unknownFields.push(...rawOrList(env[k]));
  const content = msg['content'] as Uint8Array;
  const out: P1Message = {
    messageId: mtsIdFromAsn(env['message-identifier'] as Rec),
    originator: orNameFromAsn(env['originator-name'] as Rec),
    contentType: (ct['built-in'] ?? ct['extended']) as string | number,
    priority: PRIORITIES[env['priority'] as number] ?? 'normal',
    trace: (env['trace-information'] as Rec[]).map((t) => {
      const dsi = t['domain-supplied-information'] as Rec;
      const ra = dsi['routing-action'] as number;
      return {
        domain: gdiFromAsn(t['global-domain-identifier'] as Rec),
        arrivalTime: dsi['arrival-time'] as Date,
        routingAction: ra === 0 ? 'relayed' : ra === 1 ? 'rerouted' : ra,
      };
    }),
    recipients: (env['per-recipient-fields'] as Rec[]).map((r) => ({
      name: orNameFromAsn(r['recipient-name'] as Rec),
      originallySpecifiedNumber: r['originally-specified-recipient-number'] as number,
      indicators: r['per-recipient-indicators'] as BitStr,
      extensions: extensionsFromAsn(r['extensions']),
      unknownFields: r.$unknown ?? [],
    })),
    extensions: extensionsFromAsn(env['extensions']),
    unknownFields,
    content,
  };
  // A primitive OCTET STRING is a view of the input; a constructed one was reassembled.
  if (content.buffer === ber.buffer) out.contentOffset = content.byteOffset - ber.byteOffset;
  if (env['per-message-indicators'] !== undefined) out.perMessageIndicators = env['per-message-indicators'] as BitStr;
  if (env['content-identifier'] !== undefined) out.contentIdentifier = env['content-identifier'] as string;
  if (env['deferred-delivery-time'] !== undefined) out.deferredDeliveryTime = env['deferred-delivery-time'] as Date;
  return out;
}

function rawOrList(v: unknown): RawElement[] {
  if (Array.isArray(v)) return v as RawElement[];
  if (v && typeof v === 'object' && 'bytes' in v) return [v as RawElement];
  return [];
}
