/**
 * PidTagRtfCompressed: decompression (MS-OXRTFCP 2.1.3.1) and HTML de-encapsulation
 * (MS-OXRTFEX 2.4). Hand-written: the npm candidates (`@kenjiuno/decompressrtf`, `compressed-rtf`)
 * do not check the CRC, do not bound output and throw plain Errors; no maintained npm package
 * de-encapsulates HTML from RTF. Both functions are bounded by the input size and a limit.
 */
import { SmimeBridgeError } from '../errors.js';
import { decodeCodepage } from './codepage.js';
import { crc32Rtf } from './crc.js';
import { isAscii, latin1 } from '../mime/bytes.js';

/** MS-OXRTFCP 2.1.3.1.1: the dictionary's initial 207 bytes. */
const PREBUF = '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx';
const COMPRESSED = 0x75465a4c; // "LZFu"
const UNCOMPRESSED = 0x414c454d; // "MELA"

function rtfError(message: string, offset?: number): SmimeBridgeError {
  return new SmimeBridgeError('MSG_RTF_MALFORMED', message, { propertyTag: '0x10090102', ...(offset !== undefined ? { offset } : {}) });
}

/**
 * Decompress a PidTagRtfCompressed value (MS-OXRTFCP 2.1.3.1). Throws `MSG_RTF_MALFORMED` on a bad
 * header, CRC mismatch or a size above `maxSize` (default 64 MiB).
 */
export function decompressRtf(data: Uint8Array, maxSize = 64 * 1024 * 1024): Uint8Array {
  if (data.length < 16) throw rtfError(`compressed RTF of ${data.length} bytes is shorter than its 16-byte header`, 0);
  const dv = new DataView(data.buffer, data.byteOffset, data.length);
  const compSize = dv.getUint32(0, true);
  const rawSize = dv.getUint32(4, true);
  const compType = dv.getUint32(8, true);
  const crc = dv.getUint32(12, true);
  if (rawSize > maxSize) throw rtfError(`RTF raw size ${rawSize} is above the limit ${maxSize}`, 4);
  // COMPSIZE counts the bytes after itself (MS-OXRTFCP 2.1.3.1.1).
  const end = Math.min(data.length, compSize + 4);
  if (compType === UNCOMPRESSED) return data.slice(16, Math.min(end, 16 + rawSize));
  if (compType !== COMPRESSED) throw rtfError(`unknown COMPTYPE 0x${compType.toString(16)}`, 8);
  if (compSize + 4 > data.length) throw rtfError(`COMPSIZE ${compSize} is past the end of the value (${data.length} bytes)`, 0);
  const actual = crc32Rtf(data, 16, end);
  if (actual !== crc) throw rtfError(`CRC 0x${crc.toString(16)} does not match the data (0x${actual.toString(16)})`, 12);
  const dict = new Uint8Array(4096);
  for (let i = 0; i < PREBUF.length; i++) dict[i] = PREBUF.charCodeAt(i);
  let wp = PREBUF.length;
  // A 2-byte reference yields at most 17 bytes: never allocate more than the input can produce.
  const limit = Math.min(rawSize, (end - 16) * 9);
  const out = new Uint8Array(limit);
  let o = 0;
  let p = 16;
  outer: while (p < end) {
    const control = data[p++]!;
    for (let bit = 0; bit < 8; bit++) {
      if (p >= end) break outer;
      if ((control & (1 << bit)) === 0) {
        const b = data[p++]!;
        if (o >= limit) break outer;
        out[o++] = b;
        dict[wp] = b;
        wp = (wp + 1) & 4095;
      } else {
        if (p + 1 >= end) throw rtfError('dictionary reference cut off', p);
        const word = (data[p]! << 8) | data[p + 1]!;
        p += 2;
        const offset = word >> 4;
        const length = (word & 15) + 2;
        if (offset === wp) break outer; // MS-OXRTFCP 2.1.3.1.4: end of compressed data
        for (let i = 0; i < length; i++) {
          const b = dict[(offset + i) & 4095]!;
          if (o >= limit) break outer;
          out[o++] = b;
          dict[wp] = b;
          wp = (wp + 1) & 4095;
        }
      }
    }
  }
  return o === limit ? out : out.slice(0, o);
}

