/**
 * The page's figures (issue 13): download size of the built page (initial: index.html, style.css,
 * main.js; on demand: worker.js, fetched when the first file is opened), raw and gzip-compressed,
 * and the time from the file being handed to the page (the input's `change` event) to the verdict
 * on screen, for a 1 MB and a 25 MB clear-signed message made by OpenSSL (bench/inputs.ts), in
 * headless Debian Chromium. Run: `npx tsc -p . && node scripts/build-web.mjs && node dist/bench/web.js`.
 * Writes bench/RESULTS-web.md.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startWebServer } from '../src/cli/commands/web.js';
import { benchKeys, generated } from './inputs.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

function sizes(files: string[]): { raw: number; gzip: number } {
  let raw = 0; let gzip = 0;
  for (const f of files) {
    const b = readFileSync(join('dist/web', f));
    raw += b.length;
    gzip += gzipSync(b, { level: 9 }).length;
  }
  return { raw, gzip };
}

async function main(): Promise<void> {
  const initial = sizes(['index.html', 'style.css', 'main.js']);
  const onDemand = sizes(['worker.js']);
  const keys = benchKeys();
  const inputs = [1, 25].map((mb) => generated('signed', 'big', mb, keys));
  const web = await startWebServer(0);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const rows: string[] = [];
  try {
    for (const g of inputs) {
      const times: number[] = [];
      let cold = 0;
      for (let round = 0; round <= ROUNDS; round++) {
        // Round 0 on a fresh page: the worker is fetched and compiled too (the first file of a visit).
        const page = await browser.newPage();
        await page.goto(web.url);
        if (round > 0) {
          // Warm: the worker is already running (a later file of the same visit).
          await page.setInputFiles('#file', inputs[0]!.eml);
          await page.waitForSelector('[data-testid=verdict]', { timeout: 120_000 });
        }
        await page.evaluate(() => window.addEventListener('change', () => { (window as unknown as { t0: number }).t0 = performance.now(); }, { capture: true }));
        const name = g.eml.replace(/^.*\//, '');
        await page.setInputFiles('#file', g.eml);
        await page.waitForFunction((n) => {
          const ok = document.querySelector('#summary h3')?.textContent === n && document.querySelector('[data-testid=verdict]') !== null;
          if (ok) (window as unknown as { t1: number }).t1 = performance.now();
          return ok;
        }, name, { timeout: 300_000, polling: 'raf' });
        const ms = await page.evaluate(() => { const w = window as unknown as { t0: number; t1: number }; return w.t1 - w.t0; });
        const state = await page.getAttribute('[data-testid=verdict]', 'data-state');
        if (state !== 'untrusted') throw new Error(`${name}: verdict ${state}, expected untrusted (signed by a key the page does not trust)`);
        if (round === 0) cold = ms; else times.push(ms);
        await page.close();
      }
      rows.push(`| clear-signed, ${(statSync(g.eml).size / 1e6).toFixed(1)} MB (one base64 attachment) | ${cold.toFixed(0)} ms | ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, n=${times.length}) |`);
      console.log(rows[rows.length - 1]);
    }
  } finally {
    await browser.close();
    await web.close();
  }
  const version = (await (async () => { const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] }); const v = b.version(); await b.close(); return v; })());
  const md = `# The page: size and drop-to-verdict time

Measured by \`bench/web.ts\` on ${new Date().toISOString().slice(0, 10)}, headless Chromium ${version}, this machine
(2 cores shared with other work: timings are indicative). The page is the minified esbuild build in dist/web.

## Download size

| part | files | raw | gzip -9 |
|---|---|---|---|
| initial (page load) | index.html, style.css, main.js | ${kib(initial.raw)} | ${kib(initial.gzip)} |
| on demand (first file opened) | worker.js (the library: MIME, MAPI, .msg, CMS, X.400, PKI.js, asn1js, iconv-lite) | ${kib(onDemand.raw)} | ${kib(onDemand.gzip)} |

## From the file handed to the page to the verdict on screen

Time from the file input's \`change\` event to the verdict drawn (reading the file, SHA-256, parsing,
verifying the signature, describing certificates and content, drawing). "First file" is a fresh page
(the worker is fetched and compiled too); "later file" a page whose worker already ran, median of ${ROUNDS}.

| message | first file of a visit | later file |
|---|---|---|
${rows.join('\n')}
`;
  writeFileSync('bench/RESULTS-web.md', md);
  console.log(md);
}

await main();
