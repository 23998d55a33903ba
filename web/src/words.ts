/** Words for each verdict state, as `smime-bridge verify` prints them (src/cli/present.ts STATE_WORDS). */
export { STATE_WORDS } from '../../src/cli/present.js';
