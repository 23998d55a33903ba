/**
 * `smime-bridge inspect FILE [--json]`: what a message is (S/MIME class, media type and its
 * parameters, CMS content type of the protected part), its promoted headers and its attachments.
 */
import type { Diagnostic } from '../../errors.js';
import { decodeBody } from '../../mime/encoding.js';
import type { MimeEntity } from '../../mime/types.js';
import {
  type MessageObject, PidNameContentType, PidTagAttachDataBinary, PidTagAttachLongFilename, PidTagAttachFilename,
  PidTagAttachMethod, PidTagAttachMimeTag, PidTagClientSubmitTime, PidTagDisplayName, PidTagInternetMessageId,
  PidTagRecipientType, PidTagEmailAddress, PidTagSentRepresentingEmailAddress, PidTagSentRepresentingName,
  PidTagSubject, PidTagNormalizedSubject, PidTagSubjectPrefix, PidTagBody, PidTagHtml,
} from '../../mapi/index.js';
import { cmsContentType, recognizeMessage, unwrapClearSigned, type Classification } from '../../smime/index.js';
import { parseMime } from '../../mime/parse.js';
import type { LoadedInput } from '../files/io.js';

/** The report `inspect` prints, also its `--json` form. */
export interface InspectReport {
  file: string;
  format: string;
  /** What the file was by its content: eml, mbox, msg, json, cms, x400. */
  kind?: string;
  messageClass: string;
  smime: {
    kind: string;
    rule: string;
    mediaType?: string;
    smimeType?: string;
    protocol?: string;
    micalg?: string;
    /** CMS content type of the protected part (`signed-data`, `enveloped-data`, ...). */
    cmsType?: string;
    /** For clear-signed: media type of the signed content. */
    signedContentType?: string;
  };
  headers: { subject?: string; from?: string; to: string[]; cc: string[]; bcc: string[]; date?: string; messageId?: string };
  body: { plain: boolean; html: boolean };
  attachments: AttachmentSummary[];
  /**
   * The unwrapped view of an S/MIME message: for clear-signed, the body and real attachments of
   * the signed content and the signature; for opaque/encrypted, a note that opening it needs the
   * CMS layer (`verify` / `decrypt`).
   */
  unwrapped?: { body: { plain: boolean; html: boolean }; attachments: AttachmentSummary[]; signature?: { filename: string; mediaType: string; size: number } } | { note: string };
  /** Every S/MIME layer, opened as far as no key is needed (signatures checked without trust anchors). */
  layers?: Array<{ kind: string; mediaType: string; params: Record<string, string>; cms?: unknown; signers?: unknown[]; crlfRetried?: boolean; error?: { code: string; message: string }; text: string[] }>;
  /** The verdict without trust anchors (`untrusted` at best; `verify --ca` decides trust). */
  verdict?: { state: string; text: string[]; json: object };
  warnings: string[];
}

/** One attachment line of the report. */
export interface AttachmentSummary { name?: string; mimeTag?: string; method?: number; size: number }

export function attachmentSummaries(m: MessageObject): AttachmentSummary[] {
  return m.attachments.map((a) => ({
    name: a.properties.getString(PidTagAttachLongFilename) ?? a.properties.getString(PidTagAttachFilename) ?? a.properties.getString(PidTagDisplayName),
    mimeTag: a.properties.getString(PidTagAttachMimeTag),
    method: a.properties.getNumber(PidTagAttachMethod),
    size: a.properties.getBinary(PidTagAttachDataBinary)?.length ?? 0,
  }));
}

