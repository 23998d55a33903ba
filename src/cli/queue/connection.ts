/**
 * The queue on Redis (Node only): BullMQ's Queue for a name (default `smime-bridge`), the Redis
 * URL as given (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS; printed without
 * its password), and a small hash of counters beside BullMQ's own keys (messages submitted,
 * finished, failed; when work started) for `queue status`.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SmimeBridgeError } from '../../errors.js';
import type { JobData } from './job.js';
import type { AppendClaims } from './process.js';

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

/** Connection options for BullMQ: the URL, and retries forever (a Redis restart is waited out: workers). */
export function connectionOf(a: QueueAddress): { url: string; maxRetriesPerRequest: null; enableOfflineQueue: boolean } {
  checkUrl(a);
  return { url: a.redis, maxRetriesPerRequest: null, enableOfflineQueue: true };
}

function checkUrl(a: QueueAddress): void {
  if (!/^rediss?:\/\//i.test(a.redis)) throw new SmimeBridgeError('INVALID_ARGUMENT', `--redis takes a URL: redis://host:port (got ${redactedRedisUrl(a.redis)})`);
}

/** Seconds a command (not a worker) waits for Redis before it fails. */
const COMMAND_CONNECT_MS = 3000;

/**
 * Connection options for the short commands (submit, status, failed, retry, report): a few
 * reconnection tries, then every pending command fails, so that a Redis that went away mid-way
 * ends the command with QUEUE_ERROR instead of a hang.
 */
function commandConnection(a: QueueAddress): { url: string; maxRetriesPerRequest: number; connectTimeout: number; retryStrategy: (times: number) => number | null } {
  checkUrl(a);
  return { url: a.redis, maxRetriesPerRequest: 2, connectTimeout: COMMAND_CONNECT_MS, retryStrategy: (times) => (times > 3 ? null : 300 * times) };
}

/**
 * The queue. Workers pass `forever` (retry the connection until Redis is back); commands fail fast:
 * use {@link reachRedis} first, so that a Redis that is not there is one clear error at once.
 */
export function openQueue(a: QueueAddress, opts: { forever?: boolean } = {}): Queue<JobData> {
  const q = new Queue<JobData>(a.queue, { connection: opts.forever ? connectionOf(a) : commandConnection(a) });
  q.on('error', () => undefined); // reconnects on its own; commands that fail report it
  return q;
}

/** Fail at once (QUEUE_ERROR naming the URL without its password) when Redis does not answer a PING. */
export async function reachRedis(a: QueueAddress): Promise<void> {
  checkUrl(a);
  const r = new Redis(a.redis, { lazyConnect: true, connectTimeout: COMMAND_CONNECT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let first: unknown; // the socket's own error (ECONNREFUSED, ENOTFOUND...), not "Connection is closed"
  r.on('error', (e) => { first ??= e; });
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    const err = (first ?? e) as Error & { code?: string };
    throw new SmimeBridgeError('QUEUE_ERROR', `Redis at ${redactedRedisUrl(a.redis)} does not answer: ${err.code && !err.message.includes(err.code) ? `${err.code} ` : ''}${err.message}`);
  } finally {
    r.disconnect();
  }
}

/** The counters hash's key. */
export function metaKey(a: QueueAddress): string {
  return `bull:${a.queue}:smime-bridge`;
}

/** A plain Redis client for the counters and claims: retries forever (workers), or fails fast (commands). */
export function openRedis(a: QueueAddress, opts: { failFast?: boolean } = {}): Redis {
  const c = opts.failFast ? commandConnection(a) : { ...connectionOf(a) };
  const { url, ...rest } = c;
  const r = new Redis(url, rest);
  r.on('error', () => undefined);
  return r;
}

/** Redis cannot be reached: one error naming the URL without its password. */
export function queueError(a: QueueAddress, e: unknown): SmimeBridgeError {
  if (e instanceof SmimeBridgeError) return e;
  return new SmimeBridgeError('QUEUE_ERROR', `Redis at ${redactedRedisUrl(a.redis)}: ${(e as Error)?.message ?? String(e)}`);
}

/** How long an APPEND claim lives: longer than an APPEND takes, short enough that a crashed holder's claim passes. */
const CLAIM_MS = 120_000;

/**
 * APPEND claims on Redis (queue/process.ts AppendClaims): `SET key token NX PX` takes a claim
 * atomically, so of two workers holding the same job (one lost its lock to a stall and runs on)
 * one appends and the other waits, then finds the message by its source header. After the APPEND
 * the key says `appended` (for the claim's lifetime; after that the header search alone tells).
 */
export function redisClaims(redis: Redis, a: QueueAddress): AppendClaims {
  const key = (id: string) => `${metaKey(a)}:append:${id}`;
  const held = new Map<string, string>();
  return {
    async acquire(id) {
      const token = `${process.pid}-${randomUUID()}`;
      for (;;) {
        if (await redis.set(key(id), token, 'PX', CLAIM_MS, 'NX') === 'OK') {
          held.set(id, token);
          return true;
        }
        if (await redis.get(key(id)) === 'appended') return false;
        await new Promise((r) => setTimeout(r, 100)); // another worker is appending it now
      }
    },
    async appended(id) {
      held.delete(id);
      await redis.set(key(id), 'appended', 'PX', CLAIM_MS);
    },
    async release(id) {
      const token = held.get(id);
      held.delete(id);
      if (!token) return;
      // only our own claim: compare and delete in one script (the pattern Redis documents for SET NX locks)
      await redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, key(id), token);
    },
  };
}
