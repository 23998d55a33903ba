/**
 * Property tags used by smime-bridge, named as in MS-OXPROPS (`PidTag...`).
 * Each constant is the full 32-bit tag (ID << 16 | type). IDs were cross-checked with the .msg
 * fact sheet (shared/reference/msg-and-oxcmail-facts.md section 2).
 */
import {
  PT_BINARY, PT_BOOLEAN, PT_LONG, PT_OBJECT, PT_SYSTIME, PT_UNICODE, makeTag, tagId,
} from './proptypes.js';

const t = makeTag;

export const PidTagMessageClass = t(0x001a, PT_UNICODE);
export const PidTagSubject = t(0x0037, PT_UNICODE);
export const PidTagSubjectPrefix = t(0x003d, PT_UNICODE);
export const PidTagNormalizedSubject = t(0x0e1d, PT_UNICODE);
export const PidTagConversationTopic = t(0x0070, PT_UNICODE);
export const PidTagConversationIndex = t(0x0071, PT_BINARY);
export const PidTagBody = t(0x1000, PT_UNICODE);
export const PidTagHtml = t(0x1013, PT_BINARY);
export const PidTagRtfCompressed = t(0x1009, PT_BINARY);
export const PidTagRtfInSync = t(0x0e1f, PT_BOOLEAN);
export const PidTagNativeBody = t(0x1016, PT_LONG);
export const PidTagInternetCodepage = t(0x3fde, PT_LONG);
export const PidTagMessageCodepage = t(0x3ffd, PT_LONG);
export const PidTagMessageLocaleId = t(0x3ff1, PT_LONG);
export const PidTagBodyContentId = t(0x1015, PT_UNICODE);
export const PidTagBodyContentLocation = t(0x1014, PT_UNICODE);
export const PidTagMessageFlags = t(0x0e07, PT_LONG);
export const PidTagHasAttachments = t(0x0e1b, PT_BOOLEAN);
export const PidTagMessageSize = t(0x0e08, PT_LONG);
export const PidTagClientSubmitTime = t(0x0039, PT_SYSTIME);
export const PidTagMessageDeliveryTime = t(0x0e06, PT_SYSTIME);
export const PidTagCreationTime = t(0x3007, PT_SYSTIME);
export const PidTagLastModificationTime = t(0x3008, PT_SYSTIME);
export const PidTagInternetMessageId = t(0x1035, PT_UNICODE);
export const PidTagInReplyToId = t(0x1042, PT_UNICODE);
export const PidTagInternetReferences = t(0x1039, PT_UNICODE);
export const PidTagTransportMessageHeaders = t(0x007d, PT_UNICODE);
export const PidTagMimeSkeleton = t(0x64f0, PT_BINARY);
export const PidTagSenderName = t(0x0c1a, PT_UNICODE);
export const PidTagSenderAddressType = t(0x0c1e, PT_UNICODE);
export const PidTagSenderEmailAddress = t(0x0c1f, PT_UNICODE);
export const PidTagSenderEntryId = t(0x0c19, PT_BINARY);
export const PidTagSenderSearchKey = t(0x0c1d, PT_BINARY);
export const PidTagSenderSmtpAddress = t(0x5d01, PT_UNICODE);
export const PidTagSentRepresentingName = t(0x0042, PT_UNICODE);
export const PidTagSentRepresentingAddressType = t(0x0064, PT_UNICODE);
export const PidTagSentRepresentingEmailAddress = t(0x0065, PT_UNICODE);
export const PidTagSentRepresentingEntryId = t(0x0041, PT_BINARY);
export const PidTagSentRepresentingSearchKey = t(0x003b, PT_BINARY);
export const PidTagSentRepresentingSmtpAddress = t(0x5d02, PT_UNICODE);
export const PidTagReceivedByName = t(0x0040, PT_UNICODE);
export const PidTagReceivedByEntryId = t(0x003f, PT_BINARY);
export const PidTagReceivedByAddressType = t(0x0075, PT_UNICODE);
export const PidTagReceivedByEmailAddress = t(0x0076, PT_UNICODE);
export const PidTagDisplayTo = t(0x0e04, PT_UNICODE);
export const PidTagDisplayCc = t(0x0e03, PT_UNICODE);
export const PidTagDisplayBcc = t(0x0e02, PT_UNICODE);
export const PidTagReplyRecipientNames = t(0x0050, PT_UNICODE);
export const PidTagReplyRecipientEntries = t(0x004f, PT_BINARY);
export const PidTagReadReceiptRequested = t(0x0029, PT_BOOLEAN);
export const PidTagOriginatorDeliveryReportRequested = t(0x0023, PT_BOOLEAN);
export const PidTagReadReceiptSmtpAddress = t(0x5d05, PT_UNICODE);
export const PidTagReadReceiptName = t(0x002b, PT_UNICODE);
export const PidTagReadReceiptEntryId = t(0x0046, PT_BINARY);
export const PidTagImportance = t(0x0017, PT_LONG);
export const PidTagPriority = t(0x0026, PT_LONG);
export const PidTagSensitivity = t(0x0036, PT_LONG);
export const PidTagExpiryTime = t(0x0015, PT_SYSTIME);
export const PidTagReplyTime = t(0x0030, PT_SYSTIME);
export const PidTagAutoResponseSuppress = t(0x3fdf, PT_LONG);
export const PidTagStoreSupportMask = t(0x340d, PT_LONG);
export const PidTagObjectType = t(0x0ffe, PT_LONG);
export const PidTagEntryId = t(0x0fff, PT_BINARY);
export const PidTagSearchKey = t(0x300b, PT_BINARY);
export const PidTagRecordKey = t(0x0ff9, PT_BINARY);
export const PidTagInstanceKey = t(0x0ff6, PT_BINARY);
// Recipient table (MS-OXOMSG 2.2.3)
export const PidTagRecipientType = t(0x0c15, PT_LONG);
export const PidTagDisplayName = t(0x3001, PT_UNICODE);
export const PidTagEmailAddress = t(0x3003, PT_UNICODE);
export const PidTagAddressType = t(0x3002, PT_UNICODE);
export const PidTagSmtpAddress = t(0x39fe, PT_UNICODE);
export const PidTagRowid = t(0x3000, PT_LONG);
export const PidTagDisplayType = t(0x3900, PT_LONG);
export const PidTagRecipientDisplayName = t(0x5ff6, PT_UNICODE);
export const PidTagRecipientFlags = t(0x5ffd, PT_LONG);
export const PidTagRecipientEntryId = t(0x5ff7, PT_BINARY);
export const PidTagSendRichInfo = t(0x3a40, PT_BOOLEAN);
// Attachments (MS-OXCMSG 2.2.2)
export const PidTagAttachNumber = t(0x0e21, PT_LONG);
export const PidTagAttachSize = t(0x0e20, PT_LONG);
export const PidTagAttachMethod = t(0x3705, PT_LONG);
export const PidTagAttachDataBinary = t(0x3701, PT_BINARY);
export const PidTagAttachDataObject = t(0x3701, PT_OBJECT);
export const PidTagAttachFilename = t(0x3704, PT_UNICODE);
export const PidTagAttachLongFilename = t(0x3707, PT_UNICODE);
export const PidTagAttachExtension = t(0x3703, PT_UNICODE);
export const PidTagAttachMimeTag = t(0x370e, PT_UNICODE);
export const PidTagAttachContentId = t(0x3712, PT_UNICODE);
export const PidTagAttachContentLocation = t(0x3713, PT_UNICODE);
export const PidTagAttachContentBase = t(0x3711, PT_UNICODE);
export const PidTagRenderingPosition = t(0x370b, PT_LONG);
export const PidTagAttachFlags = t(0x3714, PT_LONG);
export const PidTagAttachmentHidden = t(0x7ffe, PT_BOOLEAN);
export const PidTagAttachmentFlags = t(0x7ffd, PT_LONG);
export const PidTagAttachmentLinkId = t(0x7ffa, PT_LONG);
export const PidTagAttachTag = t(0x370a, PT_BINARY);
export const PidTagAttachEncoding = t(0x3702, PT_BINARY);
export const PidTagAttachRendering = t(0x3709, PT_BINARY);
export const PidTagTextAttachmentCharset = t(0x371b, PT_UNICODE);
export const PidTagAttachPayloadClass = t(0x371a, PT_UNICODE);
/** Outlook-private PR_SECURITY_FLAGS (no PidTag name exists); compose-time hint only. */
export const PR_SECURITY_FLAGS = t(0x6e01, PT_LONG);

