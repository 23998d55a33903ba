/** Node-side loading of keys, certificates, CRLs and trust anchors from files and folders for the CLI. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SmimeBridgeError } from '../../errors.js';
import { type Recipient, type Signer, certDer, loadCertificates, loadPkcs12, loadPrivateKey, parsePem } from '../../cms/index.js';
import { readInputBytes } from './io.js';
import { resolvePassword } from './password.js';
import type { KeyValues } from '../options.js';

const CERT_FILES = /\.(pem|crt|cer|der)$/i;

async function filesOf(p: string, pattern: RegExp): Promise<string[]> {
  const s = await stat(p).catch(() => undefined);
  if (s?.isDirectory()) return (await readdir(p)).filter((f) => pattern.test(f)).sort().map((f) => join(p, f));
  return [p];
}

/** DER certificates from PEM/DER files, or from every .pem/.crt/.cer/.der file of a folder. */
export async function loadCertFiles(paths: string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const p of paths) for (const f of await filesOf(p, CERT_FILES)) out.push(...loadCertificates(await readInputBytes(f)).map(certDer));
  return out;
}

/** DER CRLs from PEM (`X509 CRL`) or DER files, or every .crl/.pem/.der file of a folder. */
export async function loadCrlFiles(paths: string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const p of paths) {
    for (const f of await filesOf(p, /\.(crl|pem|der)$/i)) {
      const b = await readInputBytes(f);
      if (b[0] === 0x30) out.push(b);
      else out.push(...parsePem(new TextDecoder('latin1').decode(b)).filter((x) => x.label === 'X509 CRL').map((x) => x.der));
    }
  }
  return out;
}

/** A signer identity (certificate required) from the CLI options. */
export async function loadIdentity(a: KeyValues, usage: (m: string) => Error): Promise<Signer & Recipient> {
  const id = await loadRecipient(a, usage);
  if (!id.cert) throw usage('signing needs the certificate: --cert CERT.pem (or a --p12 that holds it)');
  return id as Signer & Recipient;
}

/** A decryption identity: the key, and the certificate when given (without it every RecipientInfo of the key's type is tried). */
export async function loadRecipient(a: KeyValues, usage: (m: string) => Error): Promise<Recipient & { chain?: Signer['chain'] }> {
  if (a.p12) {
    const bytes = await readInputBytes(a.p12);
    const p = await loadPkcs12(bytes, (await resolvePassword(a, a.p12, usage)) ?? '');
    return { key: p.key, cert: p.cert, chain: p.chain };
  }
  if (!a.key) throw usage('a key is needed: --key KEY.pem [--cert CERT.pem] or --p12 FILE.p12');
  const keyBytes = await readInputBytes(a.key);
  const encrypted = /ENCRYPTED/.test(new TextDecoder('latin1').decode(keyBytes.subarray(0, 4096)));
  const key = await loadPrivateKey(keyBytes, encrypted ? await resolvePassword(a, a.key, usage) : a.password);
  // --cert may be omitted when the key file also holds the certificate(s).
  const certs = a.cert ? loadCertificates(await readInputBytes(a.cert)) : safeCerts(keyBytes);
  const [cert, ...chain] = certs;
  return { key, cert, chain };
}

function safeCerts(b: Uint8Array) {
  try { return loadCertificates(b); } catch { return []; }
}

/** Throw a typed error when a required certificate list came out empty. */
export function requireCerts(list: Uint8Array[], what: string): Uint8Array[] {
  if (list.length === 0) throw new SmimeBridgeError('INVALID_ARGUMENT', `no certificate found in ${what}`);
  return list;
}
