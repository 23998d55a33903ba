/**
 * The peers the bench compares with, installed by the bench itself when missing:
 * Debian's msgconvert (libemail-outlook-message-perl) via apt-get, and the npm packages
 * postal-mime, mailparser and @kenjiuno/msgreader as devDependencies.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(resolve('package.json'));

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function resolvable(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Install what is missing; returns a line per action for the log. */
export function ensurePeers(log: (s: string) => void): void {
  const npm = ['postal-mime', 'mailparser', '@kenjiuno/msgreader'].filter((p) => !resolvable(p));
  if (npm.length) {
    log(`installing npm dev dependencies: ${npm.join(' ')}`);
    const r = spawnSync('npm', ['install', '--save-dev', ...npm], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm install ${npm.join(' ')} failed`);
  }
  if (!have('msgconvert')) {
    log('installing msgconvert (apt-get install -y libemail-outlook-message-perl)');
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    const run = (args: string[]) => spawnSync(sudo.length ? 'sudo' : args[0]!, sudo.length ? args : args.slice(1), { stdio: 'inherit' });
    run(['apt-get', 'update']);
    run(['apt-get', 'install', '-y', 'libemail-outlook-message-perl']);
    if (!have('msgconvert')) throw new Error('msgconvert is missing and could not be installed');
  }
  for (const tool of ['openssl']) if (!have(tool)) throw new Error(`${tool} is required`);
}
