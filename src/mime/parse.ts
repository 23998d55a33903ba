/**
 * The byte-exact MIME parser: RFC 5322 header blocks, RFC 2045/2046 entities and multiparts,
 * message/rfc822 nesting, into a {@link MimeEntity} tree whose every node records the byte
 * ranges of its header fields, header block, body, preamble and epilogue in the input.
 *
 * Why hand-written: no JavaScript MIME library keeps the raw byte ranges of every header field
 * and body, which signatures (RFC 1847 / RFC 8551) need: a signed part must travel as the very
 * bytes that were signed.
 *
 * The scan is linear: lines are found with `Uint8Array.prototype.indexOf` on LF, and delimiter
 * lines with `indexOf` on '-'; no per-byte string building, no regular expression over a body.
 */
import { Diagnostics, SmimeBridgeError, type Diagnostic } from '../errors.js';
import { latin1, latin1Bytes } from './bytes.js';
import { decodeBody } from './encoding.js';
import { fieldText, parseHeaderValue } from './headers.js';
import {
  DEFAULT_LIMITS,
  type ByteRange,
  type HeaderField,
  type MimeEntity,
  type MimeLimits,
  type ParseOptions,
  type ParsedHeaderValue,
} from './types.js';
import { isWspOrCr, trimWhere } from '../trim.js';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const DASH = 0x2d;

interface Ctx {
  limits: MimeLimits;
  diag: Diagnostics;
  parts: number;
  headersOnly: boolean;
}

/**
 * Parse a MIME message (RFC 5322 + RFC 2045/2046) into an entity tree with raw byte ranges.
 *
 * Accepts CRLF, bare-LF and mixed line ends, folded headers, 8-bit header bytes and a header
 * block that runs to the end of the input. A leading mbox `From ` line must be stripped by the
 * caller. Multipart bodies are split per RFC 2046 section 5.1.1 (the line break before a
 * delimiter belongs to the delimiter, so a part's `range.end` excludes it).
 *
 * For message/rfc822 and message/global parts the body is parsed into `.message`. When such a
 * part has a base64 or quoted-printable Content-Transfer-Encoding, the body is decoded and
 * parsed as a NEW source buffer: the `.message` subtree's `source` is then that decoded buffer
 * and its ranges refer to it, not to the input.
 *
 * Recoverable violations (`MIME_UNTERMINATED_MULTIPART`, `MIME_BOUNDARY_MISSING`,
 * `MIME_HEADER_MALFORMED`, `MIME_PARAMETER_MALFORMED`, `MIME_CHARSET_UNKNOWN`) are returned as
 * warnings, or thrown when `opts.strict`. Exceeding a limit always throws `LIMIT_EXCEEDED` with
 * the offset and part path.
 *
 * @throws {SmimeBridgeError} on limits, or on any violation in strict mode.
 */
export function parseMime(bytes: Uint8Array, opts: ParseOptions = {}): { root: MimeEntity; warnings: Diagnostic[] } {
  if (!(bytes instanceof Uint8Array)) throw new SmimeBridgeError('INVALID_ARGUMENT', 'parseMime expects a Uint8Array');
  const ctx: Ctx = {
    limits: { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) },
    diag: new Diagnostics(opts.strict ?? false),
    parts: 0,
    headersOnly: opts.headersOnly ?? false,
  };
  try {
    const root = parseEntity(ctx, bytes, 0, bytes.length, '', 0, false, 'CRLF');
    return { root, warnings: ctx.diag.warnings };
  } catch (e) {
    // only reachable when a caller raised maxDepth beyond what the call stack holds
    if (e instanceof RangeError) throw new SmimeBridgeError('LIMIT_EXCEEDED', 'nesting too deep for the call stack; lower maxDepth', {}, { cause: e });
    throw e;
  }
}

function limit(what: string, offset: number, partPath: string): never {
  throw new SmimeBridgeError('LIMIT_EXCEEDED', what, { offset, partPath });
}

// RFC 5322 section 3.6.8: ftext = %d33-57 / %d59-126
function isFtext(c: number): boolean {
  return c >= 33 && c <= 126 && c !== COLON;
}

