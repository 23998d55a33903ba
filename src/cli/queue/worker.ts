/**
 * `smime-bridge worker --redis URL` (Node only): a BullMQ Worker that takes jobs from the queue
 * and runs them (process.ts). Guarantees come from BullMQ and the job model:
 * - a worker that dies (SIGKILL, power) stops renewing its job's lock; after `--stalled` seconds
 *   BullMQ moves the job back to waiting (stalled-job recovery) and another worker runs it; the
 *   outputs the dead one wrote are found again (job.ts), never written twice;
 * - a job that throws (source or destination unreachable) is retried with exponential backoff,
 *   and after its attempts goes to the failed set with its error code (`queue failed`);
 * - Redis restarting: the connection is retried until it is back (ioredis), jobs continue;
 * - SIGTERM/SIGINT: the running message finishes, the rest of its job goes back to the queue
 *   (moveToWait) for another worker, then the worker exits (143/130).
 */
import { DelayedError, Worker, WaitingError, type Job } from 'bullmq';
import { isSmimeBridgeError } from '../../errors.js';
import type { BatchJob } from '../batch/convert.js';
import type { BatchRecord } from '../batch/report.js';
import { JsonLines } from '../files/jsonLines.js';
import type { ImapAccess } from '../imap/access.js';
import type { TrustValues } from '../options.js';
import { UsageError } from '../output.js';
import { connectionOf, metaKey, openQueue, openRedis, queueError, redactedRedisUrl, redisClaims, type QueueAddress } from './connection.js';
import type { JobData } from './job.js';
import { closeConnections, JobStopped, processJob, type JobContext } from './process.js';

/** Options of {@link runWorker}. */
export interface WorkerOptions extends QueueAddress {
  concurrency: number;
  imap: ImapAccess;
  /** Seconds without a lock renewal after which a job counts as stalled and is run again. */
  stalledSeconds: number;
  /** Exit once nothing is waiting, delayed or active. */
  untilEmpty?: boolean;
  /** Also append each record here (JSON Lines; a job run twice may give two lines: the queue's report has one). */
  report?: string;
  quiet?: boolean;
  /** Builds verify options from trust options. */
  verifyOptions: (t: TrustValues) => Promise<BatchJob['verify']>;
}

