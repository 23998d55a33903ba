/**
 * Bounded BER/DER reading for CMS input: a pre-flight walker that tells truncated input from
 * malformed input (with the byte offset), then asn1js for the real decode.
 *
 * The walker is hand-written because asn1js only reports "end of input reached" without telling
 * a truncated length from a broken one, and because it enforces a nesting limit so hostile input
 * cannot recurse without bound (X.690 8.1 identifier/length octets, 8.1.5 end-of-contents).
 */
import * as asn1js from 'asn1js';
import { SmimeBridgeError } from '../errors.js';
import { concatBytes as joinBytes } from '../mime/bytes.js';

/** Limits for reading BER. */
export interface BerLimits {
  /** Maximum nesting depth of constructed encodings (default 64). */
  maxDepth?: number;
  /** Maximum input size in bytes (default 256 MiB). */
  maxBytes?: number;
  /**
   * Maximum number of BER elements (TLVs) in one input (default 250,000). Each element becomes an
   * object in memory, so a small input of many tiny elements (a constructed OCTET STRING of empty
   * segments, 2 bytes each) is refused before it is decoded; ordinary mail has a few thousand.
   */
  maxElements?: number;
  /** Maximum total of primitive content octets, the decoded size (default: `maxBytes`). */
  maxDecodedBytes?: number;
}

const DEFAULT_DEPTH = 64;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
/** Default of {@link BerLimits.maxElements}. */
export const DEFAULT_MAX_ELEMENTS = 250_000;

/**
 * Walk the BER encoding in `b[start, end)` and throw `CMS_TRUNCATED` when a length points past the
 * end of input, `CMS_MALFORMED` on an impossible identifier/length. Returns the end offset of the
 * first top-level element.
 */
