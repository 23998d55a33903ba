/**
 * Watching and resuming a queue run (Node only): `queue status` (jobs by state, messages done,
 * rate and time left; `--watch` redraws until nothing is left, as a bar on a terminal), `queue
 * failed` (the failed set: each job's sources, attempts and error code), `queue retry` (the
 * failed set back to waiting, attempts reset) and `queue report FILE` (the JSON Lines report of
 * the run: one record per source message, from the completed jobs' results and, for the failed
 * set, one failed record per message of the job).
 */
import type { Job, Queue } from 'bullmq';
import { BatchSummary, type BatchRecord } from '../batch/report.js';
import { JsonLines } from '../files/jsonLines.js';
import { createProgress } from '../progress.js';
import { metaKey, openQueue, openRedis, queueError, reachRedis, type QueueAddress } from './connection.js';
import { fileMessageId, imapMessageId, jobMessageCount, mboxMessageId, type JobData, type JobSource } from './job.js';

/** A snapshot of the run. */
export interface QueueStatus {
  queue: string;
  jobs: { waiting: number; active: number; delayed: number; completed: number; failed: number };
  messages: { submitted: number; done: number; failed: number; inFailedJobs: number };
  /** Messages per second since the first job started; undefined before. */
  rate?: number;
  /** Seconds left at that rate. */
  etaSeconds?: number;
}

async function withQueue<T>(a: QueueAddress, f: (q: Queue<JobData>) => Promise<T>): Promise<T> {
  await reachRedis(a);
  const q = openQueue(a);
  try {
    await q.waitUntilReady();
    return await f(q);
  } catch (e) {
    throw queueError(a, e);
  } finally {
    await q.close().catch(() => undefined);
  }
}

/** The current counts. */
export async function queueStatus(a: QueueAddress): Promise<QueueStatus> {
  return withQueue(a, async (q) => {
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
    const redis = openRedis(a, { failFast: true });
    let meta: Record<string, string>;
    try {
      meta = await redis.hgetall(metaKey(a));
    } finally {
      redis.disconnect();
    }
    let inFailedJobs = 0;
    for (let start = 0; start < (c.failed ?? 0); start += 500) {
      for (const j of await q.getFailed(start, start + 499)) inFailedJobs += j ? jobMessageCount((j as Job<JobData>).data.source) : 0;
    }
    const submitted = Number(meta.total ?? 0);
    const done = Number(meta.done ?? 0);
    const startedAt = Number(meta.startedAt ?? 0);
    const seconds = startedAt ? (Date.now() - startedAt) / 1000 : 0;
    const rate = startedAt && seconds > 0 ? done / seconds : undefined;
    const left = Math.max(0, submitted - done - inFailedJobs);
    return {
      queue: a.queue,
      jobs: { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 },
      messages: { submitted, done, failed: Number(meta.failedMessages ?? 0), inFailedJobs },
      rate, etaSeconds: rate && rate > 0 ? left / rate : left === 0 ? 0 : undefined,
    };
  });
}

/** One line of `queue status`. */
export function statusLine(s: QueueStatus): string {
  const j = s.jobs;
  const rate = s.rate !== undefined ? `, ${s.rate.toFixed(1)} msg/s` : '';
  const eta = s.etaSeconds !== undefined && s.etaSeconds > 0 ? `, about ${Math.ceil(s.etaSeconds)} s left` : '';
  return `queue ${s.queue}: messages ${s.messages.done}/${s.messages.submitted} done (${s.messages.failed} failed), ${s.messages.inFailedJobs} in failed jobs; jobs waiting ${j.waiting}, active ${j.active}, delayed ${j.delayed}, completed ${j.completed}, failed ${j.failed}${rate}${eta}`;
}

/** `--watch`: redraw until nothing waits, runs or is delayed. */
export async function watchStatus(a: QueueAddress, o: { tty?: boolean; intervalMs?: number }): Promise<QueueStatus> {
  let s = await queueStatus(a);
  const progress = createProgress({ stream: process.stderr, totalBytes: s.messages.submitted, tty: o.tty });
  const counts = (x: QueueStatus) => ({ done: x.messages.done + x.messages.inFailedJobs, failed: x.messages.failed + x.messages.inFailedJobs, bytes: x.messages.done + x.messages.inFailedJobs });
  while (s.jobs.waiting + s.jobs.active + s.jobs.delayed > 0) {
    progress.update(counts(s));
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
    s = await queueStatus(a);
  }
  progress.stop(counts(s));
  return s;
}

