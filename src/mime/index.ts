/**
 * src/mime: the byte-exact MIME engine. Parse (parse.ts), read header fields (headers.ts),
 * decode transfer encodings and charsets (encoding.ts, charset.ts), addresses and dates
 * (address.ts, date.ts), and write new entities (write.ts).
 */
export * from './types.js';
export { parseMime } from './parse.js';
export { getFields, getLastField, headerText, decodeWords, parseHeaderValue, fieldBytes, fieldText, unfold } from './headers.js';
export { decodeCharset, isKnownCharset, encodeUtf8, normalizeCharset, decodeUtf8Strict } from './charset.js';
export { latin1, latin1Bytes, isAscii, indexOfBytes } from './bytes.js';
export {
  decodeBase64,
  encodeBase64,
  decodeQuotedPrintable,
  encodeQuotedPrintable,
  decodeBody,
  bodyText,
  entityBytes,
  base64DecodedLength,
  isKnownTransferEncoding,
} from './encoding.js';
export { loadCodePages } from './codepages.js';
export { parseAddressList, formatMailbox, formatGroup, type Mailbox } from './address.js';
export { parseDate, formatDate } from './date.js';
export { foldHeader, encodeWords, formatPhrase, isEncodedWord, isStructuredField, formatHeaderValue, buildEntity, buildMultipart, concatBytes } from './write.js';
