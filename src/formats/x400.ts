/**
 * The X.400 outputs of `smime-bridge x400 wrap|forward` (draft-ietf-smime-x400transport-01 /
 * RFC 3855), browser-safe, so that the page writes the same bytes as the command:
 * - wrap: the CMS object (or the whole S/MIME entity with `mimeWrapper`) as the content of a P1
 *   message (draft 2.2, 2.4: the outer MIME wrapper is removed by default);
 * - forward: the CMS object as a content-body-part of an IPM (draft 2.3), alone (`ipm`) or
 *   inside a P1 message with built-in content type 22 (`p1`).
 */
import { SmimeBridgeError } from '../errors.js';
import { parseMime } from '../mime/parse.js';
import { decodeBody } from '../mime/encoding.js';
import { headerText } from '../mime/headers.js';
import { parseAddressList } from '../mime/address.js';
import { classifyEntity, toInternet } from '../smime/index.js';
import { contentEntityBytes } from '../secure/index.js';
import { parsePem } from '../cms/index.js';
import {
  type ORName, BUILTIN_P22, contentFromCms, contentFromMimeEntity, encodeIpmForward, encodeP1Message,
  orNameFromRfc822, parseORName,
} from '../x400/index.js';
import { internetBytesOf, loadBytes } from './load.js';
import { sniffInput } from './sniff.js';

/** What an X.400 output carries, and the addressing the message itself gives. */
export interface X400Source {
  content: Uint8Array;
  contentType: string;
  subject?: string;
  from?: string;
  to: string[];
}

const CMS_EXT = new Set(['.p7m', '.p7s', '.p7c', '.p7', '.der', '.cms', '.pem']);

/** `.p7m` of `dir/a.p7m` (lower case; '' without one), as node:path's extname. */
function extOf(path: string): string {
  const base = path.replace(/^.*[\\/]/, '');
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** What to carry: a bare CMS object (DER or PEM) or an S/MIME message (.eml, .msg, .json). */
export function x400Source(path: string, bytes: Uint8Array, mimeWrapper: boolean): X400Source {
  const ext = extOf(path);
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 64));
  const kind = sniffInput(path, bytes);
  if (kind === 'cms' || (CMS_EXT.has(ext) && kind !== 'msg' && kind !== 'eml')) {
    const der = text.startsWith('-----BEGIN') ? parsePem(new TextDecoder().decode(bytes))[0]?.der : bytes;
    if (!der) throw new SmimeBridgeError('INVALID_ARGUMENT', `${path}: no PEM block`);
    // Draft 2.2: a bare CMS object (no MIME wrapper) is carried as id-ct-contentInfo.
    const c = contentFromCms(der);
    return { content: c.content, contentType: c.contentType, to: [] };
  }
  const eml = internetBytesOf(path, kind, bytes) ?? toInternet(loadBytes(path, bytes).message).bytes;
  const { root } = parseMime(eml);
  const c = classifyEntity(root);
  if (c.kind === 'none') throw new SmimeBridgeError('SMIME_NOT_SMIME', `${path} is not an S/MIME message (${c.mediaType})`);
  const from = headerText(root, 'from');
  const to = [headerText(root, 'to'), headerText(root, 'cc')].filter((x): x is string => !!x).flatMap((h) => parseAddressList(h).map((m) => m.address));
  const meta = { subject: headerText(root, 'subject'), from: from ? parseAddressList(from)[0]?.address : undefined, to };
  if (c.kind === 'clear-signed' || mimeWrapper) {
    // Draft 2.4: with the outer MIME wrapper the content is the MIME entity, byte for byte, as id-data.
    // A clear-signed message has no bare CMS form (its signature is detached), so it always keeps it.
    const x = contentFromMimeEntity(contentEntityBytes(root));
    return { content: x.content, contentType: x.contentType, ...meta };
  }
  // Draft 2.4: homogeneous X.400 SHOULD NOT apply the wrapper: remove it (and its transfer encoding).
  const x = contentFromCms(decodeBody(root));
  return { content: x.content, contentType: x.contentType, ...meta };
}

/** Options of `x400 wrap` / `x400 forward`. */
export interface X400OutputOptions {
  /** Carry the whole S/MIME entity (draft 2.4) instead of the bare CMS object. */
  mimeWrapper?: boolean;
  /** Originator O/R name (default: from the From address, RFC 2156). */
  originator?: string;
  /** Recipient O/R names (default: from To/Cc). */
  recipients?: string[];
  /** IPM subject of `forward` (default: the message's). */
  subject?: string;
}

/** The error for a missing originator or recipient (the command makes it a usage error). */
export type X400Complaint = (message: string) => Error;
const invalid: X400Complaint = (m) => new SmimeBridgeError('INVALID_ARGUMENT', m);

/** Originator and recipients: given, or from the message's From and To/Cc (RFC 2156). */
export function x400Addressing(src: X400Source, o: X400OutputOptions, complain: X400Complaint = invalid): { originator: ORName; recipients: ORName[] } {
  const originator = o.originator ? parseORName(o.originator) : src.from ? orNameFromRfc822(src.from) : undefined;
  if (!originator) throw complain('no originator: give --originator "C=..;A=..;P=..;O=..;S=.." (the message has no From)');
  const recipients = o.recipients?.length ? o.recipients.map(parseORName) : src.to.map((a) => orNameFromRfc822(a));
  if (recipients.length === 0) throw complain('no recipients: give --recipient OR (the message has no To/Cc)');
  return { originator, recipients };
}

/** The X.400 forms the command writes. */
export type X400Form = 'wrap' | 'forward-ipm' | 'forward-p1';

/** One X.400 output and its description (what, content type). */
export interface X400Output { bytes: Uint8Array; what: string; contentType: string }

/**
 * The bytes of `x400 wrap FILE -o OUT.p1` (`wrap`), `x400 forward FILE -o OUT.ipm` (`forward-ipm`)
 * or `x400 forward FILE -o OUT.p1` (`forward-p1`).
 */
export function x400Output(name: string, bytes: Uint8Array, form: X400Form, o: X400OutputOptions = {}, complain: X400Complaint = invalid): X400Output {
  const src = x400Source(name, bytes, !!o.mimeWrapper);
  const a = x400Addressing(src, o, complain);
  if (form === 'wrap') return { bytes: encodeP1Message({ content: src.content, contentType: src.contentType, ...a }), what: 'P1 message', contentType: src.contentType };
  const ipm = encodeIpmForward({ cms: src.content, contentType: src.contentType, subject: o.subject ?? src.subject, ...a });
  if (form === 'forward-ipm') return { bytes: ipm, what: 'IPM', contentType: src.contentType };
  return { bytes: encodeP1Message({ content: ipm, contentType: BUILTIN_P22, ...a }), what: 'P1 message with an IPM', contentType: src.contentType };
}
