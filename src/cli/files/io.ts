/**
 * File-system side of the CLI (Node only): read an input of any supported kind (a path, or `-`
 * for stdin) into a message object and Internet bytes, and write an output by the one rule of
 * every command (issue 9 items 3 and 4):
 * - `-` writes stdout; a path that exists and is not a regular file (a device such as
 *   /dev/stdout, a FIFO) is written in place, never renamed over;
 * - a regular file is written atomically (temporary file beside it, then rename) and an existing
 *   one is kept unless `force`.
 */
import { link, open, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SmimeBridgeError } from '../../errors.js';
import { MessageObject, messageFromJson, stringifyMessage } from '../../mapi/index.js';
import { toInternet, toMessage, type ToInternetResult, type ToMessageResult } from '../../smime/index.js';
import { cmsContentType } from '../../smime/index.js';
import type { Diagnostic } from '../../errors.js';
import { readMsg, writeMsg } from '../../msg/index.js';
import { encodeBase64 } from '../../mime/encoding.js';
import { parseMime } from '../../mime/parse.js';
import { headerText } from '../../mime/headers.js';
import { parseAddressList } from '../../mime/address.js';
import { findCmsObjects, toInternetMessage } from '../../x400/index.js';
import { errnoText } from '../output.js';
import { bareCmsDer, sniffInput, type InputKind, type OutputFormat } from './formats.js';
import { mboxMessageContent, splitMbox, toMboxEntry } from './mbox.js';

