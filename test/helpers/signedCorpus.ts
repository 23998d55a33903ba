/**
 * The corpus's signed Internet messages whose signature OpenSSL accepts (MANIFEST.json
 * `signatureOnly: ok`), and OpenSSL's check of a message written by smime-bridge.
 */
import { manifest, readCorpus, type ManifestEntry } from './corpus.js';
import { setCertfile, verifySignatureOnly } from './openssl.js';

/** Signed .eml entries OpenSSL verified (signature and digest). */
export function signedCorpusEntries(): ManifestEntry[] {
  return manifest().entries.filter((e) => e.format === 'eml' && e.smimeClass !== 'none' && e.signatureOnly === 'ok');
}

export { readCorpus };

/** `openssl cms -verify -noverify` with the certificates the entry's set names. */
export function opensslVerifies(e: ManifestEntry, bytes: Uint8Array): { ok: boolean; stderr: string } {
  const ca = manifest().caFiles[e.set];
  return verifySignatureOnly(bytes, { certfile: ca ? setCertfile(e.set, [...ca.trust, ...ca.untrusted]) : undefined });
}
