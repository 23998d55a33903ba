/**
 * Benchmark inputs: the shared corpus (listed by ../shared/corpus/MANIFEST.json) and large
 * generated S/MIME messages. The large ones are made by OpenSSL itself (`openssl cms -sign` /
 * `-encrypt`), not by our code, and cached in bench/out/ between runs (bench/out/ is gitignored).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where generated inputs and outputs live. */
export const OUT_DIR = resolve('bench/out');
/** The shared corpus, relative to the repo root (the bench runs with cwd = repo root). */
export const CORPUS_DIR = resolve('../shared/corpus');

/** One corpus file with its manifest format. */
export interface CorpusFile {
  path: string;
  format: 'eml' | 'msg' | 'mbox';
  smimeClass: string;
}

/** Every corpus file of `format` that exists on disk. */
export function corpusFiles(format: 'eml' | 'msg'): CorpusFile[] {
  const manifest = JSON.parse(readFileSync(join(CORPUS_DIR, 'MANIFEST.json'), 'utf8')) as {
    entries: { path: string; format: 'eml' | 'msg' | 'mbox'; smimeClass: string }[];
  };
  return manifest.entries
    .filter((e) => e.format === format)
    .map((e) => ({ path: join(CORPUS_DIR, e.path), format: e.format, smimeClass: e.smimeClass }))
    .filter((e) => existsSync(e.path));
}

/** Signing/encryption identity made for the bench: self-signed RSA-2048 with emailProtection. */
export interface BenchKeys {
  cert: string;
  key: string;
}

/** Create (once) the bench's key pair and certificate with OpenSSL. */
export function benchKeys(): BenchKeys {
  const dir = join(OUT_DIR, 'keys');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  mkdirSync(dir, { recursive: true });
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650',
    '-keyout', key, '-out', cert,
    '-subj', '/CN=Bench Signer/emailAddress=bench@example.com',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext', 'extendedKeyUsage=emailProtection',
    '-addext', 'subjectAltName=email:bench@example.com',
    '-addext', 'basicConstraints=critical,CA:TRUE',
  ], { stdio: 'pipe' });
  return { cert, key };
}

/** Message shapes of issue 6: one big attachment, or many small parts. */
export type Shape = 'big' | 'parts';
/** S/MIME kinds generated. */
export type Kind = 'signed' | 'encrypted';

/** A generated message: the .eml and the MIME content that was signed or encrypted. */
export interface Generated {
  kind: Kind;
  shape: Shape;
  sizeMB: number;
  /** The .eml file OpenSSL wrote. */
  eml: string;
  /** The inner MIME entity (what was signed / encrypted). */
  content: string;
  bytes: number;
}

/** Deterministic pseudo-random bytes (xorshift32): same inputs on every machine and run. */
function fillRandom(out: Uint8Array, seed: number): void {
  let x = seed | 0 || 1;
  const v = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
  for (let i = 0; i < v.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    v[i] = x >>> 0;
  }
  for (let i = v.length << 2; i < out.length; i++) out[i] = i & 0xff;
}

const CRLF = '\r\n';

/** base64 with CRLF every 76 characters (RFC 2045 6.8). */
function b64Lines(b: Uint8Array): string {
  const s = Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < s.length; i += 76) lines.push(s.slice(i, i + 76));
  return lines.join(CRLF);
}

/** Quoted-printable-looking text: plain words, soft line breaks, a few =XX escapes. */
function qpText(n: number, seed: number): string {
  const words = ['signed', 'mail', 'bridge', 'caf=C3=A9', 'Outlook', 'message', 'r=C3=A9sum=C3=A9', 'archive', 'S/MIME', 'MAPI'];
  const lines: string[] = [];
  let len = 0;
  let x = seed;
  while (len < n) {
    let line = '';
    for (;;) {
      x = (x * 1103515245 + 12345) >>> 0;
      const word = words[x % words.length]!;
      if (line.length + word.length + 1 > 74) break;
      line += word + ' ';
    }
    // a soft line break now and then, else the trailing space encoded (RFC 2045 6.7 rule 3)
    line = (x & 3) === 0 ? `${line}=` : `${line.slice(0, -1)}=20`;
    lines.push(line);
    len += line.length + 2;
  }
  return lines.join(CRLF);
}