function unwrappedOf(kind: string, m: MessageObject, warnings: string[]): InspectReport['unwrapped'] {
  if (kind === 'opaque-or-encrypted') return { note: 'opaque-signed or encrypted: the content is inside the CMS object; open it with `smime-bridge verify` or `smime-bridge decrypt`' };
  if (kind !== 'clear-signed') return undefined;
  try {
    const v = unwrapClearSigned(m);
    warnings.push(...v.warnings.map(formatWarning));
    const p = v.content.properties;
    return {
      body: { plain: p.has(PidTagBody), html: p.has(PidTagHtml) },
      attachments: attachmentSummaries(v.content),
      signature: v.signature && { filename: v.signature.filename, mediaType: v.signature.mediaType, size: v.signature.bytes.length },
    };
  } catch (e) {
    return { note: `the signed content could not be unwrapped: ${(e as Error).message}` };
  }
}

function fromOf(m: MessageObject): string | undefined {
  const name = m.properties.getString(PidTagSentRepresentingName);
  const addr = m.properties.getString(PidTagSentRepresentingEmailAddress);
  if (!addr) return name;
  return name && name !== addr ? `${name} <${addr}>` : addr;
}

function protectedPartType(kind: string, m: MessageObject, root?: MimeEntity): { cmsType?: string; signedContentType?: string } {
  try {
    if (root && kind === 'clear-signed') {
      const sig = root.children[1];
      const cms = sig ? cmsContentType(decodeBody(sig)) : undefined;
      return { cmsType: cms?.name, signedContentType: root.children[0]?.contentType.value };
    }
    if (root && kind === 'opaque-or-encrypted') return { cmsType: cmsContentType(decodeBody(root))?.name };
    const data = m.attachments[0]?.properties.getBinary(PidTagAttachDataBinary);
    if (!data) return {};
    if (kind === 'opaque-or-encrypted') return { cmsType: cmsContentType(data)?.name };
    if (kind === 'clear-signed') {
      const { root: r } = parseMime(data);
      const sig = r.children[1];
      return { cmsType: sig ? cmsContentType(decodeBody(sig))?.name : undefined, signedContentType: r.children[0]?.contentType.value };
    }
  } catch { /* a broken protected part: reported as unknown */ }
  return {};
}

/** Build the inspect report of a loaded input. */
export function inspect(file: string, input: LoadedInput): InspectReport {
  const m = input.message;
  const p = m.properties;
  let smime: InspectReport['smime'];
  const c: Classification | undefined = input.internet?.classification;
  if (c) {
    smime = { kind: c.kind, rule: c.rule, mediaType: c.mediaType, smimeType: c.smimeType, protocol: c.protocol, micalg: c.micalg };
  } else {
    const r = recognizeMessage(m);
    const ct = p.getNamedString(PidNameContentType);
    smime = { kind: r.kind, rule: r.rule };
    if (ct) {
      const { root } = parseMime(new TextEncoder().encode(`Content-Type: ${ct}\r\n\r\n`));
      smime.mediaType = root.contentType.value;
      smime.smimeType = root.contentType.params['smime-type'];
    } else if (r.kind === 'clear-signed') {
      const data = m.attachments[0]?.properties.getBinary(PidTagAttachDataBinary);
      if (data) {
        const { root } = parseMime(data);
        smime.mediaType = root.contentType.value;
        smime.protocol = root.contentType.params['protocol'];
        smime.micalg = root.contentType.params['micalg'];
      }
    }
  }
  Object.assign(smime, protectedPartType(smime.kind, m, input.internet?.root));
  const warnings = input.warnings.map(formatWarning);
  const byType = (t: number): string[] => m.recipients
    .filter((r) => r.getNumber(PidTagRecipientType) === t)
    .map((r) => {
      const n = r.getString(PidTagDisplayName);
      const a = r.getString(PidTagEmailAddress);
      return n && a && n !== a ? `${n} <${a}>` : (a ?? n ?? '');
    });
  const subject = p.getString(PidTagSubject)
    ?? ((p.getString(PidTagSubjectPrefix) ?? '') + (p.getString(PidTagNormalizedSubject) ?? '') || undefined);
  return {
    file,
    format: input.format,
    messageClass: m.messageClass,
    smime,
    headers: {
      subject,
      from: fromOf(m),
      to: byType(1), cc: byType(2), bcc: byType(3),
      date: p.getTime(PidTagClientSubmitTime)?.toISOString(),
      messageId: p.getString(PidTagInternetMessageId),
    },
    body: { plain: p.has(PidTagBody), html: p.has(PidTagHtml) },
    attachments: attachmentSummaries(m),
    unwrapped: unwrappedOf(smime.kind, m, warnings),
    warnings,
  };
}

