/**
 * Every command-line example of the README runs as written (issue 9 "Done when"): in a fresh
 * folder that holds what the quick start leaves behind (the samples, and `demo-out/` from the
 * demo), with `smime-bridge` on the PATH as `npm link` puts it there. Each line must exit with 0,
 * or with the code its comment names (`# exit 11: ...`).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/openssl.js';
import { redisAvailable, startRedis } from '../helpers/redis.js';
import { dovecotAvailable, startDovecot } from '../helpers/dovecot.js';

const root = resolve('.');
const bin = fileURLToPath(new URL('../../cli/smime-bridge.cjs', import.meta.url));
const t = tempDir('smime-bridge-readme-');
after(() => t.cleanup());

/** The shell lines of the README's "Command line" section, with the exit code each expects. */
export function readmeExamples(readme: string, heading = '## Command line'): Array<{ line: string; exit: number }> {
  const section = readme.slice(readme.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const m = /\s#\s*(?:exit (\d+))?.*$/.exec(l);
    return { line: m ? l.slice(0, m.index).trim() : l, exit: m?.[1] ? Number(m[1]) : 0 };
  });
}

test('every command-line example of the README runs as written and exits as it says', async () => {
  const work = join(t.dir, 'clone');
  const path = join(t.dir, 'bin');
  mkdirSync(work);
  mkdirSync(path);
  symlinkSync(join(root, 'samples'), join(work, 'samples'));
  writeFileSync(join(path, 'smime-bridge'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(join(path, 'smime-bridge'), 0o755);
  const env = { ...process.env, PATH: `${path}:${process.env.PATH}` };
  const demo = spawnSync('smime-bridge', ['demo'], { cwd: work, env, encoding: 'utf8' });
  assert.equal(demo.status, 0, demo.stdout + demo.stderr);
  const examples = readmeExamples(readFileSync(join(root, 'README.md'), 'utf8'));
  assert.ok(examples.length >= 20, `${examples.length} examples found`);
  const wrong: string[] = [];
  for (const e of examples) {
    const r = spawnSync('bash', ['-c', e.line], { cwd: work, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== e.exit) wrong.push(`${e.line}\n  exit ${r.status}, README says ${e.exit}\n  ${(r.stderr || r.stdout).split('\n').slice(0, 4).join('\n  ')}`);
  }
  assert.deepEqual(wrong, []);

  // The queue and IMAP examples, against a redis-server and a Dovecot started here.
  if (!redisAvailable('README queue examples') || !dovecotAvailable('README IMAP examples')) return;
  const redis = await startRedis();
  const dovecot = await startDovecot();
  try {
    const qenv = { ...env, REDIS: redis.url, IMAP: `imap://reader@127.0.0.1:${dovecot.port}`, IMAP_PW: dovecot.password };
    const queued = readmeExamples(readFileSync(join(root, 'README.md'), 'utf8'), '## Past one machine');
    assert.ok(queued.length >= 8, `${queued.length} queue examples found`);
    const wrongQ: string[] = [];
    for (const e of queued) {
      const r = spawnSync('bash', ['-c', e.line], { cwd: work, env: qenv, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
      if (r.status !== e.exit) wrongQ.push(`${e.line}\n  exit ${r.status}, README says ${e.exit}\n  ${(r.stderr || r.stdout).split('\n').slice(0, 4).join('\n  ')}`);
    }
    assert.deepEqual(wrongQ, []);
    // what they did: the queue converted the samples, IMAP holds them and gave them back
    for (const f of ['out/queue/clear-signed.msg', 'out/queue.jsonl']) assert.ok(existsSync(join(work, f)), f);
    assert.equal(readdirSync(join(work, 'out', 'from-imap', 'Archive')).length, 4);
    assert.equal(readdirSync(join(work, 'out', 'imap-queue', 'Archive')).length, 4);
  } finally {
    await redis.stop();
    await dovecot.stop();
  }
});
