/**
 * Choosing and promoting the message body (MS-OXCMAIL 2.2.3.3.2; fact sheet 3.2): what
 * MS-OXOSMIME 3.1.5.1.2 calls "promote the message body".
 *
 * Candidates in document order: text/plain, text/html, text/enriched or text/calendar leaves,
 * multipart/alternative, multipart/related and multipart/mixed containers holding them; anything
 * with `Content-Disposition: attachment` is disqualified and message/rfc822 parts are not
 * entered. Like gromox, an alternative keeps both its plain and its HTML version.
 */
import { type Diagnostics } from '../errors.js';
import { type MimeEntity, decodeBody, decodeCharset, getLastField, isKnownCharset } from '../mime/index.js';
import { isAscii } from '../mime/bytes.js';
import { decodeUtf8Strict } from '../mime/charset.js';
import {
  type MessageObject, PidTagBody, PidTagBodyContentId, PidTagBodyContentLocation, PidTagHtml, PidTagInternetCodepage,
  PidTagNativeBody,
} from '../mapi/index.js';
import { charsetToCodepage } from './codepage.js';
import { calendarDescription, enrichedToHtml } from './textConvert.js';

/** The body parts chosen by {@link selectBody}. */
export interface BodySelection {
  /** The text/plain part that becomes PidTagBody (or a text/calendar part whose DESCRIPTION does). */
  plain?: MimeEntity;
  /** The text/html part that becomes PidTagHtml (or a text/enriched part converted to HTML). */
  html?: MimeEntity;
  /** Every entity that is part of the body (containers included): these are not attachments. */
  bodyEntities: Set<MimeEntity>;
}

const TEXT_BODY = new Set(['text/plain', 'text/html', 'text/enriched', 'text/calendar']);

function isAttachmentDisposition(e: MimeEntity): boolean {
  return e.disposition?.value === 'attachment';
}
function isTextBody(e: MimeEntity): boolean {
  return TEXT_BODY.has(e.contentType.value) && !isAttachmentDisposition(e);
}
function isMultipart(e: MimeEntity): boolean {
  return e.contentType.value.startsWith('multipart/') && e.children.length > 0;
}

/** The root part of a multipart/related (RFC 2387 3.2: the `start` parameter, else the first child). */
export function relatedRoot(e: MimeEntity): MimeEntity | undefined {
  const start = e.contentType.params['start'];
  if (start) {
    const want = start.trim().replace(/^<|>$/g, '');
    const hit = e.children.find((c) => contentId(c) === want);
    if (hit) return hit;
  }
  return e.children[0];
}

/** Content-ID of an entity without its angle brackets. */
export function contentId(e: MimeEntity): string | undefined {
  const f = getLastField(e, 'content-id');
  if (!f) return undefined;
  const v = f.unfolded.trim().replace(/^<|>$/g, '').trim();
  return v || undefined;
}

// A text child that an alternative may choose: preference HTML > enriched > plain > calendar (2.2.3.3.2.1).
const ALT_RANK: Record<string, number> = { 'text/html': 4, 'text/enriched': 3, 'text/plain': 2, 'text/calendar': 1 };

function altHasBody(e: MimeEntity, depth: number): boolean {
  return e.children.some((c) => !isAttachmentDisposition(c) && (isTextBody(c) || (depth < 8 && isMultipart(c) && (c.contentType.value === 'multipart/related' ? relatedHasHtml(c, depth + 1) : altHasBody(c, depth + 1)))));
}
function relatedHasHtml(e: MimeEntity, depth: number): boolean {
  const root = relatedRoot(e);
  if (!root || isAttachmentDisposition(root)) return false;
  if (root.contentType.value === 'text/html') return true;
  return root.contentType.value === 'multipart/alternative' && depth < 8 && altHasBody(root, depth + 1);
}

