/**
 * `decrypt` of a large encrypted .eml written as it is decrypted (issue 14 item 3): the file is
 * read in blocks of whole base64 lines, each block decoded into one reused buffer, the
 * EnvelopedData's head read from the first bytes, and the ciphertext fed through one
 * incremental decipher whose plaintext goes straight to the output's temporary file. No copy of
 * the message, its DER or its plaintext is held, so the work is one pass over the bytes, as
 * `openssl cms -decrypt` does it.
 *
 * It gives exactly the bytes and the verdict of the whole-message path (crypto.ts runDecrypt)
 * and only takes the cases where it can know that: one key, AES-CBC or DES-EDE3-CBC, one
 * matching RecipientInfo, base64 in lines of one length, the ordinary DER forms, an inner message
 * that is not itself signed or encrypted, output to a regular file. For anything else, and for
 * every failure (a wrong key, bad padding, a malformed structure), it returns undefined before
 * anything is in place, and the caller runs the whole-message path, which gives the same result
 * or the precise error. `SMIME_BRIDGE_NO_STREAM=1` turns it off (tests compare both paths).
 */
import { closeSync, fstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Buffer } from 'node:buffer';
import { Diagnostics, SmimeBridgeError } from '../../errors.js';
import { concatBytes } from '../../mime/bytes.js';
import { parseMime } from '../../mime/parse.js';
import type { MimeEntity } from '../../mime/types.js';
import { classifyEntity } from '../../smime/classify.js';
import { sniffInput } from '../../formats/sniff.js';
import { platform } from '../../platform/index.js';
import { EncryptedContentReader, cbcDecipherFor, contentKeys, describeEnvelopedInfo, readEnvelopedHead, type Recipient } from '../../cms/index.js';
import { ambiguitiesOf, envelopeAddresses, type OpenedMessage } from '../../secure/open.js';
import { envelopeBytes, messageParts } from '../../secure/envelope.js';
import { commitTemporary, temporaryFor } from '../files/io.js';

/** Smaller inputs take the whole-message path (nothing to gain). */
export const STREAM_MIN_BYTES = 4 << 20;
/** Larger inputs take it too: its limits (256 MiB of DER by default) decide them. */
const STREAM_MAX_BYTES = 256 << 20;
/** Most bytes of a header (the message's, or the plaintext's) looked for before giving up. */
const MAX_HEADER = 1 << 20;
/** Base64 read per block (whole lines): small enough for the latin1 string Node's decoder needs to be an ordinary young-generation string (1 MiB ones are external strings, each a fresh allocation: measured slower). */
const BLOCK = 1 << 16;

/** What a streamed decryption found: the record of the one layer, as openMessage would give it. */
export interface StreamedDecryption {
  opened: OpenedMessage;
}

/** Header of a message or entity whose first `bytes` are known: undefined until its empty line is among them. */
function headerOf(bytes: Uint8Array): MimeEntity | undefined {
  const { root } = parseMime(bytes, { headersOnly: true });
  return root.body.start < bytes.length ? root : undefined;
}

/** Reads a file forwards into one buffer. */
class FileReader {
  pos: number;
  constructor(readonly fd: number, readonly size: number, start = 0) {
    this.pos = start;
  }
  /** The next `n` bytes (fewer at the end) into `into`. */
  read(into: Buffer, n: number): Buffer {
    let got = 0;
    while (got < n) {
      const k = readSync(this.fd, into, got, n - got, this.pos);
      if (k === 0) break;
      got += k;
      this.pos += k;
    }
    return into.subarray(0, got);
  }
}

/**
 * Decrypt `file` to `out` as it is read, or return undefined (nothing written) for the caller's
 * whole-message path. Throws only for the output itself (`OUTPUT_EXISTS`, `IO_ERROR`), as the
 * whole-message path's writeOutput would.
 */
