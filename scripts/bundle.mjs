#!/usr/bin/env node
// Bundle the command (issue 14 item 1), run after tsc by `npm test`, `npm run build` and `prepack`:
// - dist/cli/smime-bridge.js: the whole command as one script (a function expression taking
//   require, module, exports, the script's URL and its resolve) that dist/src/cli/bin.js compiles through
//   vm.Script with a V8 code cache (src/cli/codeCache.ts). Command modules stay behind dynamic
//   imports, which esbuild turns into lazily evaluated module bodies, so a command runs only the
//   top level of what it uses;
// - dist/cli/cache/<hash>-<node>-<arch>.v8: that code cache, made here by running every command
//   once on the shipped samples in one process, so it holds their compiled functions;
// - dist/cli/smime-bridge.cjs: the installed command (package.json bin), a CommonJS launcher of the
//   bundle, so a call starts without Node's ES module loader (src/cli/launch.ts);
// - dist/cli/worker.js: the batch worker threads' entry (ES module, self-contained).
// Node built-ins stay external; iconv-lite is loaded on first use from node_modules.
import { build } from 'esbuild';
import { chmodSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * iconv-lite (code pages for old charsets and PT_STRING8, ~550 kB of tables) is loaded on first use
 * with Node's require from node_modules instead of being compiled into every start-up: a small
 * stand-in module forwards the three functions the library calls. `esm`: the worker's ES module.
 */
const lazyIconv = (esm) => ({
  name: 'lazy-iconv',
  setup(b) {
    b.onResolve({ filter: /^iconv-lite$/ }, () => ({ path: 'iconv-lite', namespace: 'lazy-iconv' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-iconv' }, () => ({
      loader: 'js',
      contents: `${esm ? "import { createRequire } from 'node:module';\n" : ''}let lib;
const load = () => (lib ??= ${esm ? 'createRequire(import.meta.url)' : 'require'}('iconv-lite'));
export default {
  decode: (...a) => load().decode(...a),
  encode: (...a) => load().encode(...a),
  encodingExists: (...a) => load().encodingExists(...a),
};`,
    }));
  },
});

/**
 * Built-ins that a start-up would load only for code it does not run: commander requires
 * child_process (for executable subcommands, which we have none of), cli-progress requires
 * readline (used only while a bar is drawn).
 * Loading them cost ~10-20 ms of CPU per call (measured with --cpu-prof); each becomes a stand-in
 * that requires the real module on first property access. Only for modules used by property
 * access (require, named imports), never for namespace or default imports.
 */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    // packages only: their CommonJS require()s are used by property access; our own ES imports
    // would go through esbuild's __toESM, which enumerates the module at import time
    b.onResolve({ filter: /^(node:)?(child_process|readline)$/ }, (a) => (a.namespace === 'lazy-builtin' || !/[\\/]node_modules[\\/]/.test(a.importer) ? { path: a.path, external: true } : { path: a.path, namespace: 'lazy-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => ({
      loader: 'js',
      contents: `let m;\nconst load = () => (m ??= require(${JSON.stringify(a.path)}));\nmodule.exports = new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load() });\n`,
    }));
  },
};

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const target = join(root, 'dist', 'cli');
// Built beside and swapped in, so a command started meanwhile finds a whole bundle or none.
const outdir = `${target}.new`;
rmSync(outdir, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: false,
  legalComments: 'none',
  // The queue mode's clients (issue 15) stay packages of their own, loaded from node_modules by
  // the queue and IMAP commands only: BullMQ requires ioredis at run time, and imapflow needs the
  // whole iconv-lite (getCodec), not the functions the lazy stand-in forwards.
  external: ['bullmq', 'ioredis', 'imapflow'],
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: ['src/cli/entry.ts'],
  outfile: join(outdir, 'smime-bridge.js'),
  format: 'cjs',
  // the script's URL, given by codeCache.ts (import.meta does not exist in a script)
  // (import.meta.resolve serves only the sources under tsx, src/cli/batch/pool.ts)
  define: { 'import.meta.url': '__smimeBridgeUrl', 'import.meta.resolve': '__smimeBridgeResolve' },
  banner: { js: '(function (require, module, exports, __smimeBridgeUrl, __smimeBridgeResolve) {' },
  footer: { js: '})' },
  plugins: [lazyIconv(false), lazyBuiltins],
});
// The installed command (package.json bin): a CommonJS launcher, started without the ES module loader.
await build({
  ...common,
  entryPoints: ['src/cli/launch.ts'],
  outfile: join(outdir, 'smime-bridge.cjs'),
  format: 'cjs',
  define: { 'import.meta.url': '__smimeBridgeLaunchUrl' },
  banner: { js: "#!/usr/bin/env node\nconst __smimeBridgeLaunchUrl = require('node:url').pathToFileURL(__filename).href;" },
});
chmodSync(join(outdir, 'smime-bridge.cjs'), 0o755);
await build({
  ...common,
  entryPoints: ['src/cli/batch/worker.ts'],
  outfile: join(outdir, 'worker.js'),
  format: 'esm',
  banner: { js: "import { createRequire as __smimeBridgeRequire } from 'node:module'; const require = __smimeBridgeRequire(import.meta.url);" },
  plugins: [lazyIconv(true)],
});

