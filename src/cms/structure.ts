/**
 * Reading CMS ContentInfo (RFC 5652 3), SignedData (5), EnvelopedData (6) and AuthEnvelopedData
 * (RFC 5083 2.1) from BER bytes into PKI.js objects, with typed errors.
 *
 * PKI.js has no AuthEnvelopedData class; both enveloped forms are normalised to {@link Enveloped}
 * here, reusing PKI.js RecipientInfo and EncryptedContentInfo for their parts.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../errors.js';
import { type BerLimits, fromSchema, octetsOf, parseBer } from './der.js';
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

/** Parse EnvelopedData (RFC 5652 6.1) or AuthEnvelopedData (RFC 5083 2.1). */
export function readEnveloped(ci: ParsedContentInfo): Enveloped {
  if (ci.contentType === OID.envelopedData) {
    const ed = fromSchema(() => new pkijs.EnvelopedData({ schema: ci.content }), 'ContentInfo.content.EnvelopedData');
    const eci = ed.encryptedContentInfo;
    return {
      authenticated: false,
      version: ed.version,
      originatorCerts: (ed.originatorInfo?.certs?.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate),
      recipientInfos: ed.recipientInfos,
      contentType: eci.contentType,
      algorithm: eci.contentEncryptionAlgorithm,
      encryptedContent: octetsOf(eci.encryptedContent),
      authAttrsDer: new Uint8Array(0),
    };
  }
  if (ci.contentType === OID.authEnvelopedData) {
    const path = 'ContentInfo.content.AuthEnvelopedData';
    const seq = ci.content;
    if (!(seq instanceof asn1js.Sequence)) throw new SmimeBridgeError('CMS_MALFORMED', 'AuthEnvelopedData is not a SEQUENCE', { asn1Path: path });
    const items = seq.valueBlock.value;
    let i = 0;
    const version = items[i] instanceof asn1js.Integer ? (items[i++] as asn1js.Integer).valueBlock.valueDec : -1;
    if (version < 0) throw new SmimeBridgeError('CMS_MALFORMED', 'AuthEnvelopedData version missing', { asn1Path: path + '.version' });
    let originator: asn1js.AsnType | undefined;
    if (items[i]?.idBlock.tagClass === 3 && items[i]?.idBlock.tagNumber === 0) originator = items[i++];
    const ris = items[i++];
    if (!(ris instanceof asn1js.Set)) throw new SmimeBridgeError('CMS_MALFORMED', 'recipientInfos is not a SET', { asn1Path: path + '.recipientInfos' });
    const recipientInfos = ris.valueBlock.value.map((r, k) => fromSchema(() => new pkijs.RecipientInfo({ schema: r }), `${path}.recipientInfos[${k}]`));
    const eciNode = items[i++];
    const eci = fromSchema(() => new pkijs.EncryptedContentInfo({ schema: eciNode }), path + '.authEncryptedContentInfo');
    let authAttrsDer = new Uint8Array(0);
    if (items[i]?.idBlock.tagClass === 3 && items[i]?.idBlock.tagNumber === 1) {
      // RFC 5083 2.2: the AAD is the DER of authAttrs with an EXPLICIT SET OF tag
      const raw = new Uint8Array((items[i] as asn1js.BaseBlock).valueBeforeDecodeView);
      authAttrsDer = raw.slice();
      authAttrsDer[0] = 0x31;
      i++;
    }
    const mac = items[i++];
    if (!(mac instanceof asn1js.OctetString)) throw new SmimeBridgeError('CMS_MALFORMED', 'AuthEnvelopedData mac missing', { asn1Path: path + '.mac' });
    return {
      authenticated: true,
      version,
      originatorCerts: originatorCertsOf(originator),
      recipientInfos,
      contentType: eci.contentType,
      algorithm: eci.contentEncryptionAlgorithm,
      encryptedContent: octetsOf(eci.encryptedContent),
      authAttrsDer,
      mac: octetsOf(mac),
    };
  }
  throw new SmimeBridgeError('CMS_MALFORMED', `expected enveloped-data, found ${oidName(ci.contentType)}`, { asn1Path: 'ContentInfo.contentType' });
}
