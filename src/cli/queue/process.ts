/**
 * Running one job (Node only): each message of the job converted (or verified) by the batch's
 * per-message code (batch/convert.ts) and written to its destination, one report record per
 * message. Used by `smime-bridge worker` and by `convert` when a source or `--out` is an IMAP URL.
 *
 * A message that cannot be converted (malformed, unsupported) is a failed record: converting it
 * again would fail again. What may pass on a second try (a source or destination that cannot be
 * read or written now: IO_ERROR, IMAP_ERROR) fails the whole job instead, so that the queue
 * retries it; the messages it already wrote are found again, not written twice (convert.ts
 * `sameIsDone`, imap/store.ts `appendOnce`).
 */
import { open, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { SmimeBridgeError } from '../../errors.js';
import { convertJob, type BatchJob, type BatchOutcome } from '../batch/convert.js';
import { mboxOutputPathFor, outputPathFor, tempPathFor } from '../batch/plan.js';
import type { BatchRecord } from '../batch/report.js';
import { connectImap, closeImap, type ImapAccess } from '../imap/client.js';
import { appendOnce, ensureMailbox, fetchRange } from '../imap/store.js';
import { parseImapUrl, type ImapUrl } from '../imap/url.js';
import { fileMessageId, imapMessageId, imapOutputPath, mboxMessageId, type JobData } from './job.js';

/** Failure codes that mean "try the job again later". */
const TRANSIENT = new Set(['IO_ERROR', 'IMAP_ERROR']);

/** What a job runner shares between jobs. */
export interface JobContext {
  imap: ImapAccess;
  /** Verify options per trust option set (read once). */
  verifyOptions?: (d: JobData) => Promise<BatchJob['verify']>;
  /** This is not the job's first attempt: temporary files an earlier, killed attempt left are removed. */
  retried?: boolean;
  /** Checked between messages: true stops the job (it is handed back to the queue, see worker.ts). */
  stopping?: () => boolean;
  /** Open IMAP connections by URL, kept for the next job. */
  connections?: Map<string, Promise<ImapFlow>>;
}

/** The job was stopped between two messages (SIGTERM). */
export class JobStopped extends Error {}

/** One message to convert: its bytes or file, its output, and for IMAP its flags and date. */
interface Item {
  id: string;
  record: Pick<BatchRecord, 'input' | 'index' | 'offset' | 'uid'>;
  job: Omit<BatchJob, 'id' | 'tmp' | 'out' | 'to' | 'strict' | 'force' | 'maxInputBytes' | 'verify' | 'returnBytes' | 'sameIsDone'>;
  out: string;
  flags: string[];
  internalDate?: Date;
}

let seq = 0;

/** Run one job; resolves to one record per message, throws a transient SmimeBridgeError to be retried. */
export async function processJob(d: JobData, ctx: JobContext): Promise<BatchRecord[]> {
  const s = d.source;
  if (s.kind === 'problem') return [{ input: s.input, index: s.index, offset: s.offset, status: 'failed', code: s.code, reason: s.reason }];
  const dest = d.out.kind === 'imap' ? parseImapUrl(d.out.url) : undefined;
  const outDir = d.out.kind === 'dir' ? d.out.dir : '';
  const verify = d.verify && ctx.verifyOptions ? await ctx.verifyOptions(d) : undefined;
  const records: BatchRecord[] = [];
  const items = await itemsOf(d, outDir, ctx);
  if (ctx.retried && !dest) await removeStaleTemps(items.map((i) => i.out));
  const destClient = dest ? await imapClient(dest, ctx) : undefined;
  if (dest && destClient) await ensureMailbox(destClient, dest);
  for (const it of items) {
    if (ctx.stopping?.()) throw new JobStopped('stopped');
    const job: BatchJob = {
      ...it.job, id: ++seq, out: it.out, tmp: dest ? '' : tempPathFor(it.out, seq), to: d.to, strict: !!d.strict, force: false, sameIsDone: true,
      maxInputBytes: d.maxMessageBytes, returnBytes: !!dest, verify,
    };
    const outcome: BatchOutcome = await convertJob(job);
    if (!outcome.ok && TRANSIENT.has(outcome.code)) throw new SmimeBridgeError(outcome.code as 'IO_ERROR', outcome.reason);
    if (outcome.ok && 'kind' in outcome && dest && destClient) {
      try {
        await appendOnce(destClient, dest, it.id, outcome.bytes!, it.flags, it.internalDate);
      } catch (e) {
        dropClient(dest, ctx);
        throw e;
      }
    }
    const output = dest ? `${d.out.kind === 'imap' ? d.out.url : ''}` : it.out;
    records.push(outcome.ok && 'kind' in outcome
      ? { ...it.record, id: it.id, output, status: 'converted', smimeKind: outcome.kind, messageClass: outcome.messageClass, outputBytes: outcome.outBytes,
        warnings: outcome.warnings, verdict: outcome.verdict, verdictReasons: outcome.verdictReasons }
      : { ...it.record, id: it.id, output, status: 'failed', code: outcome.ok ? 'INTERNAL_ERROR' : outcome.code, reason: outcome.ok ? 'skipped' : outcome.reason });
  }
  return records;
}

async function itemsOf(d: JobData, outDir: string, ctx: JobContext): Promise<Item[]> {
  const s = d.source;
  if (s.kind === 'files') {
    return s.files.map((f) => ({
      id: fileMessageId(f.path), record: { input: f.path }, job: { path: f.path, formatName: f.path },
      out: outputPathFor(outDir, f.rel, d.to, f.keepExtension), flags: f.maildir ? maildirFlags(f.path) : [], internalDate: undefined,
    }));
  }
  if (s.kind === 'mbox') {
    const total = s.sizes.reduce((a, b) => a + b, 0);
    const bytes = new Uint8Array(total);
    try {
      const fh = await open(s.path, 'r');
      try {
        const { bytesRead } = await fh.read(bytes, 0, total, s.start);
        if (bytesRead !== total) throw new Error(`only ${bytesRead} of ${total} bytes at offset ${s.start}: the mbox changed since it was submitted`);
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw new SmimeBridgeError('IO_ERROR', `cannot read mbox ${s.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let at = 0;
    return s.sizes.map((size, i) => {
      const index = s.firstIndex + i;
      const entry = bytes.subarray(at, at + size);
      const item: Item = { id: mboxMessageId(s.path, index), record: { input: s.path, index, offset: s.start + at }, job: { mboxEntry: entry, formatName: 'entry.eml' },
        out: mboxOutputPathFor(outDir, s.rel, index, d.to), flags: [] };
      at += size;
      return item;
    });
  }
  if (s.kind === 'imap') {
    const u = parseImapUrl(s.url);
    const client = await imapClient(u, ctx);
    let messages;
    try {
      messages = await fetchRange(client, u, s.uidValidity, s.first, s.last);
    } catch (e) {
      dropClient(u, ctx);
      throw e;
    }
    return messages.map((m) => ({
      id: imapMessageId(s.url, s.uidValidity, m.uid), record: { input: s.url, uid: m.uid }, job: { bytes: m.source, formatName: 'message.eml' },
      out: imapOutputPath(outDir, u.mailbox, s.uidValidity, m.uid, d.to), flags: m.flags, internalDate: m.internalDate,
    }));
  }
  return [];
}

/** Maildir flags (maildir(5): `:2,` then D F P R S T) as IMAP flags (RFC 9051 2.3.2). */
export function maildirFlags(path: string): string[] {
  const info = /:2,([A-Za-z]*)$/.exec(basename(path))?.[1] ?? '';
  const map: Record<string, string> = { D: '\\Draft', F: '\\Flagged', R: '\\Answered', S: '\\Seen', T: '\\Deleted' };
  return [...info].map((c) => map[c]).filter((f): f is string => !!f);
}

/** Temporary files (`.NAME.PID-N.tmp`, batch/plan.ts) a killed attempt left beside these outputs. */
async function removeStaleTemps(outs: string[]): Promise<void> {
  const byDir = new Map<string, Set<string>>();
  for (const o of outs) byDir.set(dirname(o), (byDir.get(dirname(o)) ?? new Set()).add(basename(o)));
  for (const [dir, names] of byDir) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const e of entries) {
      const m = /^\.(.+)\.\d+-\d+\.tmp$/.exec(e);
      if (m && names.has(m[1]!)) await unlink(join(dir, e)).catch(() => undefined);
    }
  }
}

function key(u: ImapUrl): string {
  return `${u.user}@${u.host}:${u.port}`;
}

async function imapClient(u: ImapUrl, ctx: JobContext): Promise<ImapFlow> {
  const map = ctx.connections ??= new Map();
  let c = map.get(key(u));
  if (c) {
    const client = await c.catch(() => undefined);
    if (client?.usable) return client;
    map.delete(key(u));
  }
  c = connectImap(u, ctx.imap);
  map.set(key(u), c);
  c.catch(() => map.delete(key(u)));
  return c;
}

function dropClient(u: ImapUrl, ctx: JobContext): void {
  const c = ctx.connections?.get(key(u));
  ctx.connections?.delete(key(u));
  void c?.then((client) => client.close(), () => undefined);
}

/** Log out of every kept connection. */
export async function closeConnections(ctx: JobContext): Promise<void> {
  for (const c of ctx.connections?.values() ?? []) {
    const client = await c.catch(() => undefined);
    if (client) await closeImap(client);
  }
  ctx.connections?.clear();
}
