/**
 * IMAP as source and destination (issue 15 item 2) against a real Dovecot started here, and the
 * queue mode writing to it while it restarts. What is in the mailboxes is read back with
 * Python's imaplib (not our IMAP code); signatures are checked by OpenSSL.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { Redis } from 'ioredis';
import { readReport } from '../helpers/cli.js';
import { killAll, runCliAsync, runOnTerminal, startCli, until } from '../helpers/cliProcess.js';
import { dovecotAvailable, startDovecot, type DovecotServer } from '../helpers/dovecot.js';
import { tempDir } from '../helpers/openssl.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';
import { opensslVerifies, readCorpus, signedCorpusEntries } from '../helpers/signedCorpus.js';
import { redisClaims } from '../../src/cli/queue/connection.js';
import { planJobs, type JobData } from '../../src/cli/queue/job.js';
import { closeConnections, processJob, type JobContext } from '../../src/cli/queue/process.js';

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

  /** Append the first `n` signed corpus messages to `user`'s `box` (imapflow: only to set the test up). */
  async function fill(user: string, box: string, n: number): Promise<void> {
    const c = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user, pass: dovecot.password }, logger: false });
    await c.connect();
    await c.mailboxCreate(box);
    for (const e of entries.slice(0, n)) await c.append(box, Buffer.from(readCorpus(e)), ['\\Seen']);
    await c.logout();
  }

  test('an IMAP range job that fails as a whole (the mailbox deleted) still gives one report line per UID, with the error code', async () => {
    await fill('erin', 'Doomed', 7);
    const uids = mailbox('erin', 'Doomed').map((m) => m.uid);
    assert.equal(uids.length, 7);
    const q = ['--redis', redis.url, '--queue', 'doomed'];
    const s = await runCliAsync(['queue', 'submit', dovecot.url('erin', 'Doomed'), '--out', t.file('doomed-out'), '--to', 'eml', ...q, '--per-job', '3', '--attempts', '1', '--imap-password-env', 'IMAP_PW', '--json'], env());
    assert.equal(s.status, 0, s.stderr);
    assert.deepEqual(JSON.parse(s.stdout), { jobs: 3, messages: 7, alreadyQueued: 0 });
    // the mailbox goes away before any worker comes (Python's imaplib, not our code)
    const del = spawnSync('/usr/bin/python3', ['-c', `import imaplib, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1])); m.login('erin', sys.argv[2]); print(m.delete('Doomed')[0])`, String(dovecot.port), dovecot.password], { encoding: 'utf8' });
    assert.equal(del.stdout.trim(), 'OK', del.stderr);
    const w = await runCliAsync(['worker', ...q, '--until-empty', '--imap-password-env', 'IMAP_PW'], env());
    assert.equal(w.status, 0, w.stderr);
    const rep = await runCliAsync(['queue', 'report', join(t.dir, 'doomed.jsonl'), ...q]);
    assert.equal(rep.status, 0, rep.stderr);
    const lines = readReport<{ input: string; uid: number; id: string; status: string; code: string }>(join(t.dir, 'doomed.jsonl')).messages;
    assert.deepEqual(lines.map((l) => [l.input, l.uid, l.status, l.code]).sort((a, b) => (a[1] as number) - (b[1] as number)),
      uids.map((u) => [dovecot.url('erin', 'Doomed'), u, 'failed', 'IMAP_ERROR']), 'one line per UID the mailbox had at submit time');
    assert.equal(new Set(lines.map((l) => l.id)).size, 7);
  });

  test('two workers holding the same job (a lost lock) append each message once: the APPEND claim on Redis', async () => {
    const jobs: JobData[] = [];
    for await (const d of planJobs([dovecot.url('bob', 'Source')], { out: { kind: 'imap', url: dovecot.url('dave', 'Twice') }, to: 'eml', maxMessageBytes: 64 << 20, perJob: 1000, imap: { password: dovecot.password } })) jobs.push(d);
    assert.equal(jobs.length, 1);
    const clients = [new Redis(redis.url), new Redis(redis.url)];
    // each "worker": its own IMAP connections and its own Redis connection, the same queue
    const ctxs: JobContext[] = clients.map((r) => ({ imap: { password: dovecot.password }, connections: new Map(), claims: redisClaims(r, { redis: redis.url, queue: 'twice' }) }));
    try {
      const results = await Promise.all(ctxs.map((c) => processJob(jobs[0]!, c)));
      for (const r of results) assert.deepEqual(r.map((x) => x.status), entries.map(() => 'converted'));
    } finally {
      for (const c of ctxs) await closeConnections(c);
      for (const r of clients) r.disconnect();
    }
    const box = mailbox('dave', 'Twice');
    assert.equal(box.length, entries.length, 'each message appended once');
    assert.equal(new Set(box.map((m) => m.source)).size, entries.length);
  });

  test('the password prompt: convert and worker ask on a terminal without echo when IMAP needs a password; without a terminal, a usage error naming the options', async () => {
    // convert on a pseudo-terminal (Python's pty module): the prompt comes, the typed password is not shown
    const out = join(t.dir, 'prompted');
    const c = await runOnTerminal(['convert', dovecot.url('bob', 'Source'), '--out', out, '--to', 'eml', '-q'], 'password for ', dovecot.password);
    assert.ok(c.prompted, c.output);
    assert.equal(c.status, 0, c.output);
    assert.match(c.output, /password for imap:\/\/bob@127\.0\.0\.1:\d+\/Source: /);
    assert.doesNotMatch(c.output, new RegExp(dovecot.password), 'no echo');
    assert.equal(readdirSync(join(out, 'Source')).length, entries.length);

    // no terminal: exit 2, the options named
    const noTty = await runCliAsync(['convert', dovecot.url('bob', 'Source'), '--out', join(t.dir, 'x2'), '--to', 'eml']);
    assert.equal(noTty.status, 2, noTty.stderr);
    assert.match(noTty.stderr, /needs a password: give --imap-password-file FILE or --imap-password-env VAR \(no terminal to ask on\)/);

    // worker: asks when its first IMAP job comes
    const q = ['--redis', redis.url, '--queue', 'prompt'];
    const wOut = join(t.dir, 'prompted-w');
    const s = await runCliAsync(['queue', 'submit', dovecot.url('bob', 'Source'), '--out', wOut, '--to', 'eml', ...q, '--imap-password-env', 'IMAP_PW'], env());
    assert.equal(s.status, 0, s.stderr);
    const bare = await runCliAsync(['worker', ...q, '--until-empty']);
    assert.equal(bare.status, 2, bare.stderr);
    assert.match(bare.stderr, /needs a password: give --imap-password-file FILE or --imap-password-env VAR/);
    assert.ok(!existsSync(wOut), 'nothing converted without the password');
    const w = await runOnTerminal(['worker', ...q, '--until-empty'], 'password for ', dovecot.password);
    assert.ok(w.prompted, w.output);
    assert.equal(w.status, 0, w.output);
    assert.doesNotMatch(w.output, new RegExp(dovecot.password), 'no echo');
    assert.equal(readdirSync(join(wOut, 'Source')).length, entries.length, 'the job handed back by the first worker was run by the second');
  });

  test('TLS and STARTTLS against Dovecot with ssl = required: --imap-ca trusts the test CA; an untrusted certificate is IMAP_CERT_UNTRUSTED', async () => {
    // a throwaway CA and a server certificate for 127.0.0.1, made by openssl
    const ossl = (...a: string[]) => execFileSync('openssl', a, { cwd: t.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=smime-bridge test CA');
    ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '2', '-subj', '/CN=another CA');
    ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(t.dir, 'san.ext'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n');
    ossl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
    const ca = join(t.dir, 'ca.pem');
    const tls = await startDovecot({ tls: { cert: join(t.dir, 'server.pem'), key: join(t.dir, 'server.key') } });
    try {
      const c = new ImapFlow({ host: '127.0.0.1', port: tls.tlsPort!, secure: true, tls: { ca: readFileSync(ca) }, auth: { user: 'bob', pass: tls.password }, logger: false });
      await c.connect();
      await c.mailboxCreate('Source');
      for (const e of entries.slice(0, 5)) await c.append('Source', Buffer.from(readCorpus(e)), []);
      await c.logout();
      /** Messages in a mailbox, counted by Python's imaplib over STARTTLS with the test CA. */
      const count = (user: string, box: string) => Number(execFileSync('/usr/bin/python3', ['-c', `import imaplib, ssl, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1])); m.starttls(ssl.create_default_context(cafile=sys.argv[2])); m.login(sys.argv[3], sys.argv[4])
typ, d = m.select('"' + sys.argv[5] + '"', readonly=True); print(d[0].decode() if typ == 'OK' else -1)`, String(tls.port), ca, user, tls.password, box], { encoding: 'utf8' }).trim());
      const penv = { IMAP_PW: tls.password };

      // implicit TLS (imaps://, RFC 8314) with the CA given
      const out = join(t.dir, 'tls-out');
      const r = await runCliAsync(['convert', tls.url('bob', 'Source', { tls: true }), '--out', out, '--to', 'eml', '--imap-ca', ca, '--imap-password-env', 'IMAP_PW', '-q'], penv);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(readdirSync(join(out, 'Source')).length, 5);

      // STARTTLS on the plain port, through the queue: source and destination on the same server
      const q = ['--redis', redis.url, '--queue', 'tls'];
      const s = await runCliAsync(['queue', 'submit', tls.url('bob', 'Source'), '--out', tls.url('carol', 'Copy'), ...q, '--starttls', '--imap-ca', ca, '--imap-password-env', 'IMAP_PW'], penv);
      assert.equal(s.status, 0, s.stderr);
      const w = await runCliAsync(['worker', ...q, '--until-empty', '--starttls', '--imap-ca', ca, '--imap-password-env', 'IMAP_PW'], penv);
      assert.equal(w.status, 0, w.stderr);
      assert.equal(count('carol', 'Copy'), 5);

      // not trusted: no CA given, or another CA; implicit TLS and STARTTLS alike
      for (const [url, extra] of [[tls.url('bob', 'Source', { tls: true }), []], [tls.url('bob', 'Source'), ['--starttls']], [tls.url('bob', 'Source', { tls: true }), ['--imap-ca', join(t.dir, 'other-ca.pem')]]] as const) {
        const u = await runCliAsync(['convert', url, '--out', join(t.dir, 'untrusted'), '--to', 'eml', ...extra, '--imap-password-env', 'IMAP_PW'], penv);
        assert.equal(u.status, 1, `${url} ${extra.join(' ')}: ${u.stderr}`);
        assert.match(u.stderr, /IMAP_CERT_UNTRUSTED: bob@127\.0\.0\.1:\d+\/Source: the server certificate is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
        assert.match(u.stderr, /--imap-ca/);
        assert.ok(!existsSync(join(t.dir, 'untrusted')), 'nothing fetched');
      }
    } finally {
      await tls.stop();
    }
  });
}
