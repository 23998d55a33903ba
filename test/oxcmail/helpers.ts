/** Shared helpers for the oxcmail tests: build small messages from text. */
import { parseMime, type MimeEntity } from '../../src/mime/index.js';

/** Parse a message written with `\n` line ends as CRLF bytes. */
export function mime(text: string): MimeEntity {
  return parseMime(new TextEncoder().encode(text.replace(/\r?\n/g, '\r\n'))).root;
}

/** Hex of bytes, lower case, no separators. */
export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
