/**
 * The way back to Internet mail for a CMS object found in X.400 (issue 5 item 4): an RFC 5322
 * message whose body is the CMS object as application/pkcs7-mime (RFC 8551 3.2, with the
 * smime-type of 3.2.2), or, for id-data content, the carried MIME entity byte for byte with
 * header fields prepended (its body is never re-serialized: signatures stay valid).
 * Header fields come from the envelope and heading where they exist: Subject (IPM subject),
 * From/To (the RFC 2156 RFC-822 domain-defined attribute), Date (arrival or delivery time), and
 * the RFC 2156 5.3 X400-Originator / X400-Recipients / X400-MTS-Identifier fields otherwise.
 * Deliberately small: full MIME writing is the mime module's job.
 */
import type { FoundCms } from './find.js';
import { ID_AUTH_ENVELOPED_DATA, ID_COMPRESSED_DATA, ID_ENVELOPED_DATA, ID_SIGNED_DATA } from './oids.js';
import { formatORName, rfc822FromORName } from './orname.js';

/** RFC 8551 3.2.2 smime-type for a CMS content type. */
export function smimeTypeFor(cmsType: string | undefined): string | undefined {
  switch (cmsType) {
    case ID_SIGNED_DATA: return 'signed-data';
    case ID_ENVELOPED_DATA: return 'enveloped-data';
    case ID_AUTH_ENVELOPED_DATA: return 'authEnveloped-data';
    case ID_COMPRESSED_DATA: return 'compressed-data';
    default: return undefined;
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 3.3 date-time in UTC. */
export function rfc5322Date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function base64Lines(b: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  const s = btoa(bin);
  const lines: string[] = [];
  for (let i = 0; i < s.length; i += 76) lines.push(s.slice(i, i + 76));
  return lines.join('\r\n') + '\r\n';
}

/** Printable ASCII only in header values (no folding needed for the short values written here). */
function headerText(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

/** Header fields (CRLF-terminated lines) mapped from the envelope and heading. */
export function headerLinesFor(found: FoundCms, skip: Set<string> = new Set()): string {
  const h = found.headers;
  const lines: string[] = [];
  const from = h.originator ? rfc822FromORName(h.originator) : undefined;
  if (from) lines.push(`From: <${from}>`);
  else if (h.originator) lines.push(`X400-Originator: ${headerText(formatORName(h.originator))}`);
  const to = h.recipients.map((r) => rfc822FromORName(r)).filter((x): x is string => !!x);
  if (to.length) lines.push(`To: ${to.map((a) => `<${a}>`).join(', ')}`);
  const x400Only = h.recipients.filter((r) => !rfc822FromORName(r));
  if (x400Only.length) lines.push(`X400-Recipients: ${x400Only.map((r) => headerText(formatORName(r))).join(', ')}`);
  if (h.subject !== undefined) lines.push(`Subject: ${headerText(h.subject)}`);
  if (h.date) lines.push(`Date: ${rfc5322Date(h.date)}`);
  if (h.mtsIdentifier) lines.push(`X400-MTS-Identifier: ${headerText(h.mtsIdentifier)}`);
  return lines
    .filter((l) => !skip.has(l.slice(0, l.indexOf(':')).toLowerCase()))
    .map((l) => l + '\r\n')
    .join('');
}

/**
 * An Internet message for a found CMS object.
 *  - bare CMS: MIME-Version, application/pkcs7-mime; smime-type=...; name=smime.p7m, base64 body;
 *  - MIME-wrapped (id-data): the header fields above, then the carried entity bytes unchanged.
 */
export function toInternetMessage(found: FoundCms): Uint8Array {
  const enc = new TextEncoder();
  if (found.mimeWrapped) {
    // Fields the carried entity already has are not repeated (RFC 5322 3.6: at most one each).
    const text = new TextDecoder('latin1').decode(found.cms.subarray(0, 64 * 1024));
    const end = text.search(/\r?\n\r?\n/);
    const names = new Set((end < 0 ? '' : text.slice(0, end)).split(/\r?\n/).map((l) => l.slice(0, l.indexOf(':')).trim().toLowerCase()));
    const head = headerLinesFor(found, names);
    const pre = enc.encode(head);
    const out = new Uint8Array(pre.length + found.cms.length);
    out.set(pre, 0);
    out.set(found.cms, pre.length);
    return out;
  }
  const head = headerLinesFor(found);
  const st = smimeTypeFor(found.cmsType);
  const text =
    head +
    'MIME-Version: 1.0\r\n' +
    `Content-Type: application/pkcs7-mime;${st ? ` smime-type=${st};` : ''} name="smime.p7m"\r\n` +
    'Content-Transfer-Encoding: base64\r\n' +
    'Content-Disposition: attachment; filename="smime.p7m"\r\n' +
    '\r\n' +
    base64Lines(found.cms);
  return enc.encode(text);
}
