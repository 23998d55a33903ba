/**
 * Subject prefix rule (MS-OXCMAIL 2.2.3.2.6.1, MS-OXCMSG 2.2.1.9): a prefix is 1 to 3 characters
 * that are not a colon, white space or a digit, then a colon, then at least one space. The
 * stored PidTagSubjectPrefix is those characters followed by `": "`; PidTagNormalizedSubject is
 * the rest. `Re: x` and `Fwd: x` have prefixes; `Re:x`, `1: x` and `Four: x` do not.
 */

/** The two halves of a subject. `prefix` is `''` when the subject has none. */
export interface SplitSubject {
  prefix: string;
  normalized: string;
}

// MS-OXCMAIL 2.2.3.2.6.1: 1-3 characters, none of them colon, space or digit; ':'; one or more spaces.
const PREFIX = /^([^:\s\d]{1,3}):[ ]+/u;

/** Split a subject into PidTagSubjectPrefix and PidTagNormalizedSubject. */
export function splitSubject(subject: string): SplitSubject {
  const m = PREFIX.exec(subject);
  if (!m) return { prefix: '', normalized: subject };
  return { prefix: `${m[1]}: `, normalized: subject.slice(m[0].length) };
}
