/**
 * The encrypted content of an EnvelopedData read from DER that arrives in pieces, after
 * {@link readEnvelopedHead}: the ciphertext comes out as views as soon as its bytes are in, and
 * what follows the content is checked to close the structure exactly as {@link readEnvelopedDer}
 * (which reads the whole message) would accept it. Like the head reader it only recognises the
 * ordinary encodings (X.690 8.7.3: primitive, or constructed of primitive OCTET STRING segments)
 * and never judges input: anything else makes {@link push} or {@link end} say no, and the caller
 * reads the whole message instead, which also gives the precise error.
 */
import { concatBytes } from '../mime/bytes.js';
import { checkBer } from './der.js';
import type { EnvelopedHead } from './structure.js';

/** Most segments of a constructed content (the whole-message reader's element limit is 250 000). */
const MAX_SEGMENTS = 200_000;
/** Most bytes after the content (end-of-contents octets, unprotectedAttrs). */
const MAX_TRAILER = 64 * 1024;

/** Reads the ciphertext of one EnvelopedData from consecutive DER pieces. */
export class EncryptedContentReader {
  /** Stream offset of the next byte to be read. */
  private pos = 0;
  /** Primitive content, or the current segment: ciphertext bytes still to come. */
  private remaining: number;
  /** Constructed content: offset where it ends (definite), -1 (indefinite), or undefined (primitive). */
  private readonly segmentsEnd: number | undefined;
  private segments = 0;
  /** Bytes of a segment header cut by a piece boundary. */
  private partial = new Uint8Array(0);
  private inContent = true;
  private failed = false;
  private trailer: Uint8Array[] = [];
  private trailerLength = 0;
  /** Stream offset of the first byte after the content element. */
  private contentEnd = -1;

  constructor(private readonly head: EnvelopedHead) {
    const c = head.content;
    this.segmentsEnd = c.constructed ? (c.length < 0 ? -1 : head.contentStart + c.length) : undefined;
    this.remaining = c.constructed ? 0 : c.length;
  }

  /**
   * Give the next piece of the DER stream (the first piece starts at offset 0); returns the
   * ciphertext it holds, or undefined once the encoding is not one this reader follows.
   */
  push(piece: Uint8Array): Uint8Array[] | undefined {
    if (this.failed) return undefined;
    const out: Uint8Array[] = [];
    let i = 0;
    if (this.pos < this.head.contentStart) {
      i = Math.min(piece.length, this.head.contentStart - this.pos);
      this.pos += i;
    }
    while (i < piece.length && this.inContent) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, piece.length - i);
        out.push(piece.subarray(i, i + n));
        i += n;
        this.pos += n;
        this.remaining -= n;
        if (this.remaining === 0 && this.segmentsEnd === undefined) this.closeContent(this.pos);
        continue;
      }
      if (this.segmentsEnd === undefined) {
        this.closeContent(this.pos); // an empty primitive content
        continue;
      }
      if (this.segmentsEnd >= 0 && this.pos >= this.segmentsEnd) {
        // (`pos` counts the bytes of a cut header already taken into `partial`)
        if (this.partial.length || this.pos > this.segmentsEnd) return this.fail();
        this.closeContent(this.pos);
        continue;
      }
      // a segment header (or the end-of-contents octets), possibly split between pieces
      const need = Math.min(6, piece.length - i);
      const h = new Uint8Array(this.partial.length + need);
      h.set(this.partial);
      h.set(piece.subarray(i, i + need), this.partial.length);
      const seg = segmentHeader(h);
      if (seg === 'more') {
        if (h.length >= 6) return this.fail();
        this.partial = h;
        this.pos += need;
        i += need;
        continue;
      }
      if (seg === 'bad') return this.fail();
      const used = seg.headerLength - this.partial.length; // bytes of this piece in the header
      this.partial = new Uint8Array(0);
      i += used;
      this.pos += used;
      if (seg.eoc) {
        if (this.segmentsEnd !== -1) return this.fail();
        this.closeContent(this.pos);
        continue;
      }
      if (++this.segments > MAX_SEGMENTS) return this.fail();
      this.remaining = seg.length;
      if (this.segmentsEnd >= 0 && this.pos + seg.length > this.segmentsEnd) return this.fail();
    }
    if (i < piece.length) {
      this.trailerLength += piece.length - i;
      if (this.trailerLength > MAX_TRAILER) return this.fail();
      this.trailer.push(piece.slice(i));
      this.pos += piece.length - i;
    }
    return out;
  }

  /**
   * After the last piece: true when the content was whole and the rest closes the
   * EncryptedContentInfo, the EnvelopedData (after an optional unprotectedAttrs [1]), the [0]
   * wrapper and the ContentInfo, followed only by zero bytes (as the whole-message reader allows).
   */
  end(): boolean {
    if (this.failed || this.inContent) return false;
    const t = concatBytes(this.trailer);
    const base = this.contentEnd; // stream offset of t[0]
    let p = 0;
    const close = (end: number): boolean => {
      if (end >= 0) return base + p === end;
      if (t[p] !== 0 || t[p + 1] !== 0 || p + 2 > t.length) return false;
      p += 2;
      return true;
    };
    const [ci, wrap, ed, eci] = this.head.enclosing;
    if (!ci || !wrap || !ed || !eci || !close(eci.end)) return false;
    if (t[p] === 0xa1) {
      // unprotectedAttrs [1] IMPLICIT: a whole, well-formed element (RFC 5652 6.1)
      try {
        p += checkBer(t.subarray(p), {}, 'unprotectedAttrs');
      } catch {
        return false;
      }
    }
    if (!close(ed.end) || !close(wrap.end) || !close(ci.end)) return false;
    for (; p < t.length; p++) if (t[p] !== 0) return false;
    return true;
  }

  private closeContent(at: number): void {
    this.inContent = false;
    this.contentEnd = at;
  }

  private fail(): undefined {
    this.failed = true;
    return undefined;
  }
}

/** A segment's header in `h`: a primitive OCTET STRING of definite length, or end-of-contents. */
function segmentHeader(h: Uint8Array): { headerLength: number; length: number; eoc: boolean } | 'more' | 'bad' {
  if (h.length < 2) return 'more';
  if (h[0] === 0 && h[1] === 0) return { headerLength: 2, length: 0, eoc: true };
  if (h[0] !== 0x04) return 'bad'; // a constructed or other segment: not followed here
  const l0 = h[1]!;
  if (l0 < 0x80) return { headerLength: 2, length: l0, eoc: false };
  const n = l0 & 0x7f;
  if (n === 0 || n > 4) return 'bad';
  if (h.length < 2 + n) return 'more';
  let length = 0;
  for (let k = 0; k < n; k++) length = length * 256 + h[2 + k]!;
  return { headerLength: 2 + n, length, eoc: false };
}