/** Fill `sel` from a multipart/alternative (2.2.3.3.2.1): the last child of each kind; HTML > enriched > plain > calendar. */
function selectAlternative(e: MimeEntity, sel: BodySelection, depth: number): void {
  sel.bodyEntities.add(e);
  let html: MimeEntity | undefined;
  let plain: MimeEntity | undefined;
  let calendar: MimeEntity | undefined;
  let htmlRank = 0;
  for (const c of e.children) {
    if (isAttachmentDisposition(c)) continue;
    const t = c.contentType.value;
    if (t === 'text/html' || t === 'text/enriched') {
      const r = ALT_RANK[t]!;
      if (r >= htmlRank) { html = c; htmlRank = r; }
    } else if (t === 'text/plain') plain = c;
    else if (t === 'text/calendar') calendar = c;
    else if (depth < 8 && t === 'multipart/related' && relatedHasHtml(c, depth + 1)) {
      const sub: BodySelection = { bodyEntities: new Set() };
      selectRelated(c, sub, depth + 1);
      for (const x of sub.bodyEntities) sel.bodyEntities.add(x);
      if (sub.html) { html = sub.html; htmlRank = ALT_RANK['text/html']!; }
      if (sub.plain) plain = sub.plain;
    } else if (depth < 8 && t === 'multipart/alternative' && altHasBody(c, depth + 1)) {
      const sub: BodySelection = { bodyEntities: new Set() };
      selectAlternative(c, sub, depth + 1);
      for (const x of sub.bodyEntities) sel.bodyEntities.add(x);
      if (sub.html) { html = sub.html; htmlRank = ALT_RANK['text/html']!; }
      if (sub.plain) plain = sub.plain;
    }
  }
  // A calendar rendition feeds the body only when there is nothing else; otherwise it stays an attachment.
  if (!html && !plain && calendar) plain = calendar;
  if (html) { sel.html = html; sel.bodyEntities.add(html); }
  if (plain) { sel.plain = plain; sel.bodyEntities.add(plain); }
  // The other text renditions of the same content are not attachments either.
  for (const c of e.children) {
    const t = c.contentType.value;
    if (!isAttachmentDisposition(c) && (t === 'text/plain' || t === 'text/html' || t === 'text/enriched')) sel.bodyEntities.add(c);
  }
}

function selectRelated(e: MimeEntity, sel: BodySelection, depth: number): void {
  sel.bodyEntities.add(e);
  const root = relatedRoot(e);
  if (!root) return;
  if (root.contentType.value === 'multipart/alternative') selectAlternative(root, sel, depth + 1);
  else if (isTextBody(root)) selectLeaf(root, sel);
}

function selectLeaf(e: MimeEntity, sel: BodySelection): void {
  sel.bodyEntities.add(e);
  const t = e.contentType.value;
  if (t === 'text/html' || t === 'text/enriched') sel.html = e;
  else sel.plain = e;
}

/**
 * MS-OXCMAIL 2.2.3.3.2: find the body of `e`. The first qualifying entity in document order
 * wins: a text leaf; a multipart/alternative with a text child (both plain and HTML kept); a
 * multipart/related whose root is HTML or an alternative with HTML (its HTML). Containers that
 * merely hold the body (multipart/mixed, ...) are walked in order. Never throws.
 */
export function selectBody(e: MimeEntity): BodySelection {
  const sel: BodySelection = { bodyEntities: new Set() };
  const visit = (x: MimeEntity, depth: number): boolean => {
    if (depth > 64 || isAttachmentDisposition(x)) return false;
    const t = x.contentType.value;
    if (isTextBody(x)) { selectLeaf(x, sel); return true; }
    if (!isMultipart(x)) return false;
    if (t === 'multipart/alternative' && altHasBody(x, 0)) { selectAlternative(x, sel, depth); return true; }
    if (t === 'multipart/related' && relatedHasHtml(x, 0)) { selectRelated(x, sel, depth); return true; }
    for (const c of x.children) if (visit(c, depth + 1)) return true;
    return false;
  };
  visit(e, 0);
  return sel;
}