export function checkBer(b: Uint8Array, limits: BerLimits = {}, what = 'CMS'): number {
  const maxDepth = limits.maxDepth ?? DEFAULT_DEPTH;
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxElements = limits.maxElements ?? DEFAULT_MAX_ELEMENTS;
  const maxDecoded = limits.maxDecodedBytes ?? maxBytes;
  let elements = 0;
  let decoded = 0;
  if (b.length > maxBytes) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${what} is ${b.length} bytes, over the ${maxBytes}-byte limit`, { offset: 0 });
  if (b.length === 0) throw new SmimeBridgeError('CMS_TRUNCATED', `${what} is empty`, { offset: 0 });
  const trunc = (off: number, m: string): never => {
    throw new SmimeBridgeError('CMS_TRUNCATED', `${what} ends inside ${m}`, { offset: off });
  };
  const bad = (off: number, m: string): never => {
    throw new SmimeBridgeError('CMS_MALFORMED', `${what}: ${m}`, { offset: off });
  };

  // Returns the offset after the element starting at `off`, which must end by `end`.
  // Iterative over siblings, recursive over depth (bounded by maxDepth).
  const element = (off: number, end: number, depth: number): number => {
    if (depth > maxDepth) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${what}: nesting deeper than ${maxDepth}`, { offset: off });
    if (++elements > maxElements) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${what}: more than ${maxElements} BER elements (maxElements)`, { offset: off });
    const start = off;
    if (off >= end) trunc(off, 'an identifier');
    const id = b[off++]!;
    const constructed = (id & 0x20) !== 0;
    if ((id & 0x1f) === 0x1f) {
      // X.690 8.1.2.4: high tag number form
      let n = 0;
      for (;;) {
        if (off >= end) trunc(off, 'a tag number');
        const x = b[off++]!;
        if (++n > 4) bad(start, 'tag number too long');
        if ((x & 0x80) === 0) break;
      }
    }
    if (off >= end) trunc(off, 'a length');
    const l0 = b[off++]!;
    if (l0 === 0x80) {
      // X.690 8.1.3.6: indefinite length, only for constructed encodings
      if (!constructed) bad(start, 'indefinite length on a primitive encoding');
      for (;;) {
        if (off + 2 > end) trunc(off, 'an indefinite-length encoding (no end-of-contents)');
        if (b[off] === 0 && b[off + 1] === 0) return off + 2;
        off = element(off, end, depth + 1);
      }
    }
    let len = 0;
    if (l0 & 0x80) {
      const n = l0 & 0x7f;
      if (n === 0x7f) bad(off - 1, 'reserved length octet 0xFF');
      if (n > 6) bad(off - 1, `length of ${n} octets`);
      for (let i = 0; i < n; i++) {
        if (off >= end) trunc(off, 'a length');
        len = len * 256 + b[off++]!;
      }
    } else len = l0;
    const cEnd = off + len;
    if (cEnd > end) trunc(end, `an element of ${len} bytes starting at byte ${start}`);
    if (constructed) {
      let p = off;
      while (p < cEnd) p = element(p, cEnd, depth + 1);
    } else if ((decoded += len) > maxDecoded) {
      throw new SmimeBridgeError('LIMIT_EXCEEDED', `${what}: more than ${maxDecoded} bytes of content (maxDecodedBytes)`, { offset: start });
    }
    return cEnd;
  };
  return element(0, b.length, 0);
}

/**
 * Decode one BER element (after {@link checkBer}). Trailing zero bytes are tolerated (some tools
 * pad); other trailing bytes are `CMS_MALFORMED`.
 */
export function parseBer(b: Uint8Array, limits: BerLimits = {}, what = 'CMS'): asn1js.AsnType {
  const end = checkBer(b, limits, what);
  for (let i = end; i < b.length; i++) {
    if (b[i] !== 0) throw new SmimeBridgeError('CMS_MALFORMED', `${what}: ${b.length - end} bytes after the end of the encoding`, { offset: end });
  }
  let res: ReturnType<typeof asn1js.fromBER>;
  try {
    // checkBer has already bounded depth, size and element count; asn1js's own defaults (16 MiB of
    // content, 10 000 nodes) would refuse ordinary large mail (a 25 MB attachment in 1 000-byte chunks).
    // No copy of the input (copyInput: false: the decoded values are views of `b`, as
    // octetsOf's are) and no speculative decoding of every OCTET STRING's contents as BER
    // (parseEmbedded: false): on a 25 MB content both were whole-content passes.
    res = asn1js.fromBER(b.subarray(0, end), {
      copyInput: false,
      parseEmbedded: false,
      maxDepth: (limits.maxDepth ?? DEFAULT_DEPTH) + 1,
      maxContentLength: limits.maxBytes ?? DEFAULT_MAX_BYTES,
      maxNodes: (limits.maxElements ?? DEFAULT_MAX_ELEMENTS) + 1,
    });
  } catch (e) {
    // asn1js throws plain Errors for some bad primitive contents (e.g. a GeneralizedTime)
    throw new SmimeBridgeError('CMS_MALFORMED', `${what}: ${e instanceof Error ? e.message : String(e)}`, { offset: 0 }, { cause: e });
  }
  if (res.offset === -1) {
    throw new SmimeBridgeError('CMS_MALFORMED', `${what}: ${res.result.error || 'undecodable BER'}`, { offset: 0 });
  }
  return res.result;
}

/**
 * Run a PKI.js `new X({ schema })` constructor and map its exceptions to `CMS_MALFORMED` with
 * the ASN.1 path that was being read.
 */
export function fromSchema<T>(make: () => T, asn1Path: string): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof SmimeBridgeError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new SmimeBridgeError('CMS_MALFORMED', `not a valid ${asn1Path}: ${msg}`, { asn1Path }, { cause: e });
  }
}

/**
 * The content octets of an OCTET STRING, joining the segments of a constructed (BER) one
 * (X.690 8.7.3.2). Works for asn1js OctetString and for implicitly tagged constructed values.
 */
export function octetsOf(v: asn1js.AsnType | undefined): Uint8Array {
  if (!v) return new Uint8Array(0);
  // Views of the primitive segments first, then one copy into the result (not one copy per
  // segment plus a concatenation: a 25 MB chunked content was copied twice).
  const views: Uint8Array[] = [];
  collectOctets(v, views);
  return joinBytes(views); // an array, not spread arguments: a 512 MB content has ~500 000 segments
}

/** The primitive segments of a (possibly constructed, X.690 8.7.3.2) OCTET STRING, in order, as views. */
function collectOctets(v: asn1js.AsnType, into: Uint8Array[]): void {
  const anyV = v as unknown as {
    idBlock: { isConstructed: boolean };
    valueBlock: { value?: asn1js.AsnType[]; valueHexView?: Uint8Array };
  };
  if (anyV.idBlock.isConstructed && Array.isArray(anyV.valueBlock.value)) {
    for (const x of anyV.valueBlock.value) collectOctets(x, into);
    return;
  }
  const h = anyV.valueBlock.valueHexView;
  if (h) into.push(h);
}

/** DER encoding of an asn1js value as bytes. */
export function encodeDer(v: { toBER(sizeOnly?: boolean): ArrayBuffer }): Uint8Array {
  return new Uint8Array(v.toBER(false));
}

/**
 * Run `fn` and turn any exception that is not a {@link SmimeBridgeError} (a library's TypeError on
 * a structure it did not expect) into `CMS_MALFORMED`, so bad input never escapes untyped.
 */
export async function guardAsync<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SmimeBridgeError) throw e;
    throw new SmimeBridgeError('CMS_MALFORMED', `${what}: unexpected structure (${e instanceof Error ? e.message : String(e)})`, {}, { cause: e });
  }
}

/** Synchronous {@link guardAsync}. */
export function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SmimeBridgeError) throw e;
    throw new SmimeBridgeError('CMS_MALFORMED', `${what}: unexpected structure (${e instanceof Error ? e.message : String(e)})`, {}, { cause: e });
  }
}

/**
 * One BER element located in a buffer, without decoding it (X.690 8.1). For elements of input
 * that {@link checkBer} has already walked, so lengths are known to fit.
 */
export interface Tlv {
  /** X.690 8.1.2.2: 0 universal, 1 application, 2 context-specific, 3 private. */
  tagClass: number;
  constructed: boolean;
  tagNumber: number;
  /** Offset of the identifier octets. */
  start: number;
  /** Offset of the contents octets. */
  contentStart: number;
  /** Offset after the contents (before the end-of-contents octets of an indefinite length). */
  contentEnd: number;
  /** Offset after the element. */
  end: number;
}

/** The element at `off` of input already checked by {@link checkBer}. */
export function readTlv(b: Uint8Array, off: number): Tlv {
  const start = off;
  const id = b[off++]!;
  let tagNumber = id & 0x1f;
  if (tagNumber === 0x1f) {
    // X.690 8.1.2.4: high tag number form (checkBer allows at most 4 octets)
    tagNumber = 0;
    for (;;) {
      const x = b[off++]!;
      tagNumber = tagNumber * 128 + (x & 0x7f);
      if ((x & 0x80) === 0) break;
    }
  }
  const constructed = (id & 0x20) !== 0;
  const l0 = b[off++]!;
  if (l0 === 0x80) {
    // X.690 8.1.3.6: indefinite length; the contents end at the end-of-contents octets
    let p = off;
    while (!(b[p] === 0 && b[p + 1] === 0)) p = readTlv(b, p).end;
    return { tagClass: id >> 6, constructed, tagNumber, start, contentStart: off, contentEnd: p, end: p + 2 };
  }
  let len = l0;
  if (l0 & 0x80) {
    len = 0;
    for (let n = l0 & 0x7f; n > 0; n--) len = len * 256 + b[off++]!;
  }
  return { tagClass: id >> 6, constructed, tagNumber, start, contentStart: off, contentEnd: off + len, end: off + len };
}

/** The elements inside constructed element `t`, in order. */
export function childrenOf(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.contentStart; p < t.contentEnd; ) {
    const c = readTlv(b, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

/**
 * The contents of an OCTET STRING element (primitive, or constructed of OCTET STRING segments,
 * X.690 8.7.3.2), whatever its tag (IMPLICIT tagging keeps the form), as views of `b`.
 */
export function octetSegments(b: Uint8Array, t: Tlv, what: string, into: Uint8Array[] = []): Uint8Array[] {
  if (!t.constructed) {
    into.push(b.subarray(t.contentStart, t.contentEnd));
    return into;
  }
  for (const c of childrenOf(b, t)) {
    if (c.tagClass !== 0 || c.tagNumber !== 4) {
      throw new SmimeBridgeError('CMS_MALFORMED', `${what}: a segment of a constructed OCTET STRING is not an OCTET STRING (X.690 8.7.3.2)`, { offset: c.start });
    }
    octetSegments(b, c, what, into);
  }
  return into;
}