/** Run a worker until SIGTERM/SIGINT (or, with untilEmpty, until the queue is empty); resolves to the exit code. */
export async function runWorker(o: WorkerOptions): Promise<number> {
  let signal: string | undefined;
  const verifyCache = new Map<string, Promise<BatchJob['verify']>>();
  const ctxBase: JobContext = {
    imap: o.imap, connections: new Map(), stopping: () => signal !== undefined,
    verifyOptions: (d: JobData) => {
      const k = JSON.stringify(d.verify);
      let v = verifyCache.get(k);
      if (!v) verifyCache.set(k, v = o.verifyOptions(d.verify!));
      return v;
    },
  };
  const report = o.report ? await JsonLines.create(o.report, true) : undefined;
  const redis = openRedis(o);
  ctxBase.claims = redisClaims(redis, o);
  const log = (line: string) => { if (!o.quiet) process.stderr.write(`${line}\n`); };
  // A worker is long-running: when Redis is away it waits for it (ioredis reconnects), and says so.
  let redisDown = false;
  redis.on('error', (e: Error & { code?: string }) => {
    if (redisDown) return;
    redisDown = true;
    process.stderr.write(`Redis at ${redactedRedisUrl(o.redis)}: ${e.code ?? e.message}; retrying until it answers (the worker waits)\n`);
  });
  redis.on('ready', () => {
    if (!redisDown) return;
    redisDown = false;
    process.stderr.write(`Redis at ${redactedRedisUrl(o.redis)} answers again\n`);
  });
  let fatal: Error | undefined;

  let started = false;
  const processor = async (job: Job<JobData>, token?: string): Promise<BatchRecord[]> => {
    if (!started) {
      started = true; // once per worker: the first worker to start sets it (HSETNX)
      await redis.hsetnx(metaKey(o), 'startedAt', String(Date.now()));
    }
    try {
      return await processJob(job.data, { ...ctxBase, retried: job.attemptsStarted > 1 || job.stalledCounter > 0 });
    } catch (e) {
      if (e instanceof JobStopped || e instanceof UsageError) {
        // A usage error (an IMAP job, no password and no terminal to ask on) stops this worker; the job waits for another.
        if (e instanceof UsageError && !fatal) {
          fatal = e;
          void worker.close();
        }
        await job.moveToWait(token);
        throw new WaitingError();
      }
      // BullMQ keeps the message as the failed reason: "CODE: reason", parsed by `queue failed`.
      if (isSmimeBridgeError(e)) throw new Error(`${e.code}: ${e.reason}`);
      throw new Error(`INTERNAL_ERROR: ${(e as Error)?.message ?? String(e)}`);
    }
  };
  const stalledMs = o.stalledSeconds * 1000;
  const worker = new Worker<JobData, BatchRecord[]>(o.queue, processor, {
    connection: connectionOf(o), concurrency: o.concurrency, autorun: false,
    lockDuration: stalledMs, stalledInterval: stalledMs, maxStalledCount: 2, drainDelay: 1,
  });
  worker.on('error', () => undefined); // connection errors: ioredis reconnects
  worker.on('completed', (job, records) => {
    const failed = records.filter((r) => r.status === 'failed').length;
    const counters = redis.multi().hincrby(metaKey(o), 'done', records.length);
    if (failed) counters.hincrby(metaKey(o), 'failedMessages', failed);
    void counters.exec().catch(() => undefined);
    for (const r of records) report?.write(r);
    for (const r of records) if (r.status === 'failed') log(`failed: ${r.input}${r.index !== undefined ? `#${r.index}` : ''}${r.uid !== undefined ? ` UID ${r.uid}` : ''}: ${r.code}: ${r.reason}`);
  });
  worker.on('failed', (job, err) => {
    if (!job || err instanceof WaitingError || err instanceof DelayedError) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    log(`job ${job.id}: ${err.message}${final ? ' (attempts used up: in the failed set, see queue failed)' : ` (attempt ${job.attemptsMade}; retried)`}`);
  });

  const stop = (sig: string) => {
    if (signal) return;
    signal = sig;
    log(`${sig}: finishing the running message(s), then stopping; unfinished jobs go back to the queue`);
    void worker.close();
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  let idleTimer: NodeJS.Timeout | undefined;
  let finished = false;
  const idleQueue = o.untilEmpty ? openQueue(o, { forever: true }) : undefined;
  if (idleQueue) {
    let checking = false;
    const schedule = (ms: number) => {
      if (idleTimer) clearTimeout(idleTimer);
      if (!finished) idleTimer = setTimeout(() => void check(), ms);
    };
    const check = async () => {
      if (checking) return;
      checking = true;
      try {
        const c = await idleQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        if (Object.values(c).every((n) => n === 0)) {
          finished = true;
          void worker.close();
          return;
        }
      } catch {
        // Redis away: look again later
      } finally {
        checking = false;
      }
      schedule(500);
    };
    schedule(500);
    worker.on('drained', () => schedule(0)); // the queue just ran dry: look now rather than in up to 500 ms
  }
  try {
    await worker.waitUntilReady().catch((e) => { throw queueError(o, e); });
    await worker.run();
  } finally {
    finished = true;
    if (idleTimer) clearTimeout(idleTimer);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    await idleQueue?.close().catch(() => undefined);
    await closeConnections(ctxBase);
    await report?.close().catch(() => undefined);
    redis.disconnect();
  }
  if (fatal) throw fatal;
  return signal === 'SIGTERM' ? 143 : signal === 'SIGINT' ? 130 : 0;
}

