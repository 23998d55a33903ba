/**
 * Message-level S/MIME security: verify, decrypt, sign, encrypt and unwrap whole messages
 * (.eml bytes or message objects), on top of cms/ (CMS bytes) and smime/ (MS-OXOSMIME).
 */
export * from './envelope.js';
export * from './open.js';
export * from './compose.js';
export * from './verdict.js';
export * from './decrypted.js';