/** One line per warning: `CODE: message (at ...)`. */
export function formatWarning(w: Diagnostic): string {
  const loc = w.location;
  const at = [loc.offset !== undefined ? `byte ${loc.offset}` : '', loc.partPath !== undefined ? `part ${loc.partPath || '(top)'}` : '',
    loc.propertyTag ? `property ${loc.propertyTag}` : '', loc.streamPath ? `stream ${loc.streamPath}` : ''].filter(Boolean).join(', ');
  return `${w.code}: ${w.message}${at ? ` (at ${at})` : ''}`;
}

/** Human-readable form of the report. */
export function renderInspect(r: InspectReport): string {
  const lines: string[] = [];
  const s = r.smime;
  lines.push(`${r.file}`);
  lines.push(`  format        ${r.kind ?? r.format}, message class ${r.messageClass}`);
  lines.push(`  S/MIME        ${s.kind}  [${s.rule}]`);
  if (s.mediaType) {
    const params = [s.smimeType && `smime-type=${s.smimeType}`, s.protocol && `protocol=${s.protocol}`, s.micalg && `micalg=${s.micalg}`].filter(Boolean).join('; ');
    lines.push(`  media type    ${s.mediaType}${params ? `; ${params}` : ''}`);
  }
  if (s.cmsType) lines.push(`  CMS           ${s.cmsType}`);
  if (r.verdict) {
    lines.push(`  verdict       ${r.verdict.state} (without trust anchors; verify --ca decides trust)`);
    for (const x of r.verdict.text) lines.push(`  ${x}`);
  }
  if (s.signedContentType) lines.push(`  signed part   ${s.signedContentType}`);
  const h = r.headers;
  if (h.subject !== undefined) lines.push(`  subject       ${h.subject}`);
  if (h.from) lines.push(`  from          ${h.from}`);
  if (h.to.length) lines.push(`  to            ${h.to.join(', ')}`);
  if (h.cc.length) lines.push(`  cc            ${h.cc.join(', ')}`);
  if (h.date) lines.push(`  date          ${h.date}`);
  if (h.messageId) lines.push(`  message-id    ${h.messageId}`);
  lines.push(`  body          ${[r.body.plain && 'plain', r.body.html && 'html'].filter(Boolean).join(' + ') || 'none'}`);
  const att = (a: AttachmentSummary) => `    - ${a.name ?? '(no name)'}  ${a.mimeTag ?? '?'}  ${a.size} bytes${a.method === 5 ? '  (embedded message)' : ''}`;
  lines.push(`  attachments   ${r.attachments.length}${r.unwrapped ? '  (raw view: what the store holds)' : ''}`);
  for (const a of r.attachments) lines.push(att(a));
  const u = r.unwrapped;
  if (u && 'note' in u) lines.push(`  unwrapped     ${u.note}`);
  else if (u) {
    lines.push(`  unwrapped     ${r.smime.kind === 'clear-signed' ? 'signed' : 'opaque-signed'} content: body ${[u.body.plain && 'plain', u.body.html && 'html'].filter(Boolean).join(' + ') || 'none'}, ${u.attachments.length} attachment(s)`);
    for (const a of u.attachments) lines.push(att(a));
    if (u.signature) lines.push(`    = ${u.signature.filename}  ${u.signature.mediaType}  ${u.signature.size} bytes  (signature)`);
  }
  for (const w of r.warnings) lines.push(`  warning       ${w}`);
  return lines.join('\n');
}
