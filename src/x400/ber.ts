/**
 * BER input guard and decoding entry point for the X.400 codecs.
 *
 * asn1js decodes BER well (indefinite lengths, constructed strings) but reports failures
 * without a byte offset. Before handing input to asn1js, {@link scanBer} walks the TLV structure
 * once (X.690 8.1: identifier, length, contents; 8.1.3.6 indefinite form ended by
 * end-of-contents) with bounded depth and element count, so that malformed, truncated or
 * absurdly nested input fails with a typed error naming the byte offset and the tag path. This
 * walker only reads; it never builds values.
 */
import * as asn1js from 'asn1js';
import { SmimeBridgeError } from '../errors.js';
import { fromBlock, type DecodeContext } from './ber-decode.js';
import { tagName, type Schema } from './schema.js';

/** Limits for decoding untrusted BER. */
export interface BerLimits {
  /** Maximum nesting of constructed elements (default 64). */
  maxDepth?: number;
  /** Maximum number of elements in the input (default 200 000). */
  maxElements?: number;
}

const DEFAULT_DEPTH = 64;
const DEFAULT_ELEMENTS = 200_000;

interface ScanState {
  b: Uint8Array;
  base: number;
  nodes: number;
  maxDepth: number;
  maxElements: number;
}

function fail(code: 'X400_BER_MALFORMED' | 'X400_BER_TRUNCATED' | 'LIMIT_EXCEEDED', msg: string, s: ScanState, off: number, path: string): never {
  throw new SmimeBridgeError(code, msg, { offset: s.base + off, asn1Path: path || '$' });
}

/** Scan one TLV at `off`, inside an enclosing element ending at `end`; returns the offset after it. */
function scanOne(s: ScanState, off: number, end: number, depth: number, path: string): number {
  const { b } = s;
  const start = off;
  if (off >= end) fail(end >= b.length ? 'X400_BER_TRUNCATED' : 'X400_BER_MALFORMED', 'element expected', s, off, path);
  if (++s.nodes > s.maxElements) fail('LIMIT_EXCEEDED', `more than ${s.maxElements} BER elements`, s, off, path);
  const id = b[off++]!;
  const cls = (id >> 6) + 1;
  const constructed = (id & 0x20) !== 0;
  let num = id & 0x1f;
  if (num === 0x1f) {
    // X.690 8.1.2.4: high tag number form, base-128; we accept up to 4 octets (28 bits).
    num = 0;
    for (let i = 0; ; i++) {
      if (off >= end) fail(end >= b.length ? 'X400_BER_TRUNCATED' : 'X400_BER_MALFORMED', 'tag number cut short', s, off, path);
      if (i >= 4) fail('X400_BER_MALFORMED', 'tag number too large', s, start, path);
      const o = b[off++]!;
      num = num * 128 + (o & 0x7f);
      if ((o & 0x80) === 0) break;
    }
  }
  const here = `${path}/${tagName(cls, num)}`;
  if (off >= end) fail(end >= b.length ? 'X400_BER_TRUNCATED' : 'X400_BER_MALFORMED', 'length octets missing', s, off, here);
  const l0 = b[off++]!;
  let len = -1;
  if (l0 === 0x80) {
    // X.690 8.1.3.6.1: the indefinite form is for constructed encodings only.
    if (!constructed) fail('X400_BER_MALFORMED', 'indefinite length on a primitive element', s, start, here);
  } else if (l0 & 0x80) {
    const n = l0 & 0x7f;
    if (n === 0x7f) fail('X400_BER_MALFORMED', 'reserved length octet 0xFF', s, off - 1, here);
    if (n > 4) fail('X400_BER_MALFORMED', `length of ${n} octets is absurd`, s, off - 1, here);
    if (off + n > end) fail(off + n > b.length ? 'X400_BER_TRUNCATED' : 'X400_BER_MALFORMED', 'length octets cut short', s, off, here);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[off++]!;
  } else {
    len = l0;
  }
  if (cls === 1 && num === 0 && (constructed || len !== 0)) fail('X400_BER_MALFORMED', 'bad end-of-contents', s, start, here);
  if (len >= 0) {
    const contentEnd = off + len;
    if (contentEnd > b.length)
      fail('X400_BER_TRUNCATED', `length ${len} runs past the end of the input (${s.base + b.length} bytes)`, s, start, here);
    if (contentEnd > end) fail('X400_BER_MALFORMED', `length ${len} runs past the end of the enclosing element`, s, start, here);
    if (!constructed) return contentEnd;
    if (depth + 1 > s.maxDepth) fail('LIMIT_EXCEEDED', `nesting deeper than ${s.maxDepth}`, s, start, here);
    let i = 0;
    while (off < contentEnd) {
      if (b[off] === 0 && b[off + 1] === 0) fail('X400_BER_MALFORMED', 'end-of-contents inside a definite-length element', s, off, here);
      off = scanOne(s, off, contentEnd, depth + 1, `${here}#${i++}`);
    }
    return contentEnd;
  }
  if (depth + 1 > s.maxDepth) fail('LIMIT_EXCEEDED', `nesting deeper than ${s.maxDepth}`, s, start, here);
  for (let i = 0; ; i++) {
    if (off + 2 > end) fail(end >= b.length ? 'X400_BER_TRUNCATED' : 'X400_BER_MALFORMED', 'end-of-contents missing', s, start, here);
    if (b[off] === 0 && b[off + 1] === 0) return off + 2;
    off = scanOne(s, off, end, depth + 1, `${here}#${i}`);
  }
}

