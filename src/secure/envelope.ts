/**
 * Splitting an Internet message into its envelope header fields (From, To, Subject, ...) and its
 * content entity (the Content-* fields and the body), and joining them again. Signing and
 * encrypting protect the content entity; the envelope stays outside (RFC 8551 3.1, 3.5).
 * Slices of the input travel as slices: nothing here re-serializes a header field.
 */
import { parseMime } from '../mime/parse.js';
import type { MimeEntity } from '../mime/types.js';
import { concatBytes } from '../mime/bytes.js';
import { lfToCrlf } from '../cms/index.js';

const enc = new TextEncoder();


function isContentField(lname: string): boolean {
  return lname.startsWith('content-') || lname === 'mime-version';
}

/** The envelope fields of a parsed message, as raw bytes (each field with its own line break). */
export function envelopeBytes(root: MimeEntity): Uint8Array {
  return concatBytes(root.fields.filter((f) => !isContentField(f.lname)).map((f) => root.source.subarray(f.raw.start, f.raw.end)));
}

/**
 * The content entity of a message: its Content-* fields (raw), the empty line, the body. A
 * message without any Content-* field gets `Content-Type: text/plain; charset=us-ascii`
 * (RFC 2045 5.2) so the protected entity says what it is.
 */
export function contentEntityBytes(root: MimeEntity): Uint8Array {
  const src = root.source;
  const fields = root.fields.filter((f) => isContentField(f.lname) && f.lname !== 'mime-version')
    .map((f) => src.subarray(f.raw.start, f.raw.end));
  const eol = root.lineEnding === 'LF' ? '\n' : '\r\n';
  if (fields.length === 0) fields.push(enc.encode(`Content-Type: text/plain; charset=us-ascii${eol}`));
  return concatBytes([...fields, enc.encode(eol), src.subarray(root.body.start, root.range.end)]);
}

/** Split a whole message into envelope fields and content entity. */
export function splitMessage(bytes: Uint8Array): { envelope: Uint8Array; content: Uint8Array; root: MimeEntity } {
  const { root } = parseMime(bytes);
  return { envelope: envelopeBytes(root), content: contentEntityBytes(root), root };
}

/** The pieces of {@link joinMessage}, not yet joined (a large entity is then written without a copy). */
export function messageParts(envelope: Uint8Array, entity: Uint8Array): Uint8Array[] {
  const lf = envelope.length > 0 && envelope[envelope.length - 1] === 0x0a && envelope[envelope.length - 2] !== 0x0d;
  return [envelope, enc.encode(lf ? 'MIME-Version: 1.0\n' : 'MIME-Version: 1.0\r\n'), entity];
}

/** Envelope fields + `MIME-Version: 1.0` + a MIME entity = a whole message. */
export function joinMessage(envelope: Uint8Array, entity: Uint8Array): Uint8Array {
  return concatBytes(messageParts(envelope, entity));
}

/** RFC 8551 3.1.1 canonical form for signing and encrypting: every line break CRLF. */
export function canonicalCrlf(b: Uint8Array): Uint8Array {
  return lfToCrlf(b) ?? b;
}
