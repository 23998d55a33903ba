/**
 * `smime-bridge web [--port N] [--open]`: serve the page (dist/web, built by scripts/build-web.mjs)
 * on 127.0.0.1 and print its URL. A static server: GET/HEAD only, files of that folder only (no
 * directory traversal: the resolved path must stay inside it), MIME types by extension, and
 * headers that keep the page to itself (CSP as in its meta tag, no referrer, no sniffing).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import { spawn } from 'node:child_process';
import { packageRoot } from '../packageRoot.js';
import { SmimeBridgeError } from '../../errors.js';
import type { Printer } from '../output.js';

/** MIME types of the files the page consists of. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json',
};
const CSP = "default-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; img-src 'self' data: blob:; frame-src 'self'; frame-ancestors 'none'";

/** The built page's folder (dist/web beside dist/src). */
export function webRoot(): string {
  return join(packageRoot(), 'dist', 'web');
}

/** The file a request path names inside `root`, or undefined when it would leave it. */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let p: string;
  try { p = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!); } catch { return undefined; }
  if (p.includes('\0')) return undefined;
  if (p.endsWith('/')) p += 'index.html';
  const full = resolve(root, `.${normalize(`/${p}`)}`);
  const base = resolve(root);
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

async function serveFile(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send = (code: number, text: string) => { res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }); res.end(text); };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
  const file = resolveInside(root, req.url ?? '/');
  if (!file) return send(404, 'not found');
  const s = await stat(file).catch(() => undefined);
  if (!s?.isFile()) return send(404, 'not found');
  const body = await readFile(file);
  // frame.html (a message's HTML body) has its own, stricter policy, framed by the page only.
  const frameCsp = basename(file) === 'frame.html' ? /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(body.toString('utf8'))?.[1] : undefined;
  const csp = frameCsp ? `${frameCsp}; frame-ancestors 'self'` : CSP;
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'content-length': body.length,
    'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Start the server; resolves to its URL and a close function. */
export async function startWebServer(port = 0, root = webRoot()): Promise<{ url: string; close(): Promise<void> }> {
  const index = await stat(join(root, 'index.html')).catch(() => undefined);
  if (!index) throw new SmimeBridgeError('IO_ERROR', `the page is not built: ${join(root, 'index.html')} is missing (npm run build:web)`);
  const server = createServer((req, res) => { serveFile(root, req, res).catch(() => { res.statusCode = 500; res.end(); }); });
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(new SmimeBridgeError('IO_ERROR', `cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}`)));
    server.listen(port, '127.0.0.1', () => ok());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  return { url: `http://127.0.0.1:${actual}/`, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }) };
}

/** The command: serve until interrupted. */
export async function runWeb(p: Printer, o: { port?: number; open?: boolean }): Promise<number> {
  const { url, close } = await startWebServer(o.port ?? 8080);
  p.lines(`smime-bridge page: ${url}  (127.0.0.1 only; Ctrl-C stops it)`);
  p.result({ url });
  if (o.open) {
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    spawn(opener, [url], { stdio: 'ignore', detached: true }).on('error', () => p.warn(`could not start ${opener}: open ${url} yourself`)).unref();
  }
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await close();
  return 0;
}
