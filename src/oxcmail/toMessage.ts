/**
 * Internet message -> message object (MS-OXCMAIL 2.2.3): header promotion, body, and attachments
 * (2.2.3.4; fact sheet 3.3), with message/rfc822 parts converted recursively into embedded
 * message objects (2.2.3.4.3).
 */
import { Diagnostics, type Diagnostic } from '../errors.js';
import {
  type MimeEntity, decodeBody, decodeCharset, fieldText, getLastField, parseDate, parseMime,
} from '../mime/index.js';
import {
  Attachment, AttachMethod, MessageFlags, MessageObject, PidNameContentType, PidTagAttachContentBase,
  PidTagAttachContentId, PidTagAttachContentLocation, PidTagAttachDataBinary, PidTagAttachExtension,
  PidTagAttachFilename, PidTagAttachFlags, PidTagAttachLongFilename, PidTagAttachMethod, PidTagAttachMimeTag,
  PidTagAttachNumber, PidTagAttachSize, PidTagAttachTag, PidTagAttachmentHidden, PidTagCreationTime,
  PidTagDisplayName, PidTagHasAttachments, PidTagLastModificationTime, PidTagMessageFlags, PidTagObjectType,
  PidTagRenderingPosition, PidTagSubject, PidTagTextAttachmentCharset, PT_UNICODE,
  MESSAGE_LIMITS,
} from '../mapi/index.js';
import { type BodySelection, contentId, promoteBody } from './body.js';
import { decodeHeaderText } from './decode.js';
import { attachmentNames } from './filename.js';
import { promoteHeaders } from './promoteHeaders.js';

/** PidTagAttachTag for MIME attachments: OID 1.2.840.113556.3.10.4 (MS-OXCMSG 2.2.2.15). */
export const ATTACH_TAG_MIME = Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x14, 0x03, 0x0a, 0x04]);

/** Default limit on nested message/rfc822 attachments. */
export const DEFAULT_MAX_EMBED_DEPTH = MESSAGE_LIMITS.embeddingDepth;

/** Options for {@link mimeToMessage}. */
export interface MimeToMessageOptions {
  /** Throw on recoverable violations instead of returning them as warnings (default false). */
  strict?: boolean;
  /** Deepest message/rfc822 nesting converted into embedded messages (default 16); deeper ones stay method 1. */
  maxEmbedDepth?: number;
}

/** Options for {@link promoteAttachments}. */
export interface PromoteAttachmentsOptions {
  maxEmbedDepth?: number;
}

// MS-OXCMAIL 2.2.3.4.1.4: image types that may be rendered inline.
const INLINE_IMAGES = new Set(['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/gif', 'image/bmp', 'image/png', 'image/x-png']);

/** The HTML of the body as lower-case text, for `cid:` / Content-Location references. */
function htmlText(sel: BodySelection): string {
  if (!sel.html) return '';
  try {
    return decodeCharset(decodeBody(sel.html), sel.html.contentType.params['charset'] ?? 'utf-8').toLowerCase();
  } catch {
    return '';
  }
}

function fieldValue(e: MimeEntity, lname: string): string | undefined {
  const f = getLastField(e, lname);
  if (!f) return undefined;
  const v = decodeHeaderText(fieldText(e.source, f)).trim();
  return v || undefined;
}

/** The raw file name of an entity: Content-Disposition filename, Content-Type name, Content-Description (2.2.3.4.1.1). */
function rawName(e: MimeEntity): string | undefined {
  return e.disposition?.params['filename'] || e.contentType.params['name'] || fieldValue(e, 'content-description');
}

