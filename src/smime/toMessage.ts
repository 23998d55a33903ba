/**
 * MS-OXOSMIME 2.2.1 + 3.1.5.1.2 and 2.2.2 + 3.1.5.2.2: convert an S/MIME message in Internet
 * format into a message object.
 *
 * Signed bytes are never re-serialized: the clear-signed attachment is built from slices of the
 * input (the Content-Type field exactly as received, the empty line, the body).
 */
import { Diagnostics, type Diagnostic, SmimeBridgeError } from '../errors.js';
import { parseMime } from '../mime/parse.js';
import { getLastField } from '../mime/headers.js';
import { decodeBody } from '../mime/encoding.js';
import type { MimeEntity, MimeLimits } from '../mime/types.js';
import {
  Attachment, AttachMethod, MessageObject, PidNameContentType, PidTagAttachDataBinary, PidTagAttachExtension,
  PidTagAttachFilename, PidTagAttachLongFilename, PidTagAttachMethod, PidTagAttachMimeTag, PidTagAttachNumber,
  PidTagAttachSize, PidTagDisplayName, PidTagHasAttachments, PidTagMessageClass, PidTagRenderingPosition,
  PT_UNICODE,
} from '../mapi/index.js';
import { mimeToMessage, promoteBody, promoteHeaders } from '../oxcmail/index.js';
import { type Classification, classifyEntity } from './classify.js';
import { cmsContentType } from './cmsContentType.js';

/** Message classes of MS-OXOSMIME. */
export const CLASS_CLEAR_SIGNED = 'IPM.Note.SMIME.MultipartSigned';
export const CLASS_OPAQUE = 'IPM.Note.SMIME';
export const CLASS_RECEIPT = 'IPM.Note.Receipt.SMIME';

/** Options for {@link toMessage}. */
export interface ToMessageOptions {
  /** Throw on recoverable violations instead of recording warnings. */
  strict?: boolean;
  /** Parser limits. */
  limits?: Partial<MimeLimits>;
  /**
   * File name of the clear-signed attachment: `SMIME.txt` per MS-OXOSMIME 2.2.1 (default), or
   * `SMIME.p7m` as Exchange 2007 / Outlook 2003-2007 write it (endnote <4>).
   */
  clearSignedFilename?: string;
}

/** Result of {@link toMessage}. */
export interface ToMessageResult {
  message: MessageObject;
  classification: Classification;
  root: MimeEntity;
  warnings: Diagnostic[];
}

/**
 * Convert Internet-format bytes (an .eml) into a message object: S/MIME messages by MS-OXOSMIME,
 * everything else by the general MS-OXCMAIL rules.
 */
export function toMessage(bytes: Uint8Array, opts: ToMessageOptions = {}): ToMessageResult {
  const diag = new Diagnostics(opts.strict ?? false);
  const parsed = parseMime(bytes, { strict: opts.strict, limits: opts.limits });
  diag.warnings.push(...parsed.warnings);
  const root = parsed.root;
  const classification = classifyEntity(root, diag);
  let message: MessageObject;
  if (classification.kind === 'clear-signed') {
    message = clearSignedToMessage(root, diag, opts);
  } else if (classification.kind === 'opaque-or-encrypted') {
    message = opaqueToMessage(root, classification, diag, opts);
  } else {
    const r = mimeToMessage(root, { strict: opts.strict });
    diag.warnings.push(...r.warnings);
    message = r.message;
  }
  return { message, classification, root, warnings: diag.warnings };
}

/** The bytes of a clear-signed attachment: the last Content-Type field, the empty line, the body (3.1.5.1.2 steps 4-5). */
export function clearSignedAttachmentBytes(root: MimeEntity): Uint8Array {
  const ct = getLastField(root, 'content-type');
  if (!ct) throw new SmimeBridgeError('SMIME_STRUCTURE', 'multipart/signed entity has no Content-Type field', { partPath: root.path });
  const src = root.source;
  const fieldBytes = src.subarray(ct.raw.start, ct.raw.end);
  // The empty line that ends the header block, exactly as received (CRLF or LF); none if the
  // header block runs to the end of the input.
  const lastField = root.fields[root.fields.length - 1]!;
  // When Content-Type is the last field, the attachment is one contiguous slice of the input.
  if (lastField === ct) return src.subarray(ct.raw.start, root.range.end);
  const separator = src.subarray(lastField.raw.end, root.body.start);
  const body = src.subarray(root.body.start, root.range.end);
  const out = new Uint8Array(fieldBytes.length + separator.length + body.length);
  out.set(fieldBytes, 0);
  out.set(separator, fieldBytes.length);
  out.set(body, fieldBytes.length + separator.length);
  return out;
}

