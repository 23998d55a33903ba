/**
 * Tolerant text decoding for promoted headers and bodies.
 *
 * - RFC 2047: real mail (and Python's email package) use encoded-words with literal spaces inside
 *   (`=?iso-8859-1?Q?Test E-Mail?=`), which RFC 2047 section 5 forbids; src/mime's `decodeWords`
 *   is strict about that, so such words are repaired first (a space in Q text means `_`; in B
 *   text it is dropped) and then decoded.
 * - Charsets: windows-1252 through iconv-lite where the platform TextDecoder is wrong (Node 20).
 */
import iconv from 'iconv-lite';
import { decodeCharset, decodeWords, normalizeCharset } from '../mime/index.js';
import { isAscii } from '../mime/bytes.js';
import { decodeUtf8Strict } from '../mime/charset.js';

const SPACED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?]*[ \t][^?]*)\?=/g;

/** RFC 2047-decode `text`, also accepting encoded-words that contain spaces. */
export function decodeHeaderText(text: string): string {
  if (text.indexOf('=?') < 0) return text;
  const repaired = text.replace(SPACED_WORD, (_m, cs: string, enc: string, body: string) =>
    `=?${cs}?${enc}?${enc.toLowerCase() === 'q' ? body.replace(/[ \t]/g, '_') : body.replace(/[ \t]/g, '')}?=`);
  return decodeWords(repaired);
}


const CP1252_LABELS = new Set(['windows-1252', 'cp1252', 'x-cp1252', 'cp-1252']);
const ASCII_LABELS = new Set(['', 'us-ascii', 'ascii']);
/** Node 20's TextDecoder decodes windows-1252 0x80-0x9F as C1 controls instead of the WHATWG table. */
const PLATFORM_CP1252_OK = (() => {
  try {
    return new TextDecoder('windows-1252').decode(Uint8Array.from([0x96])) === '\u2013';
  } catch {
    return false;
  }
})();

/**
 * Body text in `charset`: src/mime's `decodeCharset`, except that windows-1252 (declared, or the
 * guess for 8-bit bytes that are not UTF-8 under a US-ASCII label) goes through iconv-lite when
 * the platform TextDecoder gets 0x80-0x9F wrong (smart quotes, dashes, the euro sign).
 */
export function decodeText(bytes: Uint8Array, charset: string): string {
  if (PLATFORM_CP1252_OK) return decodeCharset(bytes, charset);
  const label = normalizeCharset(charset);
  const cp1252 = CP1252_LABELS.has(label)
    || (ASCII_LABELS.has(label) && !isAscii(bytes) && decodeUtf8Strict(bytes) === undefined);
  return cp1252 ? iconv.decode(bytes as never, 'windows-1252') : decodeCharset(bytes, charset);
}
