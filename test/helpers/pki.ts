/**
 * Real S/MIME test messages made by OpenSSL (never by smime-bridge): a throwaway CA and an RSA
 * identity per test run, and `openssl cms -sign` / `-encrypt` wrappers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tempDir } from './openssl.js';

export interface Identity { cert: string; key: string; ca: string; dir: string; cleanup(): void }

/** A CA and an RSA-2048 e-mail identity (alice@example.org) in a temp folder. */
export function makeIdentity(kind: 'rsa' | 'ec' = 'rsa'): Identity {
  const t = tempDir('smime-bridge-pki-');
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: t.dir, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const keyArgs = kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  run(['req', ...keyArgs, '-nodes', '-keyout', 'id.key', '-out', 'id.csr', '-subj', '/CN=Alice/emailAddress=alice@example.org']);
  t.file('ext.cnf', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment,keyAgreement\nextendedKeyUsage=emailProtection\nsubjectAltName=email:alice@example.org\n');
  run(['x509', '-req', '-in', 'id.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'id.pem', '-days', '3650', '-extfile', 'ext.cnf']);
  return { cert: t.file('id.pem'), key: t.file('id.key'), ca: t.file('ca.pem'), dir: t.dir, cleanup: t.cleanup };
}

/** `openssl cms` with input bytes; returns stdout bytes. */
export function cms(args: string[], input: Uint8Array | string): Uint8Array {
  return new Uint8Array(execFileSync('openssl', ['cms', ...args], { input: typeof input === 'string' ? Buffer.from(input, 'binary') : input, maxBuffer: 512 << 20 }));
}

const enc = new TextEncoder();
/** Join a header block (CRLF lines) and an S/MIME entity produced by OpenSSL. */
export function withHeaders(headers: string[], entity: Uint8Array, eol = '\r\n'): Uint8Array {
  const h = enc.encode(headers.map((l) => l + eol).join(''));
  const out = new Uint8Array(h.length + entity.length);
  out.set(h, 0);
  out.set(entity, h.length);
  return out;
}

export const ENVELOPE = ['From: Alice <alice@example.org>', 'To: Bob <bob@example.org>, Carol <carol@example.org>', 'Subject: Re: test message',
  'Date: Mon, 23 Nov 2026 10:00:00 +0000', 'Message-ID: <t1@example.org>'];

export const INNER = 'Content-Type: text/plain; charset=utf-8\r\n\r\nHello Bob.\r\nSigned text.\r\n';

/** A clear-signed message (openssl cms -sign, detached, CRLF). */
export function clearSigned(id: Identity, inner = INNER, md = 'sha256'): Uint8Array {
  return withHeaders(ENVELOPE, cms(['-sign', '-signer', id.cert, '-inkey', id.key, '-md', md, '-crlfeol'], inner));
}
/** An opaque-signed message (smime-type=signed-data). */
export function opaqueSigned(id: Identity, inner = INNER): Uint8Array {
  return withHeaders(ENVELOPE, cms(['-sign', '-nodetach', '-signer', id.cert, '-inkey', id.key, '-crlfeol'], inner));
}
/** An encrypted message (smime-type=enveloped-data) for the identity. */
export function encrypted(id: Identity, inner = INNER): Uint8Array {
  return withHeaders(ENVELOPE, cms(['-encrypt', '-aes256', '-crlfeol', id.cert], inner));
}
/** DER bytes of a CMS object (for comparing the attachment data). */
export function derOf(smime: Uint8Array): Uint8Array {
  return cms(['-cmsout', '-outform', 'DER'], smime);
}
export function readText(path: string): string { return readFileSync(path, 'utf8'); }
