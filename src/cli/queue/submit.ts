/**
 * `smime-bridge queue submit SOURCE... --redis URL --out DEST` (Node only): plan the sources into
 * jobs (job.ts) and add them to the queue. Each job gets its ID from its content, so submitting
 * the same sources again (after a crash of the submitter, say) adds only what is missing; retries
 * with exponential backoff, `--attempts` tries before the failed set.
 */
import type { Queue } from 'bullmq';
import { JOB_NAME, metaKey, openQueue, openRedis, queueError, type QueueAddress } from './connection.js';
import { jobIdOf, jobMessageCount, planJobs, type JobData, type PlanOptions } from './job.js';

/** Options of {@link submitJobs}. */
export interface SubmitOptions extends QueueAddress, PlanOptions {
  attempts: number;
  /** First retry delay; doubles each attempt. */
  backoffMs: number;
}

/** What was added. */
export interface SubmitResult { jobs: number; messages: number; alreadyQueued: number }

/** Plan and enqueue; resolves to the counts. */
export async function submitJobs(sources: string[], o: SubmitOptions): Promise<SubmitResult> {
  const queue = openQueue(o);
  const redis = openRedis(o);
  const result: SubmitResult = { jobs: 0, messages: 0, alreadyQueued: 0 };
  try {
    await queue.waitUntilReady().catch((e) => { throw queueError(o, e); });
    let batch: JobData[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const fresh = await newJobs(queue, batch);
      result.alreadyQueued += batch.length - fresh.length;
      await queue.addBulk(fresh.map((data) => ({
        name: JOB_NAME, data,
        opts: { jobId: jobIdOf(data), attempts: o.attempts, backoff: { type: 'exponential', delay: o.backoffMs }, removeOnComplete: false, removeOnFail: false },
      })));
      const n = fresh.reduce((s, d) => s + jobMessageCount(d.source), 0);
      if (n) await redis.hincrby(metaKey(o), 'total', n);
      result.jobs += fresh.length;
      result.messages += n;
      batch = [];
    };
    for await (const d of planJobs(sources, o)) {
      batch.push(d);
      if (batch.length >= 200) await flush();
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

/** The jobs of `batch` the queue does not hold yet (in any state). */
async function newJobs(queue: Queue<JobData>, batch: JobData[]): Promise<JobData[]> {
  const existing = await Promise.all(batch.map((d) => queue.getJob(jobIdOf(d))));
  return batch.filter((_, i) => !existing[i]);
}
