/**
 * Writing NEW MIME entities: header folding (RFC 5322 2.2.3), RFC 2047 encoded-words, RFC 2231
 * parameters, entities and multiparts with fresh random boundaries (RFC 2046 5.1.1).
 *
 * Never used on bytes from a signed input: those travel as slices of the input (see parse.ts).
 * Hand-written because it is small and must produce exactly the bytes we document.
 */
import { SmimeBridgeError } from '../errors.js';
import { concatBytes, indexOfBytes, latin1Bytes } from './bytes.js';
import { encodeUtf8 } from './charset.js';

export { concatBytes };

const MAX_LINE = 78; // RFC 5322 2.1.1: lines SHOULD be no more than 78 characters
const WORD_MAX = 75; // RFC 2047 section 2: an encoded-word is at most 75 characters
const PREFIX = '=?utf-8?';

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

function b64(bytes: Uint8Array): string {
  let s = '';
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += A[(v >> 18) & 63]! + A[(v >> 12) & 63]! + A[(v >> 6) & 63]! + A[v & 63]!;
  }
  const r = bytes.length - i;
  if (r > 0) {
    const v = (bytes[i]! << 16) | (r === 2 ? bytes[i + 1]! << 8 : 0);
    s += A[(v >> 18) & 63]! + A[(v >> 12) & 63]! + (r === 2 ? A[(v >> 6) & 63]! : '=') + '=';
  }
  return s;
}

// RFC 2047 5(3): characters allowed literally in a Q-encoded word inside a phrase
function qChar(b: number): string {
  if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x21 || b === 0x2a || b === 0x2b || b === 0x2d || b === 0x2f) {
    return String.fromCharCode(b);
  }
  if (b === 0x20) return '_';
  return '=' + b.toString(16).toUpperCase().padStart(2, '0');
}

const Q_OF: string[] = Array.from({ length: 256 }, (_, b) => qChar(b));

/** The UTF-8 bytes of one code point (RFC 3629), appended to `out`. */
function utf8Into(cp: number, out: number[]): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/**
 * Encode one run of text as one or more UTF-8 encoded-words (each <= 75 chars), B or Q, whichever
 * is shorter; words end on character boundaries, never inside a UTF-8 sequence. Linear time.
 */
function encodeRun(text: string): string[] {
  const bytes: number[] = [];
  const ends: number[] = []; // byte offset after each character
  for (const ch of text) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate has no UTF-8 form
    utf8Into(cp, bytes);
    ends.push(bytes.length);
  }
  let qLen = 0;
  for (const x of bytes) qLen += Q_OF[x]!.length;
  const useQ = qLen <= Math.ceil(bytes.length / 3) * 4;
  const room = WORD_MAX - PREFIX.length - 4; // "B?" / "Q?" + "?="
  const words: string[] = [];
  let start = 0; // byte offset where the current word starts
  let curLen = 0; // encoded length of the current word so far (Q: characters; B: bytes)
  const flush = (end: number): void => {
    if (end === start) return;
    const chunk = bytes.slice(start, end);
    words.push(useQ ? `${PREFIX}Q?${chunk.map((x) => Q_OF[x]).join('')}?=` : `${PREFIX}B?${b64(Uint8Array.from(chunk))}?=`);
    start = end;
    curLen = 0;
  };
  let prev = 0;
  for (const end of ends) {
    let add = 0;
    if (useQ) for (let i = prev; i < end; i++) add += Q_OF[bytes[i]!]!.length;
    else add = end - prev;
    const next = useQ ? curLen + add : Math.ceil((curLen + add) / 3) * 4;
    if (end - prev > 0 && prev > start && next > room) flush(prev);
    curLen += add;
    prev = end;
  }
  flush(bytes.length);
  return words;
}

/**
 * RFC 2047 section 2 syntax of one encoded-word (charset, B or Q, encoded text). A word of this
 * shape is already encoded: it is never encoded again (issue 11 item 1).
 */
const ENCODED_WORD = /^=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=$/;
/** True when `word` is one RFC 2047 encoded-word. */
export function isEncodedWord(word: string): boolean {
  return word.length <= 998 && ENCODED_WORD.test(word);
}

