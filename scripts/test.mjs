#!/usr/bin/env node
// `npm test`: make sure the outside checkers the tests use are installed (apt-get as root, or one
// line naming the exact install command), type-check and build, then run Node's test runner over
// dist/test. Suites that need ../shared (the read-only corpus, specifications and tools shared by
// the team, beside this repository) are left out with one line when it is absent; under CI=true
// its absence fails the run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);

/** Checker, how to tell it is there, and the Debian packages that bring it (with what they really need). */
const CHECKERS = [
  { name: 'openssl', probe: ['openssl', ['version']], packages: ['openssl'] },
  { name: 'msgconvert', probe: ['perl', ['-MEmail::Outlook::Message', '-MEmail::Address', '-e', '1']], packages: ['libemail-outlook-message-perl', 'libemail-address-perl'] },
  { name: 'python3-olefile', probe: ['/usr/bin/python3', ['-c', 'import olefile']], packages: ['python3-olefile'] },
  { name: 'tshark', probe: ['tshark', ['--version']], packages: ['tshark'] },
  { name: 'chromium', probe: ['/usr/bin/chromium', ['--version']], packages: ['chromium'] },
  { name: 'cmsutil (NSS)', probe: ['cmsutil', ['-H']], packages: ['libnss3-tools'], anyExit: true },
  { name: 'gpgsm', probe: ['gpgsm', ['--version']], packages: ['gpgsm'] },
  { name: 'redis-server', probe: ['redis-server', ['--version']], packages: ['redis-server'] },
  { name: 'dovecot (IMAP)', probe: ['/bin/sh', ['-c', '[ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ]']], packages: ['dovecot-imapd'] },
];

function present(c) {
  const r = spawnSync(c.probe[0], c.probe[1], { stdio: 'ignore' });
  return !r.error && (c.anyExit || r.status === 0);
}

const missing = CHECKERS.filter((c) => !present(c));
if (missing.length) {
  const pkgs = [...new Set(missing.flatMap((c) => c.packages))];
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (isRoot && hasApt && process.env.SMIME_BRIDGE_NO_INSTALL !== '1') {
    console.log(`npm test: installing the checkers the tests use: ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env });
    const still = missing.filter((c) => !present(c));
    if (still.length) {
      console.error(`npm test: still missing after apt-get: ${still.map((c) => c.name).join(', ')}`);
      process.exit(1);
    }
  } else {
    console.error(`npm test: missing checkers (${missing.map((c) => c.name).join(', ')}); install them with: sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`);
    process.exit(1);
  }
}

const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// The bundled command (dist/cli/) that the bin dist/cli/smime-bridge.cjs runs: the tests spawn what users run.
const bundle = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
if (bundle.status !== 0) process.exit(bundle.status ?? 1);
// The page (issue 13): type-checked on its own (DOM, no Node types) and built into dist/web.
const webTsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'web'], { stdio: 'inherit' });
if (webTsc.status !== 0) process.exit(webTsc.status ?? 1);
const web = spawnSync(process.execPath, [join(root, 'scripts', 'build-web.mjs')], { stdio: 'inherit' });
if (web.status !== 0) process.exit(web.status ?? 1);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
let files = walk('dist/test').filter((f) => f.endsWith('.test.js')).sort();

// The suites that read ../shared: those whose own code or relative imports (transitively) name it.
const needsShared = new Map();
function usesShared(file) {
  if (needsShared.has(file)) return needsShared.get(file);
  needsShared.set(file, false);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  let uses = /['"`/]shared['"`/]|'\.\.', 'shared'/.test(text);
  for (const m of text.matchAll(/from\s+['"](\.[^'"]+)['"]|import\(['"](\.[^'"]+)['"]\)/g)) {
    if (uses) break;
    uses = usesShared(resolve(dirname(file), m[1] ?? m[2]));
  }
  needsShared.set(file, uses);
  return uses;
}
if (!existsSync(join('..', 'shared', 'corpus', 'MANIFEST.json'))) {
  const skipped = files.filter((f) => usesShared(resolve(f)));
  const line = `npm test: ../shared (the team's read-only corpus, specifications and tools, beside this repository) is absent: ${skipped.length} suites that read it are not run`;
  if (process.env.CI === 'true') {
    console.error(`${line}; CI=true requires it`);
    process.exit(1);
  }
  console.log(line);
  files = files.filter((f) => !skipped.includes(f));
}

const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