function clearSignedToMessage(root: MimeEntity, diag: Diagnostics, opts: ToMessageOptions): MessageObject {
  const m = new MessageObject();
  // 3.1.5.1.2 step 1: promote header fields (MS-OXCMAIL).
  promoteHeaders(root, m, diag);
  // 2.2.1 item 1: message class (never IPM.Note.SMIME for clear-signed: endnote <1>).
  m.properties.set(PidTagMessageClass, CLASS_CLEAR_SIGNED);
  // 2.2.1 item 2a-b: promote the body from the first body part taken as a complete message.
  const signedPart = root.children[0];
  if (signedPart) promoteBody(signedPart, m, diag);
  // 2.2.1 item 4 / 3.1.5.1.2 steps 2-5: exactly one attachment holding the multipart/signed entity.
  const data = clearSignedAttachmentBytes(root);
  const name = opts.clearSignedFilename ?? 'SMIME.txt';
  const att = new Attachment();
  const p = att.properties;
  p.set(PidTagAttachNumber, 0);
  p.set(PidTagAttachMethod, AttachMethod.ByValue); // 2.2.1 4.b.i
  p.set(PidTagAttachMimeTag, 'multipart/signed'); // 2.2.1 4.b.ii
  p.set(PidTagAttachFilename, name); // 2.2.1 4.b.iii
  p.set(PidTagAttachLongFilename, name); // 2.2.1 4.b.iv
  p.set(PidTagDisplayName, name); // 2.2.1 4.b.v
  p.set(PidTagAttachExtension, extensionOf(name));
  p.set(PidTagRenderingPosition, -1);
  p.set(PidTagAttachSize, data.length);
  p.set(PidTagAttachDataBinary, data); // 2.2.1 4.a
  m.attachments.push(att);
  m.properties.set(PidTagHasAttachments, true);
  return m;
}

function opaqueToMessage(root: MimeEntity, c: Classification, diag: Diagnostics, _opts: ToMessageOptions): MessageObject {
  const m = new MessageObject();
  // 3.1.5.2.2 step 1: promote header fields (MS-OXCMAIL). 2.2.2 item 2: no body.
  promoteHeaders(root, m, diag);
  // 2.2.2 item 1 and endnote <5>: IPM.Note.Receipt.SMIME for signed receipts.
  m.properties.set(PidTagMessageClass, c.signedReceipt ? CLASS_RECEIPT : CLASS_OPAQUE);
  // 3.1.5.2.2 step 2: the raw value of the LAST Content-Type field, parameters included.
  const ct = getLastField(root, 'content-type');
  const rawContentType = ct ? ct.unfolded : c.mediaType;
  m.properties.setNamed(PidNameContentType, PT_UNICODE, rawContentType);
  // 3.1.5.2.2 step 3 / 2.2.2 item 5: one attachment, transfer encoding removed.
  const data = decodeBody(root);
  // 3.1.5.2.1 "Additional verification steps MAY be performed": the body should be a CMS object.
  if (!cmsContentType(data)) {
    diag.report('CMS_MALFORMED', `the ${c.mediaType} body is not a CMS ContentInfo (${data.length} bytes after transfer decoding)`, { partPath: root.path, offset: root.body.start });
  }
  const name = root.disposition?.params['filename'] ?? c.params['name'] ?? 'smime.p7m';
  const att = new Attachment();
  const p = att.properties;
  p.set(PidTagAttachNumber, 0);
  p.set(PidTagAttachMethod, AttachMethod.ByValue);
  p.set(PidTagAttachMimeTag, c.mediaType); // 2.2.2 5.b: MUST match the media type
  p.set(PidTagAttachFilename, name);
  p.set(PidTagAttachLongFilename, name);
  p.set(PidTagDisplayName, name);
  p.set(PidTagAttachExtension, extensionOf(name));
  p.set(PidTagRenderingPosition, -1);
  // MS-OXCMAIL 2.2.3.4.1.2: a pkcs7-mime Content-Type is also saved whole on the attachment.
  p.setNamed(PidNameContentType, PT_UNICODE, rawContentType);
  p.set(PidTagAttachSize, data.length);
  p.set(PidTagAttachDataBinary, data);
  m.attachments.push(att);
  m.properties.set(PidTagHasAttachments, true);
  return m;
}

function extensionOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(i) : '';
}
