/**
 * mbox files (RFC 4155, Node only): split a mailbox into its messages while reading it in chunks,
 * so that a multi-gigabyte mbox costs memory in proportion to one message, never the whole file.
 *
 * Hand-written: the split is a byte scan for `\nFrom ` (RFC 4155 section 2: a message starts
 * with a line beginning "From " at the start of the file or after a line break), and the one
 * well-kept npm mbox reader we know of works on strings and whole files. The un-escaping of
 * quoted `>From ` lines (mboxrd, RFC 4155 Appendix A) is a separate pure function so that it
 * runs in a worker thread, not on the main thread that only schedules.
 */
import { open } from 'node:fs/promises';
import { fromAt, nextSeparator } from '../../formats/mbox.js';
import { steadyHeapForStreams } from './heap.js';

export { mboxMessageContent, splitMbox, startsWithFromLine, toMboxEntry } from '../../formats/mbox.js';
export type { MboxEntry } from '../../formats/mbox.js';

/** One message of an mbox, or a message that was too large to hold. */
export interface MboxItem {
  /** 1-based position in the mailbox. */
  index: number;
  /** Byte offset of the message's `From ` line in the mbox file. */
  offset: number;
  /** Size of the message in the mbox, `From ` line included. */
  size: number;
  /**
   * The raw bytes, `From ` line and quoting included (see {@link mboxMessageContent}); absent when
   * the message is larger than `maxMessageBytes` (its bytes were skipped, not held).
   */
  bytes?: Uint8Array;
  /**
   * True for text before the first `From ` line that does not look like a message (RFC 4155
   * section 2; reported, not converted). A file that starts with a header field instead of a
   * `From ` line counts as a message (a single message saved as .mbox).
   */
  preamble?: boolean;
}

/** Options of {@link readMbox}. */
export interface MboxReadOptions {
  /** Largest message held in memory; larger ones are yielded without bytes. Default 512 MiB. */
  maxMessageBytes?: number;
  /** Bytes read per chunk. Default 1 MiB. */
  chunkBytes?: number;
}

const DEFAULT_MAX = 512 * 1024 * 1024;

/**
 * A growable byte buffer: append chunks, take a prefix, keep the rest. Taking a prefix moves a
 * start offset instead of copying the rest down, which made a 1 MiB mbox of 130 000 tiny messages
 * cost 5 s (each message copied the whole remaining chunk; issue 12). The bytes are moved down
 * only when more room is needed, so every byte is copied a bounded number of times.
 */
class ByteQueue {
  private buf = new Uint8Array(1 << 16);
  private head = 0;
  len = 0;
  /** The queued bytes (a view, valid until the next append). */
  bytes(): Uint8Array {
    return this.buf.subarray(this.head, this.head + this.len);
  }
  append(chunk: Uint8Array): void {
    if (this.head + this.len + chunk.length > this.buf.length) {
      let cap = this.buf.length;
      while (cap < this.len + chunk.length) cap *= 2;
      // Give memory back after a large message.
      if (cap > (1 << 24) && this.len + chunk.length < cap / 4) cap = Math.max(1 << 16, (this.len + chunk.length) * 2);
      const target = cap === this.buf.length ? this.buf : new Uint8Array(cap);
      if (target === this.buf) this.buf.copyWithin(0, this.head, this.head + this.len);
      else target.set(this.buf.subarray(this.head, this.head + this.len));
      this.buf = target;
      this.head = 0;
    }
    this.buf.set(chunk, this.head + this.len);
    this.len += chunk.length;
  }
  /** Copy out the first `n` bytes (a fresh buffer, transferable to a worker) and drop them. */
  take(n: number): Uint8Array {
    const out = this.buf.slice(this.head, this.head + n);
    this.drop(n);
    return out;
  }
  drop(n: number): void {
    this.head += n;
    this.len -= n;
    if (this.len === 0) this.head = 0;
  }
}

/**
 * Read an mbox file message by message (RFC 4155). Pulls the next chunk only when the caller asks
 * for the next message, so a slow consumer holds the reader back.
 */
