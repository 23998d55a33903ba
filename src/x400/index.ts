/**
 * S/MIME over X.400 (draft-ietf-smime-x400transport-01, published as RFC 3855): content rules,
 * X.411 P1 messages, X.420 IPM forwarding of CMS objects, and the way back. Bytes in, bytes out;
 * browser-safe (no Node built-ins).
 */
export { contentFromCms, contentFromMimeEntity, canonicalCrlf, cmsContentType, type X400Content } from './content.js';
export {
  encodeP1Message,
  decodeP1Message,
  type P1Message,
  type P1Recipient,
  type EncodeP1Options,
  type MtsIdentifier,
  type GlobalDomainId,
  type Priority,
  type TraceElement,
  type X400Extension,
} from './p1.js';
export {
  encodeIpmForward,
  decodeIpm,
  type Ipm,
  type IpmBodyPart,
  type IpmForwardOptions,
  type ORDescriptor,
  type DeliveryEnvelope,
  type ForwardedContentParams,
} from './ipm.js';
export { findCmsObjects, detectKind, type FoundCms, type FoundHeaders } from './find.js';
export { toInternetMessage, smimeTypeFor } from './to-internet.js';
export { inspectX400, type Json } from './inspect.js';
export {
  parseORName,
  formatORName,
  orNameFromRfc822,
  rfc822FromORName,
  rfc2156Encode,
  rfc2156Decode,
  validateORName,
  RFC822_DDA,
  type ORName,
} from './orname.js';
export { scanBer, type BerLimits } from './ber.js';
export type { BitStr, RawElement } from './schema.js';
export * from './oids.js';
