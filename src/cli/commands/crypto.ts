/**
 * `decrypt`, `sign`, `encrypt`, `unwrap`: S/MIME cryptography on whole messages. The output goes
 * to `-o FILE` (format by extension or `--to`) or, as openssl users expect, to stdout; status
 * lines then go to stderr. `decrypt` and `unwrap` show the verdict of every signature they meet.
 */
import { SmimeBridgeError } from '../../errors.js';
import {
  decideVerdict, decryptedMessage, encryptMessage, openMessage, signAndEncryptMessage, signMessage,
  type MessageVerdict, type OpenedMessage,
} from '../../secure/index.js';
import type { CertificateLike, SignDigest } from '../../cms/index.js';
import { parseMime } from '../../mime/parse.js';
import { classifyEntity } from '../../smime/classify.js';
import { sniffInput } from '../../formats/sniff.js';
import { EXIT } from '../exit.js';
import { Printer, UsageError } from '../output.js';
import type { InputValues, KeyValues, OutputValues, TrustValues } from '../options.js';
import { loadCertFiles, loadIdentity } from '../files/keyFiles.js';
import { internetOf, loadBytes, readInputBytes, refuseBinaryToTerminal, renderInternet, writeOutput } from '../files/io.js';
import { outputFormatOf, type OutputFormat } from '../files/formats.js';
import { STATE_WORDS, describeVerdict, exitOfState, verdictJson } from '../present.js';
import { openOptionsFrom } from './verify.js';
import { decryptStreamed } from './decryptStreamed.js';

const usage = (m: string) => new UsageError(m);

/** Output target of a command that writes one message: format checked before any work. */
function target(p: Printer, o: OutputValues): OutputFormat {
  const format = outputFormatOf(o.out, o.to, usage);
  refuseBinaryToTerminal(o.out, format, usage);
  if (o.out === '-' && p.json) throw usage('--json and output to stdout (-o -) would mix: give -o FILE');
  return format;
}

/** A Printer whose text goes to stderr when the output itself goes to stdout. */
function statusPrinter(p: Printer, o: OutputValues): Printer {
  if (o.out !== '-') return p;
  const q = new Printer({ quiet: p.quiet, verbose: p.verbose });
  q.lines = (lines) => {
    if (q.quiet) return;
    for (const l of Array.isArray(lines) ? lines : [lines]) process.stderr.write(`${l.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, '?')}\n`);
  };
  return q;
}

async function inputInternet(file: string, o: InputValues): Promise<Uint8Array> {
  const name = file === '-' ? 'stdin' : file;
  const bytes = await readInputBytes(file);
  // An opaque-signed or encrypted .eml is its own Internet form: the message object loadBytes
  // would build first (the whole CMS body decoded into an attachment, 3.1.5.2.2) is not needed.
  // Strict reading keeps that path, for what it refuses.
  if (!o.strict && sniffInput(name, bytes, { lenient: o.lenient }) === 'eml' && classifyEntity(parseMime(bytes).root).kind === 'opaque-or-encrypted') return bytes;
  return internetOf(loadBytes(name, bytes, { strict: o.strict, lenient: o.lenient, index: o.index }));
}

export async function runDecrypt(p: Printer, file: string, o: KeyValues & TrustValues & OutputValues & InputValues): Promise<number> {
  const format = target(p, o);
  if (!o.key && !o.p12) throw usage('decrypt needs the key: --key KEY.pem [--cert CERT.pem] or --p12 FILE.p12');
  const { open, policy } = await openOptionsFrom(o);
  // A large encrypted .eml is decrypted as it is read (decryptStreamed.ts); it takes only the
  // cases where it gives the whole-message path's bytes and verdict, and says no to the others.
  const streamed = format === 'eml' && !o.strict && o.index === undefined
    ? await decryptStreamed(file, o.out, { force: o.force, lenient: o.lenient, recipients: open.recipients ?? [] })
    : undefined;
  let opened: OpenedMessage;
  let d: { decryptedLayers: number; lostSignatures: boolean };
  if (streamed) {
    opened = streamed.opened;
    d = { decryptedLayers: 1, lostSignatures: false };
  } else {
    const input = await inputInternet(file, o);
    opened = await openMessage(input, open);
    const m = decryptedMessage(input, opened);
    // .eml is the plaintext as it is: its pieces are written without joining them into one copy
    await writeOutput(o.out, format === 'eml' ? m.parts : renderInternet(format, m.message, { strict: o.strict }), { force: o.force });
    d = m;
  }
  const v = decideVerdict(opened, policy);
  const s = statusPrinter(p, o);
  s.lines(`${file} -> ${o.out === '-' ? 'stdout' : o.out}: decrypted ${d.decryptedLayers} encryption layer(s); signatures inside are kept`);
  if (d.lostSignatures) s.lines('  note: a signature outside the encryption covers the encrypted form and cannot travel with the plaintext; verify the input for it');
  s.lines(`  verdict: ${STATE_WORDS[v.state]}`);
  s.lines(describeVerdict(opened, v, p.verbose));
  if (streamed && p.verbose) s.lines('  read and decrypted in one pass, as it was read (the message was not held in memory)');
  p.result({ input: file, output: o.out, decryptedLayers: d.decryptedLayers, ...verdictJson(opened, v) });
  return EXIT.OK;
}