export async function decryptStreamed(file: string, out: string, opts: { force?: boolean; lenient?: boolean; recipients: Recipient[] }): Promise<StreamedDecryption | undefined> {
  if (process.env.SMIME_BRIDGE_NO_STREAM === '1' || file === '-' || out === '-' || opts.recipients.length !== 1) return undefined;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined; // the whole-message path reports it
  }
  let tmp: string | undefined;
  let outFd: number | undefined;
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size < STREAM_MIN_BYTES || st.size > STREAM_MAX_BYTES) return undefined;
    const target = await outputTarget(out, opts.force);
    if (!target) return undefined;
    const r = new FileReader(fd, st.size);
    // 1. The message header: an opaque S/MIME entity in base64, read as openMessage reads it.
    const head = r.read(Buffer.allocUnsafe(MAX_HEADER), MAX_HEADER);
    const root = headerOf(head);
    if (!root || sniffInput(file, head, { lenient: opts.lenient }) !== "eml") return undefined;
    const c = classifyEntity(root, new Diagnostics(false));
    if (c.kind !== "opaque-or-encrypted" || root.transferEncoding !== "base64" || ambiguitiesOf(root, false).length) return undefined;
    // 2. The base64 body, block by block.
    const b64 = new Base64Blocks(r, root.body.start);
    if (!b64.ready) return undefined;
    let der: Uint8Array = new Uint8Array(0);
    let ehead;
    while (!(ehead = readEnvelopedHead(der))) {
      const piece = b64.next();
      if (!piece || der.length > MAX_HEADER) return undefined;
      der = concatBytes([der, piece]); // a copy: `piece` is the decoder's reused buffer
    }
    // 3. The content-encryption key: exactly one candidate, a cipher with an incremental form.
    let keys;
    try {
      keys = await contentKeys(ehead.env, opts.recipients[0]!);
    } catch {
      return undefined;
    }
    if (keys.ranked.length !== 1) return undefined;
    const decipher = cbcDecipherFor(keys.spec, keys.ranked[0]!);
    if (!decipher) return undefined;
    // 4. Ciphertext in, plaintext out; the output starts once the plaintext's header is known.
    const reader = new EncryptedContentReader(ehead);
    let plainHead: Uint8Array[] | undefined = [];
    let plainHeadLength = 0;
    const parts = (first: Uint8Array): boolean => {
      if (!plainHead) {
        writeAll(outFd!, first);
        return true;
      }
      plainHead.push(first);
      plainHeadLength += first.length;
      const start = plainHead.length === 1 ? plainHead[0]! : concatBytes(plainHead);
      const inner = headerOf(start);
      if (!inner) return plainHeadLength <= MAX_HEADER;
      // openMessage reads the next layer: a signed or encrypted one is not for this path
      if (inner.contentType.value === 'multipart/signed' || classifyEntity(inner, new Diagnostics(false)).kind !== 'none') return false;
      for (const p of messageParts(envelopeBytes(root), new Uint8Array(0)).slice(0, 2)) writeAll(outFd!, p);
      writeAll(outFd!, start);
      plainHead = undefined;
      return true;
    };
    tmp = await temporaryFor(out);
    outFd = openSync(tmp, 'wx');
    const feed = (piece: Uint8Array): boolean => {
      const cipherPieces = reader.push(piece);
      if (!cipherPieces) return false;
      for (const x of cipherPieces) for (const p of decipher.update(x)) if (!parts(p)) return false;
      return true;
    };
    if (!feed(der)) return undefined;
    for (let piece = b64.next(); piece; piece = b64.next()) if (!feed(piece)) return undefined;
    if (!b64.whole || !reader.end()) return undefined;
    const last = decipher.final();
    if (!last || (last.length && !parts(last)) || plainHead) return undefined;
    closeSync(outFd);
    outFd = undefined;
    await commitTemporary(tmp, out, { force: opts.force });
    tmp = undefined;
    const cms = describeEnvelopedInfo(ehead.env);
    const opened: OpenedMessage = {
      layers: [{ kind: 'enveloped', mediaType: c.mediaType, params: c.params, cms, decrypted: true }],
      complete: true,
      envelope: envelopeAddresses(root),
      warnings: [],
      get content(): Uint8Array { return notKept(); },
      get message(): Uint8Array { return notKept(); },
      get messageObject(): never { return notKept(); },
    };
    return { opened };
  } catch (e) {
    if (e instanceof SmimeBridgeError && (e.code === 'OUTPUT_EXISTS' || e.code === 'IO_ERROR')) throw e;
    return undefined;
  } finally {
    if (outFd !== undefined) closeSync(outFd);
    if (tmp) try { unlinkSync(tmp); } catch { /* already gone */ }
    closeSync(fd);
  }
}

