/**
 * The job model of the queue-driven mode (Node only): what `queue submit` puts on the queue and a
 * worker takes. A job names a few messages of one source (files, a byte range of an mbox, a UID
 * range of an IMAP mailbox) and where their outputs go; it never carries message bytes or a
 * password, so jobs stay small and any machine that sees the same storage can run them.
 *
 * Identity: every message has an ID, the SHA-256 of its source's identity (absolute path; mbox
 * path and index; IMAP server, mailbox, UIDVALIDITY and UID, RFC 9051 2.3.1.1), and its output's
 * name comes from the same identity (the batch's names under --out, see batch/plan.ts; IMAP:
 * `Mailbox/UIDVALIDITY-UID.ext`), so a job that runs twice writes each output once. A job's ID
 * is the hash of its sources, so submitting the same sources again adds nothing.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { BatchTarget } from '../batch/convert.js';
import { planSources, type SourceFile } from '../batch/plan.js';
import { readMbox } from '../files/mbox.js';
import type { TrustValues } from '../options.js';
import type { ImapAccess } from '../imap/access.js';
import { formatImapUrl, isImapUrl, parseImapUrl } from '../imap/url.js';

/** Where a job's messages come from. */
export type JobSource =
  /** Message files (.eml, .msg, .json, Maildir messages): absolute path and path relative to the folder given. */
  | { kind: 'files'; files: Array<{ path: string; rel: string; keepExtension?: boolean; maildir?: boolean; size: number }> }
  /** Consecutive messages of an mbox: the first's byte offset and 1-based index, each one's size (`From ` line included). */
  | { kind: 'mbox'; path: string; rel: string; start: number; firstIndex: number; sizes: number[] }
  /** Some UIDs (ascending, from UID SEARCH at submit time) of an IMAP mailbox (URL without password) under UIDVALIDITY `uidValidity`. */
  | { kind: 'imap'; url: string; uidValidity: string; uids: number[] }
  /** A source that failed while planning (missing file, message over the size limit): reported, not converted. */
  | { kind: 'problem'; input: string; index?: number; offset?: number; code: string; reason: string };

/** Where outputs go: a folder (shared storage) or an IMAP mailbox (URL without password). */
export type JobDestination = { kind: 'dir'; dir: string } | { kind: 'imap'; url: string };

/** One job's data. */
export interface JobData {
  source: JobSource;
  out: JobDestination;
  to: Exclude<BatchTarget, 'mbox'>;
  strict?: boolean;
  maxMessageBytes: number;
  /** Verify each message too: the trust options (file paths every worker can read). */
  verify?: TrustValues;
}

/** Messages a job stands for. */
export function jobMessageCount(s: JobSource): number {
  return s.kind === 'files' ? s.files.length : s.kind === 'mbox' ? s.sizes.length : s.kind === 'imap' ? s.uids.length : 1;
}

/** A short hex SHA-256 of a text (message and job IDs). */
export function idOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** The job ID: the hash of what it converts and where to. */
export function jobIdOf(d: JobData): string {
  return idOf(JSON.stringify([d.source, d.out, d.to]));
}

/** The message ID of a file. */
export const fileMessageId = (path: string) => idOf(`file:${resolve(path)}`);
/** The message ID of an mbox message. */
export const mboxMessageId = (path: string, index: number) => idOf(`mbox:${resolve(path)}#${index}`);
/** The message ID of an IMAP message. */
export const imapMessageId = (url: string, uidValidity: string, uid: number) => idOf(`${url};UIDVALIDITY=${uidValidity}/;UID=${uid}`);

/** Output file of an IMAP message under a folder: `Mailbox/UIDVALIDITY-UID.ext` (mailbox levels as folders, nothing else). */
export function imapOutputPath(dir: string, mailbox: string, uidValidity: string, uid: number, to: string): string {
  const levels = mailbox.split(/[/.]/).map((l) => l.replace(/[^\p{L}\p{N} _-]/gu, '_')).filter((l) => l && l !== '.' && l !== '..');
  return join(dir, ...levels, `${uidValidity}-${uid}.${to}`);
}

/** Options of {@link planJobs}. */
export interface PlanOptions {
  out: JobDestination;
  to: JobData['to'];
  strict?: boolean;
  maxMessageBytes: number;
  verify?: TrustValues;
  /** Messages per job at most (files, mbox messages, UIDs). */
  perJob: number;
  /** Bytes per job at most (files and mbox messages; a larger message is a job of its own). */
  jobBytes?: number;
  /** How to log in to IMAP sources. */
  imap: ImapAccess;
}

