/**
 * RFC 5322 section 3.4 address lists: mailboxes, groups, display names (quoted or plain, RFC 2047
 * encoded), comments, obsolete routes (4.4) and bare addresses. Never throws: garbage yields
 * whatever mailboxes can be recognised.
 *
 * Hand-written: a small tokenizer is all it takes, and the tolerance rules are ours to choose.
 */
import { decodeWords } from './headers.js';
import { formatPhrase } from './write.js';

/** One mailbox. `group` is the display name of the RFC 5322 group the mailbox was listed in, if any. */
export interface Mailbox {
  name?: string;
  address: string;
  group?: string;
}

type Tok =
  | { t: 'atom'; v: string; ws: boolean }
  | { t: 'quoted'; v: string; ws: boolean }
  | { t: 'comment'; v: string; ws: boolean }
  | { t: 'literal'; v: string; ws: boolean }
  | { t: 'special'; v: string; ws: boolean };

// RFC 5322 3.2.3 specials (the ones that matter for splitting)
const SPECIALS = '<>,:;@.';

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  const n = s.length;
  let i = 0;
  let ws = false;
  while (i < n) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      ws = true;
      i++;
      continue;
    }
    if (c === '"') {
      let v = '';
      i++;
      while (i < n && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < n) i++;
        v += s[i];
        i++;
      }
      i++;
      out.push({ t: 'quoted', v, ws });
    } else if (c === '(') {
      let depth = 0;
      let v = '';
      for (; i < n; i++) {
        const d = s[i]!;
        if (d === '\\' && i + 1 < n) {
          v += s[++i];
          continue;
        }
        if (d === '(' && depth++ === 0) continue;
        if (d === ')' && --depth === 0) {
          i++;
          break;
        }
        v += d;
      }
      out.push({ t: 'comment', v, ws });
    } else if (c === '[') {
      const close = s.indexOf(']', i);
      const e = close < 0 ? n : close + 1;
      out.push({ t: 'literal', v: s.slice(i, e), ws });
      i = e;
    } else if (SPECIALS.includes(c)) {
      out.push({ t: 'special', v: c, ws });
      i++;
    } else {
      const st = i;
      while (i < n && !' \t\r\n"()[<>,:;@'.includes(s[i]!)) i++;
      if (i === st) i++; // a stray ')'
      // a '.' inside an atom run is kept (obs-phrase allows "J. Smith", addresses "a.b")
      out.push({ t: 'atom', v: s.slice(st, i), ws });
    }
    ws = false;
  }
  return out;
}

function phraseText(toks: Tok[]): string {
  let s = '';
  for (const t of toks) {
    if (t.t === 'comment') continue;
    s += (s && t.ws ? ' ' : '') + t.v;
  }
  return decodeWords(s.trim()).trim();
}

function addrText(toks: Tok[]): string {
  let s = '';
  for (const t of toks) {
    if (t.t === 'comment') continue;
    s += t.t === 'quoted' ? `"${t.v.replace(/[\\"]/g, (c) => '\\' + c)}"` : t.v;
  }
  return s.trim();
}

/**
 * Parse an RFC 5322 address list (`address-list`, 3.4) into mailboxes. Group members carry the
 * group's name; empty groups (`undisclosed-recipients:;`) yield nothing. `Name <addr>`,
 * `"Quoted, Name" <addr>`, `addr (Comment Name)`, `<@route:addr>` (RFC 5322 4.4 obs-route,
 * dropped), RFC 2047 encoded display names and bare words are accepted. Never throws.
 */
