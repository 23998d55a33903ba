/**
 * The queue-driven mode (issue 15) against a real redis-server started here: `queue submit` over
 * a folder of corpus messages, workers as separate processes of the built command. Guarantees
 * checked: every message converted exactly once when a worker is SIGKILLed half-way (BullMQ's
 * stalled-job recovery), when Redis is killed and restarted, and a report line per source
 * message whatever failed; a job that keeps failing lands in the failed set with its error code,
 * `queue retry` runs it again. Every signed output is checked by OpenSSL (`cms -verify`), never
 * by our own verifier.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readReport } from '../helpers/cli.js';
import { killAll, runCliAsync, startCli, until } from '../helpers/cliProcess.js';
import { tempDir } from '../helpers/openssl.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { freePort } from '../helpers/servers.js';
import { opensslVerifies, readCorpus, signedCorpusEntries } from '../helpers/signedCorpus.js';
import type { ManifestEntry } from '../helpers/corpus.js';

interface Rec { input: string; id?: string; output?: string; status: string; code?: string; reason?: string; index?: number; offset?: number }

if (redisAvailable('test/cli/queue.test.ts')) {
  const t = tempDir('smime-bridge-queue-');
  let redis: RedisServer;
  before(async () => { redis = await startRedis({ appendOnly: true }); });
  after(async () => { killAll(); await redis?.stop(); t.cleanup(); });

  /** `n` corpus messages, each a file of its own (distinct identities), and which entry each is. */
  function corpusFolder(name: string, n: number): { dir: string; entryOf: Map<string, ManifestEntry> } {
    const entries = signedCorpusEntries();
    assert.ok(entries.length >= 40, `${entries.length} signed corpus messages`);
    const dir = join(t.dir, name);
    mkdirSync(dir);
    const entryOf = new Map<string, ManifestEntry>();
    for (let i = 0; i < n; i++) {
      const e = entries[i % entries.length]!;
      const file = `m${String(i).padStart(4, '0')}.eml`;
      writeFileSync(join(dir, file), readCorpus(e));
      entryOf.set(file, e);
    }
    return { dir, entryOf };
  }

  const files = (dir: string) => (existsSync(dir) ? readdirSync(dir, { recursive: true }) as string[] : []);
  const q = (name: string) => ['--redis', redis.url, '--queue', name];

  /** Every output once, none left half-written, every one OpenSSL-verified (each distinct byte string once). */
  function checkOutputs(out: string, entryOf: Map<string, ManifestEntry>): void {
    const names = files(out);
    assert.deepEqual(names.filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
    assert.deepEqual(names.filter((f) => f.endsWith('.eml')).sort(), [...entryOf.keys()].sort(), 'one output per message, named after its source');
    const verified = new Map<string, boolean>();
    for (const [name, e] of entryOf) {
      const bytes = new Uint8Array(readFileSync(join(out, name)));
      const h = createHash('sha256').update(bytes).digest('hex');
      if (!verified.has(h)) {
        const v = opensslVerifies(e, bytes);
        assert.ok(v.ok, `${name} (${e.path}): openssl cms -verify: ${v.stderr}`);
        verified.set(h, v.ok);
      }
    }
    assert.ok(verified.size >= 40, `${verified.size} distinct outputs verified by OpenSSL`);
  }

  async function report(name: string, file: string): Promise<{ messages: Rec[]; summary: { converted: number; failed: number } }> {
    const r = await runCliAsync(['queue', 'report', join(t.dir, file), ...q(name)]);
    assert.equal(r.status, 0, r.stderr);
    return readReport(join(t.dir, file)) as { messages: Rec[]; summary: { converted: number; failed: number } };
  }

  function checkReport(rep: { messages: Rec[] }, n: number): void {
    assert.equal(rep.messages.length, n, 'one report line per source message');
    assert.equal(new Set(rep.messages.map((m) => m.input)).size, n, 'each source message once');
    assert.equal(new Set(rep.messages.map((m) => m.id)).size, n, 'each message ID once');
    assert.deepEqual(rep.messages.filter((m) => m.status !== 'converted').map((m) => `${m.input}: ${m.code} ${m.reason}`), []);
  }

  test('1000 corpus messages, two workers, one SIGKILLed half-way: every output exactly once, every signed one verifies in OpenSSL', async () => {
    const { dir, entryOf } = corpusFolder('k-in', 1000);
    const out = join(t.dir, 'k-out');
    const s = await runCliAsync(['queue', 'submit', dir, '--out', out, '--to', 'eml', ...q('kill'), '--per-job', '20', '--json']);
    assert.equal(s.status, 0, s.stderr);
    assert.deepEqual(JSON.parse(s.stdout), { jobs: 50, messages: 1000, alreadyQueued: 0 });
    const again = await runCliAsync(['queue', 'submit', dir, '--out', out, '--to', 'eml', ...q('kill'), '--per-job', '20', '--json']);
    assert.deepEqual(JSON.parse(again.stdout), { jobs: 0, messages: 0, alreadyQueued: 50 }, 'submitting again adds nothing');

    const worker = ['worker', ...q('kill'), '--concurrency', '2', '--stalled', '2', '--until-empty'];
    const a = startCli(worker);
    const b = startCli(worker);
    await until(() => files(out).filter((f) => f.endsWith('.eml')).length >= 500, 'half of the outputs');
    a.proc.kill('SIGKILL');
    const ra = await a.done;
    assert.equal(ra.signal, 'SIGKILL');
    // b ends only once the killed worker's jobs, stalled, were moved back and run again.
    const rb = await b.done;
    assert.equal(rb.status, 0, rb.stderr);

    const st = await runCliAsync(['queue', 'status', ...q('kill'), '--json']);
    const status = JSON.parse(st.stdout) as { jobs: Record<string, number>; messages: Record<string, number> };
    assert.deepEqual(status.jobs, { waiting: 0, active: 0, delayed: 0, completed: 50, failed: 0 });
    assert.equal(status.messages.submitted, 1000);
    checkReport(await report('kill', 'kill.jsonl'), 1000);
    checkOutputs(out, entryOf);
  });

  test('Redis killed and restarted mid-run: the worker waits for it and every message is converted exactly once', async () => {
    const { dir, entryOf } = corpusFolder('r-in', 200);
    const out = join(t.dir, 'r-out');
    const s = await runCliAsync(['queue', 'submit', dir, '--out', out, '--to', 'eml', ...q('restart'), '--per-job', '5']);
    assert.equal(s.status, 0, s.stderr);
    const w = startCli(['worker', ...q('restart'), '--stalled', '5', '--until-empty']);
    await until(() => files(out).length >= 40, 'a fifth of the outputs');
    await redis.restart({ downMs: 1500 });
    const r = await w.done;
    assert.equal(r.status, 0, r.stderr);
    checkReport(await report('restart', 'restart.jsonl'), 200);
    checkOutputs(out, entryOf);
  });

  test('a job that keeps failing goes to the failed set with its error code; queue retry runs it again; the report has a line per message', async () => {
    const dir = join(t.dir, 'p-in');
    mkdirSync(dir);
    writeFileSync(join(dir, 'good.eml'), readCorpus(signedCorpusEntries()[0]!));
    writeFileSync(join(dir, 'gone.eml'), readCorpus(signedCorpusEntries()[1]!));
    writeFileSync(join(dir, 'empty.eml'), '');
    const out = join(t.dir, 'p-out');
    const s = await runCliAsync(['queue', 'submit', join(dir, 'good.eml'), join(dir, 'empty.eml'), join(dir, 'gone.eml'), join(dir, 'missing.eml'),
      '--out', out, '--to', 'msg', ...q('poison'), '--per-job', '1', '--attempts', '2', '--backoff', '50']);
    assert.equal(s.status, 0, s.stderr);
    renameSync(join(dir, 'gone.eml'), join(dir, 'gone.eml.away')); // unreadable when the worker comes
    const w = await runCliAsync(['worker', ...q('poison'), '--until-empty']);
    assert.equal(w.status, 0, w.stderr);
    assert.match(w.stderr, /attempts used up/);

    const f = await runCliAsync(['queue', 'failed', ...q('poison'), '--json']);
    assert.equal(f.status, 0, f.stderr);
    const failed = f.stdout.trim().split('\n').map((l) => JSON.parse(l) as { sources: string; code: string; attempts: number });
    assert.deepEqual(failed.map((x) => [x.sources, x.code, x.attempts]), [[join(dir, 'gone.eml'), 'IO_ERROR', 2]]);

    const rep = await report('poison', 'poison1.jsonl');
    const byInput = Object.fromEntries(rep.messages.map((m) => [m.input.replace(`${dir}/`, ''), m.status === 'failed' ? m.code : m.status]));
    assert.deepEqual(byInput, { 'good.eml': 'converted', 'empty.eml': 'INPUT_EMPTY', 'gone.eml': 'IO_ERROR', 'missing.eml': 'IO_ERROR' });

    renameSync(join(dir, 'gone.eml.away'), join(dir, 'gone.eml'));
    const rt = await runCliAsync(['queue', 'retry', ...q('poison'), '--json']);
    assert.deepEqual(JSON.parse(rt.stdout), { retried: 1 });
    const w2 = await runCliAsync(['worker', ...q('poison'), '--until-empty']);
    assert.equal(w2.status, 0, w2.stderr);
    const rep2 = await report('poison', 'poison2.jsonl');
    assert.equal(rep2.messages.length, 4);
    assert.equal(rep2.messages.find((m) => m.input.endsWith('gone.eml'))?.status, 'converted');
    assert.deepEqual(files(out).sort(), ['gone.msg', 'good.msg']);
  });

  test('SIGTERM: the worker finishes the running message, hands the rest of its job back and exits 143; another worker finishes', async () => {
    const { dir, entryOf } = corpusFolder('t-in', 120);
    const out = join(t.dir, 't-out');
    const s = await runCliAsync(['queue', 'submit', dir, '--out', out, '--to', 'eml', ...q('term'), '--per-job', '60']);
    assert.equal(s.status, 0, s.stderr);
    const w = startCli(['worker', ...q('term'), '--until-empty']);
    await until(() => files(out).length >= 10, 'some outputs');
    w.proc.kill('SIGTERM');
    const r = await w.done;
    assert.equal(r.status, 143, r.stderr);
    assert.ok(files(out).length < 120, 'stopped before the end');
    const w2 = await runCliAsync(['worker', ...q('term'), '--until-empty']);
    assert.equal(w2.status, 0, w2.stderr);
    checkReport(await report('term', 'term.jsonl'), 120);
    checkOutputs(out, entryOf);
  });

  test('an mbox range job that fails as a whole (the mbox gone) still gives one report line per message of the range, with the error code', async () => {
    // The mbox is written by Python's mailbox module (not our code); its "From " offsets are the expected ones.
    const mbox = join(t.dir, 'gone.mbox');
    const msgs = signedCorpusEntries().slice(0, 7).map((e, i) => { const f = join(t.dir, `gone-${i}.eml`); writeFileSync(f, readCorpus(e)); return f; });
    const py = `
import mailbox, sys, json
box = mailbox.mbox(sys.argv[1], create=True)
for f in sys.argv[2:]:
    box.add(mailbox.mboxMessage(open(f, 'rb').read()))
box.flush(); box.close()
data = open(sys.argv[1], 'rb').read()
offsets = [i for i in range(len(data)) if data.startswith(b'From ', i) and (i == 0 or data[i - 1:i] == b'\\n')]
print(json.dumps(offsets))`;
    const w = spawnSync('/usr/bin/python3', ['-c', py, mbox, ...msgs], { encoding: 'utf8' });
    assert.equal(w.status, 0, w.stderr);
    const offsets = JSON.parse(w.stdout) as number[];
    assert.equal(offsets.length, 7);
    const s = await runCliAsync(['queue', 'submit', mbox, '--out', join(t.dir, 'gone-out'), '--to', 'eml', ...q('gone'), '--per-job', '3', '--attempts', '1', '--json']);
    assert.equal(s.status, 0, s.stderr);
    assert.deepEqual(JSON.parse(s.stdout), { jobs: 3, messages: 7, alreadyQueued: 0 });
    rmSync(mbox);
    const wk = await runCliAsync(['worker', ...q('gone'), '--until-empty']);
    assert.equal(wk.status, 0, wk.stderr);
    const f = await runCliAsync(['queue', 'failed', ...q('gone'), '--json']);
    assert.deepEqual(f.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { messages: number; code: string })).map((x) => [x.messages, x.code]).sort(), [[1, 'IO_ERROR'], [3, 'IO_ERROR'], [3, 'IO_ERROR']]);
    const rep = await report('gone', 'gone.jsonl');
    assert.deepEqual(rep.messages.map((m) => [m.input, m.index, m.offset, m.status, m.code]).sort((a, b) => (a[1] as number) - (b[1] as number)),
      offsets.map((o, i) => [mbox, i + 1, o, 'failed', 'IO_ERROR']), 'one line per message of each failed range: its index and offset');
    assert.equal(new Set(rep.messages.map((m) => m.id)).size, 7, 'each with its own message ID');
    assert.deepEqual(rep.summary.failed, 7);
  });

  test('Redis not listening: queue submit, status, failed and retry fail with QUEUE_ERROR naming the URL (no password); a worker waits for Redis and says so', async () => {
    const port = await freePort();
    const url = `redis://default:S3cretRedisPw@127.0.0.1:${port}`;
    const { dir } = corpusFolder('down-in', 3);
    for (const cmd of [['queue', 'submit', dir, '--out', join(t.dir, 'down-out'), '--to', 'eml'], ['queue', 'status'], ['queue', 'failed'], ['queue', 'retry']]) {
      const r = await runCliAsync([...cmd, '--redis', url, '--queue', 'down']);
      assert.equal(r.status, 1, `${cmd.join(' ')}: exit 1 (rejected) ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`QUEUE_ERROR: Redis at redis://default:\\*\\*\\*@127\\.0\\.0\\.1:${port} does not answer: .*ECONNREFUSED`), cmd.join(' '));
      assert.doesNotMatch(r.stdout + r.stderr, /S3cretRedisPw/);
    }
    // The worker keeps trying: once a redis-server listens on that port, it takes the jobs.
    const wPort = await freePort();
    const wq = ['--redis', `redis://127.0.0.1:${wPort}`, '--queue', 'late'];
    const w = startCli(['worker', ...wq]); // no --until-empty: the queue is empty until the submit below
    await until(() => /retrying until it answers/.test(w.stderr()), 'the worker says it waits for Redis');
    assert.match(w.stderr(), new RegExp(`Redis at redis://127\\.0\\.0\\.1:${wPort}: ECONNREFUSED; retrying until it answers`));
    assert.equal(w.proc.exitCode, null, 'the worker still runs');
    const late = await startRedis({ port: wPort });
    try {
      const out = join(t.dir, 'late-out');
      const s = await runCliAsync(['queue', 'submit', dir, '--out', out, '--to', 'eml', ...wq]);
      assert.equal(s.status, 0, s.stderr);
      await until(() => files(out).filter((f) => f.endsWith('.eml')).length === 3, 'the three outputs');
      w.proc.kill('SIGTERM');
      const r = await w.done;
      assert.equal(r.status, 143, r.stderr);
      assert.match(r.stderr, /answers again/);
      assert.deepEqual(files(out).sort(), ['m0000.eml', 'm0001.eml', 'm0002.eml']);
    } finally {
      await late.stop();
    }
  });
}
