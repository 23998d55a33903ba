/**
 * Bundling the browser test's page script with esbuild's JS API (platform `browser`, ESM), and
 * listing, from esbuild's metafile, every import of a Node built-in module name and where it went,
 * so the test can say exactly which dependency needs what in a browser.
 *
 * What is expected today (issue 4 item 7; checked by browser.test.ts):
 * - `buffer`, `string_decoder`: iconv-lite requires them (via safer-buffer, and in
 *   encodings/internal.js); the npm packages `buffer` and `string_decoder` (runtime dependencies
 *   of smime-bridge for this reason) provide them, resolved from node_modules like any package.
 * - `fs` (cfb) and `stream` (iconv-lite): those packages map them to `false` in their package.json
 *   `browser` field, so bundlers substitute an empty module; only file-system / streaming helpers
 *   that smime-bridge never calls would need them.
 */
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

/** One import of a Node built-in module name met while bundling. */
export interface BuiltinImport {
  /** The specifier as written (`buffer`, `fs`, `node:fs`). */
  specifier: string;
  /** The importing file, relative to the repo root. */
  importer: string;
  /** Where esbuild resolved it: a file under node_modules, or `(disabled):fs` for a `browser: false` mapping. */
  resolvedTo: string;
}

/** Result of {@link bundlePage}. */
export interface PageBundle {
  /** The written bundle file. */
  file: string;
  builtinImports: BuiltinImport[];
  /** Every input file of the bundle, relative to the repo root. */
  inputs: string[];
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** True when `specifier` names a Node built-in module (`fs`, `node:fs`, `fs/promises`). */
export function isNodeBuiltin(specifier: string): boolean {
  return builtins.has(specifier) || specifier.startsWith('node:');
}

/**
 * Bundle `entry` for the browser into `outdir/page.js`. Rejects with esbuild's messages when an
 * import does not resolve (a Node built-in without a browser substitute does not).
 */
export async function bundlePage(entry: string, outdir: string): Promise<PageBundle> {
  const file = join(outdir, 'page.js');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outfile: file,
    metafile: true,
    logLevel: 'silent',
  });
  const builtinImports: BuiltinImport[] = [];
  for (const [importer, input] of Object.entries(result.metafile.inputs)) {
    for (const imp of input.imports) {
      const specifier = imp.original ?? imp.path;
      if (isNodeBuiltin(specifier)) builtinImports.push({ specifier, importer, resolvedTo: imp.path });
    }
  }
  return { file, builtinImports, inputs: Object.keys(result.metafile.inputs) };
}