/** Index of LF in `src[from, end)`, or -1. */
function lineFeed(src: Uint8Array, from: number, end: number): number {
  if (from >= end) return -1;
  const i = src.indexOf(LF, from);
  return i < 0 || i >= end ? -1 : i;
}

interface HeaderBlock {
  fields: HeaderField[];
  headerEnd: number;
  bodyStart: number;
  crlf: number;
  lf: number;
}

// RFC 5322 section 2.2 (fields), 2.2.3 (folding), 2.1 (empty line ends the header block).
function parseHeaderBlock(ctx: Ctx, src: Uint8Array, start: number, end: number, path: string): HeaderBlock {
  const { maxHeaderBytes, maxHeaderFields } = ctx.limits;
  const fields: HeaderField[] = [];
  let crlf = 0;
  let lf = 0;
  let pos = start;
  while (pos < end) {
    // the empty line that ends the header block
    if (src[pos] === LF) {
      lf++;
      return { fields, headerEnd: pos + 1, bodyStart: pos + 1, crlf, lf };
    }
    if (src[pos] === CR && pos + 1 < end && src[pos + 1] === LF) {
      crlf++;
      return { fields, headerEnd: pos + 2, bodyStart: pos + 2, crlf, lf };
    }
    // field-name, optional WSP (obs-optional, RFC 5322 4.5.3), ':'
    let c = pos;
    while (c < end && c - pos < 1000 && isFtext(src[c]!)) c++;
    const nameEnd = c;
    while (c < end && (src[c] === SP || src[c] === TAB)) c++;
    if (nameEnd === pos || c >= end || src[c] !== COLON) {
      ctx.diag.report('MIME_HEADER_MALFORMED', 'line is not a header field and no empty line ended the header block; the body starts here', {
        offset: pos,
        partPath: path,
      });
      return { fields, headerEnd: pos, bodyStart: pos, crlf, lf };
    }
    const valueStart = c + 1;
    // the field runs to the end of its last line; lines starting with WSP continue it
    let fieldEnd: number;
    let valueEnd: number;
    let from = valueStart;
    for (;;) {
      const nl = lineFeed(src, from, end);
      if (nl < 0) {
        fieldEnd = valueEnd = end;
        break;
      }
      if (nl > start && src[nl - 1] === CR) crlf++;
      else lf++;
      const next = nl + 1;
      if (next - start > maxHeaderBytes) limit(`header block larger than maxHeaderBytes (${maxHeaderBytes})`, next, path);
      if (next < end && (src[next] === SP || src[next] === TAB)) {
        from = next;
        continue;
      }
      fieldEnd = next;
      valueEnd = nl > valueStart && src[nl - 1] === CR ? nl - 1 : nl;
      break;
    }
    if (fieldEnd - start > maxHeaderBytes) limit(`header block larger than maxHeaderBytes (${maxHeaderBytes})`, fieldEnd, path);
    if (fields.length >= maxHeaderFields) limit(`more than maxHeaderFields (${maxHeaderFields}) header fields`, pos, path);
    const name = latin1(src, pos, nameEnd);
    fields.push({
      name,
      lname: name.toLowerCase(),
      raw: { start: pos, end: fieldEnd },
      value: { start: valueStart, end: valueEnd },
      unfolded: unfoldLatin1(src, valueStart, valueEnd),
    });
    pos = fieldEnd;
  }
  // the input ended inside the header block: no body
  return { fields, headerEnd: end, bodyStart: end, crlf, lf };
}

// RFC 5322 2.2.3: unfolding removes the CRLF (or LF) before WSP; then trim WSP.
function unfoldLatin1(src: Uint8Array, start: number, end: number): string {
  let s = latin1(src, start, end);
  if (s.indexOf('\n') >= 0) s = s.replace(/\r?\n/g, '');
  return trimWhere(s, isWspOrCr);
}

function lastField(fields: HeaderField[], lname: string): HeaderField | undefined {
  for (let i = fields.length - 1; i >= 0; i--) if (fields[i]!.lname === lname) return fields[i];
  return undefined;
}