/** A Uint8Array view of a Node Buffer (no copy: a 100 MB input is read into memory once). */
export function bytesView(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Largest input a single-file command reads (stdin included). */
export const MAX_INPUT_BYTES = 1024 * 1024 * 1024;

/** Read a file, or stdin for `-`, as bytes. Errors are IO_ERROR with the reason in words. */
export async function readInputBytes(path: string, maxBytes = MAX_INPUT_BYTES): Promise<Uint8Array> {
  if (path === '-') return readStdin(maxBytes);
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new SmimeBridgeError('IO_ERROR', `${path} is a folder (a batch takes folders: convert ${path} --out DIR --to FORMAT)`);
    if (s.isFile() && s.size > maxBytes) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${path} is ${s.size} bytes, more than ${maxBytes}`);
    return bytesView(await readFile(path));
  } catch (e) {
    if (e instanceof SmimeBridgeError) throw e;
    throw new SmimeBridgeError('IO_ERROR', `cannot read ${path}: ${errnoText(e)}`);
  }
}

async function readStdin(maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of process.stdin) {
    const b = c as Buffer;
    n += b.length;
    if (n > maxBytes) throw new SmimeBridgeError('LIMIT_EXCEEDED', `standard input is more than ${maxBytes} bytes`);
    chunks.push(b);
  }
  return bytesView(Buffer.concat(chunks));
}

/** Options for reading an input. */
export interface LoadOptions {
  strict?: boolean;
  /** Read an empty or unrecognisable input as mail instead of rejecting it. */
  lenient?: boolean;
  /** The message of an mbox (1-based); required when it holds more than one. */
  index?: number;
}

/** A loaded input: the message object, and the Internet form of the message. */
export interface LoadedInput {
  /** What the file was. */
  kind: InputKind;
  /** `eml` for every kind read as Internet mail (eml, mbox entry, bare CMS, X.400); else msg or json. */
  format: 'eml' | 'msg' | 'json';
  message: MessageObject;
  /** Present when the input was Internet mail (or made into it: a bare CMS object, X.400 content). */
  internet?: ToMessageResult;
  warnings: Diagnostic[];
}

/** A bare CMS object as an S/MIME entity (RFC 8551 3.2), so every command can open it like mail. */
export function cmsAsMessage(der: Uint8Array): Uint8Array {
  const ct = cmsContentType(der)?.name;
  const smimeType = ct === 'enveloped-data' ? 'enveloped-data' : ct === 'auth-enveloped-data' ? 'authEnveloped-data' : 'signed-data';
  const head = `MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"\r\n`
    + 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7m"\r\n\r\n';
  const b64 = encodeBase64(der, 76);
  const out = new Uint8Array(head.length + b64.length);
  out.set(new TextEncoder().encode(head), 0);
  out.set(b64, head.length);
  return out;
}

/** The Internet bytes of one message of an mbox, checking that exactly one was meant. */
export function mboxMessage(name: string, bytes: Uint8Array, index?: number): Uint8Array {
  const entries = splitMbox(bytes);
  if (index === undefined) {
    if (entries.length > 1) throw new SmimeBridgeError('MBOX_MULTIPLE', `${name} holds ${entries.length} messages; this command reads one`);
    index = 1;
  }
  const e = entries[index - 1];
  if (!e) throw new SmimeBridgeError('MBOX_MULTIPLE', `${name} has no message ${index} (it holds ${entries.length})`);
  return mboxMessageContent(e.entry);
}

/** Internet bytes of any input kind that is mail underneath (msg/json: undefined; use the message object). */
export function internetBytesOf(name: string, kind: InputKind, bytes: Uint8Array, index?: number): Uint8Array | undefined {
  switch (kind) {
    case 'eml': return bytes;
    case 'mbox': return mboxMessage(name, bytes, index);
    case 'cms': return cmsAsMessage(bareCmsDer(bytes)!);
    case 'x400': {
      const found = findCmsObjects(bytes);
      if (found.length === 0) throw new SmimeBridgeError('X400_UNKNOWN_CONTENT', `${name} carries no CMS object`);
      if (found.length > 1 && index === undefined) throw new SmimeBridgeError('MBOX_MULTIPLE', `${name} carries ${found.length} CMS objects; give --index N (or use x400 unwrap)`);
      return toInternetMessage(found[(index ?? 1) - 1]!);
    }
    default: return undefined;
  }
}

/** Convert bytes named `name` to a message object (kind decided by content, then name). */
export function loadBytes(name: string, bytes: Uint8Array, opts: LoadOptions = {}): LoadedInput {
  const kind = sniffInput(name, bytes, { lenient: opts.lenient });
  if (kind === 'json') return { kind, format: 'json', message: messageFromJson(new TextDecoder().decode(bytes)), warnings: [] };
  if (kind === 'msg') {
    const r = readMsg(bytes, { strict: opts.strict });
    return { kind, format: 'msg', message: r.message, warnings: r.warnings };
  }
  const internet = toMessage(internetBytesOf(name, kind, bytes, opts.index)!, { strict: opts.strict });
  return { kind, format: 'eml', message: internet.message, internet, warnings: internet.warnings };
}

/** Read a path (or `-`) and convert it to a message object. */
export async function loadInput(path: string, opts: LoadOptions = {}): Promise<LoadedInput> {
  return loadBytes(path === '-' ? 'stdin' : path, await readInputBytes(path), opts);
}

/** The Internet form of a loaded input: its own bytes for mail, else the MS-OXOSMIME reconstruction. */
export function internetOf(input: LoadedInput): Uint8Array {
  return input.internet ? input.internet.root.source : toInternet(input.message).bytes;
}

/** Sender address and date of a message for its mbox `From ` line. */
function mboxEnvelope(eml: Uint8Array): { sender: string; date: Date } {
  const { root } = parseMime(eml);
  const from = headerText(root, 'from');
  const date = Date.parse(headerText(root, 'date') ?? '');
  return { sender: (from && parseAddressList(from)[0]?.address) || 'MAILER-DAEMON', date: new Date(Number.isNaN(date) ? 0 : date) };
}

/** Internet bytes as an output of `format`. */
export function renderInternet(format: OutputFormat, eml: Uint8Array, opts: { strict?: boolean } = {}): Uint8Array {
  if (format === 'eml') return eml;
  if (format === 'mbox') {
    const e = mboxEnvelope(eml);
    return toMboxEntry(eml, e.sender, e.date);
  }
  return renderOutput(format, toMessage(eml, { strict: opts.strict }).message, opts).bytes;
}

/** Render a message object as `format`. */
export function renderOutput(format: OutputFormat, message: MessageObject, opts: { strict?: boolean } = {}): { bytes: Uint8Array; internet?: ToInternetResult } {
  if (format === 'json') return { bytes: new TextEncoder().encode(stringifyMessage(message)) };
  if (format === 'msg') return { bytes: writeMsg(message) };
  const internet = toInternet(message, { strict: opts.strict });
  if (format === 'mbox') {
    const e = mboxEnvelope(internet.bytes);
    return { bytes: toMboxEntry(internet.bytes, e.sender, e.date), internet };
  }
  return { bytes: internet.bytes, internet };
}

/** Write bytes to stdout, waiting until they are handed to the system. */
export async function writeStdout(bytes: Uint8Array): Promise<void> {
  await new Promise<void>((res, rej) => process.stdout.write(bytes, (e) => (e ? rej(e) : res())));
}

/**
 * Write an output by the one rule of every command: `-` is stdout; a device or FIFO is written in
 * place; a regular file atomically, and an existing one only with `force`.
 */
export async function writeOutput(path: string, bytes: Uint8Array, opts: { force?: boolean } = {}): Promise<void> {
  // Our own stdout by name: written through the stream (opening it again fails when it is a socket).
  if (path === '-' || path === '/dev/stdout' || path === '/dev/fd/1' || path === '/proc/self/fd/1') return writeStdout(bytes);
  let target = path;
  const s = await stat(path).catch(() => undefined);
  if (s && !s.isFile()) {
    if (s.isDirectory()) throw new SmimeBridgeError('IO_ERROR', `cannot write ${path}: it is a folder`);
    // /dev/stdout, /dev/null, a FIFO: write in place; renaming over it would replace the device.
    let fh;
    try {
      fh = await open(path, 'w');
      await fh.write(bytes);
    } catch (e) {
      throw new SmimeBridgeError('IO_ERROR', `cannot write ${path}: ${errnoText(e)}`);
    } finally {
      await fh?.close();
    }
    return;
  }
  if (s) {
    if (!opts.force) throw new SmimeBridgeError('OUTPUT_EXISTS', `${path} exists`);
    target = await realpath(path).catch(() => path); // a symbolic link keeps pointing where it did
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    await writeFile(tmp, bytes, { flag: 'wx' });
    if (opts.force) await rename(tmp, target);
    else {
      await link(tmp, target); // fails with EEXIST instead of replacing a file made meanwhile
      await unlink(tmp);
    }
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new SmimeBridgeError('OUTPUT_EXISTS', `${path} exists`);
    throw new SmimeBridgeError('IO_ERROR', `cannot write ${path}: ${errnoText(e)}`);
  }
}

/** Refuse to write binary output to a terminal (it would only garble the screen). */
export function refuseBinaryToTerminal(path: string, format: string, usage: (m: string) => Error): void {
  if (path === '-' && process.stdout.isTTY && (format === 'msg' || format === 'ber' || format === 'p7m')) {
    throw usage(`refusing to write ${format} (binary) to a terminal: give -o FILE or redirect the output`);
  }
}
