/**
 * The queue-driven mode (issue 15): `queue submit`, `queue status`, `queue failed`, `queue
 * retry`, `queue report` and `worker` (src/cli/queue/), and `convert` with an IMAP source or
 * `--out imap://...` on one machine (the same job runner without a queue).
 */
import { isAbsolute, resolve } from 'node:path';
import type { Printer } from '../output.js';
import { UsageError } from '../output.js';
import { BatchSummary } from '../batch/report.js';
import { JsonLines } from '../files/jsonLines.js';
import { imapAccessFrom, type ImapOptionValues } from '../imap/access.js';
import { formatImapUrl, isImapUrl, parseImapUrl, redactedUrl } from '../imap/url.js';
import type { TrustValues } from '../options.js';
import { planJobs, type JobData, type JobDestination } from '../queue/job.js';
import { closeConnections, processJob, type JobContext } from '../queue/process.js';
import { createProgress } from '../progress.js';
import { openOptionsFrom } from './verify.js';

const usage = (m: string) => new UsageError(m);

interface QueueValues { redis: string; queue: string; json?: boolean; quiet?: boolean }
interface SubmitValues extends QueueValues, ImapOptionValues, TrustValues {
  out: string; to?: string; verify?: boolean; strict?: boolean; perJob: number; jobBytes: number; attempts: number; backoff: number; maxSize: number;
}

/** Where outputs go, and the format (an IMAP mailbox takes Internet mail only). */
function destinationOf(out: string, to: string | undefined): { dest: JobDestination; to: JobData['to'] } {
  if (isImapUrl(out)) {
    if (to !== undefined && to !== 'eml') throw usage(`an IMAP mailbox (--out ${redactedUrl(out)}) takes Internet mail: --to eml`);
    return { dest: { kind: 'imap', url: formatImapUrl(parseImapUrl(out)) }, to: 'eml' };
  }
  if (to === undefined) throw usage('--out DIR needs --to msg|eml|json');
  if (to === 'mbox') throw usage('--to mbox writes one file in order: not with a queue or IMAP; use convert --out FILE.mbox');
  return { dest: { kind: 'dir', dir: resolve(out) }, to: to as JobData['to'] };
}

/** Trust option paths made absolute, so that workers started elsewhere find the same files. */
function trustOf(o: TrustValues): TrustValues {
  const abs = (l?: string[]) => l?.map((p) => (isAbsolute(p) ? p : resolve(p)));
  return { ca: abs(o.ca), trustLeaf: abs(o.trustLeaf), crl: abs(o.crl), revocation: o.revocation, signatureOnly: o.signatureOnly, allowAddressMismatch: o.allowAddressMismatch, allowWeak: o.allowWeak, at: o.at };
}

function needsImap(sources: string[], out: string): string | undefined {
  return [...sources, out].find(isImapUrl);
}

export async function runSubmit(p: Printer, sources: string[], o: SubmitValues): Promise<number> {
  const { submitJobs } = await import('../queue/submit.js');
  const { dest, to } = destinationOf(o.out, o.to);
  const imapUrl = needsImap(sources, o.out);
  // Only planning an IMAP source logs in here; an IMAP destination is the workers' business.
  const source = sources.find(isImapUrl);
  const imap = imapUrl ? await imapAccessFrom(o, redactedUrl(source ?? imapUrl), usage, source && !parseImapUrl(source).password ? 'now' : 'no') : {};
  const r = await submitJobs(sources, {
    redis: o.redis, queue: o.queue, out: dest, to, strict: o.strict, maxMessageBytes: o.maxSize, verify: o.verify ? trustOf(o) : undefined,
    perJob: o.perJob, jobBytes: o.jobBytes, imap, attempts: o.attempts, backoffMs: o.backoff,
  });
  p.lines(`submitted ${r.messages} message(s) in ${r.jobs} job(s) to queue ${o.queue}${r.alreadyQueued ? `; ${r.alreadyQueued} job(s) were queued already` : ''}`);
  p.result(r);
  return 0;
}

interface WorkerValues extends QueueValues, ImapOptionValues { concurrency: number; stalled: number; untilEmpty?: boolean; report?: string }

