/**
 * Wires PKI.js to the platform WebCrypto (`globalThis.crypto`), which Node 20+ and browsers have.
 * Every module that uses PKI.js crypto calls {@link ensureEngine} first.
 */
import * as pkijs from 'pkijs';
import { SmimeBridgeError } from '../errors.js';

let done = false;

/** Make PKI.js use `globalThis.crypto`. Idempotent. */
export function ensureEngine(): void {
  if (done) return;
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) throw new SmimeBridgeError('UNSUPPORTED_FORMAT', 'no WebCrypto (globalThis.crypto.subtle) in this environment');
  pkijs.setEngine('smime-bridge', new pkijs.CryptoEngine({ name: 'webcrypto', crypto: c }));
  done = true;
}
