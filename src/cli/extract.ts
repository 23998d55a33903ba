/**
 * `smime-bridge extract FILE DIR`: write what a person wants out of a message: its body
 * (`body.txt`, `body.html`) and its real attachments. For a clear-signed message those are the
 * body and attachments of the SIGNED CONTENT (the unwrapped view), plus the signature
 * (`smime.p7s`); for opaque/encrypted messages the CMS object is written as it is, and opening
 * it is the job of `verify` / `decrypt`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type MessageObject, PidTagAttachDataBinary, PidTagAttachFilename, PidTagAttachLongFilename, PidTagBody,
  PidTagDisplayName, PidTagHtml, PidTagSubject,
} from '../mapi/index.js';
import { recognizeMessage, toInternet, unwrapClearSigned, type UnwrappedView } from '../smime/index.js';
import { loadInput, writeAtomic } from './io.js';
import { openMessage } from '../secure/index.js';
import { loadRecipient } from './keyFiles.js';
import { UsageError } from './usage.js';
import { isWhitespaceOrDot, trimWhere } from '../trim.js';

/** A file name safe on every file system: no separators, control characters or reserved characters. */
export function safeFilename(name: string, fallback: string): string {
  const replaced = name.replace(/[\u0000-\u001f\u007f"*/:<>?\\|]/g, '_');
  const cleaned = trimWhere(replaced, isWhitespaceOrDot).slice(0, 200);
  return cleaned || fallback;
}

class NameSet {
  private readonly used = new Set<string>();
  take(name: string): string {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    for (let i = 1; this.used.has(candidate.toLowerCase()); i++) candidate = `${stem} (${i})${ext}`;
    this.used.add(candidate.toLowerCase());
    return candidate;
  }
}

/** Files to write for one message object's body and attachments. */
export function messageFiles(m: MessageObject, names = new NameSet()): Array<{ name: string; bytes: Uint8Array; what: string }> {
  const out: Array<{ name: string; bytes: Uint8Array; what: string }> = [];
  const body = m.properties.getString(PidTagBody);
  if (body !== undefined) out.push({ name: names.take('body.txt'), bytes: new TextEncoder().encode(body), what: 'plain-text body' });
  const html = m.properties.getBinary(PidTagHtml);
  if (html) out.push({ name: names.take('body.html'), bytes: html, what: 'HTML body' });
  m.attachments.forEach((a, i) => {
    const p = a.properties;
    const raw = p.getString(PidTagAttachLongFilename) ?? p.getString(PidTagAttachFilename) ?? p.getString(PidTagDisplayName);
    if (a.embedded) {
      const subject = a.embedded.properties.getString(PidTagSubject);
      const name = names.take(safeFilename(`${raw ?? subject ?? `message-${i + 1}`}`.replace(/\.(eml|msg)$/i, '') + '.eml', `message-${i + 1}.eml`));
      out.push({ name, bytes: toInternet(a.embedded).bytes, what: 'embedded message' });
      return;
    }
    const data = p.getBinary(PidTagAttachDataBinary);
    if (!data) return;
    out.push({ name: names.take(safeFilename(raw ?? '', `attachment-${i + 1}.bin`)), bytes: data, what: 'attachment' });
  });
  return out;
}

/** Files of the unwrapped view: the signed content's body and attachments, and the signature. */
export function unwrappedFiles(view: UnwrappedView): Array<{ name: string; bytes: Uint8Array; what: string }> {
  const names = new NameSet();
  const files = messageFiles(view.content, names);
  if (view.signature) files.push({ name: names.take(safeFilename(view.signature.filename, 'smime.p7s')), bytes: view.signature.bytes, what: `signature (${view.signature.mediaType})` });
  return files;
}

export async function runExtract(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { force: { type: 'boolean', default: false }, key: { type: 'string' }, cert: { type: 'string' }, p12: { type: 'string' }, password: { type: 'string' } },
  });
  if (positionals.length !== 2) throw new UsageError('extract needs FILE and DIR');
  const [file, dir] = positionals as [string, string];
  const input = await loadInput(file);
  const kind = input.internet?.classification.kind ?? recognizeMessage(input.message).kind;
  let files: Array<{ name: string; bytes: Uint8Array; what: string }>;
  let note = '';
  if (kind === 'clear-signed') {
    files = unwrappedFiles(unwrapClearSigned(input.message));
    note = 'unwrapped view: body and attachments of the signed content';
  } else if (kind === 'opaque-or-encrypted') {
    // Opaque-signed content needs no key; encrypted content needs --key/--p12 (MS-OXOSMIME 3.1.5.2.5).
    const recipients = values.key || values.p12 ? [await loadRecipient(values)] : [];
    const opened = await openMessage(toInternet(input.message).bytes, { recipients });
    const names = new NameSet();
    if (opened.complete) {
      files = messageFiles(opened.messageObject, names);
      note = `unwrapped view: ${opened.layers.map((l) => l.kind).join(' > ')} content`;
    } else {
      files = [];
      const why = opened.layers.find((l) => l.error)?.error;
      note = `${why ? `${why.code}: ${why.message}` : 'cannot open'}; the CMS object is written as it is (give --key/--p12 to decrypt)`;
    }
    files.push(...messageFiles(input.message, names).map((f) => ({ ...f, what: 'the CMS object (raw view)' })));
  } else {
    files = messageFiles(input.message);
  }
  await mkdir(dir, { recursive: true });
  for (const f of files) await writeAtomic(join(dir, f.name), f.bytes, values.force);
  process.stdout.write(`${file}: ${kind}${note ? ` (${note})` : ''}\n`);
  for (const f of files) process.stdout.write(`  ${join(dir, f.name)}  ${f.what}, ${f.bytes.length} bytes\n`);
  return 0;
}
