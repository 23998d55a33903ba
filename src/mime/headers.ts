/**
 * Header field access and decoding: lookup by name, unfolding (RFC 5322 section 2.2.3),
 * RFC 2047 encoded-words, and `type/subtype; parameters` values (RFC 2045 section 5.1) with
 * RFC 2231 extended parameters.
 *
 * Hand-written: the values must come from the byte ranges the parser recorded, and the
 * tolerance rules (RFC 2047 inside quotes, missing semicolons) are ours to choose.
 */
import type { Diagnostics } from '../errors.js';
import { isAscii, latin1, latin1Bytes } from './bytes.js';
import { decodeCharset, decodeUtf8Strict, isKnownCharset, normalizeCharset } from './charset.js';
import { decodeBase64 } from './encoding.js';
import type { HeaderField, MimeEntity, ParsedHeaderValue } from './types.js';
import { isWspOrEol, trimWhere } from '../trim.js';

/** All fields of `e` named `lname` (compared case-insensitively), in input order. */
export function getFields(e: MimeEntity, lname: string): HeaderField[] {
  const l = lname.toLowerCase();
  return e.fields.filter((f) => f.lname === l);
}

/** The last field of `e` named `lname` (case-insensitive), if any. */
export function getLastField(e: MimeEntity, lname: string): HeaderField | undefined {
  const l = lname.toLowerCase();
  for (let i = e.fields.length - 1; i >= 0; i--) if (e.fields[i]!.lname === l) return e.fields[i];
  return undefined;
}

/** The raw bytes of field `f` (name, colon, folded value and final line break) as a subarray of `e.source`. */
export function fieldBytes(e: MimeEntity, f: HeaderField): Uint8Array {
  return e.source.subarray(f.raw.start, f.raw.end);
}

/**
 * The unfolded value of `f` as text: like `f.unfolded`, but 8-bit bytes are read as UTF-8 when
 * they are valid UTF-8 (RFC 6532), else as latin1. Not RFC 2047 decoded.
 */
export function fieldText(source: Uint8Array, f: HeaderField): string {
  const { start, end } = f.value;
  if (isAscii(source, start, end)) return f.unfolded;
  const s = decodeUtf8Strict(source.subarray(start, end));
  return s === undefined ? f.unfolded : unfold(s);
}

/** Unfold a header value (RFC 5322 2.2.3: remove CRLF/LF before WSP) and trim surrounding WSP. */
export function unfold(s: string): string {
  const unfolded = s.replace(/\r?\n(?=[ \t])/g, '');
  return trimWhere(unfolded, isWspOrEol);
}

/** The last field named `lname`, unfolded and RFC 2047 decoded; `undefined` when absent. */
export function headerText(e: MimeEntity, lname: string): string | undefined {
  const f = getLastField(e, lname);
  return f ? decodeWords(fieldText(e.source, f)) : undefined;
}

// RFC 2047 section 2; encoded-text may (wrongly) hold spaces: tolerated, as python's email does
const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=/g;

function decodeQ(text: string): Uint8Array | undefined {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) out.push(0x20); // RFC 2047 4.2 (2): '_' is space
    else if (c === 0x0d || c === 0x0a) continue; // a folded (invalid) word: drop the line break
    else if (c === 0x3d) {
      const h = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) return undefined;
      out.push(parseInt(h, 16));
      i += 2;
    } else if (c > 0xff) return undefined;
    else out.push(c);
  }
  return Uint8Array.from(out);
}

