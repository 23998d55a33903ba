/**
 * One unit of batch work (Node only): convert one message with the library and write the output
 * atomically. Runs inside a worker thread (see batchWorker.ts); plain function so that it can be
 * tested and reused in-process.
 *
 * The output is written to a temporary file in the output's own folder whose name the scheduler
 * chose (so that it can delete it after an interrupt), then renamed into place (or hard-linked,
 * when overwriting is not allowed: link(2) fails with EEXIST instead of replacing a file).
 */
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SmimeBridgeError, isSmimeBridgeError } from '../../errors.js';
import { PidTagAttachDataBinary, type MessageObject } from '../../mapi/index.js';
import { cmsContentType, recognizeMessage, toMessage, type SmimeKind } from '../../smime/index.js';
import { internetOf, loadBytes, renderOutput, type LoadedInput } from '../files/io.js';
import { decideVerdict, openMessage, type OpenOptions, type VerdictPolicy } from '../../secure/index.js';
import { mboxMessageContent } from '../files/mbox.js';
import { bytesView } from '../files/io.js';

/** Output formats of the batch command. */
export type BatchTarget = 'msg' | 'eml' | 'json' | 'mbox';

/** A job the scheduler hands to a worker. */
export interface BatchJob {
  id: number;
  /** Read the input from this file... */
  path?: string;
  /** ...or take these bytes (one mbox entry, `From ` line and quoting included)... */
  mboxEntry?: Uint8Array;
  /** ...or these (a message as it is, e.g. fetched from IMAP; its format sniffed as a file's would be). */
  bytes?: Uint8Array;
  /** Name used to pick the input format (`a.eml`, `a.msg`, `a.json`). */
  formatName: string;
  /** Output file and the temporary file to write first (same folder). */
  out: string;
  tmp: string;
  to: BatchTarget;
  strict: boolean;
  force: boolean;
  /** An existing output means the message was converted by an earlier run: skip it. */
  skipExisting?: boolean;
  /**
   * Queue jobs (which may run twice): an existing output with exactly the bytes this conversion
   * gives counts as written (the same message converted by an earlier attempt); other bytes are
   * OUTPUT_EXISTS. The output is never replaced.
   */
  sameIsDone?: boolean;
  /** Give the output bytes back instead of writing a file (the batch appends them to one mbox). */
  returnBytes?: boolean;
  /** Largest input file read, in bytes. */
  maxInputBytes: number;
  /** Verify every signed message too (`convert --verify`): its verdict goes into the report. */
  verify?: { open: OpenOptions; policy: VerdictPolicy };
}

/** What became of a job. */
export type BatchOutcome =
  | { id: number; ok: true; kind: SmimeKind; messageClass: string; outBytes: number; warnings: number; bytes?: Uint8Array; verdict?: string; verdictReasons?: string[] }
  | { id: number; ok: true; skipped: true }
  | { id: number; ok: false; code: string; reason: string };

