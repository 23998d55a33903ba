/**
 * src/oxcmail: general Internet mail <-> message object, by the MS-OXCMAIL rules that
 * MS-OXOSMIME relies on ("promote header fields", "promote the message body") and the general
 * MIME writer for non-S/MIME classes. Facts: shared/reference/msg-and-oxcmail-facts.md 3.1-3.4.
 */
export { promoteHeaders, PidLidFlagRequest, AUTO_RESPONSE_SUPPRESS, importanceOf, transportHeaders, keepsAsInternetHeader, MAPPED_HEADERS, INTERNET_HEADER_SKIP, SENDER, SENT_REPRESENTING, READ_RECEIPT } from './promoteHeaders.js';
export { selectBody, promoteBody, relatedRoot, contentId, type BodySelection } from './body.js';
export { promoteAttachments, mimeToMessage, ATTACH_TAG_MIME, DEFAULT_MAX_EMBED_DEPTH, type MimeToMessageOptions, type PromoteAttachmentsOptions } from './toMessage.js';
export { headersFromMessage, headerCase } from './headersFromMessage.js';
export { messageToMime, type MessageToMimeOptions } from './toMime.js';
export { splitSubject, type SplitSubject } from './subject.js';
export { oneOffEntryId, parseOneOffEntryId, searchKey, flatEntryList, parseFlatEntryList, OneOffFlags, ONE_OFF_PROVIDER_UID, type OneOff } from './entryid.js';
export { parseMapiAddresses, decodeImcea, encodeImcea, groupAddress, addRecipient, setAddressGroup, type MapiAddress, type AddressGroupTags } from './address.js';
export { charsetToCodepage, codepageToCharset, languageToLcid, lcidToLanguage } from './codepage.js';
export { sanitizeFilename, splitExtension, shortFilename, attachmentNames, type AttachmentNames } from './filename.js';
export { enrichedToHtml, calendarDescription } from './textConvert.js';
export { decodeHeaderText } from './decode.js';