rmSync(target, { recursive: true, force: true });
renameSync(outdir, target);

// The code cache: every command once, in this process, on the shipped samples, output discarded;
// compiled at its final path (the script's name goes into the cache).
const { loadBundle, writeAtomically } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'codeCache.js')).href);
const loaded = loadBundle(join(target, 'smime-bridge.js'), { useCache: false });
const work = mkdtempSync(join(tmpdir(), 'smime-bridge-warm-'));
const s = (f) => join(root, 'samples', f);
const k = (f) => join(root, 'samples', 'keys', f);
const o = (f) => join(work, f);
const runs = [
  ['--version'], ['help'], ['help', 'convert'],
  ['inspect', s('clear-signed.eml'), s('plain.eml'), s('opaque-signed.eml'), s('encrypted.eml')],
  ['verify', '--ca', k('ca.pem'), s('clear-signed.eml'), s('opaque-signed.eml')],
  ['decrypt', '--key', k('bob.key'), '--cert', k('bob.pem'), '--ca', k('ca.pem'), s('encrypted.eml'), '-o', o('d.eml')],
  ['convert', s('clear-signed.eml'), o('c.msg')], ['convert', o('c.msg'), o('c.eml')], ['inspect', o('c.msg')],
  ['convert', s('encrypted.eml'), o('e.msg')], ['convert', s('plain.eml'), o('p.json')],
  ['convert', '--out', o('batch'), s('clear-signed.eml'), s('plain.eml'), o('c.msg')],
  ['sign', '--key', k('alice.key'), '--cert', k('alice.pem'), s('plain.eml'), '-o', o('s.eml')],
  ['encrypt', '--cert', k('bob.pem'), s('plain.eml'), '-o', o('x.eml')],
  ['unwrap', '--key', k('bob.key'), '--cert', k('bob.pem'), s('encrypted.eml'), '-o', o('u.eml')],
];
const out = process.stdout.write, err = process.stderr.write, exitCode = process.exitCode;
const codes = [];
try {
  process.stdout.write = process.stderr.write = () => true;
  for (const argv of runs) codes.push(await loaded.exports.main(argv));
} finally {
  process.stdout.write = out;
  process.stderr.write = err;
  process.exitCode = exitCode;
  rmSync(work, { recursive: true, force: true });
}
if (!writeAtomically(join(target, 'cache', loaded.cacheName), loaded.script.createCachedData())) throw new Error('bundle: could not write the code cache');
if (process.env.SMIME_BRIDGE_BUNDLE_VERBOSE === '1') console.log(runs.map((r, i) => `${codes[i]} ${r.join(' ')}`).join('\n'));

