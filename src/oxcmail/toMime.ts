/**
 * Message object -> Internet message: the general MS-OXCMAIL 2.1.3 writer for classes without
 * an S/MIME structure (fact sheet 3.4). Body: text/plain, text/html, multipart/alternative, with
 * multipart/related for inline images and multipart/mixed for attachments (2.1.3.3);
 * attachments base64 with Content-Type, Content-Disposition and Content-ID (2.1.3.4.2);
 * embedded messages as message/rfc822, rendered recursively (2.1.3.4.5).
 */
import { Diagnostics } from '../errors.js';
import {
  buildEntity, buildMultipart, decodeCharset, encodeBase64, encodeQuotedPrintable, formatDate,
  formatHeaderValue, isKnownCharset,
} from '../mime/index.js';
import {
  type Attachment, type MessageObject, PidNameContentType, PidTagAttachContentId, PidTagAttachContentLocation,
  PidTagAttachDataBinary, PidTagAttachFilename, PidTagAttachFlags, PidTagAttachLongFilename, PidTagAttachMethod,
  PidTagAttachMimeTag, PidTagAttachmentHidden, PidTagBody, PidTagCreationTime, PidTagDisplayName, PidTagHtml,
  PidTagInternetCodepage, PidTagLastModificationTime, PidTagRtfCompressed, PidTagSubject, PidTagTextAttachmentCharset,
} from '../mapi/index.js';
import { isAscii } from '../mime/bytes.js';
import { decodeUtf8Strict } from '../mime/charset.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { messageToJson } from '../mapi/json.js';
import { codepageToCharset } from './codepage.js';
import { headersFromMessage } from './headersFromMessage.js';

/** Options for {@link messageToMime}. */
export interface MessageToMimeOptions {
  /** Where recoverable problems go (attachments that cannot be written); default: a lenient sink that is dropped. */
  diag?: Diagnostics;
  /** Deepest embedded message rendered (default 16). */
  maxDepth?: number;
  /**
   * Date used when the message has none of PidTagClientSubmitTime, PidTagMessageDeliveryTime and
   * PidTagCreationTime (default: no Date field, with an `OXCMAIL_NO_DATE` warning).
   */
  now?: Date;
  /**
   * The message is being submitted to SMTP (MS-OXCMAIL 2.1.3.2.7, 2.1.3.2.11): a missing Date
   * is the current time and a missing Message-ID is generated ({@link generatedMessageId}).
   * Default false: an export writes what the message holds.
   */
  submit?: boolean;
}

type Headers = Array<[string, string]>;
/** A MIME tree under construction: a leaf with its headers and encoded body, or a multipart. */
type Node = { headers: Headers; body: Uint8Array } | { subtype: string; parts: Node[]; params?: Record<string, string> };

function render(n: Node, outer: Headers = []): Uint8Array {
  if ('body' in n) return buildEntity({ headers: [...outer, ...n.headers], body: n.body });
  return buildMultipart(outer, n.subtype, n.parts.map((c) => render(c)), undefined, n.params ?? {});
}

const enc = new TextEncoder();

function crlfBytes(s: string): Uint8Array {
  return enc.encode(s.replace(/\r\n|\r|\n/g, '\r\n'));
}

/** Pick 7bit, quoted-printable or base64 for text bytes with CRLF line ends (RFC 2045 6). */
function encodeText(bytes: Uint8Array): { cte: string; body: Uint8Array } {
  let high = 0;
  let lineLen = 0;
  let longLine = false;
  let bare = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x0d && bytes[i + 1] === 0x0a) { lineLen = 0; i++; continue; }
    if (c === 0x0d || c === 0x0a || c === 0) bare = true;
    if (c >= 0x80) high++;
    if (++lineLen > 998) longLine = true;
  }
  if (!high && !longLine && !bare) return { cte: '7bit', body: bytes };
  if (!bare && high * 5 < bytes.length) return { cte: 'quoted-printable', body: encodeQuotedPrintable(bytes) };
  return { cte: 'base64', body: encodeBase64(bytes, 76) };
}