/**
 * Write the inner MIME entity of about `target` bytes (CRLF line ends):
 * `big`: multipart/mixed with a short text part and one base64 attachment;
 * `parts`: multipart/mixed with alternating quoted-printable text and base64 parts of ~16 KB each.
 */
function writeContent(path: string, shape: Shape, target: number): void {
  const boundary = `=_bench_${shape}_${target}`;
  const fd = openSync(path, 'w');
  const w = (s: string) => writeSync(fd, s);
  w(`Content-Type: multipart/mixed; boundary="${boundary}"${CRLF}${CRLF}This is a multi-part message in MIME format.${CRLF}`);
  w(`--${boundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}`);
  w(qpText(2000, 7) + CRLF);
  if (shape === 'big') {
    const raw = new Uint8Array(Math.floor(((target - 3000) * 57) / 78));
    fillRandom(raw, target);
    w(`--${boundary}${CRLF}Content-Type: application/octet-stream; name="big.bin"${CRLF}Content-Disposition: attachment; filename="big.bin"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`);
    w(b64Lines(raw) + CRLF);
  } else {
    const partRaw = 16 * 1024;
    const perPart = 2 * (Math.ceil(partRaw / 57) * 78 + 200);
    const n = Math.max(1, Math.round((target - 3000) / perPart));
    const raw = new Uint8Array(partRaw);
    for (let i = 0; i < n; i++) {
      w(`--${boundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}`);
      w(qpText(Math.ceil(partRaw * 1.3), i + 1) + CRLF);
      fillRandom(raw, i + 1);
      w(`--${boundary}${CRLF}Content-Type: application/octet-stream; name="part${i}.bin"${CRLF}Content-Disposition: attachment; filename="part${i}.bin"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`);
      w(b64Lines(raw) + CRLF);
    }
  }
  w(`--${boundary}--${CRLF}`);
  closeSync(fd);
}

/**
 * The generated message of `kind`, `shape`, about `sizeMB` megabytes: created with OpenSSL on the
 * first call, reused afterwards.
 */
export function generated(kind: Kind, shape: Shape, sizeMB: number, keys: BenchKeys): Generated {
  const dir = join(OUT_DIR, 'gen');
  mkdirSync(dir, { recursive: true });
  // Encryption grows the message by 4/3 (base64 of the ciphertext): aim the content lower so the
  // .eml is about the nominal size.
  const target = Math.round(sizeMB * 1e6 * (kind === 'encrypted' ? 0.74 : 1));
  const content = join(dir, `content-${shape}-${target}.mime`);
  const eml = join(dir, `${kind}-${shape}-${sizeMB}mb.eml`);
  if (!existsSync(content)) {
    writeContent(`${content}.tmp`, shape, target);
    renameSync(`${content}.tmp`, content);
  }
  if (!existsSync(eml)) {
    const common = ['-binary', '-crlfeol', '-from', 'Bench Signer <bench@example.com>', '-to', 'Reader <reader@example.org>',
      '-subject', `bench ${kind} ${shape} ${sizeMB} MB`, '-in', content, '-out', `${eml}.tmp`];
    if (kind === 'signed') {
      execFileSync('openssl', ['cms', '-sign', '-md', 'sha256', '-signer', keys.cert, '-inkey', keys.key, ...common], { stdio: 'pipe' });
    } else {
      execFileSync('openssl', ['cms', '-encrypt', '-aes-256-cbc', ...common, keys.cert], { stdio: 'pipe' });
    }
    renameSync(`${eml}.tmp`, eml);
  }
  return { kind, shape, sizeMB, eml, content, bytes: statSync(eml).size };
}

/** Write `bytes` to `path` (creating folders). */
export function writeOut(path: string, bytes: Uint8Array): void {
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
}