export async function runWorkerCommand(p: Printer, o: WorkerValues): Promise<number> {
  const { runWorker } = await import('../queue/worker.js');
  // The password is asked for (or its absence reported) when the first IMAP job needs it.
  const imap = await imapAccessFrom(o, 'the IMAP servers of the jobs', usage, 'later');
  return runWorker({
    redis: o.redis, queue: o.queue, concurrency: o.concurrency, imap, stalledSeconds: o.stalled, untilEmpty: o.untilEmpty, report: o.report, quiet: o.quiet || o.json,
    verifyOptions: (t) => openOptionsFrom(t),
  });
}

interface StatusValues extends QueueValues { watch?: boolean }

export async function runStatus(p: Printer, o: StatusValues): Promise<number> {
  const { queueStatus, statusLine, watchStatus } = await import('../queue/status.js');
  const s = o.watch ? await watchStatus(o, {}) : await queueStatus(o);
  p.lines(statusLine(s));
  p.result(s);
  return 0;
}

export async function runFailed(p: Printer, o: QueueValues): Promise<number> {
  const { failedJobs } = await import('../queue/status.js');
  const jobs = await failedJobs(o);
  for (const j of jobs) p.lines(`${j.code}: ${j.sources} (${j.messages} message(s), ${j.attempts} attempt(s)): ${j.reason}`);
  if (!jobs.length) p.lines('no failed jobs');
  if (p.json) for (const j of jobs) p.result(j, false);
  return 0;
}

export async function runRetry(p: Printer, o: QueueValues): Promise<number> {
  const { retryFailed } = await import('../queue/status.js');
  const n = await retryFailed(o);
  p.lines(`${n} failed job(s) back in the queue`);
  p.result({ retried: n });
  return 0;
}

export async function runReport(p: Printer, file: string, o: QueueValues & { force?: boolean }): Promise<number> {
  const { writeQueueReport } = await import('../queue/status.js');
  const s = await writeQueueReport(o, file, !!o.force);
  p.lines(`${file}: ${s.line()}`);
  p.result({ report: file, summary: s.toJSON() });
  return 0;
}

/** Values `convert` passes when IMAP is involved. */
export interface LocalImapValues extends ImapOptionValues, TrustValues {
  out: string; to?: string; verify?: boolean; strict?: boolean; maxSize: number; report?: string; force?: boolean; json?: boolean; quiet?: boolean;
}

/** `convert` with an IMAP source or `--out imap://...`: the queue's jobs run here, one after the other. */
export async function runLocalImap(p: Printer, sources: string[], o: LocalImapValues): Promise<number> {
  const started = Date.now();
  const { dest, to } = destinationOf(o.out, o.to);
  const urls = [...sources, o.out].filter(isImapUrl);
  const imap = await imapAccessFrom(o, redactedUrl(urls[0] ?? ''), usage, urls.some((x) => !parseImapUrl(x).password) ? 'now' : 'no');
  const verify = o.verify ? await openOptionsFrom(o) : undefined;
  const ctx: JobContext = { imap, connections: new Map(), verifyOptions: async () => verify };
  const summary = new BatchSummary();
  const report = o.report ? await JsonLines.create(o.report, o.force) : undefined;
  const progress = createProgress({ stream: process.stderr, totalBytes: 0, quiet: o.quiet || o.json });
  try {
    for await (const d of planJobs(sources, { out: dest, to, strict: o.strict, maxMessageBytes: o.maxSize, verify: o.verify ? {} : undefined, perJob: 50, imap })) {
      for (const r of await processJob(d, ctx)) {
        summary.add(r, 0);
        report?.write(r);
        if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        if (r.status === 'failed') progress.log(`failed: ${r.input}${r.uid !== undefined ? ` UID ${r.uid}` : r.index !== undefined ? `#${r.index}` : ''}: ${r.code}: ${r.reason}`);
        progress.update({ done: summary.done, failed: summary.failed, bytes: 0 });
      }
    }
  } finally {
    progress.stop({ done: summary.done, failed: summary.failed, bytes: 0 });
    await closeConnections(ctx);
  }
  const seconds = (Date.now() - started) / 1000;
  await report?.close({ summary: { ...summary.toJSON(), interrupted: null, seconds } });
  if (o.json) process.stdout.write(`${JSON.stringify({ summary: { ...summary.toJSON(), interrupted: null, seconds } })}\n`);
  else if (!o.quiet || summary.failed > 0) process.stdout.write(`${summary.line()} in ${seconds.toFixed(1)} s\n`);
  return summary.failed > 0 ? 1 : 0;
}
