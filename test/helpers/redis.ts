/**
 * A real redis-server for a test: loopback, a free port, its data in a temporary folder, no
 * snapshot; with `appendOnly` every write is fsynced to the append-only file, so that `restart()`
 * (SIGKILL, then a new process on the same port and folder, servers.ts) loses nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort, manageServer, serverAvailable, type ManagedServer } from './servers.js';

/** Is redis-server installed? (One line when not; CI=true: an error.) */
export function redisAvailable(suite: string): boolean {
  return serverAvailable('redis-server', ['--version'], suite, 'redis-server');
}

export interface RedisServer extends ManagedServer {
  url: string;
  port: number;
}

/** Start redis-server on `port` (default: a free one). */
export async function startRedis(opts: { appendOnly?: boolean; port?: number } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-bridge-redis-'));
  const port = opts.port ?? await freePort();
  const server = await manageServer({
    dir, signal: 'SIGKILL',
    launch: () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--appendonly', opts.appendOnly ? 'yes' : 'no', '--appendfsync', 'always', '--protected-mode', 'no', '--logfile', join(dir, 'redis.log')], { stdio: 'ignore' }),
    ready: () => waitForPing(port),
  });
  return { url: `redis://127.0.0.1:${port}`, port, restart: server.restart, stop: server.stop };
}

/** PING until PONG. */
async function waitForPing(port: number): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port });
      const done = (v: boolean) => { c.destroy(); resolve(v); };
      c.setTimeout(2000, () => done(false));
      c.on('error', () => done(false));
      c.on('connect', () => c.write('PING\r\n'));
      c.on('data', (d) => done(d.toString().includes('PONG')));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server on ${port} did not answer PING`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
