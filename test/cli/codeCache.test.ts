/**
 * The bundled command's V8 code cache (src/cli/codeCache.ts, issue 14 item 1): the cache built
 * beside the bundle is accepted by this Node, a copy of the bundle without one writes the per-user
 * cache at exit (atomically, under $XDG_CACHE_HOME) and uses it next time, a damaged cache is
 * ignored and replaced, and the command gives the same output with the cache, without it and
 * from the unbundled modules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadBundle, userCacheDir } from '../../src/cli/codeCache.js';

const root = resolve('.');
const bundle = join(root, 'dist', 'cli', 'smime-bridge.js');
const bin = join(root, 'dist', 'src', 'cli', 'bin.js');
const codeCache = pathToFileURL(join(root, 'dist', 'src', 'cli', 'codeCache.js')).href;

function node(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run the bundle at `file` as bin.js does, printing which cache was accepted on stderr. */
function runCopy(file: string, cacheHome: string, argv: string[]) {
  const script = `import { runBundle } from ${JSON.stringify(codeCache)};
import { pathToFileURL } from 'node:url';
process.stderr.write('cache=' + runBundle(pathToFileURL(${JSON.stringify(file)}), ${JSON.stringify(argv)}) + '\\n');`;
  return node(['--input-type=module', '-e', script], { XDG_CACHE_HOME: cacheHome });
}

test('the code cache built with the bundle is accepted by the Node that built it', () => {
  const loaded = loadBundle(bundle);
  assert.equal(loaded.cache, 'build');
  assert.ok(existsSync(join(root, 'dist', 'cli', 'cache', loaded.cacheName)));
  assert.match(loaded.cacheName, new RegExp(`^[0-9a-f]{32}-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8$`));
  assert.equal(typeof loaded.exports.main, 'function');
});

test('without a built cache: the per-user cache is written at exit, used next time, and a damaged one is ignored and replaced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smime-bridge-cc-'));
  try {
    const copy = join(dir, 'smime-bridge.js');
    copyFileSync(bundle, copy);
    const home = join(dir, 'xdg');
    const first = runCopy(copy, home, ['--version']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /cache=none/);
    assert.match(first.stdout, /^\d+\.\d+\.\d+/);
    const cacheDir = join(home, 'smime-bridge');
    const files = readdirSync(cacheDir);
    assert.equal(files.length, 1, `one cache file, no temporary left: ${files.join(', ')}`);
    assert.match(files[0]!, /^[0-9a-f]{32}-v\d+\.\d+\.\d+-\w+\.v8$/);

    const second = runCopy(copy, home, ['--version']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /cache=user/);
    assert.equal(second.stdout, first.stdout);

    writeFileSync(join(cacheDir, files[0]!), 'not a V8 code cache');
    const damaged = runCopy(copy, home, ['--version']);
    assert.equal(damaged.code, 0, damaged.stderr);
    assert.match(damaged.stderr, /cache=none/);
    assert.equal(damaged.stdout, first.stdout);
    assert.notEqual(readFileSync(join(cacheDir, files[0]!), 'latin1'), 'not a V8 code cache', 'the damaged cache was replaced');
    assert.match(runCopy(copy, home, ['--version']).stderr, /cache=user/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the per-user cache folder follows XDG_CACHE_HOME', () => {
  const before = process.env.XDG_CACHE_HOME;
  try {
    process.env.XDG_CACHE_HOME = '/some/where';
    assert.equal(userCacheDir(), '/some/where/smime-bridge');
    process.env.XDG_CACHE_HOME = 'relative/ignored'; // XDG: a relative path is invalid and ignored
    assert.notEqual(userCacheDir(), 'relative/ignored/smime-bridge');
  } finally {
    if (before === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = before;
  }
});

test('inspect and verify print the same with the code cache, without it and from the unbundled modules', () => {
  for (const args of [['inspect', 'samples/clear-signed.eml', 'samples/encrypted.eml', '--json'], ['verify', '--ca', 'samples/keys/ca.pem', 'samples/clear-signed.eml', 'samples/opaque-signed.eml']]) {
    const cached = node([bin, ...args]);
    const uncached = node([bin, ...args], { SMIME_BRIDGE_NO_CODE_CACHE: '1' });
    const modules = node([bin, ...args], { SMIME_BRIDGE_UNBUNDLED: '1' });
    assert.equal(cached.code, 0, cached.stderr);
    const strip = (s: string) => s.replace(/"ms":\s*[\d.]+/g, '"ms":0');
    assert.equal(strip(cached.stdout), strip(uncached.stdout), args.join(' '));
    assert.equal(strip(cached.stdout), strip(modules.stdout), args.join(' '));
    assert.equal(cached.code, modules.code);
  }
});