function textLeaf(type: string, charset: string, bytes: Uint8Array): Node {
  const { cte, body } = encodeText(bytes);
  return { headers: [['Content-Type', formatHeaderValue(type, { charset })], ['Content-Transfer-Encoding', cte]], body };
}

/** The HTML body: PidTagHtml bytes in the PidTagInternetCodepage charset (or PidTagBodyHtml text as UTF-8). */
function htmlLeaf(m: MessageObject, diag?: Diagnostics): Node | undefined {
  const prop = m.properties.get(PidTagHtml);
  if (!prop) return undefined;
  if (typeof prop.value === 'string') return textLeaf('text/html', 'utf-8', crlfBytes(prop.value));
  if (!(prop.value instanceof Uint8Array)) return undefined;
  const cp = m.properties.getNumber(PidTagInternetCodepage);
  let charset = cp !== undefined ? codepageToCharset(cp) : undefined;
  let bytes = prop.value;
  if (charset?.startsWith('utf-16')) {
    // MS-OXCMAIL 2.1.3.3: code page 1200 (UTF-16) is forbidden for HTML: transcode to UTF-8.
    bytes = enc.encode(decodeCharset(bytes, charset));
    charset = 'utf-8';
  } else if (charset === undefined || !isKnownCharset(charset)) {
    // No (known) code page: say what the bytes are.
    charset = isAscii(bytes) ? 'us-ascii' : decodeUtf8Strict(bytes) !== undefined ? 'utf-8' : 'windows-1252';
  } else if (!isAscii(bytes) && decodeCharset(bytes, charset).includes('\ufffd') && decodeUtf8Strict(bytes) !== undefined) {
    // The code page does not describe the bytes (HTML stored as UTF-8 under PidTagInternetCodepage
    // 50220 by some writers): label it with what it is.
    diag?.note('CHARSET_SUBSTITUTED', `PidTagHtml is not valid ${charset} but is valid UTF-8; labelled utf-8`, { propertyTag: '0x10130102' });
    charset = 'utf-8';
  }
  // Canonical CRLF line ends (RFC 2049 section 4) for ASCII-compatible charsets.
  const text = new TextDecoder('latin1').decode(bytes);
  if (/\r(?!\n)|(?<!\r)\n/.test(text)) bytes = Uint8Array.from(text.replace(/\r\n|\r|\n/g, '\r\n'), (c) => c.charCodeAt(0) & 0xff);
  return textLeaf('text/html', charset, bytes);
}

const EXT_TYPES: Record<string, string> = {
  txt: 'text/plain', htm: 'text/html', html: 'text/html', csv: 'text/csv', xml: 'text/xml', ics: 'text/calendar',
  pdf: 'application/pdf', zip: 'application/zip', json: 'application/json', png: 'image/png', gif: 'image/gif',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', bmp: 'image/bmp', svg: 'image/svg+xml', eml: 'message/rfc822',
  doc: 'application/msword', xls: 'application/vnd.ms-excel', ppt: 'application/vnd.ms-powerpoint',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  p7m: 'application/pkcs7-mime', p7s: 'application/pkcs7-signature', p7c: 'application/pkcs7-mime',
};

/** MS-OXCMAIL 2.1.3.4.2: the attachment's Content-Type: mime tag, else from the extension, else octet-stream. */
function attachmentType(p: Attachment['properties'], filename: string | undefined): string {
  let t = p.getString(PidTagAttachMimeTag)?.trim().toLowerCase();
  if (!t || !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t)) {
    const ext = filename && filename.includes('.') ? filename.slice(filename.lastIndexOf('.') + 1).toLowerCase() : '';
    t = EXT_TYPES[ext] ?? 'application/octet-stream';
  }
  // Structures we cannot re-create from a by-value attachment are written as opaque bytes.
  if (t.startsWith('multipart/') || t === 'application/applefile' || t === 'application/mac-binhex40' || t === 'message/rfc822') {
    return 'application/octet-stream';
  }
  return t;
}

