/**
 * IMAP as source and destination (issue 15 item 2) against a real Dovecot started here, and the
 * queue mode writing to it while it restarts. What is in the mailboxes is read back with
 * Python's imaplib (not our IMAP code); signatures are checked by OpenSSL.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { readReport } from '../helpers/cli.js';
import { killAll, runCliAsync, startCli, until } from '../helpers/cliProcess.js';
import { dovecotAvailable, startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { tempDir } from '../helpers/openssl.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { opensslVerifies, readCorpus, signedCorpusEntries } from '../helpers/signedCorpus.js';

/** One message as imaplib sees it. */
interface Seen { uid: number; flags: string[]; date: string; source: string | null }

if (dovecotAvailable('test/cli/imap.test.ts') && redisAvailable('test/cli/imap.test.ts')) {
  const t = tempDir('smime-bridge-imap-');
  let dovecot: DovecotServer;
  let redis: RedisServer;
  const entries = signedCorpusEntries();
  const env = () => ({ IMAP_PW: dovecot.password });

  /** Every message of a mailbox, in UID order, read by Python's imaplib. */
  function mailbox(user: string, box: string): Seen[] {
    const py = `
import imaplib, json, re, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
m.login(sys.argv[2], sys.argv[3])
typ, _ = m.select('"' + sys.argv[4] + '"', readonly=True)
out = []
if typ == 'OK':
    typ, data = m.uid('FETCH', '1:*', '(UID FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (X-SMIME-BRIDGE-SOURCE)])')
    for item in data:
        if not isinstance(item, tuple): continue
        meta = item[0].decode()
        src = re.search(rb'X-SMIME-Bridge-Source: *(\\S+)', item[1], re.I)
        out.append({'uid': int(re.search(r'UID (\\d+)', meta).group(1)),
                    'flags': sorted(f for f in re.search(r'FLAGS \\(([^)]*)\\)', meta).group(1).split() if f != '\\\\Recent'),
                    'date': re.search(r'INTERNALDATE "([^"]+)"', meta).group(1),
                    'source': src.group(1).decode() if src else None})
print(json.dumps(sorted(out, key=lambda x: x['uid'])))
`;
    const r = spawnSync('/usr/bin/python3', ['-c', py, String(dovecot.port), user, dovecot.password, box], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Seen[];
  }

  before(async () => {
    dovecot = await startDovecot();
    redis = await startRedis();
    // bob's "Source": the signed corpus messages, with flags and internal dates to keep.
    const c = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: 'bob', pass: dovecot.password }, logger: false });
    await c.connect();
    await c.mailboxCreate('Source');
    for (let i = 0; i < entries.length; i++) {
      const flags = [...(i % 2 === 0 ? ['\\Seen'] : []), ...(i % 3 === 0 ? ['\\Flagged'] : []), ...(i % 5 === 0 ? ['$Label1'] : [])];
      await c.append('Source', Buffer.from(readCorpus(entries[i]!)), flags, new Date(Date.UTC(2020, 0, 1, i, 30, 15)));
    }
    await c.logout();
  });
  after(async () => { killAll(); await dovecot?.stop(); await redis?.stop(); t.cleanup(); });

  test('convert IMAP -> IMAP keeps every flag and internal date; IMAP -> folder: every signed message still verifies in OpenSSL', async () => {
    const src = mailbox('bob', 'Source');
    assert.equal(src.length, entries.length);
    const r = await runCliAsync(['convert', dovecot.url('bob', 'Source'), '--out', dovecot.url('alice', 'Copy'), '--imap-password-env', 'IMAP_PW', '--report', join(t.dir, 'copy.jsonl')], env());
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const copy = mailbox('alice', 'Copy');
    assert.deepEqual(copy.map((m) => [m.flags, m.date]), src.map((m) => [m.flags, m.date]), 'APPEND kept flags and internal date');
    assert.equal(new Set(copy.map((m) => m.source)).size, entries.length, 'each appended message names its source once');
    assert.equal(readReport(join(t.dir, 'copy.jsonl')).messages.length, entries.length, 'a report line per message');

    // Run again: every message is found by its source ID, nothing is appended twice.
    const again = await runCliAsync(['convert', dovecot.url('bob', 'Source'), '--out', dovecot.url('alice', 'Copy'), '--imap-password-env', 'IMAP_PW', '-q'], env());
    assert.equal(again.status, 0, again.stderr);
    assert.equal(mailbox('alice', 'Copy').length, entries.length, 'a second run appends nothing');

    // Back out of IMAP into files: OpenSSL verifies every one.
    const out = join(t.dir, 'back');
    const b = await runCliAsync(['convert', dovecot.url('alice', 'Copy'), '--out', out, '--to', 'eml', '--imap-password-env', 'IMAP_PW', '--report', join(t.dir, 'back.jsonl')], env());
    assert.equal(b.status, 0, b.stdout + b.stderr);
    const names = (readdirSync(join(out, 'Copy')) as string[]).sort((x, y) => Number(x.split('-')[1]!.split('.')[0]) - Number(y.split('-')[1]!.split('.')[0]));
    assert.equal(names.length, entries.length);
    names.forEach((n, i) => {
      const v = opensslVerifies(entries[i]!, new Uint8Array(readFileSync(join(out, 'Copy', n))));
      assert.ok(v.ok, `${entries[i]!.path} after IMAP APPEND and FETCH: ${v.stderr}`);
    });
  });

  test('queue: IMAP source to an IMAP destination that restarts mid-run: every message there exactly once, a report line per message', async () => {
    const q = ['--redis', redis.url, '--queue', 'imap'];
    // three passes over the corpus: a second mailbox holding each message three times
    const c = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: 'bob', pass: dovecot.password }, logger: false });
    await c.connect();
    await c.mailboxCreate('Big');
    for (let k = 0; k < 3; k++) for (const e of entries) await c.append('Big', Buffer.from(readCorpus(e)), ['\\Seen']);
    await c.logout();
    const n = entries.length * 3;
    const s = await runCliAsync(['queue', 'submit', dovecot.url('bob', 'Big'), '--out', dovecot.url('carol', 'INBOX'), ...q, '--per-job', '3', '--attempts', '10', '--backoff', '200', '--imap-password-env', 'IMAP_PW', '--json'], env());
    assert.equal(s.status, 0, s.stderr);
    assert.equal((JSON.parse(s.stdout) as { messages: number }).messages, n);
    const w = startCli(['worker', ...q, '--imap-password-env', 'IMAP_PW', '--until-empty', '--stalled', '5'], env());
    await until(async () => {
      const m = mailbox('carol', 'INBOX');
      return m.length >= n / 4;
    }, 'a quarter of the messages appended', 120_000, 300);
    const atRestart = mailbox('carol', 'INBOX').length;
    await dovecot.restart({ downMs: 1500 });
    const r = await w.done;
    assert.equal(r.status, 0, r.stderr);
    assert.ok(atRestart < n, `the server went away mid-run (${atRestart} of ${n} appended)`);
    const inbox = mailbox('carol', 'INBOX');
    assert.equal(inbox.length, n, 'every message once');
    assert.equal(new Set(inbox.map((m) => m.source)).size, n, 'no source twice');
    const rep = await runCliAsync(['queue', 'report', join(t.dir, 'imap.jsonl'), ...q]);
    assert.equal(rep.status, 0, rep.stderr);
    const lines = readReport<{ uid: number; status: string }>(join(t.dir, 'imap.jsonl')).messages;
    assert.equal(lines.length, n);
    assert.deepEqual(lines.filter((l) => l.status !== 'converted'), []);
    assert.equal(new Set(lines.map((l) => l.uid)).size, n);
  });

  test('a password is never printed: not from the URL, not from --imap-password-env', async () => {
    const inUrl = await runCliAsync(['convert', `imap://bob:Wr0ngSecret42@127.0.0.1:${dovecot.port}/Source`, '--out', join(t.dir, 'x'), '--to', 'eml']);
    assert.equal(inUrl.status, 1);
    assert.match(inUrl.stderr, /IMAP_ERROR: cannot log in to bob@127\.0\.0\.1/);
    assert.doesNotMatch(inUrl.stdout + inUrl.stderr, /Wr0ngSecret42/);
    const fromEnv = await runCliAsync(['convert', dovecot.url('bob', 'Source'), '--out', join(t.dir, 'x'), '--to', 'eml', '--imap-password-env', 'P', '--json'], { P: 'An0therSecret' });
    assert.equal(fromEnv.status, 1);
    assert.match(fromEnv.stdout, /authentication failed/);
    assert.doesNotMatch(fromEnv.stdout + fromEnv.stderr, /An0therSecret/);
  });
}
