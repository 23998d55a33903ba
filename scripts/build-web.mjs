#!/usr/bin/env node
// Build the page (issue 13): web/ -> dist/web/ (index.html, style.css, frame.html, main.js, worker.js), with
// esbuild for platform `browser`, minified. main.js holds no library code; worker.js (all parsing
// and cryptography) loads when the first file is opened. `--metafile` writes dist/web-meta.json.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'dist', 'web');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: { main: join(root, 'web/src/main.ts'), worker: join(root, 'web/src/worker.ts') },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  outdir: out,
  metafile: true,
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) copyFileSync(join(root, 'web', f), join(out, f));
// frame.html (the HTML body of a message): its one inline script allowed by its SHA-256 (CSP 3 hash-source).
const frame = readFileSync(join(root, 'web', 'frame.html'), 'utf8');
const script = /<script>([\s\S]*?)<\/script>/.exec(frame)[1];
writeFileSync(join(out, 'frame.html'), frame.replace('FRAME_SCRIPT_HASH', `sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}`));
if (process.argv.includes('--metafile')) writeFileSync(join(root, 'dist', 'web-meta.json'), JSON.stringify(result.metafile));
console.log(`web page built into ${out}`);
