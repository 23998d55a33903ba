/**
 * Side-effect module: installs the `node:crypto` platform. For Node programs (the CLI) that import
 * library modules directly instead of the `src/node.ts` entry point.
 */
import { setPlatform } from './index.js';
import { nodePlatform } from './node.js';

setPlatform(nodePlatform);
