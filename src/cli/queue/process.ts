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
import type { ImapAccess } from '../imap/access.js';
import { parseImapUrl, type ImapUrl } from '../imap/url.js';
import { fileMessageId, imapMessageId, imapOutputPath, mboxMessageId, type JobData } from './job.js';

/** Failure codes that mean "try the job again later". */
const TRANSIENT = new Set(['IO_ERROR', 'IMAP_ERROR']);

/**
 * Messages of one job converted at once when outputs go to files: one thread, but one message's
 * file I/O overlaps another's conversion (as the in-process batch's lanes, batch/run.ts). An IMAP
 * destination takes one at a time, so that messages are appended in source order.
 */
const FILE_LANES = 4;

/** The IMAP modules (imapflow and ours), loaded on first use: file-only workers never load them. */
const imapModules = () => Promise.all([import('../imap/client.js'), import('../imap/store.js')]).then(([client, store]) => ({ ...client, ...store }));

/**
 * An atomic claim across workers (Redis `SET NX PX`, worker.ts) on one output identity, taken just
 * before an APPEND: two workers that hold the same job (a lost lock) never append the same message.
 */
export interface AppendClaims {
  /** Wait until this worker holds the claim on `id`; resolves to false when the message is known appended. */
  acquire(id: string): Promise<boolean>;
  /** The APPEND went through: the claim stays as a marker (until it expires). */
  appended(id: string): Promise<void>;
  /** The APPEND failed: give the claim back so a retry can take it. */
  release(id: string): Promise<void>;
}

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
  /** Claims around APPEND (queue workers; `convert` runs alone and needs none). */
  claims?: AppendClaims;
}

/** The job was stopped between two messages (SIGTERM). */
export class JobStopped extends Error {}

/** One message to convert: its bytes or file, its output, and for IMAP its flags and date; or a record already (a UID that is gone). */
interface Item {
  id: string;
  record: Pick<BatchRecord, 'input' | 'index' | 'offset' | 'uid'>;
  job: Omit<BatchJob, 'id' | 'tmp' | 'out' | 'to' | 'strict' | 'force' | 'maxInputBytes' | 'verify' | 'returnBytes' | 'sameIsDone'>;
  out: string;
  flags: string[];
  internalDate?: Date;
  failed?: { code: string; reason: string };
}

let seq = 0;

/** Run one job; resolves to one record per message, throws a transient SmimeBridgeError to be retried. */
export async function processJob(d: JobData, ctx: JobContext): Promise<BatchRecord[]> {
  const s = d.source;
  if (s.kind === 'problem') return [{ input: s.input, index: s.index, offset: s.offset, status: 'failed', code: s.code, reason: s.reason }];
  const dest = d.out.kind === 'imap' ? parseImapUrl(d.out.url) : undefined;
  const outDir = d.out.kind === 'dir' ? d.out.dir : '';
  const verify = d.verify && ctx.verifyOptions ? await ctx.verifyOptions(d) : undefined;
  const items = await itemsOf(d, outDir, ctx);
  if (ctx.retried && !dest) await removeStaleTemps(items.map((i) => i.out));
  const imap = dest ? await imapModules() : undefined;
  const destClient = dest ? await imapClient(dest, ctx) : undefined;
  if (dest && destClient) await imap!.ensureMailbox(destClient, dest);
  const output = dest ? (d.out.kind === 'imap' ? d.out.url : '') : undefined;

  const one = async (it: Item): Promise<BatchRecord> => {
    if (it.failed) return { ...it.record, id: it.id, status: 'failed', ...it.failed };
    const id = ++seq;
    const job: BatchJob = {
      ...it.job, id, out: it.out, tmp: dest ? '' : tempPathFor(it.out, id), to: d.to, strict: !!d.strict, force: false, sameIsDone: true,
      maxInputBytes: d.maxMessageBytes, returnBytes: !!dest, verify,
    };
    const outcome: BatchOutcome = await convertJob(job);
    if (!outcome.ok && TRANSIENT.has(outcome.code)) throw new SmimeBridgeError(outcome.code as 'IO_ERROR', outcome.reason);
    if (outcome.ok && 'kind' in outcome && dest && destClient) {
      try {
        await imap!.appendOnce(destClient, dest, it.id, outcome.bytes!, it.flags, it.internalDate, ctx.claims);
      } catch (e) {
        dropClient(dest, ctx);
        throw e;
      }
    }
    return outcome.ok && 'kind' in outcome
      ? { ...it.record, id: it.id, output: output ?? it.out, status: 'converted', smimeKind: outcome.kind, messageClass: outcome.messageClass, outputBytes: outcome.outBytes,
        warnings: outcome.warnings, verdict: outcome.verdict, verdictReasons: outcome.verdictReasons }
      : { ...it.record, id: it.id, output: output ?? it.out, status: 'failed', code: outcome.ok ? 'INTERNAL_ERROR' : outcome.code, reason: outcome.ok ? 'skipped' : outcome.reason };
  };

  // Lanes take the next message until none is left, the worker stops, or one failed transiently
  // (the others finish the message they hold, then the job is retried as a whole).
  const records: BatchRecord[] = new Array(items.length);
  let next = 0;
  let failure: unknown;
  let stopped = false;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      if (ctx.stopping?.()) {
        stopped = true;
        return;
      }
      const i = next++;
      try {
        records[i] = await one(items[i]!);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: dest ? 1 : Math.min(FILE_LANES, items.length) }, lane));
  if (failure !== undefined) throw failure;
  if (stopped) throw new JobStopped('stopped');
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
      messages = await (await imapModules()).fetchUids(client, u, s.uidValidity, s.uids);
    } catch (e) {
      dropClient(u, ctx);
      throw e;
    }
    const byUid = new Map(messages.map((m) => [m.uid, m]));
    return s.uids.map((uid) => {
      const m = byUid.get(uid);
      const base = { id: imapMessageId(s.url, s.uidValidity, uid), record: { input: s.url, uid }, out: imapOutputPath(outDir, u.mailbox, s.uidValidity, uid, d.to) };
      return m
        ? { ...base, job: { bytes: m.source, formatName: 'message.eml' }, flags: m.flags, internalDate: m.internalDate }
        : { ...base, job: { formatName: 'message.eml' }, flags: [], failed: { code: 'IMAP_ERROR', reason: `UID ${uid} is no longer in ${u.mailbox} (expunged after the job was submitted)` } };
    });
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
  c = imapModules().then((m) => m.connectImap(u, ctx.imap));
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
    if (client) await (await imapModules()).closeImap(client);
  }
  ctx.connections?.clear();
}
