/**
 * Set-up on a fresh machine (issue 9 item 1): when a checker the tests use is missing and
 * nothing may be installed, `npm test` (scripts/test.mjs) stops at once with one line naming
 * the exact install command, Debian's packages with what they really need (libemail-address-perl
 * for msgconvert). Simulated by running it with an empty PATH, so no command-line checker is found.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('a missing checker stops npm test at once with one line naming the apt-get command', () => {
  const r = spawnSync(process.execPath, ['scripts/test.mjs'], { encoding: 'utf8', env: { PATH: '', SMIME_BRIDGE_NO_INSTALL: '1', HOME: process.env.HOME }, timeout: 30_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^npm test: missing checkers \(openssl, msgconvert, tshark, cmsutil \(NSS\), gpgsm, redis-server\); install them with: sudo apt-get install -y --no-install-recommends openssl libemail-outlook-message-perl libemail-address-perl tshark libnss3-tools gpgsm redis-server$/);
  assert.equal(r.stdout, '', 'nothing else ran');
});
