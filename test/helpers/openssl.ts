/**
 * OpenSSL as the independent verifier of the tests: `openssl cms -verify` / `-decrypt` on files
 * written to a temporary folder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusPath } from './corpus.js';

/** A temporary folder removed by `cleanup()`. */
export function tempDir(prefix = 'smime-bridge-test-'): { dir: string; file(name: string, bytes?: Uint8Array | string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name, bytes) {
      const p = join(dir, name);
      if (bytes !== undefined) writeFileSync(p, bytes);
      return p;
    },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Run openssl; returns status, stdout bytes and stderr text. */
export function openssl(args: string[], input?: Uint8Array): { status: number; stdout: Uint8Array; stderr: string } {
  const r = spawnSync('openssl', args, { input, maxBuffer: 512 << 20 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: new Uint8Array(r.stdout), stderr: String(r.stderr) };
}

/**
 * `openssl cms -verify -noverify` (signature and digest only) on S/MIME bytes. `certfile` adds
 * certificates for signatures that do not carry their signer's certificate.
 */
export function verifySignatureOnly(smime: Uint8Array, opts: { certfile?: string; inform?: 'DER' } = {}): { ok: boolean; stderr: string; content: Uint8Array } {
  const args = ['cms', '-verify', '-noverify', '-out', '-'];
  if (opts.certfile) args.push('-certfile', opts.certfile);
  if (opts.inform) args.push('-inform', opts.inform);
  const r = openssl(args, smime);
  return { ok: r.status === 0, stderr: r.stderr, content: r.stdout };
}

const certfileCache = new Map<string, string>();
/** One PEM file with every certificate a corpus set names (trust anchors and intermediates). */
export function setCertfile(set: string, files: string[]): string | undefined {
  if (files.length === 0) return undefined;
  const cached = certfileCache.get(set);
  if (cached && existsSync(cached)) return cached;
  const t = tempDir('smime-bridge-certs-');
  const pem = files.map((f) => {
    const raw = readFileSync(corpusPath(f));
    const text = raw.toString('latin1');
    if (text.includes('-----BEGIN CERTIFICATE-----')) return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!.join('\n');
    return execFileSync('openssl', ['x509', '-inform', 'DER', '-in', corpusPath(f)], { stdio: 'pipe' }).toString('latin1');
  }).join('\n') + '\n';
  const out = t.file('certs.pem', pem);
  certfileCache.set(set, out);
  return out;
}

/** `openssl cms -decrypt` on DER bytes. */
export function decryptDer(der: Uint8Array, pem: string): { ok: boolean; stderr: string; content: Uint8Array } {
  const r = openssl(['cms', '-decrypt', '-inform', 'DER', '-inkey', pem, '-out', '-'], der);
  return { ok: r.status === 0, stderr: r.stderr, content: r.stdout };
}

const pemCache = new Map<string, string>();
/** A PEM file with key and certificate for a corpus identity (.p12 converted with its password, or a .pem/.key as it is). */
export function identityPem(relPath: string, password: string | null): string {
  const cached = pemCache.get(relPath);
  if (cached && existsSync(cached)) return cached;
  const src = corpusPath(relPath);
  let out = src;
  if (/\.(p12|pfx|pkcs12)$/i.test(relPath)) {
    const t = tempDir('smime-bridge-keys-');
    out = t.file('identity.pem');
    const base = ['pkcs12', '-in', src, '-nodes', '-out', out, '-passin', `pass:${password ?? ''}`];
    try {
      execFileSync('openssl', base, { stdio: 'pipe' });
    } catch {
      execFileSync('openssl', [...base, '-legacy'], { stdio: 'pipe' });
    }
  }
  pemCache.set(relPath, out);
  return out;
}

/** `openssl cms -decrypt` with a key/cert PEM. */
export function decrypt(smime: Uint8Array, pem: string): { ok: boolean; stderr: string; content: Uint8Array } {
  const r = openssl(['cms', '-decrypt', '-inkey', pem, '-out', '-'], smime);
  return { ok: r.status === 0, stderr: r.stderr, content: r.stdout };
}
