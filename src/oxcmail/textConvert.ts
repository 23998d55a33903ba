/**
 * The two body conversions MS-OXCMAIL 2.2.3.3.2 asks for: text/enriched (RFC 1896) -> HTML, and
 * the DESCRIPTION of a text/calendar (RFC 5545) part -> plain text. Hand-written: each is a few
 * lines and no small browser-safe library does exactly this.
 */

const ENRICHED_TAGS: Record<string, string> = {
  bold: 'b', italic: 'i', underline: 'u', fixed: 'tt', smaller: 'small', bigger: 'big', center: 'center',
  excerpt: 'blockquote', flushleft: 'div', flushright: 'div', flushboth: 'div', nofill: 'pre',
};

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * RFC 1896 text/enriched to HTML: `<<` is a literal `<`; known formatting commands map to HTML
 * elements, unknown ones (and `<param>` contents) are dropped; outside `nofill`, a run of n
 * line breaks stands for n-1 breaks and a single line break for a space (RFC 1896 section 2).
 */
export function enrichedToHtml(text: string): string {
  let out = '';
  let nofill = 0;
  let param = 0;
  const t = text.replace(/\r\n?/g, '\n');
  for (let i = 0; i < t.length; ) {
    const c = t[i]!;
    if (c === '<') {
      if (t[i + 1] === '<') { if (!param) out += '&lt;'; i += 2; continue; }
      const end = t.indexOf('>', i);
      if (end < 0) { out += escapeHtml(t.slice(i)); break; }
      const raw = t.slice(i + 1, end).toLowerCase();
      const close = raw.startsWith('/');
      const name = close ? raw.slice(1) : raw;
      if (name === 'param') param += close ? -1 : 1;
      else if (name === 'nofill') nofill += close ? -1 : 1;
      const tag = ENRICHED_TAGS[name];
      if (tag) out += `<${close ? '/' : ''}${tag}>`;
      i = end + 1;
      continue;
    }
    if (param > 0) { i++; continue; }
    if (c === '\n' && nofill <= 0) {
      let n = 0;
      while (t[i + n] === '\n') n++;
      out += n === 1 ? ' ' : '<br>'.repeat(n - 1);
      i += n;
      continue;
    }
    out += c === '\n' ? '<br>' : escapeHtml(c);
    i++;
  }
  return `<html><body>${out}</body></html>`;
}

/**
 * The first DESCRIPTION property of an iCalendar text (RFC 5545 3.8.1.5), unfolded (3.1) and
 * unescaped (3.3.11: `\n`, `\,`, `\;`, `\\`). Undefined when there is none.
 */
export function calendarDescription(ics: string): string | undefined {
  const unfolded = ics.replace(/\r?\n[ \t]/g, '');
  const m = /^DESCRIPTION(?:;[^:\r\n]*)?:(.*)$/im.exec(unfolded);
  if (!m) return undefined;
  return m[1]!.replace(/\\([nN,;\\])/g, (_, ch: string) => (ch === 'n' || ch === 'N' ? '\n' : ch));
}
