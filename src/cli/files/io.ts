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
import { loadBytes, type LoadOptions, type LoadedInput } from '../../formats/load.js';
import { errnoText } from '../output.js';

export { cmsAsMessage, internetBytesOf, internetOf, loadBytes, loadInternet, mboxMessage, renderInternet, renderOutput } from '../../formats/load.js';
export type { LoadOptions, LoadedInput } from '../../formats/load.js';

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

/** Read a path (or `-`) and convert it to a message object. */
export async function loadInput(path: string, opts: LoadOptions = {}): Promise<LoadedInput> {
  return loadBytes(path === '-' ? 'stdin' : path, await readInputBytes(path), opts);
}

/** Write bytes to stdout, waiting until they are handed to the system. */
export async function writeStdout(bytes: Uint8Array | readonly Uint8Array[]): Promise<void> {
  for (const b of bytes instanceof Uint8Array ? [bytes] : bytes) await new Promise<void>((res, rej) => process.stdout.write(b, (e) => (e ? rej(e) : res())));
}

/**
 * Write an output by the one rule of every command: `-` is stdout; a device or FIFO is written in
 * place; a regular file atomically, and an existing one only with `force`.
 */
export async function writeOutput(path: string, bytes: Uint8Array | readonly Uint8Array[], opts: { force?: boolean } = {}): Promise<void> {
  // Our own stdout by name: written through the stream (opening it again fails when it is a socket).
  if (path === '-' || path === '/dev/stdout' || path === '/dev/fd/1' || path === '/proc/self/fd/1') return writeStdout(bytes);
  const s = await stat(path).catch(() => undefined);
  if (s && !s.isFile()) {
    if (s.isDirectory()) throw new SmimeBridgeError('IO_ERROR', `cannot write ${path}: it is a folder`);
    // /dev/stdout, /dev/null, a FIFO: write in place; renaming over it would replace the device.
    let fh;
    try {
      fh = await open(path, 'w');
      for (const b of bytes instanceof Uint8Array ? [bytes] : bytes) await fh.write(b);
    } catch (e) {
      throw new SmimeBridgeError('IO_ERROR', `cannot write ${path}: ${errnoText(e)}`);
    } finally {
      await fh?.close();
    }
    return;
  }
  if (s && !opts.force) throw new SmimeBridgeError('OUTPUT_EXISTS', `${path} exists`);
  const tmp = await temporaryFor(path);
  try {
    await writeFile(tmp, bytes, { flag: 'wx' }); // an array of pieces is written one after the other
    await commitTemporary(tmp, path, opts);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    if (e instanceof SmimeBridgeError) throw e;
    throw new SmimeBridgeError('IO_ERROR', `cannot write ${path}: ${errnoText(e)}`);
  }
}

/** The temporary name an output to the regular file `path` is written under (same folder: renamed in place). */
export async function temporaryFor(path: string): Promise<string> {
  const exists = await stat(path).then(() => true, () => false);
  const target = exists ? await realpath(path).catch(() => path) : path; // a symbolic link keeps pointing where it did
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/**
 * Put the written temporary file `tmp` in place as `path`: replacing it with `force`, else only
 * if no file appeared meanwhile (`OUTPUT_EXISTS`). The caller removes `tmp` on failure.
 */
export async function commitTemporary(tmp: string, path: string, opts: { force?: boolean }): Promise<void> {
  try {
    if (opts.force) await rename(tmp, await realpath(path).catch(() => path));
    else {
      await link(tmp, path); // fails with EEXIST instead of replacing a file made meanwhile
      await unlink(tmp);
    }
  } catch (e) {
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