function isInline(a: Attachment, hasHtml: boolean): boolean {
  const p = a.properties;
  return hasHtml && !!p.getString(PidTagAttachContentId)
    && (((p.getNumber(PidTagAttachFlags) ?? 0) & 4) !== 0 || p.getBoolean(PidTagAttachmentHidden) === true);
}

function attachmentNode(a: Attachment, index: number, inline: boolean, depth: number, opts: Required<Pick<MessageToMimeOptions, 'maxDepth'>> & MessageToMimeOptions, diag: Diagnostics): Node | undefined {
  const p = a.properties;
  const filename = p.getString(PidTagAttachLongFilename) ?? p.getString(PidTagAttachFilename);
  const display = p.getString(PidTagDisplayName);
  const headers: Headers = [];
  const cid = p.getString(PidTagAttachContentId);
  const loc = p.getString(PidTagAttachContentLocation);
  const disp: Record<string, string> = {};
  if (filename) disp['filename'] = filename;
  const created = p.getTime(PidTagCreationTime);
  if (created && !Number.isNaN(created.getTime())) disp['creation-date'] = formatDate(created);
  const modified = p.getTime(PidTagLastModificationTime);
  if (modified && !Number.isNaN(modified.getTime())) disp['modification-date'] = formatDate(modified);
  const extra = (): void => {
    const shownSubject = a.embedded?.properties.getString(PidTagSubject);
    if (display && display !== filename && display !== shownSubject) headers.push(['Content-Description', display]);
    headers.push(['Content-Disposition', formatHeaderValue(inline ? 'inline' : 'attachment', disp)]);
    if (cid) headers.push(['Content-ID', `<${cid}>`]);
    if (loc) headers.push(['Content-Location', loc]);
  };
  const data = p.getBinary(PidTagAttachDataBinary);
  if (a.embedded && !data) {
    // 2.1.3.4.5: embedded message as message/rfc822, rendered recursively.
    if (depth + 1 > opts.maxDepth) {
      diag.report('LIMIT_EXCEEDED', `embedded messages nested deeper than ${opts.maxDepth}; attachment ${index} not written`, { propertyTag: '0x3701000D' });
      return undefined;
    }
    const inner = writeMessage(a.embedded, depth + 1, opts, diag);
    headers.push(['Content-Type', 'message/rfc822']);
    extra();
    // RFC 2046 5.2.1: message/rfc822 allows only 7bit, 8bit or binary; our writer emits 7bit text.
    headers.push(['Content-Transfer-Encoding', inner.some((b) => b >= 0x80) ? '8bit' : '7bit']);
    return { headers, body: inner };
  }
  if (!data) {
    const method = p.getNumber(PidTagAttachMethod);
    diag.report('UNSUPPORTED_FORMAT', `attachment ${index} (method ${method ?? 'unset'}) has no data that MIME can carry; not written`, { propertyTag: '0x37010102' });
    return undefined;
  }
  // MS-OXCMAIL 2.2.3.4.1.2 in reverse: a stored whole pkcs7-mime Content-Type keeps its parameters.
  const storedCt = p.getNamedString(PidNameContentType);
  const type = attachmentType(p, filename);
  let ct: string;
  if (storedCt && /^application\/(x-)?pkcs7-mime\b/i.test(storedCt.trim()) && type.includes('pkcs7-mime')) ct = storedCt.replace(/[\r\n]+/g, ' ').trim();
  else {
    const params: Record<string, string> = {};
    const cs = p.getString(PidTagTextAttachmentCharset);
    if (cs && type.startsWith('text/')) params['charset'] = cs;
    if (filename) params['name'] = filename;
    ct = formatHeaderValue(type, params);
  }
  headers.push(['Content-Type', ct]);
  extra();
  headers.push(['Content-Transfer-Encoding', 'base64']);
  return { headers, body: encodeBase64(data, 76) };
}

/**
 * A Message-ID for a message that has none, deterministic: the SHA-256 of the message object's
 * JSON form (the same message always gets the same ID), in the domain
 * `generated.smime-bridge.invalid` (RFC 6761 .invalid) so that anyone can tell it was generated.
 */
