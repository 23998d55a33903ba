/**
 * What a file is (browser-safe: used by the CLI and the page), by its content first and its name second (issue 9 item 4): Internet mail,
 * an mbox, an Outlook .msg, the JSON form, a bare CMS object (DER, PEM or base64 — what our own
 * `extract` and `x400 unwrap` write), or X.400 BER. An empty or unrecognisable input is a typed
 * error unless the caller reads leniently (then it is taken as mail).
 */
import { SmimeBridgeError } from '../errors.js';
import { decodeBase64 } from '../mime/encoding.js';
import { parsePem } from '../cms/index.js';
import { startsWithFromLine } from './mbox.js';

/** Input kinds. */
export type InputKind = 'eml' | 'mbox' | 'msg' | 'json' | 'cms' | 'x400';
/** Output formats of single-file commands and batches. */
export type OutputFormat = 'eml' | 'msg' | 'json' | 'mbox';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['eml', 'msg', 'json', 'mbox'];

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
/** DER of the OID arc 1.2.840.113549.1.7 (PKCS #7 content types), as it follows a ContentInfo's SEQUENCE header. */
const PKCS7_ARC = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07];
/** id-ct-authEnvelopedData 1.2.840.113549.1.9.16.1.23 (RFC 5083). */
const AUTH_ENVELOPED = [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17];
/** The extension of a file name, lower-cased with its dot (`.eml`), or `''` (node:path extname's rule). */
export function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

const X400_EXT = new Set(['.p1', '.ipm', '.ber', '.x400']);
const CMS_EXT = new Set(['.p7m', '.p7s', '.p7c', '.p7', '.cms', '.der', '.pem']);

function startsWith(b: Uint8Array, at: number, seq: number[]): boolean {
  return seq.every((x, i) => b[at + i] === x);
}

/** Offset just past a BER identifier + length at `i` (SEQUENCE header), or -1. */
function afterHeader(b: Uint8Array, i: number): number {
  if (b[i] !== 0x30) return -1;
  const l = b[i + 1];
  if (l === undefined) return -1;
  if (l < 0x80 || l === 0x80) return i + 2;
  const n = l & 0x7f;
  return n > 4 ? -1 : i + 2 + n;
}

/** Is this DER/BER a CMS ContentInfo (RFC 5652 3)? Looks at the header and content-type OID only. */
export function looksLikeCmsDer(b: Uint8Array): boolean {
  const at = afterHeader(b, 0);
  return at > 0 && (startsWith(b, at, PKCS7_ARC) || startsWith(b, at, AUTH_ENVELOPED));
}

/** The DER of a bare CMS object given as DER, PEM (`PKCS7`, `CMS`) or base64 text; undefined if it is none. */
export function bareCmsDer(b: Uint8Array): Uint8Array | undefined {
  if (looksLikeCmsDer(b)) return b;
  const head = new TextDecoder('latin1').decode(b.subarray(0, 64)).trimStart();
  if (head.startsWith('-----BEGIN')) {
    const blocks = parsePem(new TextDecoder('latin1').decode(b));
    const der = blocks.find((x) => /PKCS7|CMS|PKCS #7/.test(x.label))?.der;
    return der && looksLikeCmsDer(der) ? der : undefined;
  }
  // base64 without armour: "MI..." and only base64 characters and white space
  if (/^MI[A-Za-z0-9+/]/.test(head)) {
    const text = new TextDecoder('latin1').decode(b);
    if (/^[A-Za-z0-9+/=\s]+$/.test(text)) {
      const der = decodeBase64(b);
      return looksLikeCmsDer(der) ? der : undefined;
    }
  }
  return undefined;
}

/**
 * Does this look like an Internet message? The first line is a header field (RFC 5322 2.2:
 * printable US-ASCII name, colon), possibly after a mbox `From ` line.
 */
export function looksLikeMail(b: Uint8Array): boolean {
  let i = 0;
  while (i < b.length && i < 998 && b[i]! >= 33 && b[i]! <= 126 && b[i] !== 0x3a) i++;
  return i > 0 && b[i] === 0x3a;
}

function isX400(b: Uint8Array): boolean {
  // P1 MTS-APDU: [APPLICATION 3] message / [0] .. or an IPM SEQUENCE/[APPLICATION ..]; decided by the x400 reader
  return b.length > 2 && (b[0] === 0x63 || b[0] === 0x64 || b[0] === 0x65 || (b[0]! & 0xe0) === 0xa0 || b[0] === 0x60);
}

/** What an input file is. `lenient`: an unrecognisable or empty input is read as mail instead of rejected. */
export function sniffInput(name: string, b: Uint8Array, opts: { lenient?: boolean } = {}): InputKind {
  const ext = extensionOf(name);
  if (b.length === 0 || /^[\s]*$/.test(new TextDecoder('latin1').decode(b.subarray(0, 4096))) && b.length <= 4096) {
    if (opts.lenient) return 'eml';
    throw new SmimeBridgeError('INPUT_EMPTY', `${name} is empty`, { offset: 0 });
  }
  if (startsWith(b, 0, CFB_MAGIC)) return 'msg';
  if (startsWithFromLine(b)) return 'mbox';
  if (bareCmsDer(b)) return 'cms';
  if (X400_EXT.has(ext) || (isX400(b) && !looksLikeMail(b))) return 'x400';
  const first = b.findIndex((c) => c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d);
  if (b[first] === 0x7b) return 'json'; // no header field name starts with "{" in practice
  if (looksLikeMail(b)) return 'eml';
  if (opts.lenient) return 'eml';
  const why = CMS_EXT.has(ext) ? `${name} is named like a CMS object but holds no CMS ContentInfo (RFC 5652 3)` : `${name} is not mail, mbox, .msg, JSON, CMS or X.400`;
  throw new SmimeBridgeError('INPUT_NOT_MAIL', why, { offset: 0 });
}

