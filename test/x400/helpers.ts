/**
 * Shared fixtures for the x400 tests (Node only): a temp dir, a throw-away signing key made by
 * OpenSSL, real CMS objects made by `openssl cms`, corpus files, and the Wireshark check
 * (../shared/tools/x400/check-ber.sh, tshark's own X.411/X.420 dissectors).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CHECK_BER = resolve('../shared/tools/x400/check-ber.sh');
export const CORPUS = resolve('../shared/corpus');
export const TB = join(CORPUS, 'thunderbird-smime/mailnews/test/data/smime');

/** A temp dir with a self-signed signer; call `cleanup()` in `after`. */
export interface Fixture {
  dir: string;
  cert: string;
  key: string;
  write(name: string, bytes: Uint8Array | string): string;
  cleanup(): void;
}

export function makeFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'x400-test-'));
  const cert = join(dir, 'signer.pem');
  const key = join(dir, 'signer.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=X400 Test/emailAddress=signer@example.com', '-days', '30'], { stdio: 'pipe' });
  return {
    dir,
    cert,
    key,
    write(name, bytes) {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Run openssl; returns status, stdout, stderr. */
export function openssl(args: string[], input?: Uint8Array | string): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync('openssl', args, { input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** openssl, asynchronously (for suites that run many commands side by side). */
export function opensslAsync(args: string[]): Promise<{ status: number; stdout: Buffer; stderr: string }> {
  return new Promise((done) => {
    const p = spawn('openssl', args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('close', (code) => done({ status: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
  });
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** `openssl cms -sign` of a small text; DER (bare ContentInfo) or SMIME (MIME entity). */
export function signWithOpenssl(fx: Fixture, outform: 'DER' | 'SMIME', detached = false): Uint8Array {
  const msg = fx.write('msg.txt', 'Content-Type: text/plain\r\n\r\nHello over X.400\r\n');
  const args = ['cms', '-sign', '-in', msg, '-signer', fx.cert, '-inkey', fx.key, '-outform', outform];
  if (!detached) args.push('-nodetach');
  const r = openssl(args);
  if (r.status !== 0) throw new Error(r.stderr);
  return new Uint8Array(r.stdout);
}

/** `openssl cms -verify -noverify` (signature and digest only); true when it succeeds. */
export function opensslVerifies(fx: Fixture, bytes: Uint8Array, inform: 'DER' | 'SMIME', name = 'verify.in'): boolean {
  const p = fx.write(name, bytes);
  return openssl(['cms', '-verify', '-noverify', '-inform', inform, '-in', p, '-out', join(fx.dir, 'verified.out')]).status === 0;
}

/** The corpus CMS object of an .eml as DER, extracted by OpenSSL (not by us). */
export function corpusCmsDer(emlPath: string): Uint8Array {
  const r = openssl(['cms', '-cmsout', '-inform', 'SMIME', '-in', emlPath, '-outform', 'DER']);
  if (r.status !== 0) throw new Error(r.stderr);
  return new Uint8Array(r.stdout);
}

/** Bob's key from the Thunderbird corpus (password `nss`, per MANIFEST.json keys). */
export function bobKey(fx: Fixture): string {
  const out = join(fx.dir, 'bob.pem');
  const r = openssl(['pkcs12', '-in', join(TB, 'Bob.p12'), '-passin', 'pass:nss', '-nodes', '-out', out]);
  if (r.status !== 0) throw new Error(r.stderr);
  return out;
}

/**
 * Wireshark configuration for the checks: `mime_multipart.remove_base64_encoding` makes the
 * multipart dissector decode base64 parts, so the CMS of a clear-signed (multipart/signed)
 * message is dissected too instead of being handed over as base64 text (a stricter check).
 */
function wiresharkEnv(fx: Fixture): NodeJS.ProcessEnv {
  const dir = join(fx.dir, 'wireshark');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'preferences'), 'mime_multipart.remove_base64_encoding: TRUE\n');
  return { ...process.env, WIRESHARK_CONFIG_DIR: dir };
}

/** Run Wireshark's X.411/X.420 dissectors on a file; returns the script's verdict and output. */
export function checkBer(fx: Fixture, name: string, bytes: Uint8Array, kind: 'p1' | 'p22'): { ok: boolean; output: string } {
  const p = fx.write(name, bytes);
  const r = spawnSync('bash', [CHECK_BER, p, kind], { maxBuffer: 64 * 1024 * 1024, env: wiresharkEnv(fx) });
  return { ok: r.status === 0, output: r.stdout.toString() + r.stderr.toString() };
}

/** tshark -V text of a file (for asserting how Wireshark renders fields); the file must also pass the check. */
export function tsharkShow(fx: Fixture, name: string, bytes: Uint8Array, kind: 'p1' | 'p22'): string {
  const p = fx.write(name, bytes);
  const r = spawnSync('bash', [CHECK_BER, p, kind, '--show'], { maxBuffer: 64 * 1024 * 1024, env: wiresharkEnv(fx) });
  if (r.status !== 0) throw new Error(`check-ber.sh failed on ${name}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

export function readCorpus(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(join(CORPUS, rel)));
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}
