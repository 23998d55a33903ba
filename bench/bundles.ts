/**
 * Browser bundle sizes (issue 14 items 4 and 5): esbuild bundles (minified, browser platform) of
 * the entries a web page uses, gzipped (level 9), with where the bytes go (esbuild metafile).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { OUT_DIR } from './inputs.js';
import type { Row } from './report.js';

const SRC = resolve('src');

/** The entries: what a page imports, cumulatively. */
const ENTRIES: { name: string; code: string; target?: number }[] = [
  { name: 'parse + classify + convert', code: `export { parseMime, classifyEntity, toMessage, writeMsg, readMsg, toInternet } from '${SRC}/index.ts';`, target: 80 },
  { name: '+ verify', code: `export { parseMime, classifyEntity, toMessage, writeMsg, readMsg, toInternet, openMessage, decideVerdict } from '${SRC}/index.ts';\nexport { verifySignedData, loadCertificates } from '${SRC}/cms/index.ts';` },
  { name: '+ decrypt', code: `export { parseMime, classifyEntity, toMessage, writeMsg, readMsg, toInternet, openMessage, decideVerdict } from '${SRC}/index.ts';\nexport { verifySignedData, loadCertificates, decryptEnvelopedData, loadPrivateKey } from '${SRC}/cms/index.ts';` },
  { name: 'everything (src/index.ts)', code: `export * from '${SRC}/index.ts';`, target: 200 },
];

function owner(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1]!;
  const s = /src\/([^/]+)/.exec(input);
  return s ? `src/${s[1]}` : input;
}

export async function benchBundles(): Promise<Row[]> {
  const dir = join(OUT_DIR, 'bundles');
  mkdirSync(dir, { recursive: true });
  const rows: Row[] = [];
  for (const [i, e] of ENTRIES.entries()) {
    const entry = join(dir, `entry-${i}.ts`);
    writeFileSync(entry, `${e.code}\n`);
    const outdir = join(dir, `out-${i}`);
    // Code splitting: what loads on demand (iconv-lite's code pages, by loadCodePages) is its own chunk.
    const r = await build({ entryPoints: [entry], bundle: true, minify: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, metafile: true, logLevel: 'error', outdir });
    // What the page loads up front: the entry chunk and the chunks it imports statically.
    const outputs = r.metafile.outputs;
    const key = Object.keys(outputs).find((k) => outputs[k]!.entryPoint)!;
    const upfront = new Set<string>();
    const visit = (k: string) => {
      if (upfront.has(k)) return;
      upfront.add(k);
      for (const imp of outputs[k]!.imports) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
    };
    visit(key);
    let minified = 0;
    let gzBytes = 0;
    let lazy = 0;
    const by = new Map<string, number>();
    for (const f of r.outputFiles) {
      const k = Object.keys(outputs).find((o) => f.path.endsWith(o.replace(/^.*?bundles\//, '')))!;
      if (!k || !k.endsWith('.js')) continue;
      if (!upfront.has(k)) { lazy += f.contents.length; continue; }
      minified += f.contents.length;
      gzBytes += gzipSync(f.contents, { level: 9 }).length;
      for (const [input, v] of Object.entries(outputs[k]!.inputs)) by.set(owner(input), (by.get(owner(input)) ?? 0) + v.bytesInOutput);
    }
    const gz = gzBytes / 1000;
    const out = { contents: { length: minified } };
    const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)} kB`).join(', ');
    rows.push({
      bench: `browser bundle: ${e.name}, gzipped`,
      input: 'esbuild --bundle --minify, platform browser',
      ours: { label: 'gzip -9', samples: [gz] },
      peer: { label: `minified ${(out.contents.length / 1000).toFixed(0)} kB`, samples: [] },
      kind: 'max',
      unit: 'kB',
      target: e.target,
      note: `loaded up front, minified bytes by source: ${top}; on demand (not counted): ${(lazy / 1000).toFixed(0)} kB minified`,
    });
  }
  return rows;
}
