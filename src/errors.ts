/**
 * Typed errors and diagnostics shared by every layer of smime-bridge.
 *
 * Every failure names what was wrong (`code`) and where (`location`): a byte offset, a MIME part
 * path such as `1.2`, a MAPI property tag, a CFB stream path or an ASN.1 path. Parsers take a
 * {@link Diagnostics} sink: in strict mode a recoverable violation throws, in lenient mode it is
 * recorded as a warning on the result.
 */

/** Where in the input a problem was found. All fields are optional; set what is known. */
export interface Location {
  /** Byte offset into the input that was being read. */
  offset?: number;
  /** MIME part path, `""` for the top-level entity, `1`, `1.2`, ... (RFC 3501 style numbering). */
  partPath?: string;
  /** MAPI property tag as hex (`0x001A001F`) or named property (`{GUID}/name`). */
  propertyTag?: string;
  /** Path of a stream or storage inside a Compound File (`__attach_version1.0_#00000000/...`). */
  streamPath?: string;
  /** ASN.1 path (`MessageTransferEnvelope.per-recipient-fields[0]`). */
  asn1Path?: string;
}

/** Machine-readable error codes. Stable: callers may switch on them. */
export type ErrorCode =
  // generic
  | 'LIMIT_EXCEEDED'
  | 'UNSUPPORTED_FORMAT'
  | 'INVALID_ARGUMENT'
  | 'IO_ERROR'
  // command line input (src/cli/files)
  | 'INPUT_EMPTY'
  | 'INPUT_NOT_MAIL'
  | 'MBOX_MULTIPLE'
  // batch conversion (src/cli/batch*.ts)
  | 'OUTPUT_EXISTS'
  | 'MBOX_MALFORMED'
  | 'WORKER_FAILED'
  | 'TIMEOUT'
  // queue-driven mode and IMAP stores (src/cli/queue, src/cli/imap)
  | 'IMAP_ERROR'
  | 'IMAP_CERT_UNTRUSTED'
  | 'QUEUE_ERROR'
  | 'JOB_STALLED'
  // mime
  | 'MIME_HEADER_MALFORMED'
  | 'MIME_HEADER_TOO_LARGE'
  | 'MIME_BOUNDARY_MISSING'
  | 'MIME_UNTERMINATED_MULTIPART'
  | 'MIME_PARAMETER_MALFORMED'
  | 'MIME_ENCODING_MALFORMED'
  | 'MIME_CHARSET_UNKNOWN'
  // mapi / json
  | 'MAPI_PROPERTY_INVALID'
  | 'MAPI_JSON_INVALID'
  // S/MIME mapping (MS-OXOSMIME)
  | 'SMIME_NOT_SMIME'
  | 'SMIME_STRUCTURE'
  | 'SMIME_NOT_TWO_PARTS'
  | 'SMIME_ATTACHMENT_COUNT'
  | 'SMIME_ATTACHMENT_NOT_MULTIPART_SIGNED'
  // msg / cfb
  | 'MSG_CFB_MALFORMED'
  | 'MSG_STREAM_MISSING'
  | 'MSG_PROPERTY_STREAM_MALFORMED'
  | 'MSG_NAMEID_MALFORMED'
  | 'MSG_RTF_MALFORMED'
  | 'MSG_STRING8_CODEPAGE'
  | 'MSG_ATTACHMENT_UNSUPPORTED'
  // oxcmail export (MS-OXCMAIL 2.1.3): facts about what was written, not violations
  | 'OXCMAIL_NO_DATE'
  | 'OXCMAIL_MESSAGE_ID_GENERATED'
  | 'OXCMAIL_ADDRESS_MISSING'
  | 'OXCMAIL_ADDRESS_NOT_SMTP'
  | 'CHARSET_SUBSTITUTED'
  // cms
  | 'CMS_MALFORMED'
  | 'CMS_TRUNCATED'
  | 'CMS_UNSUPPORTED_ALGORITHM'
  | 'CMS_WRONG_KEY'
  | 'CMS_NO_RECIPIENT'
  | 'CMS_DECRYPT_FAILED'
  | 'CMS_BAD_PASSWORD'
  | 'CMS_KEY_MALFORMED'
  // x400
  | 'X400_BER_MALFORMED'
  | 'X400_BER_TRUNCATED'
  | 'X400_UNKNOWN_CONTENT'
  | 'X400_STRUCTURE'
  | 'X400_ORNAME_MALFORMED'
  | (string & {});

/** The one error type smime-bridge throws for bad input or bad arguments. */
export class SmimeBridgeError extends Error {
  override readonly name = 'SmimeBridgeError';
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Where the problem was found. */
  readonly location: Location;
  /** The message alone: without the leading code and the trailing location that `message` carries. */
  readonly reason: string;

  constructor(code: ErrorCode, message: string, location: Location = {}, options?: { cause?: unknown }) {
    super(`${code}: ${message}${formatLocation(location)}`, options);
    this.code = code;
    this.location = location;
    this.reason = message;
  }
}

/** A recoverable problem recorded instead of thrown (lenient mode). */
export interface Diagnostic {
  code: ErrorCode;
  message: string;
  location: Location;
}

/** Render a location as ` (at byte 12, part 1.2)`; empty when nothing is known. */
export function formatLocation(loc: Location): string {
  const bits: string[] = [];
  if (loc.offset !== undefined) bits.push(`byte ${loc.offset}`);
  if (loc.partPath !== undefined) bits.push(`part ${loc.partPath === '' ? '(top)' : loc.partPath}`);
  if (loc.propertyTag !== undefined) bits.push(`property ${loc.propertyTag}`);
  if (loc.streamPath !== undefined) bits.push(`stream ${loc.streamPath}`);
  if (loc.asn1Path !== undefined) bits.push(`asn1 ${loc.asn1Path}`);
  return bits.length ? ` (at ${bits.join(', ')})` : '';
}

/**
 * A sink for recoverable violations. In strict mode {@link Diagnostics.report} throws a
 * {@link SmimeBridgeError}; in lenient mode it records a warning and returns.
 */
export class Diagnostics {
  readonly warnings: Diagnostic[] = [];
  constructor(readonly strict = false) {}

  report(code: ErrorCode, message: string, location: Location = {}): void {
    if (this.strict) throw new SmimeBridgeError(code, message, location);
    this.warnings.push({ code, message, location });
  }

  /** Record a warning that is a fact about the output, not a violation of the input: never throws, even in strict mode. */
  note(code: ErrorCode, message: string, location: Location = {}): void {
    this.warnings.push({ code, message, location });
  }
}

/** True when `e` is a {@link SmimeBridgeError}. */
export function isSmimeBridgeError(e: unknown): e is SmimeBridgeError {
  return e instanceof SmimeBridgeError;
}
