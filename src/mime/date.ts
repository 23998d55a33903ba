/**
 * RFC 5322 section 3.3 date-time parsing and formatting, including the obsolete forms of 4.3
 * (two-digit years, alphabetic zones such as EST or GMT, military zones) and common junk
 * (missing seconds or zone, trailing comments such as `(UTC)`, a zone name after the offset).
 *
 * Hand-written: `Date.parse` is implementation-defined for these strings.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

// RFC 5322 4.3 obs-zone (offsets in minutes east of UTC)
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  edt: -240, est: -300, cdt: -300, cst: -360, mdt: -360, mst: -420, pdt: -420, pst: -480,
};

/**
 * Parse an RFC 5322 date-time (tolerantly). Returns `undefined` when no date can be recognised
 * or a field is out of range. A missing zone (and RFC 5322 4.3 military zones, whose meaning is
 * unknown) is read as UTC.
 */
export function parseDate(text: string): Date | undefined {
  if (typeof text !== 'string' || text.length > 1000) return undefined;
  const s = text.replace(/\([^)]*\)/g, ' ').replace(/,/g, ' ').trim();
  const toks = s.split(/\s+/).filter(Boolean);
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  let h: number | undefined;
  let mi = 0;
  let sec = 0;
  let zone: number | undefined;
  let yearDigits = 4;
  for (const t of toks) {
    const lt = t.toLowerCase();
    const time = /^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?$/.exec(t);
    if (time && h === undefined) {
      h = Number(time[1]);
      mi = Number(time[2]);
      sec = time[3] ? Number(time[3]) : 0;
      continue;
    }
    const off = /^([+-])(\d{2}):?(\d{2})$/.exec(t);
    if (off && zone === undefined && h !== undefined) {
      zone = (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3]));
      continue;
    }
    if (month === undefined && MONTHS.includes(lt.slice(0, 3)) && /^[a-z]+\.?$/.test(lt)) {
      month = MONTHS.indexOf(lt.slice(0, 3));
      continue;
    }
    if (/^\d+$/.test(t)) {
      if (day === undefined && t.length <= 2 && (month === undefined || year === undefined)) {
        day = Number(t);
        continue;
      }
      if (year === undefined && t.length >= 2 && t.length <= 4) {
        year = Number(t);
        yearDigits = t.length;
        continue;
      }
      continue;
    }
    if (zone === undefined && h !== undefined && lt in ZONES) {
      zone = ZONES[lt];
      continue;
    }
    // military zones (RFC 5322 4.3: SHOULD be treated as -0000) and other junk: ignored
  }
  if (day === undefined || month === undefined || year === undefined) {
    // not RFC 5322 at all: accept ISO 8601 (seen in X- headers and by hand-written mail)
    if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
      let t = text.trim().replace(' ', 'T');
      if (t.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/.test(t)) t += 'Z'; // no zone: UTC, as above
      const iso = new Date(t);
      return Number.isNaN(iso.getTime()) ? undefined : iso;
    }
    return undefined;
  }
  // RFC 5322 4.3: two-digit years < 50 are 20xx, others 19xx; three-digit years add 1900
  if (yearDigits === 2) year += year < 50 ? 2000 : 1900;
  else if (yearDigits === 3) year += 1900;
  h ??= 0;
  if (day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60) return undefined;
  const ms = Date.UTC(year, month, day, h, mi, Math.min(sec, 59)) - (zone ?? 0) * 60_000;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime()) || new Date(Date.UTC(year, month, day)).getUTCDate() !== day) return undefined;
  return d;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Format `d` as an RFC 5322 date-time in UTC: `Mon, 23 Nov 2026 18:05:26 +0000`. */
export function formatDate(d: Date): string {
  const m = MONTHS[d.getUTCMonth()]!;
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${m[0]!.toUpperCase()}${m.slice(1)} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