/**
 * A word of unstructured text that must be encoded: non-ASCII or control characters (RFC 5322
 * 2.2.1 allows only printable US-ASCII and WSP), or longer than a line may be (RFC 5322 2.1.1).
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[^\x21-\x7e]/;
const LONG_WORD = 900;
/** A run of whitespace longer than this cannot be folded (a line of only WSP is obsolete, RFC 5322 4.2): it is encoded. */
const LONG_WS = 60;
function mustEncode(word: string): boolean {
  return word.length > LONG_WORD || UNPRINTABLE.test(word);
}

/**
 * RFC 2047-encode unstructured text (RFC 5322 3.2.5 `unstructured`, RFC 2047 section 5(1)):
 * runs of words with non-ASCII or control characters become UTF-8 encoded-words (B or Q,
 * whichever is shorter, each at most 75 characters, split on character boundaries) separated by
 * single spaces; plain ASCII words around them stay as they are. Words that already are
 * encoded-words are left alone, never encoded twice. Whitespace runs too long to fold and words
 * too long for a line are carried inside encoded-words, so the folded field keeps every
 * character and every line stays within 998 octets. Linear in the length of `text`.
 */
export function encodeWords(text: string): string {
  const toks = text.split(/([ \t]+)/); // even indexes: words (maybe empty); odd: whitespace
  const n = toks.length;
  const out: string[] = [];
  let i = 0;
  while (i < n) {
    const t = toks[i]!;
    let run: string;
    if (i % 2 === 1) {
      if (t.length <= LONG_WS) { out.push(t); i++; continue; }
      // a long whitespace run: one space separates, the rest goes into an encoded-word with the next word
      out.push(t[0]!);
      run = t.slice(1) + (toks[i + 1] ?? '');
      i += 2;
    } else {
      if (!mustEncode(t)) { out.push(t); i++; continue; }
      run = t;
      i++;
    }
    // extend the run while the next whitespace is long or the next word must be encoded:
    // whitespace between two encoded-words is ignored by readers (RFC 2047 section 6.2), so it goes inside
    const parts = [run];
    while (i + 1 < n && (toks[i]!.length > LONG_WS || mustEncode(toks[i + 1]!))) {
      parts.push(toks[i]!, toks[i + 1]!);
      i += 2;
    }
    const joined = parts.join('');
    if (joined.length > 0) out.push(encodeRun(joined).join(' '));
  }
  return out.join('');
}

/**
 * A display name as an RFC 5322 3.2.5 `phrase` (RFC 2047 section 5(3)): as is when it is a
 * plain run of atoms, quoted when it holds specials, and encoded as a whole (UTF-8 encoded-words)
 * when it holds non-ASCII or control characters or words too long for a line. A name that
 * already consists of encoded-words is kept as it is.
 */
