/**
 * The Node entry point of smime-bridge (package.json `exports["."].node`): installs the
 * `node:crypto` platform (RSA, digests, AES/3DES and base64 natively) and re-exports the library.
 * Browsers load `./index.js`, which keeps the portable WebCrypto / pure-TypeScript platform.
 */
import { setPlatform } from './platform/index.js';
import { nodePlatform } from './platform/node.js';

setPlatform(nodePlatform);

export * from './index.js';
export { nodePlatform } from './platform/node.js';