/**
 * Check that `bytes` is exactly one well-formed BER element within the limits.
 * @param base offset of `bytes` inside the caller's outermost input, for error locations.
 * @throws SmimeBridgeError X400_BER_TRUNCATED, X400_BER_MALFORMED or LIMIT_EXCEEDED with offset and tag path.
 */
export function scanBer(bytes: Uint8Array, limits: BerLimits = {}, base = 0, path = '$'): void {
  const s: ScanState = {
    b: bytes,
    base,
    nodes: 0,
    maxDepth: limits.maxDepth ?? DEFAULT_DEPTH,
    maxElements: limits.maxElements ?? DEFAULT_ELEMENTS,
  };
  if (bytes.length === 0) fail('X400_BER_TRUNCATED', 'empty input', s, 0, path);
  const end = scanOne(s, 0, bytes.length, 0, path);
  if (end !== bytes.length) fail('X400_BER_MALFORMED', `${bytes.length - end} bytes after the end of the element`, s, end, path);
}

/**
 * Decode `bytes` (one BER element) as `schema`, after {@link scanBer}.
 * @param base offset of `bytes` in the outermost input (error offsets are absolute).
 */
export function decodeBer(schema: Schema, bytes: Uint8Array, path: string, limits: BerLimits = {}, base = 0): unknown {
  scanBer(bytes, limits, base, path);
  const maxDepth = limits.maxDepth ?? DEFAULT_DEPTH;
  const maxElements = limits.maxElements ?? DEFAULT_ELEMENTS;
  let res: ReturnType<typeof asn1js.fromBER>;
  try {
    // parseEmbedded: false: OCTET STRING contents (the CMS object) stay opaque bytes.
    res = asn1js.fromBER(bytes, {
      maxDepth: maxDepth + 2,
      maxNodes: maxElements + 2,
      maxContentLength: bytes.length,
      parseEmbedded: false,
      copyInput: false,
    });
  } catch (e) {
    throw new SmimeBridgeError('X400_BER_MALFORMED', `BER decoder failed: ${(e as Error).message}`, { offset: base, asn1Path: path }, { cause: e });
  }
  if (res.offset === -1 || res.result.error)
    throw new SmimeBridgeError('X400_BER_MALFORMED', `BER decoder failed: ${res.result.error || 'unknown error'}`, { offset: base, asn1Path: path });
  const c: DecodeContext = {
    input: bytes,
    base,
    rootByteOffset: res.result.valueBeforeDecodeView.byteOffset,
    maxElements,
  };
  try {
    return fromBlock(c, schema, res.result, path);
  } catch (e) {
    if (e instanceof SmimeBridgeError) throw e;
    throw new SmimeBridgeError('X400_BER_MALFORMED', `cannot decode: ${(e as Error).message}`, { offset: base, asn1Path: path }, { cause: e });
  }
}
