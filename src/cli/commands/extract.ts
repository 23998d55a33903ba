/**
 * `smime-bridge extract FILE DIR`: write what a person wants out of a message: its body
 * (`body.txt`, `body.html`) and its real attachments. For a clear-signed message those are the
 * body and attachments of the SIGNED CONTENT (the unwrapped view), plus the signature
 * (`smime.p7s`); for opaque-signed and (with a key) encrypted messages the content inside, and
 * the CMS object as it is. Verifies first and writes the verdict beside the files.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type MessageObject, PidTagAttachDataBinary, PidTagAttachFilename, PidTagAttachLongFilename, PidTagBody,
  PidTagDisplayName, PidTagHtml, PidTagSubject,
} from '../../mapi/index.js';
import { recognizeMessage, toInternet, unwrapClearSigned, type UnwrappedView } from '../../smime/index.js';
import { internetOf, loadInput, writeOutput } from '../files/io.js';
import { decideVerdict, openMessage } from '../../secure/index.js';
import { type Printer, errnoText, jsonReplacer } from '../output.js';
import { SmimeBridgeError } from '../../errors.js';
import type { InputValues, KeyValues, TrustValues } from '../options.js';
import { STATE_WORDS, describeVerdict, exitOfState, verdictJson } from '../present.js';
import { openOptionsFrom } from './verify.js';
import { isWhitespaceOrDot, trimWhere } from '../../trim.js';

/** A file name safe on every file system: no separators, control characters or reserved characters. */
export function safeFilename(name: string, fallback: string): string {
  const replaced = name.replace(/[\u0000-\u001f\u007f"*/:<>?\\|]/g, '_');
  const cleaned = trimWhere(replaced, isWhitespaceOrDot).slice(0, 200);
  return cleaned || fallback;
}

export class NameSet {
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

/**
 * `extract FILE DIR`: verify first (every layer, the verdict as `verify` gives it); refuse an
 * invalid message (exit 10) unless --no-verify; then write the files and `verdict.json`, the
 * record of which layers were verified and with what verdict.
 */
export async function runExtract(p: Printer, file: string, dir: string, o: KeyValues & TrustValues & InputValues & { force?: boolean; verify: boolean }): Promise<number> {
  const input = await loadInput(file, { strict: o.strict, lenient: o.lenient, index: o.index });
  const kind = input.internet?.classification.kind ?? recognizeMessage(input.message).kind;
  const { open, policy } = await openOptionsFrom(o);
  let files: Array<{ name: string; bytes: Uint8Array; what: string }>;
  let note = '';
  let verdict: object | undefined;
  let state: string | undefined;
  let lines: string[] = [];
  if (kind !== 'none') {
    const opened = await openMessage(internetOf(input), open);
    const v = decideVerdict(opened, policy);
    verdict = verdictJson(opened, v);
    state = v.state;
    lines = describeVerdict(opened, v, p.verbose);
    if (v.state === 'invalid' && o.verify) {
      p.lines([`${file}: ${STATE_WORDS[v.state]}; nothing extracted (--no-verify extracts it anyway)`, ...lines]);
      p.result({ input: file, written: false, ...verdict });
      return exitOfState(v.state);
    }
    const names = new NameSet();
    if (kind === 'clear-signed') {
      files = unwrappedFiles(unwrapClearSigned(input.message));
      note = `unwrapped view: body and attachments of the signed content; verdict ${v.state}`;
    } else if (opened.complete) {
      files = messageFiles(opened.messageObject, names);
      note = `unwrapped view: ${opened.layers.map((l) => l.kind).join(' > ')} content; verdict ${v.state}`;
      files.push(...messageFiles(input.message, names).map((f) => ({ ...f, what: 'the CMS object (raw view)' })));
    } else {
      const why = opened.layers.find((l) => l.error)?.error;
      note = `${why ? `${why.code}: ${why.message}` : 'cannot open'}; the CMS object is written as it is (give --key/--p12 to decrypt)`;
      files = messageFiles(input.message, names).map((f) => ({ ...f, what: 'the CMS object (raw view)' }));
    }
    const record = { input: file, verified: o.verify, ...verdict };
    files.push({ name: names.take('verdict.json'), bytes: new TextEncoder().encode(`${JSON.stringify(record, jsonReplacer, 2)}\n`), what: `the verification record (${o.verify ? v.state : 'not enforced: --no-verify'})` });
  } else {
    files = messageFiles(input.message);
  }
  await mkdir(dir, { recursive: true }).catch((e) => { throw new SmimeBridgeError('IO_ERROR', `cannot make the folder ${dir}: ${errnoText(e)}`); });
  for (const f of files) await writeOutput(join(dir, f.name), f.bytes, { force: o.force });
  p.lines([`${file}: ${kind}${note ? ` (${note})` : ''}`, ...lines, ...files.map((f) => `  ${join(dir, f.name)}  ${f.what}, ${f.bytes.length} bytes`)]);
  p.result({ input: file, kind, state, written: files.map((f) => ({ file: join(dir, f.name), what: f.what, bytes: f.bytes.length })), verdict });
  return 0;
}
