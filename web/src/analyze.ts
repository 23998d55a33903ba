/**
 * What the page shows of one input, computed in the worker with the same library calls the
 * command makes: `loadBytes` + `internetOf` + `openMessage` + `decideVerdict` + `verdictJson`
 * (src/cli/commands/verify.ts), `renderOutput` (convert.ts), `inspectX400` (x400 inspect).
 */
import { isSmimeBridgeError, formatLocation } from '../../src/errors.js';
import {
  MessageObject, messageToJson, PidTagBody, PidTagHtml, PidTagInternetCodepage, PidTagMessageClass, PidTagSubject,
  PidTagSentRepresentingName, PidTagSentRepresentingEmailAddress, PidTagDisplayTo, PidTagDisplayCc, PidTagClientSubmitTime,
  PidTagAttachLongFilename, PidTagAttachFilename, PidTagDisplayName, PidTagAttachMimeTag, PidTagAttachMethod, PidTagAttachDataBinary,
} from '../../src/mapi/index.js';
import { decodeWords } from '../../src/mime/headers.js';
import { parseMime } from '../../src/mime/parse.js';
import { headerText } from '../../src/mime/headers.js';
import { codepageToCharset } from '../../src/oxcmail/codepage.js';
import { decideVerdict, decryptedMessage, openMessage, verdictJson, type OpenOptions } from '../../src/secure/index.js';
import type { Recipient } from '../../src/cms/index.js';
import { findCmsObjects, inspectX400 } from '../../src/x400/index.js';
import {
  internetOf, loadBytes, renderInternet, renderOutput, splitMbox, mboxMessageContent, sniffInput, x400Output, type OutputFormat, type X400Form,
} from '../../src/formats/index.js';
import { layerCertificates } from './certs.js';
import type { AttachmentView, EntryView, ErrorView, FieldView, FileView, MessageView, PropertyRow, Saved, VerdictJson } from './protocol.js';

/** Trust and keys of this visit (memory only). */
export interface Session {
  anchors: Uint8Array[];
  recipients: Recipient[];
}

/** The JSON the command prints: bytes as their length, bigint as decimal (src/cli/output.ts jsonReplacer). */
export function asPrintedJson<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? { bytes: v.length } : typeof v === 'bigint' ? v.toString() : v))) as T;
}