/** parseHeaderValue with its diagnostics re-reported at the field's location. */
function parseField(ctx: Ctx, src: Uint8Array, f: HeaderField, path: string): ParsedHeaderValue {
  const local = new Diagnostics(false);
  const v = parseHeaderValue(fieldText(src, f), local);
  for (const w of local.warnings) ctx.diag.report(w.code, `${f.name}: ${w.message}`, { offset: f.raw.start, partPath: path });
  return v;
}

function parseEntity(
  ctx: Ctx,
  src: Uint8Array,
  start: number,
  end: number,
  path: string,
  depth: number,
  inDigest: boolean,
  parentLineEnding: MimeEntity['lineEnding'],
): MimeEntity {
  if (depth > ctx.limits.maxDepth) limit(`nesting deeper than maxDepth (${ctx.limits.maxDepth})`, start, path);
  if (++ctx.parts > ctx.limits.maxParts) limit(`more than maxParts (${ctx.limits.maxParts}) entities`, start, path);

  const hb = parseHeaderBlock(ctx, src, start, end, path);
  const lineEnding: MimeEntity['lineEnding'] =
    hb.crlf > 0 && hb.lf > 0 ? 'mixed' : hb.crlf > 0 ? 'CRLF' : hb.lf > 0 ? 'LF' : parentLineEnding;

  // MS-OXOSMIME 3.1.5.1.1: the LAST Content-Type field decides; RFC 2045 5.2 / RFC 2046 5.1.5 defaults
  const ctField = lastField(hb.fields, 'content-type');
  let contentType: ParsedHeaderValue | undefined;
  if (ctField) {
    const parsed = parseField(ctx, src, ctField, path);
    const slash = parsed.value.indexOf('/');
    if (slash > 0 && slash < parsed.value.length - 1) contentType = parsed;
    else {
      ctx.diag.report('MIME_HEADER_MALFORMED', `Content-Type ${JSON.stringify(ctField.unfolded.slice(0, 80))} is not type/subtype; default applied (RFC 2045 5.2)`, {
        offset: ctField.raw.start,
        partPath: path,
      });
    }
  }
  const contentTypeDefaulted = contentType === undefined;
  contentType ??= inDigest ? { value: 'message/rfc822', params: {} } : { value: 'text/plain', params: { charset: 'us-ascii' } };

  const cdField = lastField(hb.fields, 'content-disposition');
  const cteField = lastField(hb.fields, 'content-transfer-encoding');
  // RFC 2045 6.1: mechanism token (case-insensitive); quotes and trailing junk tolerated
  const transferEncoding = cteField ? (/^"?([^\s;("]*)/.exec(cteField.unfolded)![1]!.toLowerCase() || '7bit') : '7bit';

  const entity: MimeEntity = {
    source: src,
    path,
    range: { start, end },
    headerRange: { start, end: hb.headerEnd },
    fields: hb.fields,
    body: { start: hb.bodyStart, end },
    lineEnding,
    contentType,
    contentTypeDefaulted,
    transferEncoding,
    children: [],
  };
  if (cdField) entity.disposition = parseField(ctx, src, cdField, path);

  const [type, subtype] = contentType.value.split('/') as [string, string];
  if (ctx.headersOnly && depth === 0) return entity;
  if (type === 'multipart') {
    const boundary = contentType.params['boundary'];
    if (boundary === undefined || boundary === '') {
      // RFC 2046 5.1.1: the boundary parameter is required; treat the entity as a leaf
      ctx.diag.report('MIME_BOUNDARY_MISSING', `${contentType.value} without a boundary parameter; treated as a single part`, {
        offset: ctField?.raw.start ?? start,
        partPath: path,
      });
    } else {
      entity.boundary = boundary;
      parseMultipartBody(ctx, entity, depth, subtype === 'digest');
    }
  } else if (type === 'message' && (subtype === 'rfc822' || subtype === 'global')) {
    if (transferEncoding === 'base64' || transferEncoding === 'quoted-printable') {
      // RFC 2046 5.2.1 forbids these encodings for message/rfc822; decode and parse a new buffer
      const inner = decodeBody(entity, ctx.limits);
      entity.message = parseEntity(ctx, inner, 0, inner.length, path, depth + 1, false, lineEnding);
    } else {
      entity.message = parseEntity(ctx, src, hb.bodyStart, end, path, depth + 1, false, lineEnding);
    }
  }
  return entity;
}