export function formatPhrase(name: string): string {
  const words = name.split(/[ \t]+/).filter((w) => w !== '');
  if (words.length > 0 && words.every(isEncodedWord)) return words.join(' ');
  if (words.some((w) => mustEncode(w) || w.length > 75)) return encodePhraseWords(words);
  if (/^[!#$%&'*+/=?^_`{|}~0-9A-Za-z-]+(?:[ \t]+[!#$%&'*+/=?^_`{|}~0-9A-Za-z-]+)*$/.test(name)) return name;
  return '"' + name.replace(/[\\"]/g, (c) => '\\' + c) + '"'; // RFC 5322 3.2.4 quoted-string
}

/**
 * The words of a phrase as encoded-words that end at the name's own spaces where they can (each
 * space kept inside the encoded-word before it, RFC 2047 section 6.2): a reader that joins
 * adjacent encoded-words with a space (python's email does in phrases) then shows the name
 * as it is written, up to doubled spaces. Only a word too long for one encoded-word is split.
 * Linear in the length of the name.
 */
function encodePhraseWords(words: string[]): string {
  const out: string[] = [];
  let cur = '';
  let curBytes = 0;
  const ROOM = 45; // bytes that fit in one B encoded-word of 75 characters: 12 + ceil(45 / 3) * 4 = 72
  words.forEach((w, i) => {
    const piece = i < words.length - 1 ? w + ' ' : w;
    const bytes = encodeUtf8(piece).length;
    if (cur !== '' && curBytes + bytes > ROOM) {
      out.push(...encodeRun(cur));
      cur = '';
      curBytes = 0;
    }
    cur += piece;
    curBytes += bytes;
  });
  if (cur !== '') out.push(...encodeRun(cur));
  return out.join(' ');
}

/**
 * Structured header fields (RFC 5322 3.6, RFC 2045/2183/2557, RFC 3798, RFC 4021): their values
 * are formatted (and encoded where their grammar allows) by whoever builds them, such as
 * `formatMailbox` or `formatHeaderValue`; {@link foldHeader} only folds them.
 */
const STRUCTURED = new Set([
  'from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'message-id', 'in-reply-to', 'references', 'date',
  'resent-from', 'resent-sender', 'resent-to', 'resent-cc', 'resent-bcc', 'resent-date', 'resent-message-id',
  'return-path', 'received', 'mime-version', 'content-type', 'content-disposition', 'content-transfer-encoding',
  'content-id', 'content-location', 'content-base', 'content-language', 'disposition-notification-to',
  'return-receipt-to', 'original-recipient', 'expires', 'reply-by', 'importance', 'sensitivity', 'priority',
  'thread-index', 'x-auto-response-suppress', 'dkim-signature', 'arc-seal', 'arc-message-signature',
  'authentication-results', 'list-id', 'list-unsubscribe', 'list-post', 'list-help', 'list-subscribe',
  'list-owner', 'list-archive',
]);

/** True when {@link foldHeader} treats `name` as a structured field (folded, never encoded). */
export function isStructuredField(name: string): boolean {
  return STRUCTURED.has(name.toLowerCase());
}

/**
 * One header field, `Name: value\r\n`, folded at 78 columns on whitespace (RFC 5322 2.2.3: the
 * line break goes before the whitespace). The one place where header text is encoded: the value
 * of an unstructured field is text and is RFC 2047 encoded here ({@link encodeWords}); the value
 * of a structured field ({@link isStructuredField}) is already formatted and is only folded
 * (over-long whitespace runs between its tokens become one space). Every line holds at most 78
 * characters where the value has whitespace to fold at, and never more than 998 (RFC 5322 2.1.1)
 * unless a structured token alone is longer. Line breaks in `value` become spaces. Linear time.
 */
export function foldHeader(name: string, value: string): string {
  // RFC 5322 3.6.8: field-name = 1*ftext
  if (!/^[!-9;-~]+$/.test(name)) throw new SmimeBridgeError('INVALID_ARGUMENT', `invalid header field name ${JSON.stringify(name)}`);
  const flat = value.replace(/\r\n|\r|\n/g, ' ');
  const structured = isStructuredField(name);
  const v = structured ? flat : encodeWords(flat);
  const toks = v.split(/([ \t]+)/);
  const lines: string[] = [];
  let line = `${name}:`;
  // pieces are (whitespace, word) pairs; the first word gets the space after the colon
  for (let i = -1; i < toks.length; i += 2) {
    let ws = i < 0 ? ' ' : toks[i]!;
    const word = toks[i + 1] ?? '';
    if (word === '') continue; // leading and trailing whitespace is dropped
    if (ws.length > LONG_WS) ws = ' ';
    // never right after the colon: readers (python's email) would keep the fold's space in the value
    if (line.length + ws.length + word.length > MAX_LINE && line.length > name.length + 1) {
      lines.push(line);
      line = ws + word;
    } else line += ws + word;
  }
  lines.push(line);
  return lines.join('\r\n') + '\r\n';
}

// RFC 2045 5.1: value := token / quoted-string
function isToken(s: string): boolean {
  return s.length > 0 && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s);
}

function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

// RFC 2231 section 7: attribute-char (token chars except * ' %)
function pct(s: string): string {
  let out = '';
  for (const b of encodeUtf8(s)) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && /[!#$&+.^_`|~0-9A-Za-z-]/.test(ch) ? ch : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * `value; key=val; ...` for Content-Type / Content-Disposition (RFC 2045 5.1, RFC 2183).
 * Values are quoted when they are not tokens. A non-ASCII value is written once, as RFC 2231
 * `key*=utf-8''%xx` (split into `key*0*`, `key*1*`, ... continuations of at most 60 octets, on
 * character boundaries, when long). No RFC 2047 encoded-words inside the quoted form: RFC 2047
 * section 5 forbids them there, and readers such as Python's email report both that and the
 * duplicate parameter as defects.
 */
export function formatHeaderValue(value: string, params: Record<string, string>): string {
  let out = value;
  for (const [k, raw] of Object.entries(params)) {
    if (!/^[!#$%&'+.^_`|~0-9A-Za-z-]+$/.test(k)) throw new SmimeBridgeError('INVALID_ARGUMENT', `invalid parameter name ${JSON.stringify(k)}`);
    const v = raw.replace(/\r?\n/g, ' ');
    if (!NON_ASCII.test(v)) {
      out += `; ${k}=${isToken(v) ? v : quote(v)}`; // RFC 2045 5.1
      continue;
    }
    const first = `utf-8''`;
    const chars = Array.from(v, pct); // one percent-encoded character each: chunks end on character boundaries
    const whole = chars.join('');
    if (first.length + whole.length <= 60) out += `; ${k}*=${first}${whole}`;
    else {
      // RFC 2231 section 3: continuations, each at most 60 octets, never splitting a character
      let n = 0;
      let chunk = '';
      let room = 60 - first.length;
      const flush = (): void => {
        out += `; ${k}*${n}*=${n === 0 ? first : ''}${chunk}`;
        n++;
        chunk = '';
        room = 60;
      };
      for (const c of chars) {
        if (chunk.length > 0 && chunk.length + c.length > room) flush();
        chunk += c;
      }
      if (chunk.length > 0) flush();
    }
  }
  return out;
}

/**
 * A new entity: `rawHeaderBytes` copied verbatim first, then `headers` folded with
 * {@link foldHeader}, then the empty line (CRLF), then `body` as is.
 */
export function buildEntity(parts: { headers: Array<[string, string]>; rawHeaderBytes?: Uint8Array[]; body: Uint8Array }): Uint8Array {
  const chunks: Uint8Array[] = [...(parts.rawHeaderBytes ?? [])];
  let h = '';
  for (const [name, value] of parts.headers) h += foldHeader(name, value);
  chunks.push(latin1Bytes(h + '\r\n'), parts.body);
  return concatBytes(chunks);
}

function randomBoundary(): string {
  const r = new Uint8Array(18);
  globalThis.crypto.getRandomValues(r);
  return '=_sb_' + b64(r).replace(/[+/]/g, (c) => (c === '+' ? '.' : '_'));
}

/**
 * A new multipart entity (RFC 2046 5.1.1): `headers`, then
 * `Content-Type: multipart/<subtype>; boundary="..."`, then each part between delimiter lines
 * (CRLF line ends; the CRLF before each delimiter belongs to the delimiter, so every part is
 * carried byte for byte), then the close delimiter and a final CRLF.
 *
 * `subtype` may carry parameters (`'signed; protocol="application/pkcs7-signature"; micalg=sha-256'`);
 * `params` adds more (formatted by {@link formatHeaderValue}). Without `boundary`, a random one
 * (crypto.getRandomValues) that occurs in no part is chosen; a given boundary that occurs in a
 * part throws `INVALID_ARGUMENT`.
 */
export function buildMultipart(
  headers: Array<[string, string]>,
  subtype: string,
  parts: Uint8Array[],
  boundary?: string,
  params: Record<string, string> = {},
): Uint8Array {
  const occurs = (b: string): boolean => {
    const needle = latin1Bytes('--' + b);
    return parts.some((p) => indexOfBytes(p, needle) >= 0);
  };
  let b = boundary;
  if (b === undefined) {
    do b = randomBoundary();
    while (occurs(b));
  } else if (b === '' || b.length > 70 || occurs(b)) {
    throw new SmimeBridgeError('INVALID_ARGUMENT', `boundary ${JSON.stringify(b)} is empty, longer than 70 characters or occurs in a part (RFC 2046 5.1.1)`);
  }
  const ct = formatHeaderValue(`multipart/${subtype}`, params) + `; boundary="${b}"`;
  const chunks: Uint8Array[] = [];
  const delim = latin1Bytes(`--${b}\r\n`);
  const crlf = latin1Bytes('\r\n');
  parts.forEach((p) => chunks.push(delim, p, crlf));
  chunks.push(latin1Bytes(`--${b}--\r\n`));
  return buildEntity({ headers: [...headers, ['Content-Type', ct]], body: concatBytes(chunks) });
}
