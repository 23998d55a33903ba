/**
 * The bundled command's entry (scripts/bundle.mjs builds dist/cli/smime-bridge.js from it, one
 * file per entry plus shared chunks loaded on demand): installs the `node:crypto` platform by a
 * call (a bare side-effect import would be dropped: package.json says `sideEffects: false`) and
 * runs the command.
 */
import { setPlatform } from '../platform/index.js';
import { nodePlatform } from '../platform/node.js';
import { run } from './main.js';

setPlatform(nodePlatform);
void run(process.argv.slice(2));
