/**
 * Shared by the real-server helpers (redis.ts, dovecot.ts): a free loopback port, waiting for a
 * port to answer, whether a server binary is installed (without it, a suite is left out with
 * one line; under CI=true that is a failure), and starting, restarting and stopping the process.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolve once 127.0.0.1:port sends something that matches `greeting` (or, without one, accepts). */
export async function waitForPort(port: number, greeting?: RegExp, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port });
      let text = '';
      const done = (v: boolean) => { c.destroy(); resolve(v); };
      c.setTimeout(2000, () => done(false));
      c.on('error', () => done(false));
      c.on('connect', () => { if (!greeting) done(true); });
      c.on('data', (d) => { text += d.toString('latin1'); if (greeting?.test(text)) done(true); });
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing answered on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * True when `bin` runs. Otherwise one line says which suite is left out and why; under CI=true
 * the missing server is an error.
 */
export function serverAvailable(bin: string, args: string[], suite: string, pkg: string): boolean {
  const r = spawnSync(bin, args, { stdio: 'ignore' });
  if (!r.error && r.status === 0) return true;
  const line = `${suite}: ${bin} is not installed (Debian package ${pkg}); the suite is not run`;
  if (process.env.CI === 'true') throw new Error(`${line}; CI=true requires it`);
  console.log(line);
  return false;
}

/** A server process the helpers start, restart and stop (redis.ts, dovecot.ts). */
export interface ManagedServer {
  /** Stop it (the port stops answering) and, after `downMs`, start it again with the same data. */
  restart(opts?: { downMs?: number }): Promise<void>;
  /** Stop it and remove its folder. */
  stop(): Promise<void>;
}

/**
 * Start `launch()` and wait for `ready()`; stopping sends `signal` and waits for the process to
 * exit and, with `port`, for the port to stop answering (a master whose children still hold the
 * listening socket), then removes `dir`.
 */
export async function manageServer(o: { launch: () => ChildProcess; ready: () => Promise<void>; signal: NodeJS.Signals; port?: number; dir: string }): Promise<ManagedServer> {
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = o.launch();
    await o.ready();
  };
  const halt = async () => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((r) => { p.once('exit', () => r()); p.kill(o.signal); });
    if (o.port === undefined) return;
    for (let i = 0; i < 50; i++) {
      try {
        await waitForPort(o.port, undefined, 100);
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        return;
      }
    }
  };
  await start();
  return {
    async restart(r = {}) {
      await halt();
      await new Promise((res) => setTimeout(res, r.downMs ?? 1000));
      await start();
    },
    async stop() {
      await halt();
      rmSync(o.dir, { recursive: true, force: true });
    },
  };
}
