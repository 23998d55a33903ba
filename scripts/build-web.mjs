#!/usr/bin/env node
// Build the page (issue 13): web/ -> dist/web/ (index.html, style.css, main.js, worker.js), with
// esbuild for platform `browser`, minified. main.js holds no library code; worker.js (all parsing
// and cryptography) loads when the first file is opened. `--metafile` writes dist/web-meta.json.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
if (process.argv.includes('--metafile')) writeFileSync(join(root, 'dist', 'web-meta.json'), JSON.stringify(result.metafile));
console.log(`web page built into ${out}`);