/**
 * Turn every non-multipart entity of `e` that is not part of the body (`sel.bodyEntities`) into
 * an attachment of `m` (MS-OXCMAIL 2.2.3.4; fact sheet 3.3):
 *
 * - method 1 (by value), PidTagAttachDataBinary transfer-decoded (2.2.3.4.1.5), AttachSize;
 * - AttachMimeTag = bare type/subtype (`application/ms-tnef` -> `application/octet-stream`), and
 *   for `application/(x-)pkcs7-mime` the whole Content-Type value in PidNameContentType (2.2.3.4.1.2);
 *   TextAttachmentCharset for text/* with a charset;
 * - file names (Content-Disposition filename -> Content-Type name -> Content-Description),
 *   sanitised into LongFilename, 8.3 Filename, Extension; DisplayName = Content-Description or
 *   the long file name (2.2.3.4.1.1);
 * - Content-ID (without `<>`), Content-Location, Content-Base; creation/modification dates;
 * - inline images (in multipart/related or with an inline disposition, referenced from the HTML
 *   by `cid:` or location): AttachFlags 4 (ATT_MHTML_REF) + AttachmentHidden (2.2.3.4.1.4);
 * - RenderingPosition -1 (0xFFFFFFFF), AttachNumber, ObjectType 7, AttachTag (MIME OID);
 * - message/rfc822 -> method 5 with an embedded message object converted recursively, with
 *   mfRead and mfUnsent cleared (2.2.3.4.3); beyond the depth limit the part stays method 1 and
 *   a LIMIT_EXCEEDED diagnostic is recorded.
 */
