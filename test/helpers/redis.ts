/**
 * A real redis-server for a test: loopback, a free port, its data in a temporary folder, no
 * snapshot; with `appendOnly` every write is fsynced to the append-only file, so that `restart()`
 * (SIGKILL, then a new process on the same port and folder) loses nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort, serverAvailable } from './servers.js';

/** Is redis-server installed? (One line when not; CI=true: an error.) */
export function redisAvailable(suite: string): boolean {
  return serverAvailable('redis-server', ['--version'], suite, 'redis-server');
}

export interface RedisServer {
  url: string;
  port: number;
  /** Kill (SIGKILL) and start again on the same port and data. */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(opts: { appendOnly?: boolean } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-bridge-redis-'));
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const launch = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--appendonly', opts.appendOnly ? 'yes' : 'no', '--appendfsync', 'always', '--protected-mode', 'no', '--logfile', join(dir, 'redis.log')], { stdio: 'ignore' });
    await waitForPing(port);
  };
  await launch();
  const kill = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => { p.once('exit', () => r()); p.kill('SIGKILL'); });
  };
  return {
    url: `redis://127.0.0.1:${port}`, port,
    async restart(o = {}) {
      await kill();
      await new Promise((r) => setTimeout(r, o.downMs ?? 1000));
      await launch();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
