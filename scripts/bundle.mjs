#!/usr/bin/env node
// Bundle the command (issue 14 item 1): dist/cli/smime-bridge.js (the entry dist/src/cli/bin.js
// runs) and dist/cli/worker.js (batch worker threads), with code splitting so each command loads
// only its own chunks (main.ts imports command modules dynamically). Run after tsc by `npm test`,
// `npm run build` and `prepack`. Node built-ins stay external; CommonJS dependencies get a
// `require` made by createRequire.
import { build } from 'esbuild';
import { renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * iconv-lite (code pages for old charsets and PT_STRING8, ~550 kB of tables) is loaded on first use
 * with Node's own require from node_modules instead of being compiled into every start-up: a
 * small stand-in module forwards the three functions the library calls.
 */
const lazyIconv = {
  name: 'lazy-iconv',
  setup(b) {
    b.onResolve({ filter: /^iconv-lite$/ }, () => ({ path: 'iconv-lite', namespace: 'lazy-iconv' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-iconv' }, () => ({
      loader: 'js',
      contents: `import { createRequire } from 'node:module';
let lib;
const load = () => (lib ??= createRequire(import.meta.url)('iconv-lite'));
export default {
  decode: (...a) => load().decode(...a),
  encode: (...a) => load().encode(...a),
  encodingExists: (...a) => load().encodingExists(...a),
};`,
    }));
  },
};

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const target = join(root, 'dist', 'cli');
// Built beside and swapped in, so a command started meanwhile finds a whole bundle or none.
const outdir = `${target}.new`;
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
  plugins: [lazyIconv],
  // The queue mode's clients (issue 15) stay packages of their own, loaded from node_modules by
  // the queue and IMAP commands only: BullMQ requires ioredis at run time, and imapflow needs the
  // whole iconv-lite (getCodec), not the three functions the stand-in above forwards.
  external: ['bullmq', 'ioredis', 'imapflow'],
  logLevel: 'warning',
});
rmSync(target, { recursive: true, force: true });
renameSync(outdir, target);
