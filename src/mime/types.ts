/**
 * The MIME entity tree: the shape every other layer reads. Produced by `parseMime` (parse.ts).
 *
 * Every entity records byte ranges into the one input buffer (`source`), so a signed part can be
 * handed on as a slice of the input: never re-serialized (RFC 1847 section 2.1, RFC 8551 3.1.1).
 * Ranges are half-open: `[start, end)`.
 */

/** A half-open byte range `[start, end)` into {@link MimeEntity.source}. */
export interface ByteRange {
  start: number;
  end: number;
}

/** One header field as it appears in the input. */
export interface HeaderField {
  /** Field name as written (case kept), without the colon. */
  name: string;
  /** Lower-cased field name, for lookups. */
  lname: string;
  /** The whole field including its folded continuation lines and its final line break. */
  raw: ByteRange;
  /** The value bytes after the colon, up to (not including) the final line break; still folded. */
  value: ByteRange;
  /** The value unfolded (CRLF/LF + WSP -> WSP), bytes decoded as latin1, leading/trailing WSP trimmed. Not RFC 2047 decoded. */
  unfolded: string;
}

/** A parsed `type/subtype; params` value (Content-Type) or `disposition; params` (Content-Disposition). */
export interface ParsedHeaderValue {
  /** Lower-cased `type/subtype` (or disposition type). `''` when the value is empty. */
  value: string;
  /** Parameters, names lower-cased, values decoded (quoted strings unquoted, RFC 2231 joined and charset-decoded, RFC 2047-in-quotes decoded for name/filename). */
  params: Record<string, string>;
}

/** One MIME entity: the message itself, a body part, or the message inside a message/rfc822 part. */
export interface MimeEntity {
  /** The whole input buffer all ranges point into. */
  source: Uint8Array;
  /** Part path: `''` for the top level, `'1'`, `'1.2'`, ... A message/rfc822 child keeps its parent's path. */
  path: string;
  /** The entity from its first header byte to the end of its body (for a body part: excludes the line break before the next delimiter). */
  range: ByteRange;
  /** The header block, from the first field up to and including the empty line that ends it (if any). */
  headerRange: ByteRange;
  /** The header fields in input order. */
  fields: HeaderField[];
  /** The body: after the empty line to the end of the entity. */
  body: ByteRange;
  /** The line ending style seen in the header block: 'CRLF', 'LF', or 'mixed'. */
  lineEnding: 'CRLF' | 'LF' | 'mixed';
  /** Media type from the LAST Content-Type field (MS-OXOSMIME 3.1.5.1.1); defaults per RFC 2045 5.2 (text/plain, or message/rfc822 inside multipart/digest). */
  contentType: ParsedHeaderValue;
  /** True when no Content-Type field was present and the default was applied. */
  contentTypeDefaulted: boolean;
  /** Content-Disposition (last field), if any. */
  disposition?: ParsedHeaderValue;
  /** Lower-cased Content-Transfer-Encoding value, `'7bit'` when absent. */
  transferEncoding: string;
  /** For multipart entities: the boundary parameter. */
  boundary?: string;
  /** For multipart entities: the body parts in order. */
  children: MimeEntity[];
  /** For multipart entities: bytes before the first delimiter line. */
  preamble?: ByteRange;
  /** For multipart entities: bytes after the close-delimiter line (absent if the close delimiter is missing). */
  epilogue?: ByteRange;
  /** For message/rfc822 (and message/global) entities: the enclosed message, parsed. */
  message?: MimeEntity;
}

/** Limits that keep hostile input bounded. Every parser takes them; defaults in `DEFAULT_LIMITS`. */
export interface MimeLimits {
  /** Maximum nesting depth of multiparts and message/rfc822 (default 64). */
  maxDepth: number;
  /** Maximum size in bytes of one header block (default 1 MiB). */
  maxHeaderBytes: number;
  /** Maximum number of header fields in one header block (default 10 000). */
  maxHeaderFields: number;
  /** Maximum total number of entities in one message (default 10 000). */
  maxParts: number;
  /** Maximum size of any decoded body (default 512 MiB). */
  maxDecodedBytes: number;
}

export const DEFAULT_LIMITS: MimeLimits = {
  maxDepth: 64,
  maxHeaderBytes: 1 << 20,
  maxHeaderFields: 10_000,
  maxParts: 10_000,
  maxDecodedBytes: 512 << 20,
};

/** Options for `parseMime`. */
export interface ParseOptions {
  /** Throw on recoverable violations instead of recording warnings (default false). */
  strict?: boolean;
  /** Limits; missing fields take `DEFAULT_LIMITS`. */
  limits?: Partial<MimeLimits>;
  /**
   * Read only the top-level header (default false): the root gets no children and no embedded
   * message, its body range is still set. For deciding what an entity is before paying for
   * its body (a 25 MB multipart is scanned for its boundaries only when needed).
   */
  headersOnly?: boolean;
}