/** A failed job as `queue failed` lists it. */
export interface FailedJob { job: string; sources: string; messages: number; attempts: number; code: string; reason: string }

function sourceLabel(s: JobSource): string {
  switch (s.kind) {
    case 'files': return s.files.length === 1 ? s.files[0]!.path : `${s.files[0]!.path} and ${s.files.length - 1} more`;
    case 'mbox': return `${s.path}#${s.firstIndex}-${s.firstIndex + s.sizes.length - 1}`;
    case 'imap': return `${s.url} UID ${s.uids.length === 1 ? s.uids[0] : `${s.uids[0]}:${s.uids[s.uids.length - 1]} (${s.uids.length})`}`;
    case 'problem': return s.input;
  }
}

/** "CODE: reason" as the worker wrote it (worker.ts). */
function splitReason(r: string | undefined): { code: string; reason: string } {
  const m = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(r ?? '');
  if (m) return { code: m[1]!, reason: m[2]! };
  // BullMQ's own reasons: a job that stalled more often than allowed
  if (/stalled/i.test(r ?? '')) return { code: 'JOB_STALLED', reason: r! };
  return { code: 'INTERNAL_ERROR', reason: r ?? 'unknown' };
}

/** Every job of the failed set. */
export async function failedJobs(a: QueueAddress): Promise<FailedJob[]> {
  return withQueue(a, async (q) => {
    const out: FailedJob[] = [];
    const n = await q.getFailedCount();
    for (let start = 0; start < n; start += 500) {
      for (const j of await q.getFailed(start, start + 499)) {
        if (!j) continue;
        const data = (j as Job<JobData>).data;
        out.push({ job: String(j.id), sources: sourceLabel(data.source), messages: jobMessageCount(data.source), attempts: j.attemptsMade, ...splitReason(j.failedReason) });
      }
    }
    return out;
  });
}

/** Move the failed set back to waiting; resolves to the jobs moved. */
export async function retryFailed(a: QueueAddress): Promise<number> {
  return withQueue(a, async (q) => {
    let moved = 0;
    for (;;) {
      const jobs = await q.getFailed(0, 499);
      if (jobs.length === 0) return moved;
      for (const j of jobs) {
        if (!j) continue;
        await (j as Job<JobData>).retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        moved++;
      }
    }
  });
}

/**
 * The records of a failed job: one per message it stands for (files by path; mbox messages by
 * index and offset; IMAP messages by UID, as the job lists them), each with the job's error.
 */
export function failedRecords(d: JobData, reason: string | undefined): BatchRecord[] {
  const { code, reason: why } = splitReason(reason);
  const s = d.source;
  switch (s.kind) {
    case 'files': return s.files.map((f) => ({ input: f.path, id: fileMessageId(f.path), status: 'failed', code, reason: why }));
    case 'mbox': {
      let offset = s.start;
      return s.sizes.map((size, i) => {
        const r: BatchRecord = { input: s.path, index: s.firstIndex + i, offset, id: mboxMessageId(s.path, s.firstIndex + i), status: 'failed', code, reason: why };
        offset += size;
        return r;
      });
    }
    case 'imap': return s.uids.map((uid) => ({ input: s.url, uid, id: imapMessageId(s.url, s.uidValidity, uid), status: 'failed', code, reason: why }));
    case 'problem': return [{ input: s.input, index: s.index, offset: s.offset, status: 'failed', code: s.code, reason: s.reason }];
  }
}

/** Write the run's report: one line per source message, then the summary; resolves to the summary. */
export async function writeQueueReport(a: QueueAddress, path: string, force: boolean): Promise<BatchSummary> {
  return withQueue(a, async (q) => {
    const out = await JsonLines.create(path, force);
    const summary = new BatchSummary();
    const add = (r: BatchRecord) => { summary.add(r, 0); out.write(r); };
    const c = await q.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed', 'prioritized');
    for (let start = 0; start < (c.completed ?? 0); start += 500) {
      for (const j of await q.getCompleted(start, start + 499)) for (const r of (j?.returnvalue as BatchRecord[] | undefined) ?? []) add(r);
    }
    for (let start = 0; start < (c.failed ?? 0); start += 500) {
      for (const j of await q.getFailed(start, start + 499)) if (j) for (const r of failedRecords((j as Job<JobData>).data, j.failedReason)) add(r);
    }
    const unfinished = (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
    await out.close({ summary: { ...summary.toJSON(), unfinishedJobs: unfinished } });
    return summary;
  });
}
