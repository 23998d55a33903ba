/**
 * MS-OXOSMIME 3.1.5.1.4 and 3.1.5.2.4: reconstruct an Internet-format message from a message
 * object. For a clear-signed message the attachment's bytes after its Content-Type field are
 * copied verbatim, so the signature still verifies; Outlook stores the mime tag without the
 * `protocol` and `micalg` parameters, so the Content-Type always comes from the attachment's own
 * field, never from the mime tag.
 */
import { Diagnostics, type Diagnostic, SmimeBridgeError } from '../errors.js';
import { parseMime } from '../mime/parse.js';
import { getLastField } from '../mime/headers.js';
import { encodeBase64 } from '../mime/encoding.js';
import { concatBytes } from '../mime/bytes.js';
import { foldHeader, formatHeaderValue } from '../mime/write.js';
import {
  type MessageObject, PidNameContentType, PidTagAttachDataBinary, PidTagAttachFilename, PidTagAttachLongFilename,
  PidTagAttachMimeTag,
} from '../mapi/index.js';
import { headersFromMessage, messageToMime } from '../oxcmail/index.js';
import { type Recognition, type RecognizeOptions, recognizeMessage } from './recognize.js';

/** Options for {@link toInternet}. */
export interface ToInternetOptions extends RecognizeOptions {
  /**
   * Line ends of the header fields we generate. `auto` (default) follows the clear-signed
   * attachment's own line ends, CRLF otherwise. The attachment's bytes are never changed.
   */
  lineEnding?: 'auto' | 'CRLF' | 'LF';
}

/** Result of {@link toInternet}. */
export interface ToInternetResult {
  bytes: Uint8Array;
  recognition: Recognition;
  warnings: Diagnostic[];
}

const enc = new TextEncoder();

/** Header fields promoted from properties (MS-OXCMAIL), minus anything describing MIME structure. */
function envelopeFields(m: MessageObject, eol: string, diag?: Diagnostics): string {
  let out = '';
  let hasMimeVersion = false;
  const notes = new Diagnostics(false);
  const fields = headersFromMessage(m, { diag: notes });
  diag?.warnings.push(...notes.warnings);
  for (const [name, value] of fields) {
    const l = name.toLowerCase();
    if (l.startsWith('content-')) continue;
    if (l === 'mime-version') hasMimeVersion = true;
    out += foldHeader(name, value);
  }
  if (!hasMimeVersion) out += 'MIME-Version: 1.0\r\n';
  return eol === '\r\n' ? out : out.replace(/\r\n/g, eol);
}

/**
 * Reconstruct the Internet message (MS-OXOSMIME 3.1.5.1.4 / 3.1.5.2.4; MS-OXCMAIL for other classes).
 * In lenient mode a message object whose S/MIME structure is broken is written by the general
 * MS-OXCMAIL writer with a warning; in strict mode it throws.
 */
export function toInternet(m: MessageObject, opts: ToInternetOptions = {}): ToInternetResult {
  const diag = new Diagnostics(opts.strict ?? false);
  const recognition = recognizeMessage(m, opts);
  diag.warnings.push(...recognition.warnings);
  if (recognition.kind === 'none' || !recognition.structureOk) {
    if (recognition.kind !== 'none') {
      diag.report('SMIME_STRUCTURE', `${m.messageClass} without the structure of MS-OXOSMIME 2.2; written as a plain message`);
    }
    const inner = new Diagnostics(false);
    const bytes = messageToMime(m, { diag: inner });
    diag.warnings.push(...inner.warnings);
    return { bytes, recognition, warnings: diag.warnings };
  }
  const data = m.attachments[0]!.properties.getBinary(PidTagAttachDataBinary)!;
  if (recognition.kind === 'clear-signed') {
    return { bytes: clearSignedToInternet(m, data, opts, diag), recognition, warnings: diag.warnings };
  }
  return { bytes: opaqueToInternet(m, data, opts, diag), recognition, warnings: diag.warnings };
}

function clearSignedToInternet(m: MessageObject, data: Uint8Array, opts: ToInternetOptions, diag: Diagnostics): Uint8Array {
  // 3.1.5.1.4 step 2: treat the attachment data as a MIME entity (only its header block matters here).
  const { root } = parseMime(data);
  const ct = getLastField(root, 'content-type');
  if (!ct || root.contentType.value !== 'multipart/signed') {
    throw new SmimeBridgeError('SMIME_ATTACHMENT_NOT_MULTIPART_SIGNED',
      'the clear-signed attachment does not start with a multipart/signed Content-Type field', { propertyTag: '0x37010102', offset: 0 });
  }
  if (root.fields.length > 1) {
    diag.warnings.push({ code: 'SMIME_STRUCTURE', message: `dropped ${root.fields.length - 1} header field(s) of the attachment other than Content-Type (3.1.5.1.4 step 3)`, location: { propertyTag: '0x37010102' } });
  }
  const eol = opts.lineEnding === 'LF' ? '\n' : opts.lineEnding === 'CRLF' ? '\r\n' : root.lineEnding === 'LF' ? '\n' : '\r\n';
  // Step 4: header fields promoted from properties; step 3: only the LAST Content-Type field of
  // the attachment, byte for byte; then the rest of the entity exactly as stored.
  const lastField = root.fields[root.fields.length - 1]!;
  return concatBytes([
    enc.encode(envelopeFields(m, eol, diag)),
    data.subarray(ct.raw.start, ct.raw.end),
    data.subarray(lastField.raw.end), // the empty line and the body, verbatim
  ]);
}

function opaqueToInternet(m: MessageObject, data: Uint8Array, _opts: ToInternetOptions, diag: Diagnostics): Uint8Array {
  const att = m.attachments[0]!.properties;
  // Step 5 names PidTagAttachFilename; readers also see the long name, so fall back to it.
  const filename = att.getString(PidTagAttachFilename) ?? att.getString(PidTagAttachLongFilename) ?? 'smime.p7m';
  // Steps 2-3: an empty entity with the header fields promoted from properties.
  let head = envelopeFields(m, '\r\n', diag);
  // Step 4a: the PS_INTERNET_HEADERS "Content-Type", unparsed parameters included; step 4b: the mime tag + name.
  const stored = m.properties.getNamedString(PidNameContentType);
  if (stored !== undefined && stored.trim() !== '') {
    head += `Content-Type: ${stored.replace(/\r?\n(?![ \t])/g, '\r\n ')}\r\n`;
  } else {
    const mimeTag = att.getString(PidTagAttachMimeTag) ?? 'application/pkcs7-mime';
    head += foldHeader('Content-Type', formatHeaderValue(mimeTag, { name: filename }));
  }
  // Step 5: Content-Disposition: attachment; filename=...
  head += foldHeader('Content-Disposition', formatHeaderValue('attachment', { filename }));
  // Step 6: Content-Transfer-Encoding: base64.
  head += 'Content-Transfer-Encoding: base64\r\n\r\n';
  // Step 7: the attachment data, base64-encoded, as the body.
  return concatBytes([enc.encode(head), encodeBase64(data, 76)]);
}
