/**
 * Test fixtures for the CMS suite: a throw-away CA with an RSA and an EC P-256 e-mail user,
 * made by OpenSSL under a mkdtemp directory, plus small wrappers to run `openssl`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths and bytes of the generated PKI. */
export interface Pki {
  dir: string;
  caPem: string;
  caKey: string;
  rsa: { key: string; cert: string; keyPem: string; certPem: string };
  rsa2: { key: string; cert: string; keyPem: string; certPem: string };
  ec: { key: string; cert: string; keyPem: string; certPem: string };
  cleanup(): void;
}

/** Run openssl; returns stdout bytes. Throws with stderr on failure. */
export function openssl(args: string[], input?: Uint8Array | string): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** Run openssl and report success instead of throwing. */
export function opensslOk(args: string[], input?: Uint8Array | string): { ok: boolean; out: Buffer; err: string } {
  try {
    return { ok: true, out: openssl(args, input), err: '' };
  } catch (e) {
    const x = e as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, out: x.stdout ?? Buffer.alloc(0), err: String(x.stderr ?? e) };
  }
}

/** Uint8Array copy of a Buffer (the library takes plain Uint8Array). */
export function u8(b: Buffer | Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Generate a CA and users. Call `cleanup()` in an `after` hook. */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'smime-bridge-cms-'));
  const p = (n: string) => join(dir, n);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-subj', '/CN=Test CA/O=smime-bridge tests', '-days', '3650',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const user = (name: string, keyArgs: string[], usage: string) => {
    writeFileSync(p(`${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=${usage}\nextendedKeyUsage=emailProtection\nsubjectAltName=email:${name}@example.com\nsubjectKeyIdentifier=hash\n`);
    openssl(['req', '-new', ...keyArgs, '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${name}/emailAddress=${name}@example.com`]);
    openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.pem`), '-days', '365', '-extfile', p(`${name}.ext`)]);
    return { key: p(`${name}.key`), cert: p(`${name}.pem`), keyPem: readFileSync(p(`${name}.key`), 'latin1'), certPem: readFileSync(p(`${name}.pem`), 'latin1') };
  };
  // users are made on first use: key generation is the slow part of these tests
  const lazy = <T>(make: () => T) => {
    let v: T | undefined;
    return () => (v ??= make());
  };
  const rsa = lazy(() => user('rsauser', ['-newkey', 'rsa:2048'], 'digitalSignature,keyEncipherment'));
  const rsa2 = lazy(() => user('other', ['-newkey', 'rsa:2048'], 'digitalSignature,keyEncipherment'));
  const ec = lazy(() => user('ecuser', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'digitalSignature,keyAgreement'));
  return {
    dir,
    caPem: p('ca.pem'),
    caKey: p('ca.key'),
    get rsa() {
      return rsa();
    },
    get rsa2() {
      return rsa2();
    },
    get ec() {
      return ec();
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A small MIME entity with CRLF line ends. */
export const MIME_CRLF = new TextEncoder().encode('Content-Type: text/plain; charset=utf-8\r\n\r\nHello from smime-bridge.\r\nSecond line.\r\n');