/** True when the RTF declares encapsulated HTML (`\fromhtml1`, MS-OXRTFEX 2.1.3.1). */
export function isEncapsulatedHtml(rtf: Uint8Array): boolean {
  const head = String.fromCharCode(...rtf.subarray(0, Math.min(rtf.length, 2048)));
  return /\\fromhtml1/.test(head);
}

const DBCS = new Set([932, 936, 949, 950, 1361, 54936, 65001]);
const tables = new Map<number, string[] | undefined>();
/** For a single-byte code page, the character of each byte value; undefined for multi-byte ones. */
function singleByteTable(cp: number): string[] | undefined {
  if (DBCS.has(cp)) return undefined;
  if (tables.has(cp)) return tables.get(cp);
  const all = new Uint8Array(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const s = decodeCodepage(all, cp);
  const t = s !== undefined && s.length === 256 ? [...s] : undefined;
  if (tables.size < 64) tables.set(cp, t);
  return t;
}

/** Destinations whose text never belongs to the HTML (MS-OXRTFEX 2.4.2). */
const SKIP_DESTINATIONS = new Set(['fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'header', 'footer', 'listtable', 'listoverridetable', 'rsidtbl', 'generator', 'xmlnstbl', 'themedata', 'datastore', 'latentstyles']);

const SYMBOLS: Record<string, string> = {
  par: '\r\n', line: '\r\n', tab: '\t', lquote: '\u2018', rquote: '\u2019', ldblquote: '\u201c', rdblquote: '\u201d',
  bullet: '\u2022', endash: '\u2013', emdash: '\u2014', enspace: '\u2002', emspace: '\u2003',
};

interface Group {
  skip: boolean;
  htmlrtf: boolean;
  htmltag: boolean;
  uc: number;
  /** Current font (`\fN`), or -1 before any; its `\fcharsetN` decides the code page of `\'hh` bytes. */
  font: number;
}

/**
 * RTF 1.9.1 `\fcharsetN` -> Windows code page (the charset values of the font table, as Word
 * writes them). 1 (DEFAULT) and 2 (SYMBOL) use the document's `\ansicpg`.
 */
const FCHARSET_CP: Record<number, number> = {
  0: 1252, 77: 10000, 128: 932, 129: 949, 130: 1361, 134: 936, 136: 950, 161: 1253, 162: 1254, 163: 1258,
  177: 1255, 178: 1256, 186: 1257, 204: 1251, 222: 874, 238: 1250, 254: 437, 255: 850,
};

/**
 * The font table (`{\fonttbl {\f0 ... \fcharset128 Name;} ...}`): font number -> code page of its
 * charset. One pass over the table; entries without a known `\fcharset` are left out.
 */
export function fontCodepages(rtf: Uint8Array): Map<number, number> {
  const fonts = new Map<number, number>();
  const headLen = Math.min(rtf.length, 1 << 20);
  let start = -1;
  for (let i = 0; i + 9 < headLen; i++) {
    if (rtf[i] === 0x7b && rtf[i + 1] === 0x5c && String.fromCharCode(...rtf.subarray(i + 2, i + 9)) === 'fonttbl') { start = i; break; }
  }
  if (start < 0) return fonts;
  let depth = 0;
  let end = start;
  for (; end < headLen; end++) {
    const c = rtf[end];
    if (c === 0x5c) { end++; continue; }
    if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) break;
  }
  // latin1 goes in chunks: a spread of a font table up to 1 MiB would exceed the call stack
  const table = latin1(rtf, start + 9, end);
  for (const m of table.matchAll(/\\f(\d{1,5})([^{}]*)/g)) {
    const cs = /\\fcharset(\d{1,3})/.exec(m[2]!);
    const cp = cs ? FCHARSET_CP[Number(cs[1])] : undefined;
    if (cp !== undefined && !fonts.has(Number(m[1]))) fonts.set(Number(m[1]), cp);
  }
  return fonts;
}

/**
 * De-encapsulate HTML from decompressed RTF (MS-OXRTFEX 2.4.1). Returns the HTML text, or
 * undefined when the RTF does not carry `\fromhtml1`. `\'hh` bytes are decoded with the code
 * page of the current font's `\fcharsetN` (RTF 1.9.1 font table), else the `\ansicpg` code page
 * (default 1252); `onSubstitution` is called when a decoder had to put U+FFFD for bytes it could
 * not decode. Throws `MSG_RTF_MALFORMED` on unbalanced groups.
 */
export function deencapsulateHtml(rtf: Uint8Array, onSubstitution?: (cp: number) => void): string | undefined {
  if (!isEncapsulatedHtml(rtf)) return undefined;
  let cp = 1252;
  const fonts = fontCodepages(rtf);
  const out: string[] = [];
  // text bytes not yet decoded (runs of plain text and \'hh escapes), decoded together at the next control word
  let bytes = new Uint8Array(4096);
  let pending = 0;
  const append = (run: Uint8Array | number) => {
    const k = typeof run === 'number' ? 1 : run.length;
    if (pending + k > bytes.length) {
      const grown = new Uint8Array(Math.max(bytes.length * 2, pending + k));
      grown.set(bytes.subarray(0, pending));
      bytes = grown;
    }
    if (typeof run === 'number') bytes[pending] = run;
    else bytes.set(run, pending);
    pending += k;
  };
  const byCp = new Map<number, { table: string[]; ascii: boolean }>(); // single-byte code pages: byte -> character, built once each
  const flushBytes = () => {
    if (!pending) return;
    // the current font's \fcharset decides the code page; else the document's \ansicpg
    const use = fonts.get(g.font) ?? cp;
    let page = byCp.get(use);
    if (page === undefined) {
      const table = singleByteTable(use) ?? [];
      // most single-byte code pages map 0x00-0x7F to themselves: such runs decode as Latin-1 in one call
      page = { table, ascii: table.length === 256 && table.slice(0, 128).every((ch, b) => ch === String.fromCharCode(b)) };
      byCp.set(use, page);
    }
    const run = bytes.subarray(0, pending);
    let s: string;
    if (page.table.length === 256) {
      if (page.ascii && isAscii(run)) s = latin1(run);
      else {
        const chars: string[] = new Array(run.length);
        for (let k = 0; k < run.length; k++) chars[k] = page.table[run[k]!]!;
        s = chars.join('');
      }
    } else {
      s = decodeCodepage(run.slice(), use) ?? latin1(run);
    }
    if (onSubstitution && s.includes('\ufffd')) onSubstitution(use);
    out.push(s);
    pending = 0;
  };
  const stack: Group[] = [];
  let g: Group = { skip: false, htmlrtf: false, htmltag: false, uc: 1, font: -1 };
  let first = true; // first control word of a group decides its destination
  let star = false;
  let skipChars = 0; // \uN fallback characters still to skip (MS-OXRTFEX via RTF 1.9 \uc)
  const emitting = () => !g.skip && (g.htmltag || !g.htmlrtf);
  const n = rtf.length;
  let i = 0;
  while (i < n) {
    const c = rtf[i]!;
    if (c === 0x7b) { // {
      flushBytes();
      stack.push(g);
      if (stack.length > 1000) throw rtfError('RTF groups nested deeper than 1000', i);
      g = { ...g };
      first = true;
      star = false;
      i++;
      continue;
    }
    if (c === 0x7d) { // }
      flushBytes();
      const prev = stack.pop();
      if (!prev) break; // text after the final group is ignored
      g = prev;
      first = false;
      i++;
      continue;
    }
    if (c === 0x0d || c === 0x0a) { i++; continue; }
    if (c === 0x5c) { // backslash
      const d = rtf[i + 1];
      if (d === undefined) break;
      // control symbols
      if (!((d >= 0x61 && d <= 0x7a) || (d >= 0x41 && d <= 0x5a))) {
        i += 2;
        if (d === 0x2a) { star = true; continue; } // \*
        if (d === 0x27) { // \'hh
          const hex = String.fromCharCode(rtf[i] ?? 0, rtf[i + 1] ?? 0);
          i += 2;
          if (skipChars > 0) { skipChars--; continue; }
          const v = parseInt(hex, 16);
          if (emitting() && !Number.isNaN(v)) append(v);
          continue;
        }
        if (skipChars > 0) { skipChars--; continue; }
        flushBytes();
        if (!emitting()) continue;
        if (d === 0x5c || d === 0x7b || d === 0x7d) out.push(String.fromCharCode(d));
        else if (d === 0x7e) out.push('\u00a0');
        else if (d === 0x5f) out.push('\u2011');
        else if (d === 0x0d || d === 0x0a) out.push('\r\n');
        continue;
      }
      // control word: letters, optional signed number, optional single space delimiter
      let j = i + 1;
      let word = ''; // built as it is read: a spread of each word's bytes into fromCharCode cost more
      while (j < n && ((rtf[j]! >= 0x61 && rtf[j]! <= 0x7a) || (rtf[j]! >= 0x41 && rtf[j]! <= 0x5a)) && j - i < 40) word += String.fromCharCode(rtf[j++]!);
      let param: number | undefined;
      let k = j;
      if (rtf[k] === 0x2d || (rtf[k]! >= 0x30 && rtf[k]! <= 0x39)) {
        const s = k;
        const negative = rtf[k] === 0x2d;
        if (negative) k++;
        let v = 0;
        let digits = 0;
        while (k < n && rtf[k]! >= 0x30 && rtf[k]! <= 0x39 && k - s < 12) { v = v * 10 + (rtf[k]! - 0x30); digits++; k++; }
        param = digits ? (negative ? -v : v) : NaN; // as parseInt("-") gives
      }
      if (rtf[k] === 0x20) k++;
      i = k;
      const isFirst = first;
      first = false;
      if (word !== 'u' && word !== 'htmlrtf') flushBytes();
      if (isFirst) {
        if (word === 'htmltag' && star) { g.htmltag = true; g.htmlrtf = false; star = false; continue; }
        if (star || SKIP_DESTINATIONS.has(word)) { g.skip = true; star = false; continue; }
      }
      if (skipChars > 0 && word !== 'u') { skipChars--; continue; }
      switch (word) {
        case 'ansicpg': if (param !== undefined && param > 0) cp = param; break;
        case 'f': if (param !== undefined) g.font = param; break;
        case 'deff': if (param !== undefined && g.font < 0) g.font = param; break;
        case 'htmlrtf': flushBytes(); g.htmlrtf = param !== 0; break;
        case 'uc': g.uc = Math.max(0, Math.min(param ?? 1, 10)); break;
        case 'u':
          if (param !== undefined) {
            flushBytes();
            if (emitting()) out.push(String.fromCharCode(param < 0 ? param + 65536 : param));
            skipChars = g.uc;
          }
          break;
        default: {
          const sym = SYMBOLS[word];
          if (sym !== undefined && emitting()) out.push(sym);
        }
      }
      continue;
    }
    // plain text: a run up to the next brace, backslash or line break, appended at once
    first = false;
    if (skipChars > 0) { skipChars--; i++; continue; }
    let j = i + 1;
    for (; j < n; j++) {
      const x = rtf[j]!;
      if (x === 0x7b || x === 0x7d || x === 0x5c || x === 0x0d || x === 0x0a) break;
    }
    if (emitting()) append(rtf.subarray(i, j));
    i = j;
  }
  flushBytes();
  return out.join('');
}