/** Charset of a text part: its `charset` parameter, else a `<meta charset>` of HTML, else guessed from the bytes. */
function charsetOf(e: MimeEntity, bytes: Uint8Array): string {
  const declared = e.contentType.params['charset'];
  const asciiLabel = declared !== undefined && /^(us-)?ascii$/i.test(declared.trim());
  if (declared && !(asciiLabel && !isAscii(bytes))) return declared;
  if (e.contentType.value === 'text/html') {
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
    const m = /<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)/i.exec(head);
    if (m && isKnownCharset(m[1]!)) return m[1]!;
  }
  if (isAscii(bytes)) return 'us-ascii';
  return decodeUtf8Strict(bytes) !== undefined ? 'utf-8' : 'windows-1252';
}

/** Text with CRLF line ends (as Outlook stores PidTagBody). */
function crlf(s: string): string {
  return s.replace(/\r\n|\r|\n/g, '\r\n');
}

/**
 * Promote the body of `e` into `m` (MS-OXCMAIL 2.2.3.3.2): PidTagBody (UTF-16 text of the
 * plain part, or the DESCRIPTION of a text/calendar part), PidTagHtml (the HTML bytes in their
 * own charset; text/enriched is converted to HTML) with PidTagInternetCodepage (2.2.3.3.2.1;
 * charsets missing from the code page table are transcoded to UTF-8, 65001), PidTagNativeBody
 * (1 plain, 3 HTML) and PidTagBodyContentId / BodyContentLocation. Returns the selection.
 */
export function promoteBody(e: MimeEntity, m: MessageObject, diag: Diagnostics): BodySelection {
  const sel = selectBody(e);
  const p = m.properties;
  let codepage: number | undefined;
  const decodeText = (part: MimeEntity): { text: string; bytes: Uint8Array; charset: string } => {
    const bytes = decodeBody(part);
    const charset = charsetOf(part, bytes);
    if (!isKnownCharset(charset)) {
      diag.report('MIME_CHARSET_UNKNOWN', `unknown charset ${JSON.stringify(charset)}; read as latin1`, { partPath: part.path });
    }
    const text = decodeCharset(bytes, charset);
    // a decoder that had to substitute says so (issue 11 item 3); U+FFFD written as such in UTF-8 is not a substitution
    if (text.includes('\ufffd') && !(/^utf-?8$/i.test(charset) && decodeUtf8Strict(bytes) !== undefined)) {
      diag.note('CHARSET_SUBSTITUTED', `bytes not valid in ${charset} were replaced by U+FFFD`, { partPath: part.path });
    }
    return { text, bytes, charset };
  };
  if (sel.plain) {
    const { text, charset } = decodeText(sel.plain);
    const body = sel.plain.contentType.value === 'text/calendar' ? calendarDescription(text) : text;
    if (body !== undefined) p.set(PidTagBody, crlf(body));
    codepage = charsetToCodepage(charset);
  }
  if (sel.html) {
    const { text, bytes, charset } = decodeText(sel.html);
    let htmlBytes = bytes;
    let cp = charsetToCodepage(charset);
    if (sel.html.contentType.value === 'text/enriched') {
      htmlBytes = new TextEncoder().encode(enrichedToHtml(text));
      cp = 65001;
    } else if (cp === undefined || cp === 1200 || cp === 1201) {
      // MS-OXCMAIL 2.1.3.3: no code page for this label (or UTF-16, forbidden for HTML): store UTF-8.
      htmlBytes = new TextEncoder().encode(text);
      cp = 65001;
    }
    p.set(PidTagHtml, htmlBytes);
    codepage = cp;
  }
  if (codepage !== undefined) p.set(PidTagInternetCodepage, codepage);
  if (sel.html || sel.plain) p.set(PidTagNativeBody, sel.html ? 3 : 1);
  const main = sel.html ?? sel.plain;
  if (main) {
    const cid = contentId(main);
    if (cid) p.set(PidTagBodyContentId, cid);
    const loc = getLastField(main, 'content-location')?.unfolded.trim();
    if (loc) p.set(PidTagBodyContentLocation, loc);
  }
  return sel;
}
