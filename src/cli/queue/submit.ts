/**
 * `smime-bridge queue submit SOURCE... --redis URL --out DEST` (Node only): plan the sources into
 * jobs (job.ts) and add them to the queue. Each job gets its ID from its content, so submitting
 * the same sources again (after a crash of the submitter, say) adds only what is missing; retries
 * with exponential backoff, `--attempts` tries before the failed set.
 */
import { JOB_NAME, metaKey, openQueue, openRedis, queueError, reachRedis, type QueueAddress } from './connection.js';
import { jobIdOf, jobMessageCount, planJobs, type JobData, type PlanOptions } from './job.js';

/** Options of {@link submitJobs}. */
export interface SubmitOptions extends QueueAddress, PlanOptions {
  attempts: number;
  /** First retry delay; doubles each attempt. */
  backoffMs: number;
}

/** What was added. */
export interface SubmitResult { jobs: number; messages: number; alreadyQueued: number }

/** Jobs per addBulk call (one round trip each). */
const CHUNK = 500;

/** The set of job IDs ever submitted to a queue (to count each job's messages once). */
const submittedKey = (o: QueueAddress) => `${metaKey(o)}:jobs`;

/**
 * Plan and enqueue; resolves to the counts. Jobs go in chunks with addBulk, and BullMQ itself
 * drops a job whose ID the queue holds already (in any state), so nothing is looked up per job.
 * A second round trip per chunk (SADD of each ID, answered 1 for a new member) tells which
 * jobs were new, for the counts; it comes after the add, so a submit killed in between counts
 * the jobs when it is run again.
 */
export async function submitJobs(sources: string[], o: SubmitOptions): Promise<SubmitResult> {
  await reachRedis(o);
  const queue = openQueue(o);
  const redis = openRedis(o, { failFast: true });
  const result: SubmitResult = { jobs: 0, messages: 0, alreadyQueued: 0 };
  try {
    await queue.waitUntilReady().catch((e) => { throw queueError(o, e); });
    let batch: JobData[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const ids = batch.map(jobIdOf);
      await queue.addBulk(batch.map((data, i) => ({
        name: JOB_NAME, data,
        opts: { jobId: ids[i], attempts: o.attempts, backoff: { type: 'exponential', delay: o.backoffMs }, removeOnComplete: false, removeOnFail: false },
      })));
      const p = redis.pipeline();
      for (const id of ids) p.sadd(submittedKey(o), id);
      const added = (await p.exec()) ?? [];
      let n = 0;
      let jobs = 0;
      added.forEach(([err, v], i) => {
        if (err) throw err;
        if (v === 1) {
          jobs++;
          n += jobMessageCount(batch[i]!.source);
        }
      });
      if (n) await redis.hincrby(metaKey(o), 'total', n);
      result.jobs += jobs;
      result.alreadyQueued += batch.length - jobs;
      result.messages += n;
      batch = [];
    };
    for await (const d of planJobs(sources, o)) {
      batch.push(d);
      if (batch.length >= CHUNK) await flush();
    }
    await flush();
  } catch (e) {
    throw queueError(o, e);
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
  return result;
}
