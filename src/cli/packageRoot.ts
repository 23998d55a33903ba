/**
 * The folder of the installed smime-bridge package (Node only), found by walking up from this
 * module to the package.json named smime-bridge: the same answer from the compiled modules
 * (dist/src/cli/), the bundled command (dist/cli/) and the sources under tsx.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string } | undefined;

function find(): { root: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'smime-bridge') return { root: dir, version: pkg.version ?? '0.0.0' };
      } catch { /* keep walking */ }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return { root: process.cwd(), version: '0.0.0' };
}

/** The package folder (holds package.json, dist/, samples/). */
export function packageRoot(): string {
  return (cached ??= find()).root;
}

/** The package version from its package.json. */
export function packageVersion(): string {
  return (cached ??= find()).version;
}