export function promoteAttachments(e: MimeEntity, m: MessageObject, sel: BodySelection, diag: Diagnostics, depth = 0, opts: PromoteAttachmentsOptions = {}): void {
  const maxDepth = opts.maxEmbedDepth ?? DEFAULT_MAX_EMBED_DEPTH;
  const html = htmlText(sel);
  let tooMany = false;
  const visit = (x: MimeEntity, parent: MimeEntity | undefined, level: number): void => {
    if (level > 128) return; // the parser's own depth limit is lower; never recurse without bound
    const isMulti = x.contentType.value.startsWith('multipart/') && x.children.length > 0;
    if (isMulti) {
      for (const c of x.children) visit(c, x, level + 1);
      return;
    }
    if (sel.bodyEntities.has(x)) return;
    if (m.attachments.length >= MESSAGE_LIMITS.attachments) {
      // MS-OXMSG 2.2.2: a .msg holds at most 2048 attachments; more would be unwritable.
      if (!tooMany) diag.report('LIMIT_EXCEEDED', `more than ${MESSAGE_LIMITS.attachments} attachments; the rest are dropped`, { partPath: x.path });
      tooMany = true;
      return;
    }
    const att = new Attachment();
    const p = att.properties;
    p.set(PidTagAttachNumber, m.attachments.length);
    p.set(PidTagObjectType, 7);
    p.set(PidTagRenderingPosition, -1);
    p.set(PidTagAttachTag, ATTACH_TAG_MIME);
    const type = x.contentType.value;
    const isMessage = type === 'message/rfc822' || type === 'message/global';
    const description = fieldValue(x, 'content-description');
    // Embedded messages take file names only from explicit parameters (2.2.3.4.3).
    const raw = isMessage ? x.disposition?.params['filename'] || x.contentType.params['name'] || undefined : rawName(x);
    const names = raw !== undefined ? attachmentNames(raw) : undefined;
    if (names) {
      p.set(PidTagAttachLongFilename, names.longFilename);
      p.set(PidTagAttachFilename, names.filename);
      if (names.extension) p.set(PidTagAttachExtension, names.extension);
    }
    // Content-ID, -Location, -Base (2.2.3.4.1.3)
    const cid = contentId(x);
    if (cid) p.set(PidTagAttachContentId, cid);
    const loc = fieldValue(x, 'content-location');
    if (loc) p.set(PidTagAttachContentLocation, loc);
    const base = fieldValue(x, 'content-base');
    if (base) p.set(PidTagAttachContentBase, base);
    // Content-Disposition creation-date / modification-date (2.2.3.4.1.6)
    const cd = x.disposition?.params['creation-date'];
    const cdDate = cd ? parseDate(cd) : undefined;
    if (cdDate) p.setTime(PidTagCreationTime, cdDate);
    const md = x.disposition?.params['modification-date'];
    const mdDate = md ? parseDate(md) : undefined;
    if (mdDate) p.setTime(PidTagLastModificationTime, mdDate);

    let embedded: MessageObject | undefined;
    if (isMessage) {
      if (depth + 1 > maxDepth) {
        diag.report('LIMIT_EXCEEDED', `message/rfc822 nested deeper than ${maxDepth}; kept as a file attachment`, { partPath: x.path });
      } else {
        let inner = x.message;
        if (!inner) {
          const parsed = parseMime(decodeBody(x), { strict: diag.strict });
          diag.warnings.push(...parsed.warnings.map((w) => ({ ...w, location: { ...w.location, partPath: x.path } })));
          inner = parsed.root;
        }
        embedded = convertEntity(inner, diag, depth + 1, maxDepth);
        // 2.2.3.4.3: clear mfUnsent and mfRead on the embedded message.
        const f = embedded.properties.getNumber(PidTagMessageFlags) ?? 0;
        embedded.properties.set(PidTagMessageFlags, f & ~(MessageFlags.mfUnsent | MessageFlags.mfRead));
      }
    }
    if (embedded) {
      att.embedded = embedded;
      p.set(PidTagAttachMethod, AttachMethod.EmbeddedMessage);
      p.set(PidTagAttachMimeTag, type);
      p.set(PidTagAttachSize, x.body.end - x.body.start);
      // 2.2.3.4.3: display name from name -> filename -> Content-Description -> Subject.
      const shown = x.contentType.params['name'] || x.disposition?.params['filename'] || description || embedded.properties.getString(PidTagSubject);
      if (shown) p.set(PidTagDisplayName, shown);
    } else {
      const data = decodeBody(x);
      p.set(PidTagAttachMethod, AttachMethod.ByValue);
      p.set(PidTagAttachDataBinary, data);
      p.set(PidTagAttachSize, data.length);
      p.set(PidTagAttachMimeTag, type === 'application/ms-tnef' ? 'application/octet-stream' : type);
      if (type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime') {
        const ct = getLastField(x, 'content-type');
        if (ct) p.setNamed(PidNameContentType, PT_UNICODE, ct.unfolded);
      }
      const charset = x.contentType.params['charset'];
      if (type.startsWith('text/') && charset) p.set(PidTagTextAttachmentCharset, charset);
      const shown = description ?? names?.longFilename;
      if (shown) p.set(PidTagDisplayName, shown);
      // 2.2.3.4.1.4 inline images: in a related part (or disposition inline), with a CID or a
      // location the HTML refers to, of an image type the renderer shows.
      const inRelated = parent?.contentType.value === 'multipart/related' || x.disposition?.value === 'inline';
      const referenced = (cid !== undefined && html.includes(`cid:${cid.toLowerCase()}`))
        || (loc !== undefined && html.includes(loc.toLowerCase()));
      if (inRelated && referenced && INLINE_IMAGES.has(type)) {
        p.set(PidTagAttachFlags, 4);
        p.set(PidTagAttachmentHidden, true);
      }
    }
    m.attachments.push(att);
  };
  visit(e, undefined, 0);
  if (m.attachments.length) {
    m.properties.set(PidTagHasAttachments, true);
    const f = m.properties.getNumber(PidTagMessageFlags) ?? 0;
    m.properties.set(PidTagMessageFlags, f | MessageFlags.mfHasAttach);
  }
}

/** Headers, body and attachments of one entity taken as a complete message. */
function convertEntity(e: MimeEntity, diag: Diagnostics, depth: number, maxDepth: number): MessageObject {
  const m = new MessageObject();
  promoteHeaders(e, m, diag);
  const sel = promoteBody(e, m, diag);
  promoteAttachments(e, m, sel, diag, depth, { maxEmbedDepth: maxDepth });
  return m;
}

/**
 * Convert a parsed Internet message into a message object by the general MS-OXCMAIL rules
 * ({@link promoteHeaders}, {@link promoteBody}, {@link promoteAttachments}). In lenient mode
 * (default) recoverable problems are returned as warnings; with `strict` they throw.
 */
export function mimeToMessage(e: MimeEntity, opts: MimeToMessageOptions = {}): { message: MessageObject; warnings: Diagnostic[] } {
  const diag = new Diagnostics(opts.strict ?? false);
  const message = convertEntity(e, diag, 0, opts.maxEmbedDepth ?? DEFAULT_MAX_EMBED_DEPTH);
  return { message, warnings: diag.warnings };
}