/** Values of PidTagMessageFlags (MS-OXCMSG 2.2.1.6). */
export const MessageFlags = {
  mfRead: 0x1, mfUnmodified: 0x2, mfSubmitted: 0x4, mfUnsent: 0x8, mfHasAttach: 0x10,
  mfFromMe: 0x20, mfFAI: 0x40, mfResend: 0x80, mfNotifyRead: 0x100, mfNotifyUnread: 0x200,
  mfEverRead: 0x400, mfInternet: 0x2000, mfUntrusted: 0x8000,
} as const;
/** PidTagAttachMethod values (MS-OXCMSG 2.2.2.9). */
export const AttachMethod = { None: 0, ByValue: 1, ByReference: 2, ByRefOnly: 4, EmbeddedMessage: 5, Storage: 6 } as const;
/** PidTagRecipientType values (MS-OXOMSG 2.2.3.1). */
export const RecipientType = { Originator: 0, To: 1, Cc: 2, Bcc: 3 } as const;
/** STORE_UNICODE_OK bit of PidTagStoreSupportMask (MS-OXMSG 2.1.1.1). */
export const STORE_UNICODE_OK = 0x00040000;

const NAMES_BY_ID = new Map<number, string>();
/** Register every exported PidTag constant of this module by property ID (for JSON and display). */
function register(mod: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(mod)) {
    if (typeof v === 'number' && (name.startsWith('PidTag') || name.startsWith('PR_'))) {
      const id = tagId(v);
      // PidTagAttachDataBinary and PidTagAttachDataObject share an ID: keep the first.
      if (!NAMES_BY_ID.has(id)) NAMES_BY_ID.set(id, name);
    }
  }
}
register({
  PidTagMessageClass, PidTagSubject, PidTagSubjectPrefix, PidTagNormalizedSubject, PidTagConversationTopic,
  PidTagConversationIndex, PidTagBody, PidTagHtml, PidTagRtfCompressed, PidTagRtfInSync, PidTagNativeBody,
  PidTagInternetCodepage, PidTagMessageCodepage, PidTagMessageLocaleId, PidTagBodyContentId,
  PidTagBodyContentLocation, PidTagMessageFlags, PidTagHasAttachments, PidTagMessageSize,
  PidTagClientSubmitTime, PidTagMessageDeliveryTime, PidTagCreationTime, PidTagLastModificationTime,
  PidTagInternetMessageId, PidTagInReplyToId, PidTagInternetReferences, PidTagTransportMessageHeaders,
  PidTagMimeSkeleton, PidTagSenderName, PidTagSenderAddressType, PidTagSenderEmailAddress, PidTagSenderEntryId,
  PidTagSenderSearchKey, PidTagSenderSmtpAddress, PidTagSentRepresentingName, PidTagSentRepresentingAddressType,
  PidTagSentRepresentingEmailAddress, PidTagSentRepresentingEntryId, PidTagSentRepresentingSearchKey,
  PidTagSentRepresentingSmtpAddress, PidTagReceivedByName, PidTagReceivedByEntryId, PidTagReceivedByAddressType,
  PidTagReceivedByEmailAddress, PidTagDisplayTo, PidTagDisplayCc, PidTagDisplayBcc, PidTagReplyRecipientNames,
  PidTagReplyRecipientEntries, PidTagReadReceiptRequested, PidTagOriginatorDeliveryReportRequested,
  PidTagReadReceiptSmtpAddress, PidTagReadReceiptName, PidTagReadReceiptEntryId, PidTagImportance, PidTagPriority,
  PidTagSensitivity, PidTagExpiryTime, PidTagReplyTime, PidTagAutoResponseSuppress, PidTagStoreSupportMask,
  PidTagObjectType, PidTagEntryId, PidTagSearchKey, PidTagRecordKey, PidTagInstanceKey, PidTagRecipientType,
  PidTagDisplayName, PidTagEmailAddress, PidTagAddressType, PidTagSmtpAddress, PidTagRowid, PidTagDisplayType,
  PidTagRecipientDisplayName, PidTagRecipientFlags, PidTagRecipientEntryId, PidTagSendRichInfo, PidTagAttachNumber,
  PidTagAttachSize, PidTagAttachMethod, PidTagAttachDataBinary, PidTagAttachDataObject, PidTagAttachFilename,
  PidTagAttachLongFilename, PidTagAttachExtension, PidTagAttachMimeTag, PidTagAttachContentId,
  PidTagAttachContentLocation, PidTagAttachContentBase, PidTagRenderingPosition, PidTagAttachFlags,
  PidTagAttachmentHidden, PidTagAttachmentFlags, PidTagAttachmentLinkId, PidTagAttachTag, PidTagAttachEncoding,
  PidTagAttachRendering, PidTagTextAttachmentCharset, PidTagAttachPayloadClass, PR_SECURITY_FLAGS,
});

/** The MS-OXPROPS name for a property ID, if smime-bridge knows it (`PidTagSubject`). */
export function tagName(idOrTag: number): string | undefined {
  const id = idOrTag > 0xffff ? tagId(idOrTag) : idOrTag;
  return NAMES_BY_ID.get(id);
}
