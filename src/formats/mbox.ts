/**
 * mbox messages held in memory (RFC 4155), browser-safe: split a mailbox, un-quote one message,
 * write one entry. The CLI's chunked reader of mbox files (src/cli/files/mbox.ts) uses these too.
 */

const FROM = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "

/** True when `buf[i..]` starts with `From `. */
export function fromAt(buf: Uint8Array, i: number): boolean {
  for (let k = 0; k < 5; k++) if (buf[i + k] !== FROM[k]) return false;
  return true;
}

/** Position of the next `\nFrom ` in `buf[from..end)` (the index of the `F`), or -1. */
export function nextSeparator(buf: Uint8Array, from: number, end: number): number {
  let i = from;
  for (;;) {
    const nl = buf.indexOf(0x0a, i);
    if (nl < 0 || nl + 6 > end) return -1;
    if (fromAt(buf, nl + 1)) return nl + 1;
    i = nl + 1;
  }
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
