/**
 * The two views of an S/MIME message object (what readers of signed .msg files ask for most):
 * the raw view is the message object as the store holds it (one attachment); the unwrapped view
 * parses the signed content and shows its body and real attachments as a normal `IPM.Note`,
 * with the detached signature (`smime.p7s`) beside it.
 *
 * Opaque-signed and encrypted content needs the CMS layer (src/cms) to be opened; this module
 * says so plainly instead of pretending.
 */
import { Diagnostics, type Diagnostic, SmimeBridgeError } from '../errors.js';
import { parseMime } from '../mime/parse.js';
import { decodeBody } from '../mime/encoding.js';
import type { MimeEntity } from '../mime/types.js';
import { type MessageObject, PidTagAttachDataBinary, PidTagMessageClass } from '../mapi/index.js';
import { mimeToMessage } from '../oxcmail/index.js';
import { recognizeMessage, type RecognizeOptions } from './recognize.js';
import { clearSignedAttachmentBytes } from './toMessage.js';

/** The unwrapped view of a clear-signed message. */
export interface UnwrappedView {
  /** The signed content as a normal message object (`IPM.Note`): body and real attachments. */
  content: MessageObject;
  /** The signed content's bytes exactly as signed (the first body part of multipart/signed). */
  signedBytes: Uint8Array;
  /** The detached signature, transfer-decoded (the second body part). */
  signature?: { bytes: Uint8Array; mediaType: string; filename: string };
  warnings: Diagnostic[];
}

/** The multipart/signed entity of a clear-signed message object (MS-OXOSMIME 3.1.5.1.4 step 2). */
export function clearSignedEntity(m: MessageObject, opts: RecognizeOptions = {}): MimeEntity {
  const r = recognizeMessage(m, opts);
  if (r.kind !== 'clear-signed' || !r.structureOk) {
    throw new SmimeBridgeError('SMIME_NOT_SMIME', `${m.messageClass} is not a clear-signed message object (${r.rule})`, { propertyTag: '0x001A001F' });
  }
  const data = m.attachments[0]!.properties.getBinary(PidTagAttachDataBinary)!;
  return parseMime(data).root;
}

/** Unwrap a multipart/signed entity: its first part as a message, its second as the signature. */
export function unwrapSignedEntity(signed: MimeEntity, opts: { strict?: boolean } = {}): UnwrappedView {
  const diag = new Diagnostics(opts.strict ?? false);
  const first = signed.children[0];
  if (!first) throw new SmimeBridgeError('SMIME_STRUCTURE', 'multipart/signed has no body part', { partPath: signed.path });
  // MS-OXOSMIME 2.2.1 item 2a: the first body part taken as a complete Internet message.
  const converted = mimeToMessage(first, opts);
  diag.warnings.push(...converted.warnings);
  converted.message.properties.set(PidTagMessageClass, 'IPM.Note');
  const sig = signed.children[1];
  const view: UnwrappedView = {
    content: converted.message,
    signedBytes: first.source.subarray(first.range.start, first.range.end),
    warnings: diag.warnings,
  };
  if (sig) {
    const mediaType = sig.contentType.value;
    const filename = sig.disposition?.params['filename'] ?? sig.contentType.params['name']
      ?? (mediaType.includes('pgp') ? 'signature.asc' : 'smime.p7s');
    view.signature = { bytes: decodeBody(sig), mediaType, filename };
  }
  return view;
}

/** The unwrapped view of a clear-signed message object (raw view = the object itself). */
export function unwrapClearSigned(m: MessageObject, opts: RecognizeOptions = {}): UnwrappedView {
  return unwrapSignedEntity(clearSignedEntity(m, opts), opts);
}

/** The unwrapped view of a clear-signed Internet message (already parsed). */
export function unwrapClearSignedInternet(root: MimeEntity): UnwrappedView {
  if (root.contentType.value !== 'multipart/signed') {
    throw new SmimeBridgeError('SMIME_NOT_SMIME', `media type is ${root.contentType.value}, not multipart/signed`, { partPath: root.path });
  }
  // Re-parse the attachment form so the view is the same whichever side it came from.
  return unwrapSignedEntity(parseMime(clearSignedAttachmentBytes(root)).root);
}
