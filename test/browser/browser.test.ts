/**
 * Issue 4 item 7 and its "Done means" browser test: the core code runs in a browser.
 *
 * 1. A static scan: no Node built-in imports, `require(...)` or `Buffer` in the core folders.
 * 2. esbuild bundles test/browser/page-entry.ts (which imports src/index.ts) for platform
 *    `browser`; every Node built-in name a dependency asks for must resolve to a browser package
 *    or to an empty module its package.json `browser` field chose.
 * 3. Debian's Chromium, driven by playwright-core, loads the bundle from a 127.0.0.1 server and
 *    verifies a clear-signed corpus message, rejects a tampered copy, decrypts an encrypted one
 *    with Bob.p12, and round-trips .eml → .msg → .eml. OpenSSL, run here in Node, judges the
 *    page's bytes: same plaintext as `openssl cms -decrypt`, round-tripped output still passes
 *    `openssl cms -verify -noverify`, tampered copy fails it.
 * Expectations about the corpus files come from ../shared/corpus/MANIFEST.json (OpenSSL).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { corpusPath, manifest, type ManifestEntry } from '../helpers/corpus.js';
import { bundlePage, type PageBundle } from './bundle.js';
import { scanCore } from './scan.js';
import { serveStatic, type Route, type StaticServer } from './server.js';
import type { PageJob, PageResult } from './page-entry.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const TB = 'thunderbird-smime/mailnews/test/data/smime';
const FILES = {
  clearSigned: `${TB}/alice.dsig.SHA256.multipart.eml`,
  opaqueSigned: `${TB}/alice.sig.SHA256.opaque.eml`,
  encrypted: `${TB}/alice.dsig.SHA256.multipart.env.eml`,
  p12: `${TB}/Bob.p12`,
  trustAnchor: `${TB}/TestCA.pem`,
};

function entry(path: string): ManifestEntry {
  const e = manifest().entries.find((x) => x.path === path);
  assert.ok(e, `${path} is not in MANIFEST.json`);
  return e;
}

/** Run openssl with stdin; status, stdout bytes, stderr text. */
function openssl(args: string[], input?: Uint8Array): { status: number; stdout: Uint8Array; stderr: string } {
  const r = spawnSync('openssl', args, { input, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: new Uint8Array(r.stdout), stderr: String(r.stderr) };
}

const fromBase64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

test('core folders (src/{mime,mapi,oxcmail,smime,msg,cms,x400,secure,platform}, except src/platform/node.ts) use no node: imports, require() or Buffer', () => {
  const { files, offenders } = scanCore('src');
  assert.ok(files > 0, 'no core source files found under src/');
  assert.deepEqual(offenders, [], `Node-only code in browser-safe folders:\n${offenders.join('\n')}`);
});

test('Debian Chromium is installed at /usr/bin/chromium (the browser test needs it; no download, no silent skip)', () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with \`apt-get install chromium\``);
});

