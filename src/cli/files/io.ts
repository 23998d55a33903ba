/**
 * File-system side of the CLI (Node only): read an input of any supported format into a message
 * object or Internet bytes, write an output chosen by its extension, atomically.
 */
import { readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { extname } from 'node:path';
import { SmimeBridgeError } from '../../errors.js';
import { MessageObject, messageFromJson, stringifyMessage } from '../../mapi/index.js';
import { toInternet, toMessage, type ToInternetResult, type ToMessageResult } from '../../smime/index.js';
import type { Diagnostic } from '../../errors.js';
import { readMsg, writeMsg } from '../../msg/index.js';

/** A Uint8Array view of a Node Buffer (no copy: a 100 MB input is read into memory once). */
export function bytesView(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The formats the CLI reads and writes. */
export type FileFormat = 'eml' | 'msg' | 'json';

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** Format from the file name (`.eml`, `.mbox`, `.msg`, `.json`), else sniffed from the bytes. */
export function formatOf(path: string, bytes?: Uint8Array): FileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.msg') return 'msg';
  if (ext === '.json') return 'json';
  if (ext === '.eml' || ext === '.mbox' || ext === '.mime' || ext === '.txt' || ext === '.p7m' || ext === '.env' || ext === '.sig') return 'eml';
  if (bytes && CFB_MAGIC.every((b, i) => bytes[i] === b)) return 'msg';
  if (bytes && bytes[0] === 0x7b) return 'json';
  return 'eml';
}

/** Drop an mbox `From ` separator line at the start (RFC 4155), keep the rest as it is. */
export function stripMboxFromLine(bytes: Uint8Array): Uint8Array {
  if (bytes.length > 5 && bytes[0] === 0x46 && bytes[1] === 0x72 && bytes[2] === 0x6f && bytes[3] === 0x6d && bytes[4] === 0x20) {
    const nl = bytes.indexOf(0x0a);
    return nl < 0 ? bytes.subarray(bytes.length) : bytes.subarray(nl + 1);
  }
  return bytes;
}

/** A loaded input: the message object, and the Internet bytes when the input was Internet mail. */
export interface LoadedInput {
  format: FileFormat;
  message: MessageObject;
  /** Present for .eml input. */
  internet?: ToMessageResult;
  warnings: Diagnostic[];
}

/** Read a file and convert it to a message object. */
export async function loadInput(path: string, opts: { strict?: boolean } = {}): Promise<LoadedInput> {
  let bytes: Uint8Array;
  try {
    bytes = bytesView(await readFile(path));
  } catch (e) {
    throw new SmimeBridgeError('IO_ERROR', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return loadBytes(path, bytes, opts);
}

/** Convert bytes named `path` to a message object. */
export function loadBytes(path: string, bytes: Uint8Array, opts: { strict?: boolean } = {}): LoadedInput {
  const format = formatOf(path, bytes);
  if (format === 'json') {
    return { format, message: messageFromJson(new TextDecoder().decode(bytes)), warnings: [] };
  }
  if (format === 'msg') {
    const r = readMsg(bytes, { strict: opts.strict });
    return { format, message: r.message, warnings: r.warnings };
  }
  const internet = toMessage(stripMboxFromLine(bytes), { strict: opts.strict });
  return { format, message: internet.message, internet, warnings: internet.warnings };
}

/** Render a message object in the format of `path`. */
export function renderOutput(path: string, message: MessageObject, opts: { strict?: boolean } = {}): { bytes: Uint8Array; internet?: ToInternetResult } {
  const format = formatOf(path);
  if (format === 'json') return { bytes: new TextEncoder().encode(stringifyMessage(message)) };
  if (format === 'msg') return { bytes: writeMsg(message) };
  const internet = toInternet(message, { strict: opts.strict });
  return { bytes: internet.bytes, internet };
}

/** Write a file atomically: a temporary file beside it, then rename. Refuses to overwrite unless `force`. */
export async function writeAtomic(path: string, bytes: Uint8Array, force = true): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    await writeFile(tmp, bytes, { flag: 'wx' });
    if (!force) {
      const { link } = await import('node:fs/promises');
      await link(tmp, path); // fails with EEXIST instead of overwriting
      await unlink(tmp);
    } else {
      await rename(tmp, path);
    }
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new SmimeBridgeError('IO_ERROR', `${path} exists (use --force to overwrite)`);
    throw new SmimeBridgeError('IO_ERROR', `cannot write ${path}: ${code ?? (e as Error).message}`);
  }
}
