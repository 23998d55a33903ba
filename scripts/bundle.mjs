#!/usr/bin/env node
// Bundle the command (issue 14 item 1): dist/cli/smime-bridge.js (the entry dist/src/cli/bin.js
// runs) and dist/cli/worker.js (batch worker threads), with code splitting so each command loads
// only its own chunks (main.ts imports command modules dynamically). Run after tsc by `npm test`,
// `npm run build` and `prepack`. Node built-ins stay external; CommonJS dependencies get a
// `require` made by createRequire.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const outdir = join(root, 'dist', 'cli');
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'smime-bridge': 'src/cli/entry.ts', worker: 'src/cli/batch/worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: false,
  legalComments: 'none',
  // Chunks beside the entries: pool.ts finds the worker as new URL('./worker.js', import.meta.url).
  chunkNames: '[name]-[hash]',
  banner: { js: "import { createRequire as __smimeBridgeRequire } from 'node:module'; const require = __smimeBridgeRequire(import.meta.url);" },
  logLevel: 'warning',
});
