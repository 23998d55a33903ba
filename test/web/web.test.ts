/**
 * Issue 13 "Done when": the built page (dist/web, served by `smime-bridge web`'s server) driven in
 * Debian's Chromium with playwright-core.
 *
 * - Every signed and encrypted message of the corpus (MANIFEST.json: signatureOnly or decrypt),
 *   dropped at once on one page: the list's verdict column and each file's verdict JSON and layer
 *   tree equal `smime-bridge verify --json` and `inspect --json` (one process for all files), first
 *   without a key, then with the key MANIFEST names for each encrypted one. The other input kinds
 *   (bare CMS as DER and PEM, X.400 P1 and IPM, an mbox of two) give the CLI's verdict too.
 * - With TestCA.pem as trust anchor and Bob.p12 as key, the page agrees with
 *   `verify --ca TestCA.pem --p12 Bob.p12`; the decrypted body is what `openssl cms -decrypt` gives;
 *   a reload forgets the key.
 * - A tampered copy (one byte of the signed text, which OpenSSL rejects) shows `invalid`.
 * - Every download (.eml, .msg, .json) is byte-identical to `smime-bridge convert IN OUT.<ext>`.
 * - X.400 downloads are `x400 wrap` / `x400 forward`'s bytes (but for the identifier and time
 *   X.411 gives each message anew); decrypted downloads are `decrypt -o`'s bytes.
 * - Trust anchors are memory only unless the user asks to keep them; Forget removes them.
 * - A drop (DataTransfer built in the page) shows what choosing the file shows.
 * - A 25 MB signed and a 6 MB encrypted message report increasing fractions per step.
 * - An HTML body keeps its own inline styles; its scripts and remote loads do not happen.
 * - Bad input shows the typed error (code) and nothing as complete.
 * - No request leaves the page's own files; an HTML body's <script> does not run and its remote
 *   <img> is never fetched (a second server counts hits).
 * - axe-core finds no serious or critical violation, wide and narrow; screenshots are written to
 *   dist/web-screenshots (printed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { corpusPath, decryptKeyFor, manifest } from '../helpers/corpus.js';
import { runCli } from '../helpers/cli.js';
import { startWebServer } from '../../src/cli/commands/web.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TB = 'thunderbird-smime/mailnews/test/data/smime';
const SHOTS = resolve('dist', 'web-screenshots');
/** How Chromium (through playwright-core) names a load its CSP refused: `net::ERR_BLOCKED_BY_CSP`, or the blocked reason `csp`. */
const CSP_REFUSAL = /^(net::ERR_BLOCKED_BY_CSP|csp)$/;

function openssl(args: string[], input?: Uint8Array): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync('openssl', args, { input, maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: String(r.stderr) };
}

/** The verdict part of `verify --json` / the page's report. */
function verdictPart(o: Record<string, unknown>) {
  return { verdict: o.verdict, reasons: o.reasons, signers: o.signers, complete: o.complete, layers: o.layers };
}

/** A verdict with every `validationTime` that is the time of the check (`validationTimeSource: now`) as `now`: page and CLI run moments apart. */
function atNow<T>(v: T): T {
  return JSON.parse(JSON.stringify(v), function (this: Record<string, unknown>, k, x: unknown) {
    return k === 'validationTime' && this.validationTimeSource === 'now' ? 'now' : x;
  }) as T;
}

/**
 * X.400 output with the fields that differ for every message written masked: the local part of
 * the MTS identifier (X.411 12.2.1.1.1.1: unique per message; IA5String of 24 hex digits), the
 * IPM identifier (X.420 7.1.1: user-relative-identifier, PrintableString of 16 hex digits) and the
 * arrival time ([0] UTCTime of the trace, X.411 12.2.1.1.1.9). Two runs of the CLI differ there only.
 */
function x400Masked(b: Buffer): { masked: string; fields: number } {
  let fields = 0;
  // eslint-disable-next-line no-control-regex
  const masked = b.toString('latin1').replace(/\x16\x18[0-9a-f]{24}|\x13\x10[0-9a-f]{16}|\x80\x0d\d{12}Z/g, (m) => { fields++; return m.slice(0, 2) + '#'.repeat(m.length - 2); });
  return { masked, fields };
}

/** `smime-bridge ARGS` in the background (runCli waits): the CLI side works while the page does. */
function cliAsync(args: string[]): Promise<string> {
  return new Promise((ok, fail) => execFile(process.execPath, [resolve('dist/cli/smime-bridge.cjs'), ...args], { maxBuffer: 256 << 20 }, (e, stdout) => {
    // verify exits non-zero when a message is not valid: the JSON on stdout is the answer.
    if (e && !stdout) fail(e); else ok(stdout);
  }));
}

