/**
 * MS-OXOSMIME 3.1.5.1.3 and 3.1.5.2.3: recognize a message object that represents an S/MIME
 * message, with the options the endnotes describe:
 * - suffix matching (`*.SMIME.MultipartSigned`, `*.SMIME`; endnotes <2>, <4>), which also covers
 *   Office InfoPath classes `IPM.InfoPathForm.<name>.SMIME[.MultipartSigned]` (endnote <3>);
 * - the Exchange 2003 SP2 ambiguity (endnote <6>): an `IPM.Note.SMIME` whose one attachment is
 *   really a multipart/signed entity is a mislabeled clear-signed message.
 * Message classes compare case-insensitively (MS-OXCMSG 2.2.1.3).
 */
import { Diagnostics, type Diagnostic } from '../errors.js';
import { parseMime } from '../mime/parse.js';
import { type MessageObject, PidTagAttachDataBinary, PidTagAttachFilename, PidTagAttachLongFilename, PidTagAttachMimeTag } from '../mapi/index.js';
import { hasP7mExtension, type SmimeKind } from './classify.js';

/** Options for {@link recognizeMessage}. */
export interface RecognizeOptions {
  /** Accept classes that only END with `.SMIME.MultipartSigned` / `.SMIME` (3.1.5.1.3, 3.1.5.2.3 MAY). Default true. */
  acceptSuffixes?: boolean;
  /** Accept `IPM.InfoPathForm.*` classes (endnote <3>). Default true. Only matters with acceptSuffixes. */
  acceptInfoPath?: boolean;
  /** Apply the Exchange 2003 SP2 rule of endnote <6>. Default true. */
  exchange2003Ambiguity?: boolean;
  /** Throw on structure violations instead of recording a diagnostic. */
  strict?: boolean;
}

/** What {@link recognizeMessage} found. */
export interface Recognition {
  kind: SmimeKind;
  /** The rule that decided (`MS-OXOSMIME 3.1.5.1.3`, `... endnote <6>`, ...). */
  rule: string;
  /** False when the class says S/MIME but the structure of 2.2.1 / 2.2.2 is broken (not exactly one attachment). */
  structureOk: boolean;
  warnings: Diagnostic[];
}

const CLEAR = 'ipm.note.smime.multipartsigned';
const OPAQUE = 'ipm.note.smime';

/** Does this message class name a clear-signed or opaque S/MIME message (before structure checks)? */
export function smimeKindOfClass(messageClass: string, opts: RecognizeOptions = {}): { kind: SmimeKind; rule: string } {
  const c = messageClass.toLowerCase();
  const suffixes = opts.acceptSuffixes ?? true;
  const infoPath = opts.acceptInfoPath ?? true;
  if (c === CLEAR) return { kind: 'clear-signed', rule: 'MS-OXOSMIME 3.1.5.1.3' };
  if (c === OPAQUE) return { kind: 'opaque-or-encrypted', rule: 'MS-OXOSMIME 3.1.5.2.3' };
  if (suffixes && (infoPath || !c.startsWith('ipm.infopathform.'))) {
    if (c.endsWith('.smime.multipartsigned')) return { kind: 'clear-signed', rule: 'MS-OXOSMIME 3.1.5.1.3 suffix (endnotes <2>, <3>)' };
    if (c.endsWith('.smime')) return { kind: 'opaque-or-encrypted', rule: 'MS-OXOSMIME 3.1.5.2.3 suffix (endnotes <3>, <4>, <5>)' };
  }
  return { kind: 'none', rule: 'message class is not S/MIME' };
}

/** True when the bytes start with a header block whose last Content-Type is multipart/signed. */
export function looksLikeMultipartSigned(data: Uint8Array): boolean {
  try {
    const head = data.subarray(0, Math.min(data.length, 64 * 1024));
    const { root } = parseMime(head);
    return root.contentType.value === 'multipart/signed' && !root.contentTypeDefaulted;
  } catch {
    return false;
  }
}

/** Recognize the S/MIME structure of a message object (MS-OXOSMIME 3.1.5.1.3 / 3.1.5.2.3). */
export function recognizeMessage(m: MessageObject, opts: RecognizeOptions = {}): Recognition {
  const diag = new Diagnostics(opts.strict ?? false);
  const byClass = smimeKindOfClass(m.messageClass, opts);
  if (byClass.kind === 'none') return { ...byClass, structureOk: true, warnings: diag.warnings };
  // "... and contains exactly one attachment object".
  if (m.attachments.length !== 1) {
    diag.report('SMIME_ATTACHMENT_COUNT', `message class ${m.messageClass} needs exactly one attachment, found ${m.attachments.length}`,
      { propertyTag: '0x001A001F' });
    return { ...byClass, structureOk: false, warnings: diag.warnings };
  }
  const att = m.attachments[0]!.properties;
  const data = att.getBinary(PidTagAttachDataBinary);
  const mimeTag = att.getString(PidTagAttachMimeTag)?.toLowerCase();
  if (byClass.kind === 'opaque-or-encrypted') {
    // Endnote <6>: Exchange 2003 SP2 may label a clear-signed message IPM.Note.SMIME.
    if ((opts.exchange2003Ambiguity ?? true) && data && (mimeTag === 'multipart/signed' || looksLikeMultipartSigned(data))) {
      return { kind: 'clear-signed', rule: 'MS-OXOSMIME 3.1.5.2.3 endnote <6> (mislabeled clear-signed)', structureOk: true, warnings: diag.warnings };
    }
    // Additional verification (MAY): the mime tag names a pkcs7 type or a .p7m file.
    const filename = att.getString(PidTagAttachFilename) ?? att.getString(PidTagAttachLongFilename);
    if (mimeTag !== undefined && mimeTag !== 'application/pkcs7-mime' && mimeTag !== 'application/x-pkcs7-mime'
      && !(mimeTag === 'application/octet-stream' && hasP7mExtension(filename))) {
      diag.report('SMIME_STRUCTURE', `attachment mime tag ${mimeTag} is not a pkcs7-mime type`, { propertyTag: '0x370E001F' });
    }
  } else if (mimeTag !== undefined && mimeTag !== 'multipart/signed') {
    diag.report('SMIME_ATTACHMENT_NOT_MULTIPART_SIGNED', `attachment mime tag is ${mimeTag}, expected multipart/signed`, { propertyTag: '0x370E001F' });
  }
  if (!data) {
    diag.report('SMIME_STRUCTURE', 'the S/MIME attachment has no PidTagAttachDataBinary', { propertyTag: '0x37010102' });
    return { ...byClass, structureOk: false, warnings: diag.warnings };
  }
  return { ...byClass, structureOk: true, warnings: diag.warnings };
}
