#!/usr/bin/env node
// The installed `smime-bridge` command: npm links this file (bin link, npx, npm link, global
// install), so it needs no "am I the entry point" test. It runs the bundle of the command
// (dist/cli/smime-bridge.js, built by scripts/bundle.mjs in `npm test`, `npm run build` and
// `prepack`: one file to compile instead of ~150 modules to resolve, issue 14 item 1) and falls
// back to the compiled modules when the bundle is absent or SMIME_BRIDGE_UNBUNDLED=1.
import { existsSync } from 'node:fs';

const bundle = new URL('../../cli/smime-bridge.js', import.meta.url);
if (process.env.SMIME_BRIDGE_UNBUNDLED !== '1' && existsSync(bundle)) {
  await import(bundle.href);
} else {
  const [{ setPlatform }, { nodePlatform }, { run }] = await Promise.all([import('../platform/index.js'), import('../platform/node.js'), import('./main.js')]);
  setPlatform(nodePlatform); // node:crypto and Buffer behind the platform interface
  void run(process.argv.slice(2));
}