interface DelimiterLine {
  /** Offset of the first '-' of the delimiter line (relative to the body). */
  lineStart: number;
  /** Offset just after the delimiter line's line break (or the end of the body). */
  afterLine: number;
  /** True for a close delimiter (`--boundary--`). */
  close: boolean;
}

// RFC 2046 5.1.1: dash-boundary [--] transport-padding CRLF, at the start of a line.
function findDelimiter(body: Uint8Array, delim: Uint8Array, from: number): DelimiterLine | undefined {
  const len = body.length;
  let p = from;
  while (p < len) {
    p = body.indexOf(DASH, p);
    if (p < 0) return undefined;
    if (p === 0 || body[p - 1] === LF) {
      let q = p;
      let k = 0;
      while (k < delim.length && q < len && body[q] === delim[k]) {
        q++;
        k++;
      }
      if (k === delim.length) {
        let close = false;
        if (q + 1 < len && body[q] === DASH && body[q + 1] === DASH) {
          close = true;
          q += 2;
        }
        while (q < len && (body[q] === SP || body[q] === TAB)) q++; // transport padding
        if (q >= len) return { lineStart: p, afterLine: len, close };
        if (body[q] === LF) return { lineStart: p, afterLine: q + 1, close };
        if (body[q] === CR && (q + 1 >= len || body[q + 1] === LF)) return { lineStart: p, afterLine: Math.min(len, q + 2), close };
      }
    }
    // not a delimiter line: continue on the next line
    const nl = body.indexOf(LF, p);
    if (nl < 0) return undefined;
    p = nl + 1;
  }
  return undefined;
}

/** Start of the line break that precedes the delimiter at `lineStart` (it belongs to the delimiter). */
function delimiterStart(body: Uint8Array, lineStart: number, floor: number): number {
  if (lineStart === 0) return 0;
  const s = lineStart >= 2 && body[lineStart - 2] === CR ? lineStart - 2 : lineStart - 1;
  return Math.max(s, floor);
}

function boundaryBytes(boundary: string): Uint8Array {
  for (let i = 0; i < boundary.length; i++) if (boundary.charCodeAt(i) > 0xff) return new TextEncoder().encode('--' + boundary);
  return latin1Bytes('--' + boundary);
}

function parseMultipartBody(ctx: Ctx, e: MimeEntity, depth: number, digest: boolean): void {
  const src = e.source;
  const bs = e.body.start;
  const body = src.subarray(bs, e.body.end);
  const delim = boundaryBytes(e.boundary!);
  const childPath = (i: number): string => (e.path === '' ? String(i) : `${e.path}.${i}`);
  const abs = (start: number, end: number): ByteRange => ({ start: bs + start, end: bs + end });

  let cur = findDelimiter(body, delim, 0);
  if (!cur) {
    ctx.diag.report('MIME_UNTERMINATED_MULTIPART', `no delimiter line for boundary ${JSON.stringify(e.boundary)} in ${e.contentType.value} body`, {
      offset: bs,
      partPath: e.path,
    });
    e.preamble = abs(0, body.length);
    return;
  }
  e.preamble = abs(0, delimiterStart(body, cur.lineStart, 0));
  let i = 1;
  while (!cur.close) {
    const partStart = cur.afterLine;
    const next = findDelimiter(body, delim, partStart);
    const partEnd = next ? delimiterStart(body, next.lineStart, partStart) : body.length;
    e.children.push(parseEntity(ctx, src, bs + partStart, bs + partEnd, childPath(i), depth + 1, digest, e.lineEnding));
    i++;
    if (!next) {
      // RFC 2046 5.1.1 requires the close delimiter; the last part runs to the end of the body
      ctx.diag.report('MIME_UNTERMINATED_MULTIPART', `${e.contentType.value} has no close delimiter --${e.boundary}--`, {
        offset: e.body.end,
        partPath: e.path,
      });
      return;
    }
    cur = next;
  }
  e.epilogue = abs(cur.afterLine, body.length);
}