export function generatedMessageId(m: MessageObject): string {
  const digest = sha256(new TextEncoder().encode(JSON.stringify(messageToJson(m))));
  return `<${Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')}@${GENERATED_DOMAIN}>`;
}
/** The domain of every Message-ID smime-bridge generates. */
export const GENERATED_DOMAIN = 'generated.smime-bridge.invalid';

function writeMessage(m: MessageObject, depth: number, opts: Required<Pick<MessageToMimeOptions, 'maxDepth'>> & MessageToMimeOptions, diag: Diagnostics): Uint8Array {
  const envelope = headersFromMessage(m, { diag });
  const has = (n: string): boolean => envelope.some(([k]) => k.toLowerCase() === n);
  const at = depth === 0 ? {} : { partPath: `embedded message at depth ${depth}` };
  if (!has('date')) {
    // MS-OXCMAIL 2.1.3.2.7: the current time only for SMTP submission; an export has no Date then.
    const now = opts.now ?? (opts.submit ? new Date() : undefined);
    if (now) envelope.push(['Date', formatDate(now)]);
    else diag.note('OXCMAIL_NO_DATE', 'no PidTagClientSubmitTime, PidTagMessageDeliveryTime or PidTagCreationTime: written without a Date field', at);
  }
  if (!has('message-id') && opts.submit) {
    // MS-OXCMAIL 2.1.3.2.11: a Message-ID is generated only when the message is submitted to SMTP.
    const id = generatedMessageId(m);
    envelope.push(['Message-ID', id]);
    diag.note('OXCMAIL_MESSAGE_ID_GENERATED', `no PidTagInternetMessageId: generated ${id} from the message's content`, at);
  }
  envelope.push(['MIME-Version', '1.0']);

  // 2.1.3.3 body: plain, HTML, or alternative(plain, html).
  const bodyText = m.properties.get(PidTagBody)?.value;
  const plain = typeof bodyText === 'string' ? textLeaf('text/plain', 'utf-8', crlfBytes(bodyText)) : undefined;
  const html = htmlLeaf(m, diag);
  if (!plain && !html && m.properties.has(PidTagRtfCompressed)) {
    diag.report('UNSUPPORTED_FORMAT', 'the body exists only as compressed RTF (PidTagRtfCompressed); written without a body', { propertyTag: '0x10090102' });
  }
  let body: Node | undefined = plain && html ? { subtype: 'alternative', parts: [plain, html] } : html ?? plain;

  // Inline attachments go into multipart/related with the HTML; the rest into multipart/mixed.
  const inline: Node[] = [];
  const files: Node[] = [];
  m.attachments.forEach((a, i) => {
    const il = isInline(a, html !== undefined);
    const n = attachmentNode(a, i, il, depth, opts, diag);
    if (n) (il ? inline : files).push(n);
  });
  // RFC 2387 3.1: `type` names the root part's media type.
  if (inline.length && body) body = { subtype: 'related', parts: [body, ...inline], params: { type: 'subtype' in body ? `multipart/${body.subtype}` : 'text/html' } };
  else if (inline.length) files.unshift(...inline);
  let root: Node;
  if (files.length) root = { subtype: 'mixed', parts: body ? [body, ...files] : files };
  else root = body ?? textLeaf('text/plain', 'utf-8', new Uint8Array(0));
  return render(root, envelope);
}

/**
 * Write `m` as an Internet message (MS-OXCMAIL 2.1.3; fact sheet 3.4) for classes without an
 * S/MIME structure: MIME-Version, the envelope fields of {@link headersFromMessage} (plus a Date
 * and a generated Message-ID when the properties have none), and the body and attachments.
 * Text bodies are UTF-8; the HTML keeps its bytes and the PidTagInternetCodepage charset.
 * CRLF line ends throughout.
 */
export function messageToMime(m: MessageObject, opts: MessageToMimeOptions = {}): Uint8Array {
  const diag = opts.diag ?? new Diagnostics(false);
  return writeMessage(m, 0, { ...opts, maxDepth: opts.maxDepth ?? 16 }, diag);
}

