/** Node-side loading of keys, certificates and trust anchors from files and folders for the CLI. */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SmimeBridgeError } from '../../errors.js';
import { type Recipient, type Signer, certDer, loadCertificates, loadPkcs12, loadPrivateKey } from '../../cms/index.js';
import { bytesView } from './io.js';

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return bytesView(await readFile(path));
  } catch (e) {
    throw new SmimeBridgeError('IO_ERROR', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** DER certificates from PEM/DER files, or from every .pem/.crt/.cer/.der file of a folder. */
export async function loadCertFiles(paths: string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const p of paths) {
    let files = [p];
    const s = await stat(p).catch(() => undefined);
    if (s?.isDirectory()) files = (await readdir(p)).filter((f) => /\.(pem|crt|cer|der)$/i.test(f)).sort().map((f) => join(p, f));
    for (const f of files) out.push(...loadCertificates(await readBytes(f)).map(certDer));
  }
  return out;
}

/** Key material from `--key/--cert` or `--p12/--password`. */
export interface KeyArgs { key?: string; cert?: string; p12?: string; password?: string }

/** A signer identity (certificate required) from the CLI arguments. */
export async function loadIdentity(a: KeyArgs): Promise<Signer & Recipient> {
  const id = await loadRecipient(a);
  if (!id.cert) throw new SmimeBridgeError('INVALID_ARGUMENT', 'a certificate is needed: --cert PEM');
  return id as Signer & Recipient;
}

/** A decryption identity: the key, and the certificate when given (without it every RecipientInfo of the key's type is tried). */
export async function loadRecipient(a: KeyArgs): Promise<Recipient & { chain?: Signer['chain'] }> {
  if (a.p12) {
    const p = await loadPkcs12(await readBytes(a.p12), a.password ?? '');
    return { key: p.key, cert: p.cert, chain: p.chain };
  }
  if (!a.key) throw new SmimeBridgeError('INVALID_ARGUMENT', 'a key is needed: --key PEM [--cert PEM] or --p12 FILE --password PW');
  const keyBytes = await readBytes(a.key);
  const key = await loadPrivateKey(keyBytes, a.password);
  // --cert may be omitted when the key file also holds the certificate(s).
  const certs = a.cert ? loadCertificates(await readBytes(a.cert)) : safeCerts(keyBytes);
  const [cert, ...chain] = certs;
  return { key, cert, chain };
}

function safeCerts(b: Uint8Array) {
  try { return loadCertificates(b); } catch { return []; }
}