function decodeB(text: string): Uint8Array | undefined {
  const t = text.replace(/[ \t\r\n]+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return undefined;
  return decodeBase64(latin1Bytes(t));
}

/**
 * Decode RFC 2047 encoded-words (`=?charset?B|Q?text?=`, any charset `decodeCharset` knows).
 * Whitespace between adjacent encoded-words is dropped (RFC 2047 section 6.2), and the bytes of
 * adjacent words in the same charset are joined before decoding, so a character split across
 * two words survives. Malformed words and words in unknown charsets are left as they are.
 */
export function decodeWords(text: string): string {
  if (text.indexOf('=?') < 0) return text;
  let out = '';
  let last = 0;
  let pending: Uint8Array[] = [];
  let pendingCharset = '';
  const flush = (): void => {
    if (pending.length === 0) return;
    let n = 0;
    for (const p of pending) n += p.length;
    const all = new Uint8Array(n);
    n = 0;
    for (const p of pending) {
      all.set(p, n);
      n += p.length;
    }
    out += decodeCharset(all, pendingCharset);
    pending = [];
  };
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(text); m; m = ENCODED_WORD.exec(text)) {
    const charset = normalizeCharset(m[1]!);
    const bytes = isKnownCharset(charset) ? (m[2]!.toLowerCase() === 'b' ? decodeB(m[3]!) : decodeQ(m[3]!)) : undefined;
    const gap = text.slice(last, m.index);
    if (bytes === undefined) {
      flush();
      out += gap + m[0];
      last = m.index + m[0].length;
      continue;
    }
    const joinable = pending.length > 0 && /^[ \t\r\n]*$/.test(gap);
    if (!joinable) {
      flush();
      out += gap;
    } else if (charset !== pendingCharset) flush();
    pending.push(bytes);
    pendingCharset = charset;
    last = m.index + m[0].length;
  }
  flush();
  return out + text.slice(last);
}

// RFC 2045 section 5.1 token characters (tspecials and controls excluded)
function isTokenChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && '()<>@,;:\\"/[]?='.indexOf(String.fromCharCode(c)) < 0;
}

interface RawParam {
  name: string;
  value: string;
  quoted: boolean;
}

/**
 * Parse a `type/subtype; a=b; c="q\"x"` value (Content-Type, RFC 2045 5.1) or a
 * `disposition; params` value (Content-Disposition, RFC 2183).
 *
 * - The value and parameter names are lower-cased; comments `( )` are skipped.
 * - RFC 2231: `name*=charset'lang'%xx` and continuations `name*0*=`, `name*1=` are joined and
 *   decoded; an extended parameter wins over a plain one of the same name.
 * - RFC 2047 encoded-words inside `name` / `filename` values (a common misuse) are decoded.
 * - Tolerant: missing or extra semicolons, unterminated quotes and junk never throw; junk is
 *   reported to `diag` as `MIME_PARAMETER_MALFORMED` when a sink is given.
 */
export function parseHeaderValue(unfolded: string, diag?: Diagnostics): ParsedHeaderValue {
  const s = unfolded;
  const n = s.length;
  let i = 0;
  const skipCfws = (): void => {
    for (;;) {
      while (i < n && (s[i] === ' ' || s[i] === '\t' || s[i] === '\r' || s[i] === '\n')) i++;
      if (s[i] !== '(') return;
      let depth = 0;
      for (; i < n; i++) {
        if (s[i] === '\\') i++;
        else if (s[i] === '(') depth++;
        else if (s[i] === ')' && --depth === 0) {
          i++;
          break;
        }
      }
    }
  };
  const readToken = (): string => {
    const st = i;
    while (i < n && isTokenChar(s.charCodeAt(i))) i++;
    return s.slice(st, i);
  };
  // type "/" subtype (or a disposition type)
  skipCfws();
  let value = readToken();
  skipCfws();
  if (s[i] === '/') {
    i++;
    skipCfws();
    value += '/' + readToken();
  }
  value = value.toLowerCase();
  const raw: RawParam[] = [];
  while (i < n) {
    skipCfws();
    if (s[i] === ';') {
      i++;
      continue;
    }
    const st = i;
    const name = readToken().toLowerCase();
    skipCfws();
    if (name === '' || s[i] !== '=') {
      // junk: skip to the next ';'
      if (i === st) i++;
      const semi = s.indexOf(';', i);
      const junkEnd = semi < 0 ? n : semi;
      diag?.report('MIME_PARAMETER_MALFORMED', `junk in parameter list: ${JSON.stringify(s.slice(st, junkEnd).slice(0, 60))}`, {});
      i = junkEnd;
      continue;
    }
    i++; // '='
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
    if (s[i] === '"') {
      i++;
      let v = '';
      let closed = false;
      for (; i < n; i++) {
        const ch = s[i]!;
        if (ch === '\\' && i + 1 < n) v += s[++i];
        else if (ch === '"') {
          closed = true;
          i++;
          break;
        } else v += ch;
      }
      if (!closed) diag?.report('MIME_PARAMETER_MALFORMED', `unterminated quoted value for parameter ${name}`, {});
      raw.push({ name, value: v, quoted: true });
    } else {
      // unquoted: up to ';', or up to WSP followed by `token=` (a missing semicolon)
      const vs = i;
      while (i < n && s[i] !== ';') {
        if (s[i] === ' ' || s[i] === '\t') {
          const m = /^[ \t]+[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*=/.exec(s.slice(i, i + 200));
          if (m) break;
        }
        i++;
      }
      raw.push({ name, value: s.slice(vs, i).trim(), quoted: false });
    }
  }
  return { value, params: joinParams(raw, diag) };
}

function percentDecode(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c > 0xff) for (const b of new TextEncoder().encode(s[i]!)) out.push(b);
    else out.push(c);
  }
  return Uint8Array.from(out);
}

