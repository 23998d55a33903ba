/**
 * The queue on Redis (Node only): BullMQ's Queue for a name (default `smime-bridge`), the Redis
 * URL as given (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS; printed without
 * its password), and a small hash of counters beside BullMQ's own keys (messages submitted,
 * finished, failed; when work started) for `queue status`.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SmimeBridgeError } from '../../errors.js';
import type { JobData } from './job.js';

/** Default queue name. */
export const DEFAULT_QUEUE = 'smime-bridge';

/** BullMQ's job name for a conversion job. */
export const JOB_NAME = 'convert';

/** Where the queue lives. */
export interface QueueAddress { redis: string; queue: string }

/** The Redis URL without a password. */
export function redactedRedisUrl(s: string): string {
  return s.replace(/^(rediss?:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}

/** Connection options for BullMQ: the URL, and retries forever (a Redis restart is waited out). */
export function connectionOf(a: QueueAddress): { url: string; maxRetriesPerRequest: null; enableOfflineQueue: boolean } {
  if (!/^rediss?:\/\//i.test(a.redis)) throw new SmimeBridgeError('INVALID_ARGUMENT', `--redis takes a URL: redis://host:port (got ${redactedRedisUrl(a.redis)})`);
  return { url: a.redis, maxRetriesPerRequest: null, enableOfflineQueue: true };
}

/** The queue. */
export function openQueue(a: QueueAddress): Queue<JobData> {
  const q = new Queue<JobData>(a.queue, { connection: connectionOf(a) });
  q.on('error', () => undefined); // reconnects on its own; commands that fail report it
  return q;
}

/** The counters hash's key. */
export function metaKey(a: QueueAddress): string {
  return `bull:${a.queue}:smime-bridge`;
}

/** A plain Redis client for the counters; fails fast (status should not hang when Redis is down). */
export function openRedis(a: QueueAddress, opts: { failFast?: boolean } = {}): Redis {
  const r = new Redis(a.redis, opts.failFast ? { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: false } : { maxRetriesPerRequest: null });
  r.on('error', () => undefined);
  return r;
}

/** Redis cannot be reached: one error naming the URL without its password. */
export function queueError(a: QueueAddress, e: unknown): SmimeBridgeError {
  if (e instanceof SmimeBridgeError) return e;
  return new SmimeBridgeError('QUEUE_ERROR', `Redis at ${redactedRedisUrl(a.redis)}: ${(e as Error)?.message ?? String(e)}`);
}
