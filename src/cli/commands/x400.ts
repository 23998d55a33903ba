/**
 * `smime-bridge x400 wrap|forward|unwrap|inspect`: S/MIME objects over X.400
 * (draft-ietf-smime-x400transport-01 / RFC 3855), between .eml/.msg/.p7m files and BER files.
 *
 * - wrap: the CMS object (or the whole S/MIME entity with --mime-wrapper) as the content of a P1
 *   message (draft 2.2, 2.4: the outer MIME wrapper is removed by default);
 * - forward: the CMS object as a content-body-part of an IPM (draft 2.3), alone (.ipm) or inside a
 *   P1 message with built-in content type 22 (.p1);
 * - unwrap: every CMS object of a P1 message or IPM back to .eml, .msg or .p7m;
 * - inspect: envelope, heading, body parts and the CMS objects found.
 */
import { extname } from 'node:path';
import { SmimeBridgeError } from '../../errors.js';
import { parseMime } from '../../mime/parse.js';
import { decodeBody } from '../../mime/encoding.js';
import { headerText } from '../../mime/headers.js';
import { parseAddressList } from '../../mime/address.js';
import { classifyEntity, toInternet } from '../../smime/index.js';
import { contentEntityBytes } from '../../secure/index.js';
import { parsePem } from '../../cms/index.js';
import {
  type ORName, BUILTIN_P22, contentFromCms, contentFromMimeEntity, encodeIpmForward, encodeP1Message, findCmsObjects,
  inspectX400, orNameFromRfc822, parseORName, toInternetMessage,
} from '../../x400/index.js';
import { internetBytesOf, loadBytes, readInputBytes, refuseBinaryToTerminal, renderOutput, writeOutput } from '../files/io.js';
import { sniffInput, type OutputFormat } from '../files/formats.js';
import { type Printer, UsageError } from '../output.js';

interface Source {
  content: Uint8Array;
  contentType: string;
  subject?: string;
  from?: string;
  to: string[];
}

const CMS_EXT = new Set(['.p7m', '.p7s', '.p7c', '.p7', '.der', '.cms', '.pem']);

/** What to carry: a bare CMS object (DER or PEM) or an S/MIME message (.eml, .msg, .json). */
export function x400Source(path: string, bytes: Uint8Array, mimeWrapper: boolean): Source {
  const ext = extname(path).toLowerCase();
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

function names(explicit: string[] | undefined, fromMail: string[]): ORName[] {
  if (explicit?.length) return explicit.map(parseORName);
  return fromMail.map((a) => orNameFromRfc822(a));
}

interface X400Values { out: string; force?: boolean; mimeWrapper?: boolean; originator?: string; recipient: string[]; subject?: string; to?: string }

const usage = (m: string) => new UsageError(m);

function addressing(src: Source, o: X400Values) {
  const originator = o.originator ? parseORName(o.originator) : src.from ? orNameFromRfc822(src.from) : undefined;
  if (!originator) throw usage('no originator: give --originator "C=..;A=..;P=..;O=..;S=.." (the message has no From)');
  const recipients = names(o.recipient, src.to);
  if (recipients.length === 0) throw usage('no recipients: give --recipient OR (the message has no To/Cc)');
  return { originator, recipients };
}

async function sendOut(p: Printer, input: string, o: X400Values, out: Uint8Array, what: string, contentType: string): Promise<number> {
  refuseBinaryToTerminal(o.out, 'ber', usage);
  await writeOutput(o.out, out, { force: o.force });
  const line = `${input} -> ${o.out === '-' ? 'stdout' : o.out}: ${what}, content type ${contentType}, ${out.length} bytes`;
  if (o.out === '-') { if (!p.quiet) process.stderr.write(`${line}\n`); } else p.lines(line);
  p.result({ input, output: o.out, what, contentType, bytes: out.length });
  return 0;
}

/** `x400 wrap`: the CMS object (or S/MIME entity with --mime-wrapper) as P1 content (draft 2.2, 2.4). */
export async function runX400Wrap(p: Printer, input: string, o: X400Values): Promise<number> {
  const src = x400Source(input, await readInputBytes(input), !!o.mimeWrapper);
  const a = addressing(src, o);
  return sendOut(p, input, o, encodeP1Message({ content: src.content, contentType: src.contentType, ...a }), 'P1 message', src.contentType);
}

/** `x400 forward`: the CMS object as a forwarded IPMS body part (draft 2.3), alone (.ipm) or in P1. */
export async function runX400Forward(p: Printer, input: string, o: X400Values): Promise<number> {
  const src = x400Source(input, await readInputBytes(input), !!o.mimeWrapper);
  const a = addressing(src, o);
  const ipm = encodeIpmForward({ cms: src.content, contentType: src.contentType, subject: o.subject ?? src.subject, ...a });
  const alone = extname(o.out).toLowerCase() === '.ipm';
  const out = alone ? ipm : encodeP1Message({ content: ipm, contentType: BUILTIN_P22, ...a });
  return sendOut(p, input, o, out, alone ? 'IPM' : 'P1 message with an IPM', src.contentType);
}

/** `x400 unwrap`: every CMS object of a P1 message or IPM back to .eml, .msg, .json or .p7m. */
export async function runX400Unwrap(p: Printer, input: string, o: X400Values): Promise<number> {
  const bytes = await readInputBytes(input);
  const found = findCmsObjects(bytes);
  if (found.length === 0) throw new SmimeBridgeError('X400_UNKNOWN_CONTENT', `${input} carries no CMS object`);
  const ext = o.to ?? (o.out === '-' ? 'eml' : extname(o.out).toLowerCase().slice(1));
  const format = ext === 'der' ? 'p7m' : ext;
  if (!['eml', 'msg', 'json', 'p7m'].includes(format)) throw usage(`cannot tell the output format of "${o.out}": name it .eml, .msg, .json or .p7m, or give --to`);
  if (found.length > 1 && o.out === '-') throw usage(`${input} carries ${found.length} CMS objects: give -o FILE (they become FILE-1, FILE-2, ...)`);
  refuseBinaryToTerminal(o.out, format, usage);
  const written: object[] = [];
  for (const [i, f] of found.entries()) {
    const out = found.length === 1 ? o.out : o.out.replace(/(\.[^./]+)?$/, `-${i + 1}$1`);
    let data: Uint8Array;
    if (format === 'p7m') data = f.mimeWrapped ? decodeBody(parseMime(f.cms).root) : f.cms;
    else {
      const eml = toInternetMessage(f);
      data = format === 'eml' ? eml : renderOutput(format as OutputFormat, loadBytes('x.eml', eml).message).bytes;
    }
    await writeOutput(out, data, { force: o.force });
    const line = `${f.where} -> ${out === '-' ? 'stdout' : out} (${f.mimeWrapped ? 'MIME-wrapped' : 'bare CMS'}${f.cmsType ? `, ${f.cmsType}` : ''})`;
    if (out === '-') { if (!p.quiet) process.stderr.write(`${line}\n`); } else p.lines(line);
    written.push({ where: f.where, output: out, mimeWrapped: f.mimeWrapped, cmsType: f.cmsType });
  }
  p.result({ input, written });
  return 0;
}

/** `x400 inspect`: envelope, heading, body parts, CMS objects (JSON: the structure is the report). */
export async function runX400Inspect(p: Printer, input: string): Promise<number> {
  const report = inspectX400(await readInputBytes(input));
  if (p.json) p.result(report);
  else p.lines(JSON.stringify(report, null, 2).split('\n'));
  return 0;
}