/** A thrown value as the page shows it: typed errors with code and location; anything else as INTERNAL_ERROR. */
export function errorView(e: unknown): ErrorView {
  if (isSmimeBridgeError(e)) {
    const loc = Object.keys(e.location).length ? formatLocation(e.location).replace(/^\s*\(?|\)?\s*$/g, '') : undefined;
    return { code: e.code, message: e.reason, location: loc };
  }
  const err = e as Error;
  return { code: 'INTERNAL_ERROR', message: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}` };
}

function textOf(bytes: Uint8Array | undefined, codepage: number | undefined): string | undefined {
  if (!bytes) return undefined;
  const label = (codepage !== undefined && codepageToCharset(codepage)) || 'utf-8';
  try { return new TextDecoder(label).decode(bytes); } catch { return new TextDecoder().decode(bytes); }
}

function fromOf(m: MessageObject): string | undefined {
  const name = m.properties.getString(PidTagSentRepresentingName);
  const addr = m.properties.getString(PidTagSentRepresentingEmailAddress);
  if (!addr) return name;
  return name && name !== addr ? `${name} <${addr}>` : addr;
}

/** Body, promoted fields and attachments of a message object. */
export function messageView(m: MessageObject): MessageView {
  const p = m.properties;
  const fields: FieldView[] = [];
  const add = (name: string, value: string | undefined) => { if (value) fields.push({ name, value }); };
  add('From', fromOf(m));
  add('To', p.getString(PidTagDisplayTo));
  add('Cc', p.getString(PidTagDisplayCc));
  add('Subject', p.getString(PidTagSubject));
  add('Sent', p.getTime(PidTagClientSubmitTime)?.toISOString());
  const attachments: AttachmentView[] = m.attachments.map((a, i) => {
    const q = a.properties;
    const data = q.getBinary(PidTagAttachDataBinary);
    return {
      name: q.getString(PidTagAttachLongFilename) ?? q.getString(PidTagAttachFilename) ?? q.getString(PidTagDisplayName) ?? `attachment-${i + 1}`,
      mimeTag: q.getString(PidTagAttachMimeTag) ?? 'application/octet-stream',
      size: data?.length ?? 0, method: q.getNumber(PidTagAttachMethod), data, embedded: a.embedded !== undefined,
    };
  });
  const cp = p.getNumber(PidTagInternetCodepage);
  return {
    messageClass: p.getString(PidTagMessageClass) ?? 'IPM.Note', fields,
    plain: p.getString(PidTagBody), html: textOf(p.getBinary(PidTagHtml), cp), attachments,
  };
}

function shortValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 400 ? `${s.slice(0, 400)}… (${s.length} characters)` : s;
}

/** The property table of a message object (tags, names, types, values; MS-OXPROPS names). */
export function propertyRows(m: MessageObject): PropertyRow[] {
  // Only the message's own properties: a copy without recipients and attachments, so a 25 MB
  // attachment is not base64-encoded for a table that does not show it.
  const own = new MessageObject();
  for (const prop of m.properties) own.properties.put(prop);
  const json = messageToJson(own) as { properties: { tag?: string; name?: string; named?: { set?: string; guid: string; name?: string; lid?: string }; type: string; value: unknown }[] };
  return json.properties.map((p) => ({
    tag: p.tag ?? (p.named ? `${p.named.set ?? p.named.guid} ${p.named.name ?? p.named.lid}` : ''),
    name: p.name ?? (p.named ? (p.named.name ?? p.named.lid ?? '') : ''),
    type: p.type, value: shortValue(p.value),
  }));
}

function receivedFields(internet: Uint8Array): FieldView[] {
  const { root } = parseMime(internet);
  return root.fields.map((f) => ({ name: f.name, value: decodeWords(f.unfolded) }));
}

function entriesOf(kind: string, bytes: Uint8Array): EntryView[] | undefined {
  if (kind === 'mbox') {
    return splitMbox(bytes).map((e) => {
      let label = `message ${e.index}`;
      try {
        const { root } = parseMime(mboxMessageContent(e.entry));
        label = `${e.index}: ${decodeWords(headerText(root, 'subject') ?? '(no subject)')} — ${decodeWords(headerText(root, 'from') ?? '')}`;
      } catch { /* the label stays */ }
      return { index: e.index, label };
    });
  }
  if (kind === 'x400') return findCmsObjects(bytes).map((f, i) => ({ index: i + 1, label: `${i + 1}: ${f.cmsType ?? f.contentType} at ${f.where}` }));
  return undefined;
}

/** Open options exactly as `verify` builds them from --ca / --key / --p12 (src/cli/commands/verify.ts openOptionsFrom). */
function openOptions(s: Session): OpenOptions {
  return { trustAnchors: s.anchors, recipients: s.recipients, now: undefined, verify: { trustLeaves: [], crls: [] } as OpenOptions['verify'] };
}

/** Report progress: stage words, step of steps. */
export type Progress = (stage: string, step: number, steps: number) => void;

/** Everything the page shows of one input (the `index`-th message of an mbox or X.400 file). */
export async function analyze(fileId: number, name: string, bytes: Uint8Array, sha256: string, session: Session, progress: Progress, index?: number): Promise<FileView> {
  const view: FileView = { fileId, name, size: bytes.length, sha256, certificates: [], received: [], properties: [], warnings: [], checkedAt: new Date().toISOString() };
  try {
    progress('parsing the message', 2, 5);
    const kind = sniffInput(name, bytes);
    view.kind = kind;
    const entries = entriesOf(kind, bytes);
    if (entries && entries.length > 1) {
      view.entries = entries;
      view.index = index ?? 1;
    }
    if (kind === 'x400') view.x400 = asPrintedJson(inspectX400(bytes));
    const input = loadBytes(name, bytes, { index: view.index });
    view.warnings.push(...input.warnings.map((w) => `${w.code}: ${w.message}`));
    view.stored = messageView(input.message);
    view.properties = propertyRows(input.message);
    const internet = internetOf(input);
    view.received = receivedFields(internet);
    progress('verifying signatures and opening layers', 3, 5);
    try {
      const opened = await openMessage(internet, openOptions(session));
      const v = decideVerdict(opened, { signatureOnly: undefined, allowAddressMismatch: undefined, allowWeak: [] });
      view.verdict = asPrintedJson<VerdictJson>(verdictJson(opened, v));
      progress('describing certificates and content', 4, 5);
      view.certificates = await layerCertificates(internet, opened);
      view.content = messageView(opened.messageObject);
      view.warnings.push(...opened.warnings.map((w) => `${w.code}: ${w.message}`));
    } catch (e) {
      view.openError = errorView(e);
    }
  } catch (e) {
    view.error = errorView(e);
  }
  progress('done', 5, 5);
  return view;
}

const MEDIA: Record<OutputFormat, string> = { eml: 'message/rfc822', msg: 'application/vnd.ms-outlook', json: 'application/json', mbox: 'application/mbox' };

const baseName = (name: string) => name.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') || 'message';

/** The bytes `smime-bridge convert IN OUT.<format>` writes (convert.ts: loadBytes + renderOutput). */
export function convert(name: string, bytes: Uint8Array, format: 'eml' | 'msg' | 'json', index?: number): Saved {
  const input = loadBytes(name, bytes, { index });
  const out = renderOutput(format, input.message);
  return { bytes: out.bytes, name: `${baseName(name)}${index !== undefined ? `-${index}` : ''}.${format}`, mediaType: MEDIA[format] };
}

/**
 * The bytes `smime-bridge x400 wrap IN -o OUT.p1` (wrap), `x400 forward IN -o OUT.ipm`
 * (forward-ipm) or `x400 forward IN -o OUT.p1` (forward-p1) write, with `--mime-wrapper` when asked
 * (src/cli/commands/x400.ts: the originator and recipients come from From and To/Cc).
 */
export function toX400(name: string, bytes: Uint8Array, form: X400Form, mimeWrapper: boolean): Saved {
  const out = x400Output(name, bytes, form, { mimeWrapper });
  const ext = form === 'forward-ipm' ? 'ipm' : 'p1';
  return { bytes: out.bytes, name: `${baseName(name)}${form === 'forward-p1' ? '.forward' : ''}.${ext}`, mediaType: 'application/octet-stream' };
}

/** The bytes `smime-bridge decrypt IN -o OUT.<format>` writes with the keys of this visit (crypto.ts runDecrypt). */
export async function decrypted(name: string, bytes: Uint8Array, format: 'eml' | 'msg', session: Session, index?: number): Promise<Saved> {
  const internet = internetOf(loadBytes(name, bytes, { index }));
  const opened = await openMessage(internet, openOptions(session));
  const d = decryptedMessage(internet, opened);
  return { bytes: renderInternet(format, d.message), name: `${baseName(name)}${index !== undefined ? `-${index}` : ''}.decrypted.${format}`, mediaType: MEDIA[format] };
}