export function parseAddressList(text: string): Mailbox[] {
  const out: Mailbox[] = [];
  let toks: Tok[];
  try {
    toks = tokenize(text);
  } catch {
    return out;
  }
  let group: string | undefined;
  let cur: Tok[] = [];
  let angle: Tok[] | undefined;
  let phraseBeforeAngle: Tok[] = [];
  let inAngle = false;

  const flush = (): void => {
    const comments = cur.filter((t) => t.t === 'comment');
    let m: Mailbox | undefined;
    if (angle !== undefined) {
      // obs-route: "@a,@b:" before the address inside <>
      let a = angle;
      const colon = a.findIndex((t) => t.t === 'special' && t.v === ':');
      if (colon >= 0) a = a.slice(colon + 1);
      const address = addrText(a);
      const name = phraseText(phraseBeforeAngle) || (comments[0] ? decodeWords(comments[0].v.trim()) : '');
      if (address || name) m = { address, ...(name ? { name } : {}) };
    } else {
      const real = cur.filter((t) => t.t !== 'comment');
      if (real.length > 0) {
        // the addr-spec is the whitespace-separated run that holds the first '@'; the rest is a name
        const at = real.findIndex((t) => t.t === 'special' && t.v === '@');
        let address: string;
        let name = '';
        if (at >= 0) {
          let s = at;
          while (s > 0 && !real[s]!.ws) s--;
          let e = at + 1;
          while (e < real.length && !real[e]!.ws) e++;
          address = addrText(real.slice(s, e));
          name = phraseText([...real.slice(0, s), ...real.slice(e)]);
        } else {
          // no '@': a bare local name such as "postmaster" (or garbage), kept as the address
          address = real.map((t, k) => (k > 0 && t.ws ? ' ' : '') + t.v).join('').trim();
        }
        if (!name && comments[0]) name = decodeWords(comments[0].v.trim());
        if (address) m = { address, ...(name ? { name } : {}) };
      }
    }
    if (m) {
      if (group !== undefined) m.group = group;
      out.push(m);
    }
    cur = [];
    angle = undefined;
    phraseBeforeAngle = [];
  };

  for (const t of toks) {
    if (inAngle) {
      if (t.t === 'special' && t.v === '>') inAngle = false;
      else angle!.push(t);
      continue;
    }
    if (t.t === 'special') {
      if (t.v === '<') {
        phraseBeforeAngle = cur.filter((x) => x.t !== 'comment');
        cur = cur.filter((x) => x.t === 'comment');
        angle = [];
        inAngle = true;
        continue;
      }
      if (t.v === ',') {
        flush();
        continue;
      }
      if (t.v === ':' && group === undefined && angle === undefined && !cur.some((x) => x.t === 'special' && x.v === '@')) {
        group = phraseText(cur);
        cur = [];
        continue;
      }
      if (t.v === ';') {
        flush();
        group = undefined;
        continue;
      }
      if (t.v === '>') continue; // stray
    }
    cur.push(t);
  }
  flush();
  return out;
}

/**
 * Format a mailbox as `Name <address>` (or just `address` without a name), the display name
 * formatted once as an RFC 5322 phrase by {@link formatPhrase}: plain, quoted when it holds
 * specials, RFC 2047 encoded (UTF-8) when it holds non-ASCII; a name that already is
 * encoded-words is kept. A mailbox without an address but with a name is written as an empty
 * RFC 5322 3.4 group, `Name:;`, which mail readers show as the name. The group is not written.
 */
export function formatMailbox(m: Mailbox): string {
  // control characters have no place in a phrase (RFC 5322 3.2.5), not even encoded: they are dropped
  // eslint-disable-next-line no-control-regex
  const name = m.name?.replace(/[\r\n\t]+/g, ' ').replace(/[\x00-\x1f\x7f]/g, '').trim();
  const address = m.address.trim();
  if (!address) return name ? formatGroup(name) : '';
  if (!name) return address;
  return `${formatPhrase(name)} <${address}>`;
}

/** An RFC 5322 3.4 group without members, `Name:;` (the display name formatted as a phrase). */
export function formatGroup(name: string): string {
  const phrase = formatPhrase(name);
  // an encoded-word is followed by whitespace (RFC 2047 section 5(1)); readers such as python's email insist
  return phrase.endsWith('?=') ? `${phrase} :;` : `${phrase}:;`;
}
