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
import { findCmsObjects, inspectX400, toInternetMessage } from '../../x400/index.js';
import { x400Output, type X400Form } from '../../formats/x400.js';
import { loadBytes, readInputBytes, refuseBinaryToTerminal, renderOutput, writeOutput } from '../files/io.js';
import { type OutputFormat } from '../files/formats.js';
import { type Printer, UsageError } from '../output.js';

export { x400Source } from '../../formats/x400.js';

interface X400Values { out: string; force?: boolean; mimeWrapper?: boolean; originator?: string; recipient: string[]; subject?: string; to?: string }

const usage = (m: string) => new UsageError(m);

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
  return send(p, input, o, 'wrap');
}

/** `x400 forward`: the CMS object as a forwarded IPMS body part (draft 2.3), alone (.ipm) or in P1. */
export async function runX400Forward(p: Printer, input: string, o: X400Values): Promise<number> {
  return send(p, input, o, extname(o.out).toLowerCase() === '.ipm' ? 'forward-ipm' : 'forward-p1');
}

async function send(p: Printer, input: string, o: X400Values, form: X400Form): Promise<number> {
  const out = x400Output(input, await readInputBytes(input), form, { mimeWrapper: o.mimeWrapper, originator: o.originator, recipients: o.recipient, subject: o.subject }, usage);
  return sendOut(p, input, o, out.bytes, out.what, out.contentType);
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