export async function* readMbox(path: string, opts: MboxReadOptions = {}): AsyncGenerator<MboxItem> {
  const max = opts.maxMessageBytes ?? DEFAULT_MAX;
  const chunkSize = opts.chunkBytes ?? 1 << 20;
  const fh = await open(path, 'r');
  steadyHeapForStreams();
  try {
    const q = new ByteQueue();
    const chunk = new Uint8Array(chunkSize);
    let fileOffset = 0; // file offset of the current entry's first byte
    let index = 0;
    let first = true; // the current entry is the first: a message, or text before the first `From ` line
    let firstIsMessage: boolean | undefined; // decided before the first entry's start is dropped
    let skipping = false; // the current entry exceeds max: its bytes are dropped as they come
    let skippedBytes = 0;
    let skippedBlank = true; // every dropped byte of the current entry was white space (a blank preamble stays no entry)
    let scanFrom = 0; // where to resume looking for `\nFrom `
    // Emit the current entry made of `skippedBytes` dropped bytes plus q[0..n).
    const entry = (n: number): MboxItem | undefined => {
      const size = skippedBytes + n;
      const isMessage = !first || (firstIsMessage ?? startsMessage(q.bytes().subarray(0, Math.min(n, 1000))));
      if (n > max) skipping = true; // complete in one read, yet over the limit
      let item: MboxItem | undefined;
      if (!isMessage) {
        // RFC 4155 section 2: the file begins with a From line; text before it is no message.
        // A blank one is no entry at all, whether it fitted the limit or was dropped as it came.
        if (!(skippedBlank && isBlank(q.bytes().subarray(0, n)))) item = { index: 0, offset: 0, size, preamble: true };
        q.drop(n);
      } else if (skipping) {
        item = { index: ++index, offset: fileOffset, size };
        q.drop(n);
      } else {
        item = { index: ++index, offset: fileOffset, size, bytes: q.take(n) };
      }
      fileOffset += size;
      first = false;
      skipping = false;
      skippedBytes = 0;
      skippedBlank = true;
      scanFrom = 0;
      return item;
    };
    for (;;) {
      // 1. Emit every complete entry in the queue.
      let sep: number;
      while ((sep = nextSeparator(q.bytes(), scanFrom, q.len)) >= 0) {
        const item = entry(sep);
        if (item) yield item;
      }
      // 2. An entry that outgrew the limit: keep only a tail that may hold the start of `\nFrom `.
      if (q.len > Math.max(max, 5)) {
        const dropN = q.len - 5;
        if (first && !skipping) firstIsMessage = startsMessage(q.bytes().subarray(0, Math.min(q.len, 1000)));
        skipping = true;
        if (skippedBlank) skippedBlank = isBlank(q.bytes().subarray(0, dropN));
        q.drop(dropN);
        skippedBytes += dropN;
      }
      scanFrom = Math.max(0, q.len - 5);
      // 3. Read the next chunk; at the end of the file the last entry runs to it.
      const { bytesRead } = await fh.read(chunk, 0, chunkSize, null);
      if (bytesRead === 0) {
        if (q.len > 0 || skipping) {
          const item = entry(q.len);
          if (item) yield item;
        }
        return;
      }
      q.append(chunk.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
}

/**
 * Does the first entry start a message? Yes at a `From ` line; also when the file starts right
 * away with a header field (`Name: value`, RFC 5322 section 2.2): many tools save a single
 * message under .mbox without the `From ` line, and that is one message, not junk.
 */
function startsMessage(b: Uint8Array): boolean {
  if (b.length >= 5 && fromAt(b, 0)) return true;
  let i = 0;
  // RFC 5322 section 3.6.8: field-name = 1*ftext (printable US-ASCII except ":"), then ":".
  while (i < b.length && b[i]! >= 33 && b[i]! <= 126 && b[i] !== 0x3a) i++;
  return i > 0 && i < b.length && b[i] === 0x3a;
}

function isBlank(b: Uint8Array): boolean {
  for (const c of b) if (c !== 0x0a && c !== 0x0d && c !== 0x20 && c !== 0x09) return false;
  return true;
}

