/**
 * Loads the bundled command (dist/cli/smime-bridge.js, one CommonJS-style script built by
 * scripts/bundle.mjs) through `vm.Script` with a V8 code cache (issue 14 item 1), so a call does
 * not compile ~1.2 MB of JavaScript again. Node 20 has no module compile cache
 * (`module.enableCompileCache` is Node 22.1+ and only covers modules, not this script), so this
 * is the v8-compile-cache technique: `new vm.Script(source, { cachedData })`.
 *
 * Where the cache comes from, first that V8 accepts:
 * 1. `dist/cli/cache/<hash>-<node version>-<arch>.v8`, written at build time by scripts/bundle.mjs
 *    after running every command once in one process (so it holds the compiled functions of all
 *    of them, not only the top level);
 * 2. the per-user cache `$XDG_CACHE_HOME/smime-bridge/` (or `~/.cache/smime-bridge/`, or
 *    `<tmpdir>/smime-bridge-<uid>/`), same name, written at the exit of a call that found no
 *    accepted cache (a Node version the package was not built with).
 *
 * `<hash>` is the SHA-256 of the script: V8's own check covers its version and flags and the
 * source length, not the content. A rejected or unreadable cache is ignored (compiled as without
 * one); a cache is written to a temporary name and renamed, so a concurrent call reads a whole
 * file or none. Nothing here runs at import time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

/** What the bundled script exports (src/cli/entry.ts). */
export interface CommandBundle {
  /** Run the CLI with `argv` (without node and script); resolves to the exit code. */
  main(argv: string[]): Promise<number>;
  /** The process entry: run, set `process.exitCode`. */
  run(argv: string[]): Promise<void>;
}

/** How the script was loaded. */
export interface LoadedBundle {
  exports: CommandBundle;
  /** The compiled script (for `createCachedData()`). */
  script: vm.Script;
  /** Which cache V8 accepted: `build`, `user`, or `none`. */
  cache: 'build' | 'user' | 'none';
  /** Name of the cache file for this script, Node version and architecture. */
  cacheName: string;
}

/** The per-user cache folder (XDG Base Directory: $XDG_CACHE_HOME, default ~/.cache; else the temporary folder). */
export function userCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'smime-bridge');
  let home = '';
  try {
    home = homedir();
  } catch { /* no home: temporary folder */ }
  if (home && home !== '/') return join(home, '.cache', 'smime-bridge');
  return join(tmpdir(), `smime-bridge-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Write `data` to `file` atomically (temporary name in the same folder, then rename); false on
 * any failure. `personal`: folder and file readable by the user only (the per-user cache).
 */
export function writeAtomically(file: string, data: Uint8Array, personal = false): boolean {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, ...(personal ? { mode: 0o700 } : {}) });
    writeFileSync(tmp, data, personal ? { mode: 0o600 } : {});
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

/**
 * Compile and run the bundled script `file` (a function expression taking require, module,
 * exports, the script's URL and import.meta.resolve), with the first code cache V8 accepts. `useCache: false`
 * compiles without one (the build uses it to produce the cache).
 */
export function loadBundle(file: string, opts: { useCache?: boolean } = {}): LoadedBundle {
  const bytes = readFileSync(file);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
  const cacheName = `${hash}-${process.version}-${process.arch}.v8`;
  const candidates: Array<['build' | 'user', string]> = opts.useCache === false ? [] : [['build', join(dirname(file), 'cache', cacheName)], ['user', join(userCacheDir(), cacheName)]];
  const source = bytes.toString('utf8');
  let script: vm.Script | undefined;
  let cache: LoadedBundle['cache'] = 'none';
  for (const [where, path] of candidates) {
    const cachedData = readOrUndefined(path);
    if (!cachedData) continue;
    const s = new vm.Script(source, { filename: file, cachedData });
    if (!s.cachedDataRejected) {
      script = s;
      cache = where;
      break;
    }
  }
  script ??= new vm.Script(source, { filename: file });
  const fn = script.runInThisContext() as (require: NodeJS.Require, module: { exports: unknown }, exports: unknown, url: string, resolve: (s: string) => string) => void;
  const module = { exports: {} as unknown };
  const require = createRequire(file);
  fn(require, module, module.exports, pathToFileURL(file).href, (s) => pathToFileURL(require.resolve(s)).href);
  return { exports: module.exports as CommandBundle, script, cache, cacheName };
}

/**
 * Run the bundled command for this process; when no cache was accepted and `SMIME_BRIDGE_NO_CODE_CACHE`
 * is not 1, write the per-user cache at exit (it then holds what this call compiled). Returns
 * which cache was accepted.
 */
export function runBundle(url: URL, argv: string[]): LoadedBundle['cache'] {
  const file = fileURLToPath(url);
  const useCache = process.env.SMIME_BRIDGE_NO_CODE_CACHE !== '1';
  const loaded = loadBundle(file, { useCache });
  if (useCache && loaded.cache === 'none') {
    process.once('exit', () => {
      try {
        writeAtomically(join(userCacheDir(), loaded.cacheName), loaded.script.createCachedData(), true);
      } catch { /* a cache is an optimisation: never a failure of the command */ }
    });
  }
  void loaded.exports.run(argv);
  return loaded.cache;
}
