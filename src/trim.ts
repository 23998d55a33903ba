/**
 * Linear-time trimming of a character class at the ends of a string.
 *
 * A regular expression such as `/[ \t]+$/` or `/^\s+|\s+$/g` is quadratic in V8 on a long run of
 * the class that does not reach the end (each start position in the run is tried again), which
 * made header values, file names and base64 padding hang on hostile input (issue 12). These scan
 * once from each end instead.
 */

/** Which characters to trim: a predicate on one UTF-16 code unit. */
export type CharTest = (code: number) => boolean;

/** `s` without the characters matching `test` at its end. */
export function trimEndWhere(s: string, test: CharTest): string {
  let e = s.length;
  while (e > 0 && test(s.charCodeAt(e - 1))) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** `s` without the characters matching `test` at its start. */
export function trimStartWhere(s: string, test: CharTest): string {
  let b = 0;
  while (b < s.length && test(s.charCodeAt(b))) b++;
  return b === 0 ? s : s.slice(b);
}

/** `s` without the characters matching `test` at both ends. */
export function trimWhere(s: string, test: CharTest): string {
  return trimEndWhere(trimStartWhere(s, test), test);
}

/** Space, tab, CR (what `[ \t\r]` matches). */
export const isWspOrCr: CharTest = (c) => c === 0x20 || c === 0x09 || c === 0x0d;
/** Space, tab, CR, LF (what `[ \t\r\n]` matches). */
export const isWspOrEol: CharTest = (c) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
/** What the regular expression class `\s` matches (ECMA-262 WhiteSpace and LineTerminator). */
export const isJsWhitespace: CharTest = (c) =>
  (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
  || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
/** `\s` or a dot (what `[\s.]` matches). */
export const isWhitespaceOrDot: CharTest = (c) => c === 0x2e || isJsWhitespace(c);