/** `smime-bridge verify --json ARGS FILE`: the one object, or the `index`-th JSON line of an mbox. */
function cliVerify(file: string, extra: string[] = [], index?: number): Record<string, unknown> {
  const r = runCli(['verify', '--json', ...extra, file]);
  const lines = r.stdout.trim().split('\n');
  if (index !== undefined) {
    const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => !('summary' in o));
    return objs[index - 1]!;
  }
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('the page (dist/web) in Chromium', { timeout: 240_000 }, () => {
  let dir = '';
  let web: { url: string; close(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let remote: Server | undefined;
  let remoteHits = 0;
  let remoteOrigin = '';
  const requests: string[] = [];
  /** Requests Chromium refused before they reached the network, by the page's CSP (url -> error text). */
  const failed = new Map<string, string>();
  const pageErrors: string[] = [];
  let n = 0;

  /** Copy a file to a unique name (the page lists files by name) and return the copy's path. */
  const unique = (src: string, name = basename(src)) => {
    const p = join(dir, `${++n}-${name}`);
    copyFileSync(src, p);
    return p;
  };

  /** Open files in the page and wait until the last one is shown. */
  async function open(p: Page, files: string[], shownName = basename(files[files.length - 1]!)): Promise<void> {
    await p.setInputFiles('#file', files);
    await p.waitForFunction((name) => {
      const s = document.querySelector('#summary h3');
      return s?.textContent === name && document.querySelector('[data-testid=verdict]') !== null
        && !(document.getElementById('list')?.textContent ?? '').includes('working…');
    }, shownName, { timeout: 30_000 });
  }

  /** Before a screenshot: the shown file's verdict at the top of the window (a Save click scrolled down). */
  async function top(p: Page): Promise<void> {
    await p.evaluate(() => { const s = document.getElementById('summary'); if (s) s.scrollIntoView(); else window.scrollTo(0, 0); });
  }

  async function saved(p: Page, testid: string): Promise<Buffer> {
    const [dl] = await Promise.all([p.waitForEvent('download'), p.click(`[data-testid=${testid}]`)]);
    return readFileSync((await dl.path())!);
  }

  async function report(p: Page): Promise<Record<string, unknown>> {
    return JSON.parse((await saved(p, 'report-json')).toString('utf8')) as Record<string, unknown>;
  }

  /** What the page shows: the verdict state and the layer kinds (outermost first). */
  async function shown(p: Page): Promise<{ state: string | null; layers: string[] }> {
    return p.evaluate(() => ({
      state: document.querySelector('[data-testid=verdict]')!.getAttribute('data-state'),
      layers: Array.from(document.querySelectorAll('[data-layer-kind]')).map((e) => e.getAttribute('data-layer-kind')!),
    }));
  }

  before(async () => {
    assert.ok(existsSync('dist/web/index.html'), 'dist/web is not built (scripts/build-web.mjs runs in npm test)');
    dir = mkdtempSync(join(tmpdir(), 'smime-bridge-web-'));
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    remote = createServer((_q, s) => { remoteHits++; s.writeHead(200, { 'content-type': 'image/png' }).end(); });
    await new Promise<void>((ok) => remote!.listen(0, '127.0.0.1', () => ok()));
    remoteOrigin = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
    web = await startWebServer(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
    context.on('request', (r) => requests.push(r.url()));
    context.on('requestfailed', (r) => failed.set(r.url(), r.failure()?.errorText ?? ''));
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(web.url);
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await new Promise<void>((ok) => (remote ? remote.close(() => ok()) : ok()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Parse CLI --json output: one object (one message) or JSON Lines; the summary line is left out. */
  function jsonRecords(stdout: string): Record<string, unknown>[] {
    return stdout.trim().split(/\n(?=\{)/).map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => !('summary' in o));
  }

  /** What the page shows of every file it holds: the list's verdict column, and each file's verdict JSON, layers and error code. */
  async function everyFileShown(p: Page) {
    return p.evaluate(() => {
      const rows = Array.from(document.querySelectorAll('[data-testid=file-list] tbody tr'));
      return rows.map((r) => {
        const name = r.querySelector('th')!.textContent!;
        const listState = r.querySelector('[data-state]')?.getAttribute('data-state') ?? null;
        // Showing a file draws it at once (no worker call): read what is drawn.
        (r.querySelector('button') as HTMLButtonElement).click();
        const shownName = document.querySelector('#summary h3')?.textContent;
        return {
          name, listState, shownName,
          state: document.querySelector('[data-testid=verdict]')?.getAttribute('data-state') ?? null,
          verdict: document.querySelector('[data-testid=verdict-json]')?.textContent ?? null,
          layers: Array.from(document.querySelectorAll('[data-layer-kind]')).map((e) => e.getAttribute('data-layer-kind')!),
          error: document.querySelector('[data-testid=error] strong')?.textContent ?? null,
        };
      });
    });
  }

  /** Open many files at once and wait until every one has its verdict in the list. */
  async function openMany(p: Page, files: string[]): Promise<void> {
    await p.setInputFiles('#file', files);
    await p.waitForFunction((n) => document.querySelectorAll('[data-testid=file-list] tbody tr').length === n
      && !(document.getElementById('list')?.textContent ?? '').includes('working…'), files.length, { timeout: 240_000, polling: 500 });
  }

  /** The page's files against the CLI's records (label = path, `path#1` for the first message of an mbox). */
  function compareWithCli(shownFiles: Awaited<ReturnType<typeof everyFileShown>>, files: string[], verify: Record<string, unknown>[], inspect: Record<string, unknown>[] | undefined, what: string) {
    // verify names the input `input`, inspect `file`.
    const byLabel = (recs: Record<string, unknown>[]) => new Map(recs.map((r) => [String(r.input ?? r.file), r]));
    const v = byLabel(verify);
    const ins = inspect ? byLabel(inspect) : undefined;
    assert.equal(shownFiles.length, files.length);
    for (const [i, f] of files.entries()) {
      const s = shownFiles[i]!;
      assert.equal(s.name, basename(f));
      assert.equal(s.shownName, s.name, `${s.name}: not shown when chosen in the list`);
      const cli = v.get(f) ?? v.get(`${f}#1`);
      assert.ok(cli, `${what}: no CLI record for ${f}`);
      if (cli.error) {
        assert.equal(s.listState, 'rejected', `${s.name} (${what}): the CLI rejects it (${JSON.stringify(cli.error)})`);
        assert.equal(s.error, (cli.error as { code: string }).code, `${s.name} (${what})`);
        continue;
      }
      assert.equal(s.listState, cli.verdict, `${s.name} (${what}): list verdict`);
      assert.equal(s.state, cli.verdict, `${s.name} (${what}): shown verdict`);
      assert.ok(s.verdict, `${s.name}: no verdict JSON shown`);
      const ours = atNow(verdictPart(JSON.parse(s.verdict) as Record<string, unknown>));
      assert.deepEqual(ours, atNow(verdictPart(cli)), `${s.name} (${what}): page and verify --json differ`);
      assert.deepEqual(s.layers, (cli.layers as { kind: string }[]).map((l) => l.kind), `${s.name} (${what}): layer tree`);
      const inspected = ins?.get(f) ?? ins?.get(`${f}#1`);
      if (ins) {
        assert.ok(inspected?.verdict, `${s.name}: inspect --json gives no verdict`);
        assert.deepEqual(ours, atNow(verdictPart(inspected.verdict as Record<string, unknown>)), `${s.name} (${what}): page and inspect --json differ`);
      }
    }
  }

  test('every signed and encrypted message of the corpus (MANIFEST: signatureOnly or decrypt), dropped at once: the list\'s verdicts, each file\'s verdict and layers equal `verify --json` and `inspect --json`, without and with its key', async (t) => {
    const entries = manifest().entries.filter((e) => e.signatureOnly !== undefined || e.decrypt !== undefined);
    assert.ok(entries.length >= 100, `only ${entries.length} signed or encrypted files in MANIFEST.json`);
    const files = entries.map((e) => unique(corpusPath(e.path)));
    const p = await context!.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    await p.goto(web!.url);
    let t0 = Date.now();
    const took = (what: string) => { t.diagnostic(`${what}: ${Date.now() - t0} ms`); t0 = Date.now(); };
    // The CLI: one process for all files (JSON Lines), as the page: no trust anchor, no key.
    const cli = Promise.all([cliAsync(['verify', '--json', ...files]), cliAsync(['inspect', '--json', ...files])]);
    await openMany(p, files);
    took(`the page, ${files.length} files`);
    const [verify, inspect] = (await cli).map(jsonRecords) as [Record<string, unknown>[], Record<string, unknown>[]];
    took('verify --json and inspect --json (after the page)');
    compareWithCli(await everyFileShown(p), files, verify, inspect, 'no key');
    took('reading and comparing');
    const states = new Map<string, number>();
    for (const r of verify) states.set(String(r.verdict ?? 'rejected'), (states.get(String(r.verdict ?? 'rejected')) ?? 0) + 1);
    t.diagnostic(`${files.length} files without a key: ${[...states].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    await top(p);
    await p.screenshot({ path: join(SHOTS, 'list-and-verdict.png'), fullPage: false });

    // With the key MANIFEST names (OpenSSL decrypted with it): one fresh page and one CLI process per key.
    const groups = new Map<string, { password: string | null; files: string[] }>();
    entries.forEach((e, i) => {
      const k = decryptKeyFor(e);
      if (!k) return;
      const g = groups.get(k.path) ?? { password: k.password, files: [] };
      g.files.push(files[i]!);
      groups.set(k.path, g);
    });
    let decrypted = 0;
    for (const [keyPath, g] of groups) {
      await p.reload();
      await p.setInputFiles('#key', [corpusPath(keyPath)]);
      if (g.password) await p.fill('#password', g.password);
      await p.click('#use-key');
      await p.waitForFunction(() => /1 key/.test(document.getElementById('key-count')!.textContent ?? ''), undefined, { timeout: 60_000 });
      const pw = join(dir, `pw-${++n}`);
      writeFileSync(pw, `${g.password ?? ''}\n`);
      const keyArgs = /\.(p12|pfx|pkcs12)$/i.test(keyPath) ? ['--p12', corpusPath(keyPath), '--password-file', pw] : ['--key', corpusPath(keyPath)];
      const cliWithKey = cliAsync(['verify', '--json', ...keyArgs, ...g.files]);
      await openMany(p, g.files.length > 1 ? g.files : [...g.files, g.files[0]!]);
      const withKey = jsonRecords(await cliWithKey);
      const shownFiles = await everyFileShown(p);
      compareWithCli(shownFiles.slice(0, g.files.length), g.files, withKey, undefined, `key ${keyPath}`);
      decrypted += withKey.filter((r) => (r.layers as { decrypted?: boolean }[] | undefined)?.some((l) => l.decrypted)).length;
      took(`${g.files.length} files with ${keyPath}`);
    }
    t.diagnostic(`${[...groups.values()].reduce((a, g) => a + g.files.length, 0)} files again with ${groups.size} keys: ${decrypted} decrypted`);
    assert.ok(decrypted >= 25, `only ${decrypted} decrypted with their keys`);
    await p.close();
  });

  test('the other input kinds (bare CMS DER and PEM, X.400 P1 and IPM, an mbox of two) give the verdict and layers of the CLI', async () => {
    const opaque = corpusPath(`${TB}/alice.sig.SHA256.opaque.eml`);
    // Bare CMS: the base64 body of the opaque-signed message, decoded by Python's email package.
    const der = join(dir, 'alice.p7m');
    const py = spawnSync('/usr/bin/python3', ['-c', 'import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); open(sys.argv[2],"wb").write(m.get_payload(decode=True))', opaque, der]);
    assert.equal(py.status, 0, String(py.stderr));
    const pem = join(dir, 'alice-pem.p7m');
    assert.equal(openssl(['cms', '-cmsout', '-inform', 'DER', '-in', der, '-outform', 'PEM', '-out', pem]).status, 0);
    const p1 = join(dir, 'alice.p1');
    assert.equal(runCli(['x400', 'wrap', opaque, '-o', p1]).status, 0);
    const ipm = join(dir, 'alice.ipm');
    assert.equal(runCli(['x400', 'forward', opaque, '-o', ipm]).status, 0);
    for (const f of [der, pem, p1, ipm]) {
      await open(page!, [f]);
      assert.deepEqual(verdictPart(await report(page!)), verdictPart(cliVerify(f)), f);
      const s = await shown(page!);
      assert.equal(s.state, cliVerify(f).verdict, f);
    }
    // X.400: the page shows what `x400 inspect --json` prints.
    await open(page!, [p1]);
    const x400 = JSON.parse((await page!.textContent('[data-testid=x400]'))!) as unknown;
    assert.deepEqual(x400, JSON.parse(runCli(['x400', 'inspect', '--json', p1]).stdout));
    await top(page!);
    await page!.screenshot({ path: join(SHOTS, 'x400.png'), fullPage: false });

    const signed = readFileSync(corpusPath(`${TB}/alice.dsig.SHA256.multipart.eml`));
    const mbox = join(dir, 'two.mbox');
    writeFileSync(mbox, Buffer.concat([Buffer.from('From alice@example.com Thu Jan  1 00:00:00 2026\n'), readFileSync(opaque), Buffer.from('\nFrom alice@example.com Thu Jan  1 00:00:00 2026\n'), signed, Buffer.from('\n')]));
    await open(page!, [mbox]);
    const options = await page!.$$eval('[data-testid=entry] option', (o) => o.length);
    assert.equal(options, 2, 'the mbox list shows both messages');
    assert.deepEqual(verdictPart(await report(page!)), verdictPart(cliVerify(mbox, [], 1)));
    await page!.selectOption('[data-testid=entry]', '2');
    await page!.waitForFunction(() => (document.querySelector('[data-testid=entry]') as HTMLSelectElement | null)?.value === '2' && document.querySelector('[data-layer-kind=clear-signed]') !== null);
    assert.deepEqual(verdictPart(await report(page!)), verdictPart(cliVerify(mbox, [], 2)));
  });

  test('downloads (.eml, .msg, .json) are byte-identical to `smime-bridge convert IN OUT`', async () => {
    const inputs = [
      { file: unique(corpusPath(`${TB}/alice.dsig.SHA256.multipart.eml`)) },
      { file: unique(corpusPath('simple-java-mail/modules/simple-java-mail/src/test/resources/pkcs12/test messages/S_MIME test message signed.msg'), 'signed.msg') },
      { file: unique(corpusPath(`${TB}/alice.dsig.SHA256.multipart.env.eml`)) },
      { file: join(dir, 'two.mbox'), index: 2 },
    ];
    for (const { file, index } of inputs) {
      await open(page!, [file]);
      if (index) {
        await page!.selectOption('[data-testid=entry]', String(index));
        // the selection alone is not enough: wait until the chosen entry is drawn (message 2 is the clear-signed one),
        // or a download under load may still be the first message's
        await page!.waitForFunction((i) => (document.querySelector('[data-testid=entry]') as HTMLSelectElement | null)?.value === String(i) && document.querySelector('[data-layer-kind=clear-signed]') !== null, index);
      }
      for (const fmt of ['eml', 'msg', 'json']) {
        const ours = await saved(page!, `convert-${fmt}`);
        const out = join(dir, `cli-${++n}.${fmt}`);
        const r = runCli(['convert', ...(index ? ['--index', String(index)] : []), file, out]);
        assert.equal(r.status, 0, r.stderr);
        assert.ok(ours.equals(readFileSync(out)), `${basename(file)} -> .${fmt}: the page's download differs from the CLI's output`);
      }
    }
  });

  test('X.400 downloads are byte-identical to `x400 wrap` / `x400 forward` (-o .p1 / .ipm, with and without --mime-wrapper) but for the per-message identifier and time; a bare CMS object without From gives the CLI\'s complaint', async () => {
    const inputs = [
      { file: unique(corpusPath(`${TB}/alice.sig.SHA256.opaque.eml`)), wrappers: [false, true] },
      { file: unique(corpusPath(`${TB}/alice.dsig.SHA256.multipart.eml`)), wrappers: [false] },
      { file: unique(corpusPath('simple-java-mail/modules/simple-java-mail/src/test/resources/pkcs12/test messages/S_MIME test message signed.msg'), 'signed.msg'), wrappers: [false, true] },
      { file: unique(corpusPath(`${TB}/alice.env.eml`)), wrappers: [false] },
    ];
    const forms = [['wrap', 'wrap', 'p1'], ['forward-ipm', 'forward', 'ipm'], ['forward-p1', 'forward', 'p1']] as const;
    for (const { file, wrappers } of inputs) {
      await open(page!, [file]);
      for (const wrapper of wrappers) {
        await page!.setChecked('[data-testid=mime-wrapper]', wrapper);
        for (const [form, command, ext] of forms) {
          const ours = await saved(page!, `x400-${form}`);
          const out = join(dir, `cli-${++n}.${ext}`);
          const r = runCli(['x400', command, ...(wrapper ? ['--mime-wrapper'] : []), file, '-o', out]);
          assert.equal(r.status, 0, r.stderr);
          const a = x400Masked(ours);
          const b = x400Masked(readFileSync(out));
          assert.equal(a.fields, form === 'wrap' ? 2 : form === 'forward-ipm' ? 1 : 3, `${form}: the per-message fields`);
          assert.equal(a.fields, b.fields);
          assert.ok(a.masked === b.masked, `${basename(file)} -> x400 ${command} .${ext}${wrapper ? ' --mime-wrapper' : ''}: the page's download differs from the CLI's output`);
        }
      }
    }
    // A bare CMS object names no originator: the command refuses (usage), the page shows why.
    const der = join(dir, 'bare.p7m');
    const py = spawnSync('/usr/bin/python3', ['-c', 'import email,sys; m=email.message_from_binary_file(open(sys.argv[1],"rb")); open(sys.argv[2],"wb").write(m.get_payload(decode=True))', corpusPath(`${TB}/alice.sig.SHA256.opaque.eml`), der]);
    assert.equal(py.status, 0, String(py.stderr));
    const cli = runCli(['x400', 'wrap', der, '-o', join(dir, 'bare.p1')]);
    assert.notEqual(cli.status, 0);
    assert.match(cli.stderr, /no originator/);
    await open(page!, [der]);
    await page!.click('[data-testid=x400-wrap]');
    await page!.waitForSelector('#notice [role=alert]');
    assert.match((await page!.textContent('#notice'))!, /INVALID_ARGUMENT.*no originator/);
  });

  test('trust anchors: memory only by default (a reload forgets them); kept in this browser when asked; Forget removes them', async () => {
    const ca = corpusPath(`${TB}/TestCA.pem`);
    const file = unique(corpusPath(`${TB}/alice.dsig.SHA256.multipart.eml`));
    const trusted = String(cliVerify(file, ['--ca', ca]).verdict);
    const untrusted = String(cliVerify(file).verdict);
    assert.equal(trusted, 'valid');
    assert.equal(untrusted, 'untrusted');
    const ctx = await browser!.newContext({ viewport: { width: 1200, height: 900 } });
    const p = await ctx.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    const stored = () => p.evaluate(() => Object.keys(localStorage));
    const count = () => p.textContent('#anchor-count');
    await p.goto(web!.url);
    // Default: memory only.
    await p.setInputFiles('#anchors', [ca]);
    await p.waitForFunction(() => /1 trust anchor\(s\) for this visit/.test(document.getElementById('anchor-count')!.textContent ?? ''));
    assert.deepEqual(await stored(), [], 'something was stored without being asked');
    await open(p, [file]);
    assert.equal((await shown(p)).state, trusted);
    await p.reload();
    assert.equal(await count(), 'no trust anchor');
    assert.equal(await p.isChecked('#keep-anchors'), false);
    await open(p, [file]);
    assert.equal((await shown(p)).state, untrusted, 'the anchor outlived the reload');
    // Asked to keep them: they come back after a reload (and a new page of the same browser).
    await p.check('#keep-anchors');
    await p.setInputFiles('#anchors', [ca]);
    await p.waitForFunction(() => /1 trust anchor\(s\) kept in this browser/.test(document.getElementById('anchor-count')!.textContent ?? ''));
    assert.deepEqual(await stored(), ['smime-bridge.trust-anchors']);
    await p.reload();
    await p.waitForFunction(() => /1 trust anchor\(s\) kept in this browser/.test(document.getElementById('anchor-count')!.textContent ?? ''));
    assert.equal(await p.isChecked('#keep-anchors'), true);
    await open(p, [file]);
    assert.equal((await shown(p)).state, trusted, 'the kept anchor is not used after a reload');
    assert.deepEqual(verdictPart(await report(p)), verdictPart(cliVerify(file, ['--ca', ca])));
    // Forget: gone from the page and from the storage, and after a reload.
    await p.click('#forget-anchors');
    await p.waitForFunction(() => document.getElementById('anchor-count')!.textContent === 'no trust anchor');
    await p.waitForFunction((s) => document.querySelector('[data-testid=verdict]')?.getAttribute('data-state') === s, untrusted);
    assert.deepEqual(await stored(), []);
    await p.reload();
    assert.equal(await count(), 'no trust anchor');
    await open(p, [file]);
    assert.equal((await shown(p)).state, untrusted);
    await ctx.close();
  });

  test('drag and drop: a drop of the file (a DataTransfer built in the page from its bytes) shows what choosing it shows', async () => {
    const src = corpusPath(`${TB}/alice.env.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml`);
    const picked = unique(src, 'pick.eml');
    await open(page!, [picked]);
    const viaInput = await page!.evaluate(() => ({
      verdict: document.querySelector('[data-testid=verdict-json]')?.textContent ?? null,
      layers: Array.from(document.querySelectorAll('[data-layer-kind]')).map((e) => e.getAttribute('data-layer-kind')),
      details: document.getElementById('details')!.innerText,
    }));
    const over = await page!.evaluate(async ({ b64, name }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type: 'message/rfc822' }));
      const zone = document.getElementById('drop')!;
      zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      const dragover = new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true });
      zone.dispatchEvent(dragover);
      const highlighted = zone.classList.contains('over');
      const drop = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
      zone.dispatchEvent(drop);
      return { highlighted, dragoverTaken: dragover.defaultPrevented, dropTaken: drop.defaultPrevented, after: zone.classList.contains('over') };
    }, { b64: readFileSync(src).toString('base64'), name: 'dropped.eml' });
    assert.deepEqual(over, { highlighted: true, dragoverTaken: true, dropTaken: true, after: false });
    await page!.waitForFunction(() => document.querySelector('#summary h3')?.textContent === 'dropped.eml' && document.querySelector('[data-testid=verdict]') !== null);
    const viaDrop = await page!.evaluate(() => ({
      verdict: document.querySelector('[data-testid=verdict-json]')?.textContent ?? null,
      layers: Array.from(document.querySelectorAll('[data-layer-kind]')).map((e) => e.getAttribute('data-layer-kind')),
      details: document.getElementById('details')!.innerText,
    }));
    assert.ok(viaInput.verdict && viaInput.layers.length >= 2, 'nothing shown for the chosen file');
    assert.equal(viaDrop.verdict, viaInput.verdict);
    assert.deepEqual(viaDrop.layers, viaInput.layers);
    // Everything else drawn is the same too, but the name and the time of the check.
    const same = (t: string) => t.replace(/\d+-pick\.eml|dropped\.eml/g, 'NAME').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME');
    assert.equal(same(viaDrop.details), same(viaInput.details));
  });

  test('progress: a 25 MB signed message (made by OpenSSL) reports increasing fractions while it is read, decoded and digested; a 6 MB encrypted one while it is decrypted', async (t) => {
    const keyPem = join(dir, 'big-key.pem');
    const certPem = join(dir, 'big-cert.pem');
    assert.equal(openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-keyout', keyPem, '-out', certPem,
      '-subj', '/CN=Big Signer/emailAddress=big@example.com', '-addext', 'subjectAltName=email:big@example.com']).status, 0);
    const content = (mb: number) => {
      const b64 = randomBytes(Math.round(mb * 1e6 * 0.74)).toString('base64').replace(/.{76}/g, '$&\r\n');
      return Buffer.from(`Content-Type: application/octet-stream; name="big.bin"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="big.bin"\r\n\r\n${b64}\r\n`);
    };
    const common = ['-binary', '-crlfeol', '-from', 'Big Signer <big@example.com>', '-to', 'reader@example.org', '-subject', 'big'];
    const signed = join(dir, 'big-signed.eml');
    const r1 = openssl(['cms', '-sign', '-md', 'sha256', '-signer', certPem, '-inkey', keyPem, ...common, '-out', signed], content(25));
    assert.equal(r1.status, 0, r1.stderr);
    const encrypted = join(dir, 'big-encrypted.eml');
    const r2 = openssl(['cms', '-encrypt', '-aes-256-cbc', ...common, '-out', encrypted, certPem], content(6));
    assert.equal(r2.status, 0, r2.stderr);
    const ctx = await browser!.newContext({ viewport: { width: 1200, height: 900 } });
    const p = await ctx.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    await p.goto(web!.url);
    await p.setInputFiles('#key', [keyPem]);
    await p.setInputFiles('#key-cert', [certPem]);
    await p.click('#use-key');
    await p.waitForFunction(() => /1 key/.test(document.getElementById('key-count')!.textContent ?? ''), undefined, { timeout: 60_000 });
    const runsOf = async (file: string) => {
      await p.evaluate(() => {
        const w = window as unknown as { seen: [string, number][] };
        w.seen = [];
        const bar = document.getElementById('progress') as HTMLProgressElement;
        new MutationObserver(() => w.seen.push([bar.dataset.stage ?? '', bar.value])).observe(bar, { attributes: true, attributeFilter: ['value'] });
      });
      await open(p, [file]);
      const seen = await p.evaluate(() => (window as unknown as { seen: [string, number][] }).seen);
      // Runs: consecutive reports of one stage (a stage that reached 1 and starts again is a new run).
      const runs: { stage: string; values: number[] }[] = [];
      for (const [stage, value] of seen) {
        const last = runs[runs.length - 1];
        if (last && last.stage === stage && last.values[last.values.length - 1] !== 1) {
          if (last.values[last.values.length - 1] !== value) last.values.push(value);
        } else runs.push({ stage, values: [value] });
      }
      for (const r of runs) assert.ok(r.values.every((x, i) => i === 0 || x > r.values[i - 1]!), `${r.stage}: ${r.values.join(' ')}`);
      t.diagnostic(`${basename(file)}: ${runs.map((r) => `${r.stage} (${r.values.length})`).join(', ')}`);
      return runs;
    };
    const long = (runs: { stage: string; values: number[] }[], stage: RegExp) => runs.find((r) => stage.test(r.stage) && r.values.length >= 10 && r.values[r.values.length - 1] === 1);
    const signedRuns = await runsOf(signed);
    assert.equal((await shown(p)).state, String(cliVerify(signed).verdict));
    for (const stage of [/^reading the file$/, /^decoding base64$/, /^computing the SHA-256 digest$/]) assert.ok(long(signedRuns, stage), `no progress by bytes for ${stage}`);
    const encRuns = await runsOf(encrypted);
    // 4.4 MB of ciphertext: a report per 1 MiB piece.
    const dec = encRuns.find((r) => r.stage === 'decrypting the content' && r.values.length >= 4 && r.values[r.values.length - 1] === 1);
    assert.ok(dec, 'no progress by bytes for the decryption');
    const enveloped = (verdictPart(await report(p)).layers as { kind: string; decrypted?: boolean }[]).find((l) => l.kind === 'enveloped');
    assert.equal(enveloped?.decrypted, true);
    // The bar is labelled and tells its value in words.
    assert.equal(await p.getAttribute('#progress', 'aria-label'), 'Progress of the check');
    assert.match((await p.getAttribute('#progress', 'aria-valuetext')) ?? '', /big-encrypted\.eml: .+ \(step \d of \d\)/);
    await ctx.close();
  });

  test('an HTML body keeps its own inline styles and <style>, and loads nothing remote (img, @import, url(), fonts, <link>)', async () => {
    const before = remoteHits;
    const html = join(dir, 'styled.eml');
    const r = remoteOrigin;
    writeFileSync(html, `From: a@example.com\r\nTo: b@example.com\r\nSubject: styled\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n`
      + `<html><head><style>@import url("${r}/import.css"); @font-face { font-family: Remote; src: url("${r}/font.woff2"); } .boxed { border: 3px solid rgb(0, 128, 0); font-family: Remote; } body { background: url("${r}/bg.png"); }</style>`
      + `<link rel="stylesheet" href="${r}/link.css"></head><body><p id="styled" style="color: rgb(255, 0, 0); font-weight: 700">Red</p><div class="boxed" id="boxed">Box</div>`
      + `<img src="${r}/img.png" alt="remote"><div style="background-image: url('${r}/inline-bg.png')">bg</div><script>document.body.dataset.ran = 'yes';</script></body></html>\r\n`);
    await open(page!, [html]);
    const frame = (await (await page!.waitForSelector('#content [data-testid=html-body]')).contentFrame())!;
    await frame.waitForSelector('#boxed');
    await page!.waitForTimeout(500); // let a remote load start, if anything allowed one
    const styles = await frame.evaluate(() => {
      const p = getComputedStyle(document.getElementById('styled')!);
      const b = getComputedStyle(document.getElementById('boxed')!);
      return { color: p.color, weight: p.fontWeight, border: `${b.borderTopWidth} ${b.borderTopStyle} ${b.borderTopColor}`, ran: document.body.dataset.ran ?? 'no' };
    });
    assert.deepEqual(styles, { color: 'rgb(255, 0, 0)', weight: '700', border: '3px solid rgb(0, 128, 0)', ran: 'no' });
    assert.equal(remoteHits - before, 0, 'a remote resource of the HTML body was fetched');
  });

  test('a tampered copy (one byte of the signed text changed; OpenSSL rejects it) shows invalid', async () => {
    const original = readFileSync(corpusPath(`${TB}/alice.dsig.SHA256.multipart.eml`));
    const at = original.indexOf('This is a test message');
    assert.ok(at > 0);
    const tampered = Buffer.from(original);
    tampered[at] = 't'.charCodeAt(0);
    const file = join(dir, 'tampered.eml');
    writeFileSync(file, tampered);
    assert.notEqual(openssl(['cms', '-verify', '-noverify', '-in', file, '-out', '/dev/null']).status, 0, 'openssl still verifies it');
    await open(page!, [file]);
    assert.equal((await shown(page!)).state, 'invalid');
    assert.match((await page!.textContent('[data-testid=signer]'))!, /Invalid/);
    assert.deepEqual(verdictPart(await report(page!)), verdictPart(cliVerify(file)));
    await top(page!);
    await page!.screenshot({ path: join(SHOTS, 'tampered-invalid.png'), fullPage: false });
  });

  test('bad input shows the typed error (code) and no content; the page keeps working', async () => {
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'this is not a message\n\0\0\0');
    await open(page!, [junk]);
    assert.equal((await shown(page!)).state, 'rejected');
    const cli = JSON.parse(runCli(['verify', '--json', junk]).stdout) as { error: { code: string } };
    assert.match((await page!.textContent('[data-testid=error]'))!, new RegExp(cli.error.code));
    assert.equal(await page!.$('#content'), null, 'content shown for a rejected input');
    const msg = readFileSync(corpusPath('simple-java-mail/modules/simple-java-mail/src/test/resources/pkcs12/test messages/S_MIME test message signed.msg'));
    const cut = join(dir, 'cut.msg');
    writeFileSync(cut, msg.subarray(0, 1536));
    await open(page!, [cut]);
    const cliCut = JSON.parse(runCli(['verify', '--json', cut]).stdout) as { error?: { code: string } };
    assert.ok(cliCut.error, 'the CLI accepts the truncated .msg');
    assert.match((await page!.textContent('[data-testid=error]'))!, new RegExp(cliCut.error.code));
    assert.equal(await page!.$('#content'), null);
    await top(page!);
    await page!.screenshot({ path: join(SHOTS, 'error.png'), fullPage: false });
  });

  test('an HTML body runs no <script> and loads no remote <img>', async () => {
    const html = join(dir, 'html.eml');
    writeFileSync(html, `From: a@example.com\r\nTo: b@example.com\r\nSubject: html\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello</p><script>window.ran = true; document.title = 'ran';</script><img src="${remoteOrigin}/pixel.png" alt="remote"><img src="${remoteOrigin}/x.png" onerror="window.ran2 = true">\r\n`);
    await open(page!, [html]);
    const frameEl = await page!.waitForSelector('#content [data-testid=html-body]');
    // Sandboxed: only frame.html's own script (by its hash) may run, in an opaque origin (no allow-same-origin).
    assert.equal(await frameEl.getAttribute('sandbox'), 'allow-scripts');
    const frame = (await frameEl.contentFrame())!;
    await frame.waitForSelector('p');
    await page!.waitForTimeout(300); // let a remote load start, if anything allowed one
    assert.equal(await frame.evaluate(() => (window as unknown as { ran?: boolean }).ran ?? false), false, 'the script ran');
    assert.equal(await frame.evaluate(() => (window as unknown as { ran2?: boolean }).ran2 ?? false), false, 'an event handler ran');
    assert.equal(remoteHits, 0, 'the remote image was fetched');
    // Chromium announces the two image loads, and its CSP refuses both before they reach the network.
    for (const u of requests.filter((x) => x.startsWith(remoteOrigin))) assert.match(failed.get(u) ?? 'not refused', CSP_REFUSAL, u);
  });

  test('with TestCA.pem and Bob.p12 the page agrees with `verify --ca --p12`; the decrypted downloads are `decrypt`\'s bytes; the decrypted text is OpenSSL\'s; a reload forgets the key', async () => {
    const ca = corpusPath(`${TB}/TestCA.pem`);
    const p12 = corpusPath(`${TB}/Bob.p12`);
    const password = manifest().keys['thunderbird-smime']?.[`${TB}/Bob.p12`] ?? '';
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, `${password}\n`);
    await page!.setInputFiles('#anchors', [ca]);
    await page!.waitForFunction(() => /1 trust anchor/.test(document.getElementById('anchor-count')!.textContent ?? ''));
    await page!.setInputFiles('#key', [p12]);
    await page!.fill('#password', password);
    await page!.click('#use-key');
    await page!.waitForFunction(() => /1 key/.test(document.getElementById('key-count')!.textContent ?? ''), undefined, { timeout: 30_000 });
    assert.equal(await page!.inputValue('#password'), '', 'the password stays in the field');
    const cliArgs = ['--ca', ca, '--p12', p12, '--password-file', pwFile];
    const files = ['alice.dsig.SHA256.multipart.eml', 'alice.dsig.SHA256.multipart.env.eml', 'alice.env.eml', 'alice.env.dsig.SHA256.multipart.eml', 'alice.env.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml'];
    for (const name of files) {
      const file = unique(corpusPath(`${TB}/${name}`));
      await open(page!, [file]);
      const ours = verdictPart(await report(page!));
      assert.deepEqual(ours, verdictPart(cliVerify(file, cliArgs)), name);
      const enveloped = (ours.layers as { kind: string; decrypted?: boolean }[]).filter((l) => l.kind === 'enveloped');
      if (/env/.test(name)) assert.ok(enveloped.length > 0 && enveloped.every((l) => l.decrypted === true), `${name} not decrypted`);
    }
    // The decrypted message, as .eml and .msg: the bytes `smime-bridge decrypt -o OUT` writes.
    for (const name of ['alice.env.eml', 'alice.dsig.SHA256.multipart.env.eml', 'alice.env.dsig.SHA256.multipart.eml']) {
      const file = unique(corpusPath(`${TB}/${name}`));
      await open(page!, [file]);
      for (const fmt of ['eml', 'msg']) {
        const ours = await saved(page!, `decrypted-${fmt}`);
        const out = join(dir, `cli-${++n}.${fmt}`);
        const r = runCli(['decrypt', '--p12', p12, '--password-file', pwFile, file, '-o', out]);
        assert.equal(r.status, 0, r.stderr);
        assert.ok(ours.equals(readFileSync(out)), `${name} -> decrypted .${fmt}: the page's download differs from the CLI's output`);
      }
    }
    const env = unique(corpusPath(`${TB}/alice.dsig.SHA256.multipart.env.eml`));
    await open(page!, [env]);
    assert.equal((await shown(page!)).state, 'valid');
    const keyPem = join(dir, 'bob.pem');
    const base = ['pkcs12', '-in', p12, '-nodes', '-passin', `pass:${password}`, '-out', keyPem];
    if (openssl(base).status !== 0) assert.equal(openssl([...base, '-legacy']).status, 0);
    const inner = openssl(['cms', '-decrypt', '-inkey', keyPem, '-in', env]);
    assert.equal(inner.status, 0, inner.stderr);
    // The text/plain part of the decrypted, signed message, as Python's email package reads it.
    const py = spawnSync('/usr/bin/python3', ['-c', 'import email,sys\nm=email.message_from_binary_file(sys.stdin.buffer)\nfor p in m.walk():\n  if p.get_content_type()=="text/plain":\n    sys.stdout.write(p.get_payload(decode=True).decode()); break'], { input: inner.stdout });
    assert.equal(py.status, 0, String(py.stderr));
    const theirs = String(py.stdout).replace(/\r\n/g, '\n').trim();
    assert.ok(theirs.length > 0, 'python found no text/plain part');
    const plain = (await page!.textContent('[data-testid=content-plain]'))?.replace(/\r\n/g, '\n').trim();
    assert.equal(plain, theirs);
    await top(page!);
    await page!.screenshot({ path: join(SHOTS, 'decrypted-valid.png'), fullPage: true });
    await page!.reload();
    assert.equal(await page!.textContent('#key-count'), 'no key');
    await open(page!, [env]);
    assert.equal((await shown(page!)).state, 'cannot-check', 'after a reload the key is gone');
  });

  test('a PEM key (KDE\'s unittest-cert.key.pem) decrypts in the page as `verify --key` does (MANIFEST: OpenSSL decrypts with it)', async () => {
    const key = corpusPath('kde-mimetreeparser/DERIVED/unittest-cert.key.pem');
    await page!.reload();
    await page!.setInputFiles('#key', [key]);
    await page!.click('#use-key');
    await page!.waitForFunction(() => /1 key/.test(document.getElementById('key-count')!.textContent ?? ''), undefined, { timeout: 30_000 });
    for (const rel of ['kde-mimetreeparser/autotests/testdata/smime-encrypted.mbox', 'kde-mimetreeparser/autotests/testdata/smime-opaque-enc+sign.mbox']) {
      const e = manifest().entries.find((x) => x.path === rel);
      assert.ok(e?.decrypt?.startsWith('ok with '), `${rel}: ${e?.decrypt}`);
      const file = unique(corpusPath(rel));
      await open(page!, [file]);
      const ours = verdictPart(await report(page!));
      assert.deepEqual(ours, verdictPart(cliVerify(file, ['--key', key])), rel);
      assert.equal((ours.layers as { kind: string; decrypted?: boolean }[]).find((l) => l.kind === 'enveloped')?.decrypted, true, `${rel} not decrypted`);
    }
    await page!.click('#forget');
    await page!.waitForFunction(() => document.getElementById('key-count')!.textContent === 'no key');
  });

  test('the reports name the file, its SHA-256 (as Node computes it), the layers, the verdict and the time', async () => {
    const file = unique(corpusPath(`${TB}/alice.dsig.SHA256.multipart.eml`));
    await open(page!, [file]);
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    const json = await report(page!) as { file: { name: string; sha256: string }; checkedAt: string; layers: unknown[]; verdict: string };
    assert.equal(json.file.name, basename(file));
    assert.equal(json.file.sha256, sha);
    assert.ok(!Number.isNaN(Date.parse(json.checkedAt)));
    const html = (await saved(page!, 'report-html')).toString('utf8');
    for (const needle of [basename(file), sha, 'clear-signed', json.verdict.toUpperCase(), json.checkedAt]) assert.ok(html.includes(needle), `the HTML report lacks ${needle}`);
    assert.ok(!/<script/i.test(html), 'the HTML report carries a script');
  });

  test('a .msg shows both views and a searchable property table', async () => {
    const file = unique(corpusPath('simple-java-mail/modules/simple-java-mail/src/test/resources/pkcs12/test messages/S_MIME test message signed.msg'), 'signed.msg');
    await open(page!, [file]);
    assert.ok(await page!.$('#stored'), 'no stored view');
    assert.ok(await page!.$('#content'), 'no unwrapped view');
    const all = await page!.$$eval('[data-testid=properties] tbody tr', (r) => r.length);
    await page!.fill('#prop-search', 'PidTagMessageClass');
    const some = await page!.$$eval('[data-testid=properties] tbody tr', (r) => r.map((x) => x.textContent ?? ''));
    assert.ok(some.length >= 1 && some.length < all, `search kept ${some.length} of ${all}`);
    assert.ok(some.some((x) => x.includes('IPM.Note.SMIME')), some.join('\n'));
    await top(page!);
    await page!.screenshot({ path: join(SHOTS, 'msg.png'), fullPage: false });
  });

  test('no request beyond the page\'s own files; no page error', async () => {
    const own = new Set(['', 'index.html', 'main.js', 'worker.js', 'style.css', 'frame.html'].map((f) => `${web!.url}${f}`));
    // Only http(s) reaches a network; cid: references of HTML bodies (RFC 2392) and blob:/data:/about: do not.
    const outside = requests.filter((u) => !own.has(u) && /^https?:/i.test(u));
    // Chromium reports a refused load a moment after announcing it: wait for each outcome.
    for (let i = 0; i < 50 && outside.some((u) => !failed.has(u)); i++) await new Promise((ok) => setTimeout(ok, 100));
    // The only others are the HTML body's remote images, refused by CSP before the network (and the remote server saw none).
    assert.deepEqual(outside.filter((u) => !CSP_REFUSAL.test(failed.get(u) ?? '')).map((u) => `${u}: ${failed.get(u) ?? 'not refused'}`), []);
    assert.ok(outside.every((u) => u.startsWith(remoteOrigin)), outside.join('\n'));
    assert.equal(remoteHits, 0);
    assert.deepEqual(pageErrors, []);
  });

  test('axe-core: no serious or critical violation, wide and narrow (keyboard: every control reachable by Tab)', async (t) => {
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    // A separate context that may inject axe despite the page's CSP (the page itself is unchanged).
    const ctx = await browser!.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
    const p = await ctx.newPage();
    await p.goto(web!.url);
    const first = unique(corpusPath(`${TB}/alice.dsig.SHA256.multipart.eml`));
    await open(p, [first, unique(corpusPath('simple-java-mail/modules/simple-java-mail/src/test/resources/pkcs12/test messages/S_MIME test message signed.msg'), 'signed.msg')], basename(first));
    await p.addScriptTag({ content: axe });
    for (const width of [1200, 360]) {
      await p.setViewportSize({ width, height: 900 });
      const result = await p.evaluate(async () => (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run());
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      for (const v of result.violations) t.diagnostic(`${width}px: ${v.impact} ${v.id} (${v.nodes.length})`);
      assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((x) => x.target.join(' ')).join(', ')}`), [], `at ${width}px`);
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at ${width}px`);
      await top(p);
      await p.screenshot({ path: join(SHOTS, `page-${width}px.png`), fullPage: false });
    }
    // Keyboard: Tab from the top reaches the file chooser, the key form and the first Save button.
    await p.keyboard.press('Tab');
    const reached = new Set<string>();
    for (let i = 0; i < 80; i++) {
      reached.add(await p.evaluate(() => document.activeElement?.id || document.activeElement?.getAttribute('data-testid') || ''));
      await p.keyboard.press('Tab');
    }
    for (const id of ['file', 'anchors', 'keep-anchors', 'forget-anchors', 'key', 'password', 'use-key']) assert.ok(reached.has(id), `Tab does not reach #${id}`);
    await ctx.close();
    console.log(`screenshots: ${SHOTS}`);
    t.diagnostic(`screenshots: ${SHOTS}`);
  });
});