describe('in Chromium (playwright-core, /usr/bin/chromium)', { timeout: 90_000 }, () => {
  let dir = '';
  let bundle: PageBundle | undefined;
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let result: PageResult | undefined;
  const pageErrors: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smime-bridge-browser-'));
    bundle = await bundlePage('test/browser/page-entry.ts', dir);
    const html = join(dir, 'index.html');
    writeFileSync(html, '<!doctype html><meta charset="utf-8"><title>smime-bridge browser test</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>\n');
    const routes = new Map<string, Route>([
      ['/', { file: html, type: 'text/html; charset=utf-8' }],
      ['/page.js', { file: bundle.file, type: 'text/javascript; charset=utf-8' }],
    ]);
    for (const rel of Object.values(FILES)) routes.set(`/corpus/${rel}`, { file: corpusPath(rel), type: 'application/octet-stream' });
    server = await serveStatic(routes);

    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's Chromium with \`apt-get install chromium\` (the browser test never downloads a browser)`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console.error: ${m.text()} (${m.location().url})`); });
    await page.goto(`${server.origin}/`);
    await page.waitForFunction(() => 'smimeBridgeBrowserTest' in globalThis, undefined, { timeout: 20_000 })
      .catch((e: unknown) => { throw new Error(`the page script did not start: ${String(e)}\n${pageErrors.join('\n')}`); });
    const job: PageJob = {
      clearSigned: `/corpus/${FILES.clearSigned}`,
      opaqueSigned: `/corpus/${FILES.opaqueSigned}`,
      encrypted: `/corpus/${FILES.encrypted}`,
      p12: `/corpus/${FILES.p12}`,
      password: manifest().keys['thunderbird-smime']?.[FILES.p12] ?? '',
      trustAnchors: [`/corpus/${FILES.trustAnchor}`],
    };
    result = await page.evaluate(async (j) => {
      const api = (globalThis as unknown as { smimeBridgeBrowserTest: { run(j: PageJob): Promise<PageResult> } }).smimeBridgeBrowserTest;
      return api.run(j);
    }, job).catch((e: unknown) => { throw new Error(`the page failed: ${String(e)}\n${pageErrors.join('\n')}`); });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the browser bundle needs no Node built-in: each one a dependency names resolves to an npm package or a `browser: false` empty module', (t) => {
    assert.ok(bundle);
    assert.ok(bundle.inputs.some((f) => f.startsWith('src/cms/')), 'the bundle does not contain src/cms');
    const bad = bundle.builtinImports.filter((b) => b.specifier.startsWith('node:')
      // (a worktree's node_modules may be a symlink that esbuild resolves to ../main/node_modules/)
      || !(/^(\.\.\/[^/]+\/)?node_modules\//.test(b.resolvedTo) || b.resolvedTo.startsWith('(disabled):')));
    assert.deepEqual(bad, [], 'Node built-ins without a browser substitute');
    assert.ok(!bundle.builtinImports.some((b) => b.importer.startsWith('src/')), 'src/ itself imports a Node built-in');
    for (const b of bundle.builtinImports) t.diagnostic(`${b.importer}: '${b.specifier}' -> ${b.resolvedTo}`);
  });

  test('the page runs without Node globals (no Buffer, no process) and has WebCrypto', () => {
    assert.ok(result, `no result from the page: ${pageErrors.join('\n')}`);
    assert.match(result.environment.userAgent, /Chrome\//);
    assert.equal(result.environment.hasBuffer, false);
    assert.equal(result.environment.hasProcess, false);
    assert.equal(result.environment.hasSubtle, true);
    assert.deepEqual(pageErrors, []);
  });

  test('RFC 8551 3.5 clear-signed corpus message (signer certificate inside): every signer valid in the page, as OpenSSL says', () => {
    const e = entry(FILES.clearSigned) as ManifestEntry & { cmsDetail?: { certificateCount?: number } };
    assert.equal(e.signatureOnly, 'ok');
    assert.ok((e.cmsDetail?.certificateCount ?? 0) >= 1, 'the signer certificate must travel inside the message');
    assert.ok(result);
    const v = result.clearSigned;
    assert.deepEqual(v.layers, ['clear-signed']);
    assert.ok(v.signers.length > 0, 'no signer reported');
    assert.ok(v.signers.every((s) => s.signatureValid), JSON.stringify(v.signers));
    assert.equal(v.allValid, true);
  });

  test('RFC 8550 chain building in the page: the clear-signed message chains to TestCA.pem, as `openssl cms -verify -CAfile` agrees', () => {
    const theirs = openssl(['cms', '-verify', '-CAfile', corpusPath(FILES.trustAnchor), '-in', corpusPath(FILES.clearSigned), '-out', '/dev/null']);
    assert.equal(theirs.status, 0, `openssl: ${theirs.stderr}`);
    assert.ok(result);
    assert.ok(result.clearSigned.signers.every((s) => s.trusted), JSON.stringify(result.clearSigned.signers));
    assert.equal(result.clearSigned.allValidAndTrusted, true);
  });

  test('a tampered copy (one byte of the signed body changed) is reported invalid in the page, and OpenSSL rejects it too', () => {
    assert.ok(result);
    const original = new Uint8Array(readFileSync(corpusPath(FILES.clearSigned)));
    const tampered = fromBase64(result.tampered.bytesBase64);
    assert.equal(tampered.length, original.length);
    assert.equal(original.filter((b, i) => tampered[i] !== b).length, 1, 'the page changed not exactly one byte');
    assert.notEqual(openssl(['cms', '-verify', '-noverify', '-out', '/dev/null'], tampered).status, 0, 'openssl still verifies the tampered copy');
    assert.equal(result.tampered.error, undefined, `tampering must give a verdict, not an error: ${result.tampered.error}`);
    assert.equal(result.tampered.allValid, false);
    assert.ok(result.tampered.signers.length > 0 && result.tampered.signers.every((s) => !s.signatureValid), JSON.stringify(result.tampered.signers));
  });

  test('an encrypted corpus message decrypts in the page with Bob.p12 to the bytes `openssl cms -decrypt` gives', () => {
    const e = entry(FILES.encrypted);
    assert.ok(e.decrypt?.startsWith('ok with ') && e.decrypt.includes(FILES.p12), `manifest: ${e.decrypt}`);
    assert.ok(result);
    const tmp = mkdtempSync(join(tmpdir(), 'smime-bridge-browser-openssl-'));
    try {
      const pem = join(tmp, 'bob.pem');
      const password = manifest().keys['thunderbird-smime']?.[FILES.p12] ?? '';
      const base = ['pkcs12', '-in', corpusPath(FILES.p12), '-nodes', '-passin', `pass:${password}`, '-out', pem];
      if (openssl(base).status !== 0) assert.equal(openssl([...base, '-legacy']).status, 0, 'openssl could not read Bob.p12');
      const theirs = openssl(['cms', '-decrypt', '-inkey', pem, '-in', corpusPath(FILES.encrypted), '-out', '-']);
      assert.equal(theirs.status, 0, theirs.stderr);
      assert.ok(result.decrypted.layers[0]?.startsWith('enveloped'), result.decrypted.layers.join(' | '));
      const ours = fromBase64(result.decrypted.innerContentBase64);
      assert.ok(ours.length > 0, `nothing decrypted: ${result.decrypted.layers.join(' | ')}`);
      assert.deepEqual(ours, theirs.stdout);
      assert.equal(result.decrypted.complete, true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  for (const name of ['clear-signed', 'opaque-signed'] as const) {
    test(`MS-OXOSMIME 3.1.5 round trip in the page (${name}): .eml → toMessage → writeMsg → readMsg → toInternet still passes \`openssl cms -verify -noverify\` with the same content`, () => {
      const file = name === 'clear-signed' ? FILES.clearSigned : FILES.opaqueSigned;
      assert.equal(entry(file).signatureOnly, 'ok');
      assert.ok(result);
      const r = result.roundTrip.find((x) => x.name === name);
      assert.ok(r, `no ${name} round trip`);
      assert.equal(r.messageClass, name === 'clear-signed' ? 'IPM.Note.SMIME.MultipartSigned' : 'IPM.Note.SMIME');
      assert.ok(r.msgBytes > 0);
      const eml = fromBase64(r.emlBase64);
      const back = openssl(['cms', '-verify', '-noverify', '-out', '-'], eml);
      assert.equal(back.status, 0, `openssl rejects the round-tripped message: ${back.stderr}`);
      const orig = openssl(['cms', '-verify', '-noverify', '-in', corpusPath(file), '-out', '-']);
      assert.equal(orig.status, 0, orig.stderr);
      assert.deepEqual(back.stdout, orig.stdout, 'the signed content changed in the round trip');
      assert.equal(r.verdict.allValid, true, r.verdict.layers.join(' | '));
    });
  }
});