function textBytes(s: string): Uint8Array {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return new TextEncoder().encode(s);
  return latin1Bytes(s);
}

// RFC 2231 sections 3 and 4: join `name*0*`, `name*1`, ... and decode `charset'lang'%xx`.
function joinParams(raw: RawParam[], diag?: Diagnostics): Record<string, string> {
  const plain: Record<string, string> = Object.create(null);
  const ext = new Map<string, Array<{ section: number; extended: boolean; value: string }>>();
  for (const p of raw) {
    const m = /^(.+?)(?:\*(\d{1,4}))?(\*)?$/.exec(p.name);
    const isExt = m !== null && (m[2] !== undefined || m[3] !== undefined);
    if (!m || !isExt) {
      plain[p.name] = p.value;
      continue;
    }
    const base = m[1]!;
    const list = ext.get(base) ?? [];
    list.push({ section: m[2] === undefined ? 0 : Number(m[2]), extended: m[3] !== undefined, value: p.value });
    ext.set(base, list);
  }
  const out: Record<string, string> = {};
  for (const k of Object.keys(plain)) if (k !== '__proto__') out[k] = plain[k]!;
  for (const [base, list] of ext) {
    if (base === '__proto__') continue;
    list.sort((a, b) => a.section - b.section);
    const chunks: Uint8Array[] = [];
    let charset = '';
    let expect = 0;
    for (const sec of list) {
      if (sec.section !== expect) {
        diag?.report('MIME_PARAMETER_MALFORMED', `RFC 2231 parameter ${base}: section ${sec.section} where ${expect} was expected`, {});
        if (sec.section < expect) continue; // duplicate section
      }
      expect = sec.section + 1;
      let v = sec.value;
      if (sec.extended && chunks.length === 0 && charset === '') {
        // RFC 2231 section 4: charset'language'value in the first extended section
        const q1 = v.indexOf("'");
        const q2 = q1 < 0 ? -1 : v.indexOf("'", q1 + 1);
        if (q2 >= 0) {
          charset = v.slice(0, q1);
          v = v.slice(q2 + 1);
        }
      }
      chunks.push(sec.extended ? percentDecode(v) : textBytes(v));
    }
    let len = 0;
    for (const c of chunks) len += c.length;
    const all = new Uint8Array(len);
    len = 0;
    for (const c of chunks) {
      all.set(c, len);
      len += c.length;
    }
    if (charset !== '' && !isKnownCharset(charset)) {
      diag?.report('MIME_CHARSET_UNKNOWN', `RFC 2231 parameter ${base}: unknown charset ${charset}`, {});
    }
    out[base] = charset === '' ? (decodeUtf8Strict(all) ?? latin1(all)) : decodeCharset(all, charset);
  }
  // RFC 2047 encoded-words inside quoted name/filename (RFC 2047 section 5 forbids it; Outlook and others do it)
  for (const k of ['name', 'filename']) {
    if (!ext.has(k) && out[k] !== undefined && out[k].includes('=?')) out[k] = decodeWords(out[k]);
  }
  return out;
}
