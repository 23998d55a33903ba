/**
 * smime-bridge: carry S/MIME e-mail between Internet mail (.eml), Exchange/Outlook message
 * objects (.msg, MS-OXOSMIME) and X.400 (RFC 3855), without breaking a signature.
 *
 * The main verbs:
 * - {@link toMessage} / {@link toInternet}: Internet message <-> message object (MS-OXOSMIME 3.1.5)
 * - {@link readMsg} / {@link writeMsg}: message object <-> Outlook .msg file (MS-OXMSG)
 * - {@link messageToJson} / {@link messageFromJson}: the lossless JSON form of a message object
 * - {@link parseMime} / {@link classifyEntity}: the byte-exact MIME tree and its S/MIME class
 * - {@link openMessage}: verify and decrypt every S/MIME layer; {@link signMessage},
 *   {@link encryptMessage}: compose S/MIME messages
 * - `x400`: S/MIME objects as X.400 content and forwarded IPMS body parts
 *
 * Everything here runs in Node 20+ and in browsers (Uint8Array, TextDecoder, WebCrypto).
 */
export { SmimeBridgeError, Diagnostics, isSmimeBridgeError, formatLocation } from './errors.js';
export type { Diagnostic, ErrorCode, Location } from './errors.js';
export * from './mime/index.js';
export * from './mapi/index.js';
export {
  mimeToMessage, messageToMime, headersFromMessage, promoteHeaders, promoteBody, promoteAttachments, selectBody,
} from './oxcmail/index.js';
export * from './smime/index.js';
export { readMsg, writeMsg } from './msg/index.js';
export * from './secure/index.js';
export * as cms from './cms/index.js';
export * as x400 from './x400/index.js';
export { setPlatform, platform, portablePlatform } from './platform/index.js';
export type { Platform, DigestName, CbcCipher } from './platform/index.js';