/**
 * The jobs for some sources, lazily: files in groups of `perJob` (and at most `jobBytes`), an
 * mbox in runs of `perJob` consecutive messages (as many bytes at most), an IMAP mailbox in UID
 * runs of `perJob` (listed once, here, by UID SEARCH).
 */
export async function* planJobs(sources: string[], o: PlanOptions): AsyncGenerator<JobData> {
  const base = { out: o.out, to: o.to, strict: o.strict, maxMessageBytes: o.maxMessageBytes, verify: o.verify };
  const problem = (input: string, code: string, reason: string, extra: { index?: number; offset?: number } = {}): JobData =>
    ({ ...base, source: { kind: 'problem', input, code, reason, ...extra } });
  const fileInputs = sources.filter((s) => !isImapUrl(s));
  const plan = await planSources(fileInputs, o.out.kind === 'dir' ? o.out.dir : '\0');
  for (const p of plan.problems) yield problem(p.path, p.code, p.reason);
  const budget = o.jobBytes ?? Infinity;
  let group: SourceFile[] = [];
  let groupBytes = 0;
  const flush = function* (): Generator<JobData> {
    if (group.length === 0) return;
    yield { ...base, source: { kind: 'files', files: group.map((f) => ({ path: resolve(f.path), rel: f.rel, keepExtension: f.keepExtension, maildir: f.maildir, size: f.size })) } };
    group = [];
    groupBytes = 0;
  };
  for (const f of plan.files) {
    if (f.mbox) continue;
    if (f.size > o.maxMessageBytes) {
      yield problem(f.path, 'LIMIT_EXCEEDED', `${f.size} bytes, more than the limit of ${o.maxMessageBytes} (--max-size)`);
      continue;
    }
    if (group.length > 0 && groupBytes + f.size > budget) yield* flush();
    group.push(f);
    groupBytes += f.size;
    if (group.length >= o.perJob) yield* flush();
  }
  yield* flush();
  for (const f of plan.files) if (f.mbox) yield* mboxJobs(f, o, base, problem);
  for (const s of sources.filter(isImapUrl)) yield* imapJobs(s, o, base);
}

async function* mboxJobs(f: SourceFile, o: PlanOptions, base: Omit<JobData, 'source'>, problem: (i: string, c: string, r: string, e?: { index?: number; offset?: number }) => JobData): AsyncGenerator<JobData> {
  const path = resolve(f.path);
  const budget = o.jobBytes ?? Infinity;
  let run: { start: number; firstIndex: number; sizes: number[] } | undefined;
  let runBytes = 0;
  const flush = function* (): Generator<JobData> {
    if (run) yield { ...base, source: { kind: 'mbox', path, rel: f.rel, ...run } };
    run = undefined;
    runBytes = 0;
  };
  try {
    for await (const m of readMbox(f.path, { maxMessageBytes: o.maxMessageBytes })) {
      if (m.preamble || !m.bytes) {
        yield* flush();
        yield m.preamble
          ? problem(f.path, 'MBOX_MALFORMED', `${m.size} bytes before the first "From " line (RFC 4155 section 2) are not a message; skipped`, { index: 0, offset: 0 })
          : problem(f.path, 'LIMIT_EXCEEDED', `message of ${m.size} bytes at byte ${m.offset}, more than the limit of ${o.maxMessageBytes} (--max-size)`, { index: m.index, offset: m.offset });
        continue;
      }
      if (run && (runBytes + m.size > budget || m.offset !== run.start + runBytes)) yield* flush();
      run ??= { start: m.offset, firstIndex: m.index, sizes: [] };
      run.sizes.push(m.size);
      runBytes += m.size;
      if (run.sizes.length >= o.perJob) yield* flush();
    }
  } catch (e) {
    yield* flush();
    yield problem(f.path, 'IO_ERROR', `cannot read mbox ${f.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  yield* flush();
}

async function* imapJobs(s: string, o: PlanOptions, base: Omit<JobData, 'source'>): AsyncGenerator<JobData> {
  const u = parseImapUrl(s);
  const url = formatImapUrl(u);
  const [{ connectImap, closeImap }, { listMailbox }] = await Promise.all([import('../imap/client.js'), import('../imap/store.js')]);
  const client = await connectImap(u, o.imap);
  let listing;
  try {
    listing = await listMailbox(client, u);
  } finally {
    await closeImap(client);
  }
  // Each job names its UIDs, so that a job that fails as a whole still has a report line per message.
  for (let i = 0; i < listing.uids.length; i += o.perJob) {
    yield { ...base, source: { kind: 'imap', url, uidValidity: listing.uidValidity, uids: listing.uids.slice(i, i + o.perJob) } };
  }
}
