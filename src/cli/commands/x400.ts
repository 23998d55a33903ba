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
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
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
import { formatOf, loadBytes, renderOutput, stripMboxFromLine, writeAtomic } from '../files/io.js';
import { UsageError } from '../usage.js';
import { bytesView } from '../files/io.js';

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
  if (CMS_EXT.has(ext) || text.startsWith('-----BEGIN') || (bytes[0] === 0x30 && formatOf(path, bytes) !== 'msg')) {
    const der = text.startsWith('-----BEGIN') ? parsePem(new TextDecoder().decode(bytes))[0]?.der : bytes;
    if (!der) throw new SmimeBridgeError('INVALID_ARGUMENT', `${path}: no PEM block`);
    // Draft 2.2: a bare CMS object (no MIME wrapper) is carried as id-ct-contentInfo.
    const c = contentFromCms(der);
    return { content: c.content, contentType: c.contentType, to: [] };
  }
  const format = formatOf(path, bytes);
  const eml = format === 'eml' ? stripMboxFromLine(bytes) : toInternet(loadBytes(path, bytes).message).bytes;
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

const X400_OPTIONS = {
  out: { type: 'string', short: 'o' }, 'mime-wrapper': { type: 'boolean', default: false },
  originator: { type: 'string' }, recipient: { type: 'string', multiple: true }, subject: { type: 'string' },
  force: { type: 'boolean', default: true }, json: { type: 'boolean', default: false },
} as const;

export async function runX400(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!['wrap', 'forward', 'unwrap', 'inspect'].includes(sub ?? '')) throw new UsageError('x400 needs a subcommand: wrap, forward, unwrap, inspect');
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: X400_OPTIONS });
  if (positionals.length !== 1) throw new UsageError(`x400 ${sub ?? ''} needs exactly one input file`);
  const input = positionals[0]!;
  let bytes: Uint8Array;
  try { bytes = bytesView(await readFile(input)); } catch (e) {
    throw new SmimeBridgeError('IO_ERROR', `cannot read ${input}: ${(e as NodeJS.ErrnoException).code}`);
  }
  switch (sub) {
    case 'wrap':
    case 'forward': {
      if (!values.out) throw new UsageError(`x400 ${sub} needs -o OUT`);
      const src = x400Source(input, bytes, values['mime-wrapper']!);
      const originatorText = values.originator;
      const originator = originatorText ? parseORName(originatorText) : src.from ? orNameFromRfc822(src.from) : undefined;
      if (!originator) throw new UsageError('no originator: give --originator "C=..;A=..;P=..;O=..;S=.." (the message has no From)');
      const recipients = names(values.recipient, src.to);
      if (recipients.length === 0) throw new UsageError('no recipients: give --recipient OR (the message has no To/Cc)');
      let out: Uint8Array;
      if (sub === 'wrap') {
        out = encodeP1Message({ content: src.content, contentType: src.contentType, originator, recipients });
      } else {
        const ipm = encodeIpmForward({ cms: src.content, contentType: src.contentType, subject: values.subject ?? src.subject, originator, recipients });
        out = extname(values.out).toLowerCase() === '.ipm' ? ipm : encodeP1Message({ content: ipm, contentType: BUILTIN_P22, originator, recipients });
      }
      await writeAtomic(values.out, out, values.force!);
      process.stdout.write(`${input} -> ${values.out}: ${sub === 'wrap' ? 'P1 message' : extname(values.out).toLowerCase() === '.ipm' ? 'IPM' : 'P1 message with an IPM'}, content type ${src.contentType}, ${out.length} bytes\n`);
      return 0;
    }
    case 'unwrap': {
      if (!values.out) throw new UsageError('x400 unwrap needs -o OUT.eml|OUT.msg|OUT.p7m');
      const found = findCmsObjects(bytes);
      if (found.length === 0) throw new SmimeBridgeError('X400_UNKNOWN_CONTENT', `${input} carries no CMS object`);
      const ext = extname(values.out).toLowerCase();
      for (const [i, f] of found.entries()) {
        const target = found.length === 1 ? values.out : values.out.replace(/(\.[^./]+)?$/, `-${i + 1}$1`);
        let out: Uint8Array;
        if (ext === '.p7m' || ext === '.der') {
          out = f.mimeWrapped ? decodeBody(parseMime(f.cms).root) : f.cms;
        } else {
          const eml = toInternetMessage(f);
          out = ext === '.eml' ? eml : renderOutput(values.out, loadBytes('x.eml', eml).message).bytes;
        }
        await writeAtomic(target, out, values.force!);
        process.stdout.write(`${f.where} -> ${target} (${f.mimeWrapped ? 'MIME-wrapped' : 'bare CMS'}${f.cmsType ? `, ${f.cmsType}` : ''})\n`);
      }
      return 0;
    }
    case 'inspect':
      process.stdout.write(JSON.stringify(inspectX400(bytes), null, 2) + '\n');
      return 0;
    default:
      throw new UsageError('x400 needs a subcommand: wrap, forward, unwrap, inspect');
  }
}
