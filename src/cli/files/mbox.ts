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

const FROM = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "
const DEFAULT_MAX = 512 * 1024 * 1024;

/** True when `buf[i..]` starts with `From `. */
function fromAt(buf: Uint8Array, i: number): boolean {
  for (let k = 0; k < 5; k++) if (buf[i + k] !== FROM[k]) return false;
  return true;
}

/** Position of the next `\nFrom ` in `buf[from..end)` (the index of the `F`), or -1. */
function nextSeparator(buf: Uint8Array, from: number, end: number): number {
  let i = from;
  for (;;) {
    const nl = buf.indexOf(0x0a, i);
    if (nl < 0 || nl + 6 > end) return -1;
    if (fromAt(buf, nl + 1)) return nl + 1;
    i = nl + 1;
  }
}

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
  try {
    const q = new ByteQueue();
    const chunk = new Uint8Array(chunkSize);
    let fileOffset = 0; // file offset of the current entry's first byte
    let index = 0;
    let first = true; // the current entry is the first: a message, or text before the first `From ` line
    let firstIsMessage: boolean | undefined; // decided before the first entry's start is dropped
    let skipping = false; // the current entry exceeds max: its bytes are dropped as they come
    let skippedBytes = 0;
    let scanFrom = 0; // where to resume looking for `\nFrom `
    // Emit the current entry made of `skippedBytes` dropped bytes plus q[0..n).
    const entry = (n: number): MboxItem | undefined => {
      const size = skippedBytes + n;
      const isMessage = !first || (firstIsMessage ?? startsMessage(q.bytes().subarray(0, Math.min(n, 1000))));
      if (n > max) skipping = true; // complete in one read, yet over the limit
      let item: MboxItem | undefined;
      if (!isMessage) {
        // RFC 4155 section 2: the file begins with a From line; text before it is no message.
        if (skipping || !isBlank(q.bytes().subarray(0, n))) item = { index: 0, offset: 0, size, preamble: true };
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

/**
 * The message inside one mbox entry: the `From ` separator line removed, quoted lines
 * `>From `, `>>From `, ... un-quoted by one `>` (mboxrd, RFC 4155 Appendix A; for mboxo files
 * this restores the `From ` lines the writer quoted), and the empty line that separates it from
 * the next message removed (RFC 4155 section 2). One pass, one output buffer.
 */
export function mboxMessageContent(entry: Uint8Array): Uint8Array {
  let start = 0;
  if (entry.length >= 5 && fromAt(entry, 0)) {
    const nl = entry.indexOf(0x0a);
    start = nl < 0 ? entry.length : nl + 1;
  }
  let end = entry.length;
  // The separating empty line: "...\n\n" (or CRLF variants) ends in one line break too many.
  if (end - start >= 2 && entry[end - 1] === 0x0a) {
    const prevEnd = entry[end - 2] === 0x0d ? end - 2 : end - 1;
    if (prevEnd > start && entry[prevEnd - 1] === 0x0a) end = prevEnd;
  }
  const out = new Uint8Array(end - start);
  let o = 0;
  let i = start;
  while (i < end) {
    // At the start of a line: drop one '>' from ">+From ".
    if (entry[i] === 0x3e) {
      let j = i;
      while (j < end && entry[j] === 0x3e) j++;
      if (j + 5 <= end && fromAt(entry, j)) i++;
    }
    const nl = entry.indexOf(0x0a, i);
    const lineEnd = nl < 0 || nl >= end ? end : nl + 1;
    out.set(entry.subarray(i, lineEnd), o);
    o += lineEnd - i;
    i = lineEnd;
  }
  return out.subarray(0, o);
}

/** One message of an mbox held in memory: where it starts and its raw entry (`From ` line included). */
export interface MboxEntry { index: number; offset: number; entry: Uint8Array }

/** Split an mbox held in memory (stdin, a small file) into its entries; text before the first `From ` line is dropped. */
export function splitMbox(bytes: Uint8Array): MboxEntry[] {
  const out: MboxEntry[] = [];
  let start = fromAt(bytes, 0) ? 0 : nextSeparator(bytes, 0, bytes.length);
  while (start >= 0) {
    const next = nextSeparator(bytes, start + 1, bytes.length);
    const end = next < 0 ? bytes.length : next;
    out.push({ index: out.length + 1, offset: start, entry: bytes.subarray(start, end) });
    start = next;
  }
  return out;
}

/** True when the bytes start with an mbox `From ` separator line (RFC 4155 section 2). */
export function startsWithFromLine(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && fromAt(bytes, 0);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** asctime(3) form of a time, UTC, as the `From ` line carries it: `Thu Jan  1 00:00:00 1970`. */
function asctime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/**
 * One message as an mbox entry (RFC 4155, mboxrd quoting): `From SENDER DATE` line, every line
 * that matches `>*From ` quoted with one more `>`, a final line break and the empty separating
 * line. {@link mboxMessageContent} undoes it exactly.
 */
export function toMboxEntry(message: Uint8Array, sender: string, date: Date): Uint8Array {
  const head = new TextEncoder().encode(`From ${sender.replace(/\s+/g, '') || 'MAILER-DAEMON'} ${asctime(date)}\n`);
  let quotes = 0;
  for (let i = 0; i < message.length; i = lineAfter(message, i)) if (quotedLine(message, i)) quotes++;
  const endsWithNl = message.length > 0 && message[message.length - 1] === 0x0a;
  const out = new Uint8Array(head.length + message.length + quotes + (endsWithNl ? 1 : 2));
  out.set(head, 0);
  let o = head.length;
  for (let i = 0; i < message.length;) {
    const end = lineAfter(message, i);
    if (quotedLine(message, i)) out[o++] = 0x3e;
    out.set(message.subarray(i, end), o);
    o += end - i;
    i = end;
  }
  if (!endsWithNl) out[o++] = 0x0a;
  out[o++] = 0x0a;
  return out;
}

function lineAfter(b: Uint8Array, i: number): number {
  const nl = b.indexOf(0x0a, i);
  return nl < 0 ? b.length : nl + 1;
}

function quotedLine(b: Uint8Array, i: number): boolean {
  let j = i;
  while (j < b.length && b[j] === 0x3e) j++;
  return fromAt(b, j);
}