/** Convert one message and write it; never throws (failures are outcomes). */
export async function convertJob(job: BatchJob): Promise<BatchOutcome> {
  try {
    if (!job.returnBytes && job.skipExisting && await exists(job.out)) return { id: job.id, ok: true, skipped: true };
    if (!job.returnBytes && !job.force && !job.sameIsDone && await exists(job.out)) {
      throw new SmimeBridgeError('OUTPUT_EXISTS', `${job.out} exists (use --force to overwrite)`);
    }
    let input: LoadedInput;
    if (job.mboxEntry) {
      // Internet mail by definition (RFC 4155); the From line is already gone, so no sniffing.
      const internet = toMessage(mboxMessageContent(job.mboxEntry), { strict: job.strict });
      input = { kind: 'eml', format: 'eml', message: internet.message, internet, warnings: internet.warnings };
    } else if (job.bytes) {
      if (job.bytes.length > job.maxInputBytes) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${job.bytes.length} bytes, more than the limit of ${job.maxInputBytes} (--max-size)`);
      input = loadBytes(job.formatName, job.bytes, { strict: job.strict });
    } else {
      input = loadBytes(job.formatName, await readInput(job.path!, job.maxInputBytes), { strict: job.strict });
    }
    const kind = input.internet ? input.internet.classification.kind : recognizeMessage(input.message).kind;
    if (job.strict) checkCmsPayload(input.message, kind);
    const out = renderOutput(job.to, input.message, { strict: job.strict });
    const warnings = input.warnings.length + (out.internet?.warnings.length ?? 0);
    const done: BatchOutcome & { ok: true; kind: SmimeKind } = { id: job.id, ok: true as const, kind, messageClass: input.message.messageClass, outBytes: out.bytes.length, warnings };
    if (job.verify) {
      // The same decision as `verify` (secure/verdict.ts); a message that cannot be opened is a verdict too.
      const v = decideVerdict(await openMessage(internetOf(input), job.verify.open), job.verify.policy);
      done.verdict = v.state;
      done.verdictReasons = [...new Set([...v.reasons, ...v.signers.flatMap((x) => x.reasons)].filter((r) => r.severity !== 'note').map((r) => r.code))];
    }
    if (job.returnBytes) return { ...done, bytes: out.bytes };
    await writeOutput(job, out.bytes);
    return done;
  } catch (e) {
    return failure(job.id, e);
  }
}

/** A failure outcome with a code and a one-line reason. */
export function failure(id: number, e: unknown): BatchOutcome {
  if (isSmimeBridgeError(e)) return { id, ok: false, code: e.code, reason: oneLine(e.message.replace(/^[A-Z0-9_]+: /, '')) };
  const err = e as Error;
  return { id, ok: false, code: 'INTERNAL_ERROR', reason: oneLine(`${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`) };
}

function oneLine(s: string): string {
  // each line trimmed, joined by one space (`/\s*[\r\n]+\s*/g` was quadratic on long runs of spaces)
  const t = s.split(/[\r\n]+/).map((l) => l.trim()).filter((l) => l.length > 0).join(' ');
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}

/**
 * Strict mode: an opaque-signed or encrypted message must carry a CMS ContentInfo (RFC 5652
 * section 3) in its one attachment (MS-OXOSMIME 2.2.2 item 4), not just some bytes.
 */
function checkCmsPayload(m: MessageObject, kind: SmimeKind): void {
  if (kind !== 'opaque-or-encrypted') return;
  const data = m.attachments[0]?.properties.getBinary(PidTagAttachDataBinary);
  if (!data || !cmsContentType(data)) {
    throw new SmimeBridgeError('CMS_MALFORMED', 'the application/pkcs7-mime attachment is not a CMS ContentInfo (RFC 5652 section 3)',
      { streamPath: '__attach_version1.0_#00000000', propertyTag: '0x37010102' });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readInput(path: string, max: number): Promise<Uint8Array> {
  try {
    const s = await stat(path);
    if (s.size > max) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${path} is ${s.size} bytes, more than the limit of ${max} (--max-size)`);
    return bytesView(await readFile(path));
  } catch (e) {
    if (isSmimeBridgeError(e)) throw e;
    throw new SmimeBridgeError('IO_ERROR', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Temp file, then rename (or link when not forcing); the temp file never outlives a failure. */
async function writeOutput(job: BatchJob, bytes: Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(job.out), { recursive: true });
    await writeFile(job.tmp, bytes, { flag: 'wx' });
    if (job.force) {
      await rename(job.tmp, job.out);
    } else {
      await link(job.tmp, job.out);
      await unlink(job.tmp);
    }
  } catch (e) {
    await unlink(job.tmp).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && job.sameIsDone && await sameBytes(job.out, bytes)) return;
    if (code === 'EEXIST') throw new SmimeBridgeError('OUTPUT_EXISTS', `${job.out} exists (use --force to overwrite)`);
    throw new SmimeBridgeError('IO_ERROR', `cannot write ${job.out}: ${code ?? (e as Error).message}`);
  }
}

/** Does the file hold exactly these bytes? */
async function sameBytes(path: string, bytes: Uint8Array): Promise<boolean> {
  try {
    const s = await stat(path);
    return s.size === bytes.length && Buffer.compare(await readFile(path), bytes) === 0;
  } catch {
    return false;
  }
}
