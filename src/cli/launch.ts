/**
 * The installed `smime-bridge` command (package.json `bin`). scripts/bundle.mjs builds it into
 * dist/cli/smime-bridge.cjs, a CommonJS script beside the command's bundle, so that a call starts
 * without Node's ES module loader: resolving an ES module entry and building the ES facades of
 * the built-ins it imports cost ~20 ms of CPU per call (issue 14 item 1, measured by --cpu-prof).
 * It runs the bundle through the V8 code cache (codeCache.ts); `SMIME_BRIDGE_UNBUNDLED=1` runs
 * the compiled modules instead (dist/src/cli/bin.ts), as bin.ts does.
 */
import { existsSync } from 'node:fs';
import { runBundle } from './codeCache.js';

// scripts/bundle.mjs defines import.meta.url as this script's own URL (a CommonJS script has no import.meta)
const bundle = new URL('./smime-bridge.js', import.meta.url);
if (process.env.SMIME_BRIDGE_UNBUNDLED !== '1' && existsSync(bundle)) runBundle(bundle, process.argv.slice(2));
else void import(new URL('../src/cli/bin.js', import.meta.url).href);
