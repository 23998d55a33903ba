/**
 * `smime-bridge web` (issue 13 item 1): the command serves dist/web on 127.0.0.1, prints the URL,
 * answers with the right MIME types and the page's CSP, and never serves a file outside the folder
 * (traversal with `..`, encoded `%2e%2e`, encoded slashes, NUL).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { resolveInside } from '../../src/cli/commands/web.js';

/** A raw GET (the path sent exactly as given, no URL normalisation by a client library). */
function get(url: string, path: string): Promise<{ status: number; type: string; csp: string; body: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const r = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), csp: String(res.headers['content-security-policy'] ?? ''), body }));
    });
    r.on('error', fail);
    r.end();
  });
}

test('resolveInside keeps every request path inside the served folder', () => {
  assert.equal(resolveInside('/srv/web', '/'), '/srv/web/index.html');
  assert.equal(resolveInside('/srv/web', '/main.js?x=1'), '/srv/web/main.js');
  for (const bad of ['/%00', '/a%00.js']) assert.equal(resolveInside('/srv/web', bad), undefined, bad);
  for (const p of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/a/../../x', '/%E0%A4%A']) {
    const r = resolveInside('/srv/web', p);
    assert.ok(r === undefined || r.startsWith('/srv/web/'), `${p} -> ${r}`);
  }
});

test('`smime-bridge web --port 0` prints its 127.0.0.1 URL and serves the page with MIME types and CSP; no traversal', { timeout: 30_000 }, async () => {
  assert.ok(existsSync('dist/web/index.html'), 'dist/web is not built');
  const child = spawn(process.execPath, ['dist/cli/smime-bridge.cjs', 'web', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (m) ok(m[0]);
      });
      child.once('exit', (code) => fail(new Error(`web exited with ${code}: ${out}`)));
    });
    const index = await get(url, '/');
    assert.equal(index.status, 200);
    assert.equal(index.type, 'text/html; charset=utf-8');
    assert.match(index.csp, /connect-src 'none'/);
    assert.match(index.body, /http-equiv="Content-Security-Policy" content="default-src 'self'; connect-src 'none'/);
    assert.equal((await get(url, '/main.js')).type, 'text/javascript; charset=utf-8');
    assert.equal((await get(url, '/worker.js')).type, 'text/javascript; charset=utf-8');
    assert.equal((await get(url, '/style.css')).type, 'text/css; charset=utf-8');
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/%2e%2e%2f%2e%2e%2fsrc%2fcli%2fbin.js', '/nothing.js']) {
      const r = await get(url, p);
      assert.equal(r.status, 404, `${p}: ${r.status}`);
      assert.ok(!r.body.includes('"name": "smime-bridge"'), p);
    }
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'web does not stop with exit 0 on SIGTERM');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
