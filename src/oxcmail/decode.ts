/**
 * Tolerant RFC 2047 decoding for promoted header text: real mail (and Python's email package)
 * use encoded-words with literal spaces inside (`=?iso-8859-1?Q?Test E-Mail?=`), which RFC 2047
 * section 5 forbids; src/mime's `decodeWords` is strict about that, so such words are repaired
 * first (a space in Q text means `_`; in B text it is dropped) and then decoded.
 */
import { decodeWords } from '../mime/index.js';

// Any encoded-word shape; the callback repairs those with spaces. (`[^?]*[ \t][^?]*` in the
// pattern itself was cubic on a long run of spaces after `=?cs?q?`; issue 12.)
const WORD_SHAPE = /=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=/g;

/** RFC 2047-decode `text`, also accepting encoded-words that contain spaces. */
export function decodeHeaderText(text: string): string {
  if (text.indexOf('=?') < 0) return text;
  const repaired = text.replace(WORD_SHAPE, (m: string, cs: string, enc: string, body: string) => {
    if (body.indexOf(' ') < 0 && body.indexOf('\t') < 0) return m;
    return `=?${cs}?${enc}?${enc.toLowerCase() === 'q' ? body.replace(/[ \t]/g, '_') : body.replace(/[ \t]/g, '')}?=`;
  });
  return decodeWords(repaired);
}
