/**
 * A JSON-friendly description of a P1 message or an IPM for `inspect` (issue 5 item 5): envelope,
 * heading, body parts and the CMS objects found, with O/R names in string form, times in ISO 8601
 * and byte strings as lengths. Built only from the decoders of this folder.
 */
import { SmimeBridgeError } from '../errors.js';
import type { BerLimits } from './ber.js';
import { detectKind, findCmsObjects } from './find.js';
import { decodeIpm, type Ipm, type ORDescriptor } from './ipm.js';
import { BUILTIN_P2, BUILTIN_P22, ID_MCT_P2, ID_MCT_P22 } from './oids.js';
import { formatORName } from './orname.js';
import { decodeP1Message } from './p1.js';

/** JSON value. */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function desc(d: ORDescriptor): string {
  return [d.formalName ? formatORName(d.formalName) : undefined, d.freeFormName].filter((s) => s !== undefined).join(' / ');
}

function ipmSummary(ipm: Ipm): Json {
  return {
    thisIpm: ipm.thisIpm.id,
    ...(ipm.originator ? { originator: desc(ipm.originator) } : {}),
    primaryRecipients: ipm.primaryRecipients.map(desc),
    copyRecipients: ipm.copyRecipients.map(desc),
    ...(ipm.subject !== undefined ? { subject: ipm.subject } : {}),
    otherHeadingFields: ipm.otherHeadingFields.map((f) => f.tag),
    body: ipm.body.map((bp): Json => {
      switch (bp.kind) {
        case 'forwarded-content':
          return { index: bp.index, kind: bp.kind, contentType: bp.contentType, length: bp.content.length, parameters: bp.parameters ? Object.keys(bp.parameters) : [] };
        case 'pkcs7':
          return { index: bp.index, kind: bp.kind, length: bp.content.length };
        case 'ia5-text':
          return { index: bp.index, kind: bp.kind, length: bp.text.length };
        case 'message':
          return { index: bp.index, kind: bp.kind, ipm: ipmSummary(bp.ipm) };
        case 'unknown-extended':
          return { index: bp.index, kind: bp.kind, dataType: bp.dataType, length: bp.raw.length };
        case 'unknown':
          return { index: bp.index, kind: bp.kind, tag: bp.tag, length: bp.raw.length };
      }
    }),
    warnings: ipm.warnings.map((w) => `${w.code}: ${w.message}`),
  };
}

/**
 * Describe a P1 message or IPM (`kind` detected when absent). CMS objects are listed when the
 * content type carries any; an unknown P1 content type is described, not rejected.
 * @throws SmimeBridgeError on malformed BER (offset and ASN.1 path).
 */
export function inspectX400(ber: Uint8Array, kind?: 'p1' | 'ipm', limits?: BerLimits): Json {
  const k = kind ?? detectKind(ber, limits);
  const out: { [key: string]: Json } = { kind: k };
  if (k === 'p1') {
    const m = decodeP1Message(ber, limits);
    out['envelope'] = {
      messageId: `${formatORName({ country: m.messageId.country, adminDomain: m.messageId.adminDomain })};${m.messageId.localIdentifier}`,
      originator: formatORName(m.originator),
      contentType: m.contentType,
      ...(m.contentIdentifier !== undefined ? { contentIdentifier: m.contentIdentifier } : {}),
      priority: m.priority,
      recipients: m.recipients.map((r) => formatORName(r.name)),
      trace: m.trace.map((t) => ({ domain: `${t.domain.country}/${t.domain.adminDomain}`, arrivalTime: t.arrivalTime.toISOString(), routingAction: t.routingAction })),
      extensions: m.extensions.map((e) => e.type),
      unknownFields: m.unknownFields.map((f) => f.tag),
      contentLength: m.content.length,
    };
    const ct = m.contentType;
    if (ct === BUILTIN_P22 || ct === BUILTIN_P2 || ct === ID_MCT_P22 || ct === ID_MCT_P2)
      out['ipm'] = ipmSummary(decodeIpm(m.content, { ...limits, base: m.contentOffset ?? 0, path: 'MTS-APDU.message.content' }));
  } else {
    out['ipm'] = ipmSummary(decodeIpm(ber, { ...limits }));
  }
  let cms: Json = [];
  try {
    cms = findCmsObjects(ber, k, limits).map((f) => ({ where: f.where, contentType: f.contentType, cmsType: f.cmsType ?? null, mimeWrapped: f.mimeWrapped, length: f.cms.length }));
  } catch (e) {
    if (!(e instanceof SmimeBridgeError && e.code === 'X400_UNKNOWN_CONTENT')) throw e;
  }
  out['cms'] = cms;
  return out;
}