function notKept(): never {
  throw new SmimeBridgeError('INVALID_ARGUMENT', 'a streamed decryption keeps no plaintext in memory');
}

/** Where the output may go: a regular file (existing only with force) or a new name; else undefined. */
async function outputTarget(out: string, force?: boolean): Promise<string | undefined> {
  if (out === '/dev/stdout' || out.startsWith('/dev/fd/') || out.startsWith('/proc/')) return undefined;
  const s = await stat(out).catch(() => undefined);
  if (s && (!s.isFile() || !force)) return undefined; // the whole-message path says why
  return out;
}

function writeAll(fd: number, b: Uint8Array): void {
  for (let o = 0; o < b.length; ) o += writeSync(fd, b, o, b.length - o);
}

/**
 * A base64 body (RFC 2045 6.8) decoded in blocks of whole lines. Only for bodies in lines of one
 * length, a multiple of 4 (as every S/MIME writer makes them): each block is checked to hold
 * nothing but alphabet characters and its line breaks (Node's decoder would otherwise skip, or
 * read `-` and `_` as the URL-safe alphabet, differently from the whole-body decoder), so its
 * bytes are exactly those the whole body gives there. The last line and what follows are decoded
 * by the platform's whole-body decoder, padding and all.
 */
class Base64Blocks {
  /** False when the body is not in such lines. */
  readonly ready: boolean;
  /** True once the body was read to the end without leaving the checked form. */
  whole = false;
  private readonly step: number;
  private readonly lineChars: number;
  private readonly cr: number;
  private readonly linesPerBlock: number;
  private readonly raw: Buffer;
  private readonly out: Buffer;
  private done = false;

  constructor(private readonly r: FileReader, start: number) {
    this.r.pos = start;
    const first = this.r.read(Buffer.allocUnsafe(1024), 1024);
    this.r.pos = start;
    const nl = first.indexOf(0x0a);
    this.cr = nl > 0 && first[nl - 1] === 0x0d ? 1 : 0;
    this.lineChars = nl - this.cr;
    this.step = this.lineChars + 1 + this.cr;
    this.ready = nl > 0 && this.lineChars > 0 && this.lineChars % 4 === 0;
    this.linesPerBlock = Math.max(1, Math.floor(BLOCK / this.step));
    this.raw = Buffer.allocUnsafe(this.linesPerBlock * this.step);
    this.out = Buffer.allocUnsafe((this.linesPerBlock * this.lineChars * 3) / 4);
  }

  /** The next decoded bytes (valid until the next call), or undefined at the end or when the form is left (then `whole` stays false). */
  next(): Uint8Array | undefined {
    if (this.done || !this.ready) return undefined;
    const left = this.r.size - this.r.pos;
    // keep at least one whole line for the tail: the last line may carry the padding
    if (left > (this.linesPerBlock + 1) * this.step) {
      const block = this.r.read(this.raw, this.linesPerBlock * this.step);
      if (block.length !== this.raw.length || !this.checked(block)) return this.stop(false);
      const n = this.out.write(block.toString('latin1'), 0, 'base64');
      if (n !== this.out.length) return this.stop(false);
      return this.out;
    }
    const tail = this.r.read(Buffer.allocUnsafe(left), left);
    this.stop(true);
    return platform().mimeBase64Decode(new Uint8Array(tail.buffer, tail.byteOffset, tail.length));
  }

  /** Line breaks exactly at every line's end, and neither `-` nor `_` anywhere. */
  private checked(block: Buffer): boolean {
    if (block.indexOf(0x2d) >= 0 || block.indexOf(0x5f) >= 0) return false;
    for (let p = this.lineChars; p < block.length; p += this.step) {
      if (block[p + this.cr] !== 0x0a || (this.cr && block[p] !== 0x0d)) return false;
    }
    return true;
  }

  private stop(whole: boolean): undefined {
    this.done = true;
    this.whole = whole;
    return undefined;
  }
}
