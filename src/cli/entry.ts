/**
 * The bundled command's entry (scripts/bundle.mjs builds the script dist/cli/smime-bridge.js from
 * it, which bin.ts loads through codeCache.ts): installs the `node:crypto` platform by a call (a
 * bare side-effect import would be dropped: package.json says `sideEffects: false`) and exports
 * the runner. Command modules stay behind dynamic imports, which the bundle evaluates on first
 * use, so `--version` runs none of the CMS code.
 */
import { setPlatform } from '../platform/index.js';
import { nodePlatform } from '../platform/node.js';

setPlatform(nodePlatform);

export { main, run } from './main.js';
