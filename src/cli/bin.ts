#!/usr/bin/env node
// The installed `smime-bridge` command: npm links this file (bin link, npx, npm link, global
// install), so it needs no "am I the entry point" test. It runs the bundle of the command
// (dist/cli/smime-bridge.js, built by scripts/bundle.mjs in `npm test`, `npm run build` and
// `prepack`: one script compiled from a V8 code cache instead of ~150 modules to resolve and
// compile, issue 14 item 1, see codeCache.ts) and falls back to the compiled modules when the
// bundle is absent or SMIME_BRIDGE_UNBUNDLED=1.
import { existsSync } from 'node:fs';
import { runBundle } from './codeCache.js';

const bundle = new URL('../../cli/smime-bridge.js', import.meta.url);
if (process.env.SMIME_BRIDGE_UNBUNDLED !== '1' && existsSync(bundle)) {
  runBundle(bundle, process.argv.slice(2));
} else {
  // Node 22.1+: the modules' own compile cache (absent on Node 20)
  const mod = (await import('node:module')) as { enableCompileCache?: () => unknown };
  mod.enableCompileCache?.();
  const [{ setPlatform }, { nodePlatform }, { run }] = await Promise.all([import('../platform/index.js'), import('../platform/node.js'), import('./main.js')]);
  setPlatform(nodePlatform); // node:crypto and Buffer behind the platform interface
  void run(process.argv.slice(2));
}
