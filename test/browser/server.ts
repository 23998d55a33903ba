/**
 * A tiny static HTTP server for the browser test (node:http on 127.0.0.1, random port): serves the
 * page, its bundle and a fixed allow-list of files (corpus messages, keys) — nothing else, so no
 * path from the URL ever reaches the file system.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

/** One servable URL path and the file behind it. */
export interface Route { file: string; type: string }

/** A running server; `close()` stops it. */
export interface StaticServer { origin: string; close(): Promise<void> }

/** Serve `routes` (URL path → file) on 127.0.0.1 at a free port. */
export async function serveStatic(routes: Map<string, Route>): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const route = req.method === 'GET' ? routes.get(path) : undefined;
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not served: ${path}`);
      return;
    }
    const body = readFileSync(route.file);
    res.writeHead(200, { 'content-type': route.type, 'content-length': body.length, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