function digestOf(s: string): SignDigest {
  return ({ sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const)[s as 'sha256'];
}

export async function runSign(p: Printer, file: string, o: KeyValues & OutputValues & InputValues & { opaque?: boolean; digest: string; encrypt?: string[]; encryptToSelf: boolean }): Promise<number> {
  const format = target(p, o);
  const signer = await loadIdentity(o, usage);
  const input = await inputInternet(file, o);
  const opts = { mode: o.opaque ? 'opaque' as const : 'clear' as const, digest: digestOf(o.digest) };
  let out: Uint8Array;
  const encryptFor = o.encrypt ?? [];
  if (encryptFor.length) {
    const recipients: CertificateLike[] = await loadCertFiles(encryptFor);
    // Outlook's default: the sender can read what it sent (encryptToSelf, default true).
    out = await signAndEncryptMessage(input, signer, recipients, { ...opts, encryptToSelf: o.encryptToSelf });
  } else {
    out = await signMessage(input, signer, opts);
  }
  await writeOutput(o.out, renderInternet(format, out), { force: o.force });
  statusPrinter(p, o).lines(`${file} -> ${o.out === '-' ? 'stdout' : o.out}: ${opts.mode}-signed${encryptFor.length ? ` and encrypted for ${encryptFor.length} recipient(s)${o.encryptToSelf ? ' and the sender' : ''}` : ''} (${opts.digest})`);
  p.result({ input: file, output: o.out, mode: opts.mode, digest: opts.digest, encryptedFor: encryptFor.length + (encryptFor.length && o.encryptToSelf ? 1 : 0) });
  return EXIT.OK;
}

export async function runEncrypt(p: Printer, file: string, o: OutputValues & InputValues & { cert: string[]; cipher: string; keyTransport: string }): Promise<number> {
  const format = target(p, o);
  const cipher = ({ 'aes-256-cbc': 'AES-256-CBC', 'aes-128-cbc': 'AES-128-CBC', 'aes-256-gcm': 'AES-256-GCM', 'aes-128-gcm': 'AES-128-GCM' } as const)[o.cipher as 'aes-256-cbc'];
  const keyTransport = o.keyTransport === 'oaep' ? 'RSA-OAEP' as const : 'RSAES-PKCS1-v1_5' as const;
  const certs = await loadCertFiles(o.cert);
  if (certs.length === 0) throw new SmimeBridgeError('INVALID_ARGUMENT', `no certificate in ${o.cert.join(', ')}`);
  const out = await encryptMessage(await inputInternet(file, o), certs, { cipher, keyTransport });
  await writeOutput(o.out, renderInternet(format, out), { force: o.force });
  statusPrinter(p, o).lines(`${file} -> ${o.out === '-' ? 'stdout' : o.out}: encrypted for ${certs.length} recipient(s) (${cipher}, ${keyTransport})`);
  p.result({ input: file, output: o.out, recipients: certs.length, cipher, keyTransport });
  return EXIT.OK;
}

/** Header fields that record what was removed: every layer and the verdict (issue 10 item 7). */
export function layerRecordFields(opened: OpenedMessage, v: MessageVerdict, verified: boolean): string {
  const fields = [`X-SMIME-Bridge-Verdict: ${verified ? v.state : 'not verified (--no-verify)'}`];
  opened.layers.forEach((l, i) => {
    const signers = v.signers.filter((s) => s.layer === i).map((s) => `${s.state} ${s.signer.subject || '?'}`.replace(/[\r\n]/g, ' '));
    fields.push(`X-SMIME-Bridge-Layer: ${i + 1}; ${l.kind}${l.decrypted ? '; decrypted' : ''}${signers.length ? `; signers=${JSON.stringify(signers.join(' | '))}` : ''}`);
  });
  return fields.map((f) => `${f.slice(0, 990)}\r\n`).join('');
}

/**
 * `unwrap FILE`: peel every S/MIME layer and write the innermost message as a normal message
 * (IPM.Note: body and real attachments), recording every layer and the verdict in its header.
 * An invalid signature refuses the output (exit 10) unless --no-verify.
 */
export async function runUnwrap(p: Printer, file: string, o: KeyValues & TrustValues & OutputValues & InputValues & { verify: boolean }): Promise<number> {
  const format = target(p, o);
  const { open, policy } = await openOptionsFrom(o);
  const opened = await openMessage(await inputInternet(file, o), open);
  const v = decideVerdict(opened, policy);
  const s = statusPrinter(p, o);
  if (!opened.complete) {
    const why = opened.layers.find((l) => l.error)?.error;
    throw new SmimeBridgeError(why?.code ?? 'CMS_NO_RECIPIENT', `cannot open every layer: ${why?.message ?? 'unknown'}`);
  }
  if (v.state === 'invalid' && o.verify) {
    s.lines([`${file}: ${STATE_WORDS[v.state]}; nothing written (--no-verify writes it anyway)`, ...describeVerdict(opened, v, p.verbose)]);
    p.result({ input: file, written: false, ...verdictJson(opened, v) });
    return exitOfState(v.state);
  }
  const record = new TextEncoder().encode(layerRecordFields(opened, v, o.verify));
  const eml = new Uint8Array(record.length + opened.message.length);
  eml.set(record, 0);
  eml.set(opened.message, record.length);
  await writeOutput(o.out, renderInternet(format, eml, { strict: o.strict }), { force: o.force });
  s.lines([`${file} -> ${o.out === '-' ? 'stdout' : o.out}: ${opened.layers.length} layer(s) removed; verdict ${v.state}`, ...describeVerdict(opened, v, p.verbose)]);
  p.result({ input: file, output: o.out, written: true, ...verdictJson(opened, v) });
  return EXIT.OK;
}
