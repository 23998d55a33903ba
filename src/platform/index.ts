/**
 * The platform interface: the few cryptographic and byte operations that have a native, faster
 * and safer implementation in Node (`node:crypto`, `Buffer`) and a portable one for browsers
 * (WebCrypto and pure TypeScript). The core calls {@link platform}; the Node entry point
 * (`src/node.ts`) installs the Node implementation with {@link setPlatform} at load time.
 *
 * This module has no Node imports: it must load in browsers. Both implementations give the same
 * bytes for the same inputs (test/platform/platform.test.ts runs each operation both ways).
 */
import { portablePlatform } from './portable.js';
import type { RsaPrivateParts } from './bigint-rsa.js';

export type { RsaPrivateParts } from './bigint-rsa.js';

/** Digest algorithms the platform offers (FIPS 180-4). */
export type DigestName = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** 64-bit block ciphers in CBC mode: DES-EDE3 takes a 24-byte (or 16-byte two-key, or 8-byte single DES) key. */
export type CbcCipher = 'AES' | 'DES-EDE3';

/** A public-key signature scheme (RFC 8017 8.2 / 8.1, FIPS 186-4 ECDSA) with its parameters. */
export type SignatureScheme =
  | { kind: 'rsa-pkcs1'; hash: Exclude<DigestName, 'SHA-224'> }
  | { kind: 'rsa-pss'; hash: Exclude<DigestName, 'SHA-224'>; saltLength: number }
  | { kind: 'ecdsa'; hash: Exclude<DigestName, 'SHA-224'>; curve: 'P-256' | 'P-384' | 'P-521' };

/** An incremental CBC decryption (see {@link Platform.cbcDecipher}). */
export interface CbcDecipher {
  /** Decrypt the next ciphertext bytes; returns plaintext pieces (the last block is held back: it carries the padding). */
  update(data: Uint8Array): Uint8Array[];
  /** The last plaintext bytes with the PKCS#7 padding removed (RFC 5652 6.3); null on a bad total length or padding. */
  final(): Uint8Array | null;
}

/** The operations behind which Node and browsers differ. */
export interface Platform {
  /** Name for diagnostics (`node` or `portable`). */
  readonly name: string;
  /**
   * RSADP (RFC 8017 5.1.2): `c` is exactly k bytes (k = modulus length) and, as an integer, less
   * than n; returns m = c^d mod n as k bytes. No padding is removed: the PKCS#1 v1.5 (implicit
   * rejection) and OAEP decoding stay in src/cms/rsa.ts for every platform.
   */
  rsaPrivateRaw(key: RsaPrivateParts, c: Uint8Array): Promise<Uint8Array>;
  /** RSASSA-PKCS1-v1_5 signature (RFC 8017 8.2.1) of `data` hashed with `hash`; `pkcs8` is the key's DER PrivateKeyInfo. */
  rsaSignPkcs1(pkcs8: Uint8Array, hash: Exclude<DigestName, 'SHA-224'>, data: Uint8Array): Promise<Uint8Array>;
  /**
   * Verify `signature` over `data` with the public key `spki` (DER SubjectPublicKeyInfo, in the
   * form WebCrypto imports). ECDSA signatures are r‖s (IEEE P1363), as WebCrypto takes them.
   * False for a wrong signature and for any key or parameter the platform cannot use; never throws.
   */
  verifySignature(spki: Uint8Array, scheme: SignatureScheme, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** Message digest. */
  digest(hash: DigestName, data: Uint8Array): Promise<Uint8Array>;
  /** HMAC-SHA-256 (RFC 2104, FIPS 198-1). */
  hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  /** Strict base64 (RFC 4648 4): whitespace is ignored, any other character outside the alphabet gives null. */
  base64Decode(text: string): Uint8Array | null;
  /** base64 (RFC 4648 4) without line breaks. */
  base64Encode(bytes: Uint8Array): string;
  /**
   * Tolerant MIME base64 decoding (RFC 2045 6.8) over bytes: characters outside the alphabet are
   * skipped, decoding stops at the first `=`, a final group of 2 or 3 characters gives 1 or 2
   * bytes and a lone one is dropped.
   */
  mimeBase64Decode(bytes: Uint8Array): Uint8Array;
  /** MIME base64 with a CRLF after every `lineLength` characters (whole groups; 0 = one line), none after the last line. */
  mimeBase64Encode(bytes: Uint8Array, lineLength: number): Uint8Array;
  /** CBC decryption with PKCS#7 padding removal (RFC 5652 6.3); null on a bad length, key or padding. */
  cbcDecrypt(cipher: CbcCipher, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array | null>;
  /**
   * CBC decryption fed in pieces: the same bytes as {@link cbcDecrypt} in the same cases, for a
   * content that is decrypted as it arrives. Absent where the platform has no incremental cipher
   * (WebCrypto has none), and undefined for a cipher or key size it does not offer.
   */
  cbcDecipher?(cipher: CbcCipher, key: Uint8Array, iv: Uint8Array): CbcDecipher | undefined;
  /** AES-GCM decryption (NIST SP 800-38D, RFC 5084) with a separate tag; null on any failure. */
  gcmDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, tag: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null>;
}

let current: Platform = portablePlatform;

/** Install a platform implementation (the Node entry point calls this with the `node:crypto` one). */
export function setPlatform(p: Platform): void {
  current = p;
}

/** The platform in use. */
export function platform(): Platform {
  return current;
}

export { portablePlatform };
