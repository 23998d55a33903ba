// Corpus smoke: every .eml/.mbox in ../shared/corpus/MANIFEST.json parses, its top-level media
// type equals the manifest's (computed by python, MS-OXOSMIME 3.1.5.1.1 last Content-Type), the
// part tree and decoded leaf bodies agree with python3's email package, and openssl verifies the
// detached signatures over the exact byte ranges we slice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseMime, decodeBody, entityBytes, headerText, type MimeEntity } from '../../src/mime/index.js';

interface Entry {
  path: string;
  format: string;
  mediaType: string | null;
  signatureOnly?: string | null;
  lineEndings?: string;
  subject?: string | null;
}

const CORPUS = '../shared/corpus/';
const manifest = JSON.parse(readFileSync(CORPUS + 'MANIFEST.json', 'utf8')) as { entries: Entry[] };
const entries = manifest.entries.filter((e) => e.format === 'eml' || e.format === 'mbox');

/** The message bytes; for mbox a leading `From ` line is stripped (the caller's job, not the parser's). */
function load(e: Entry): Uint8Array {
  const b = new Uint8Array(readFileSync(CORPUS + e.path));
  if (b[0] === 0x46 && b[1] === 0x72 && b[2] === 0x6f && b[3] === 0x6d && b[4] === 0x20) return b.subarray(b.indexOf(0x0a) + 1);
  return b;
}

test('corpus: manifest lists eml/mbox messages', () => {
  assert.ok(entries.length >= 100, `only ${entries.length} entries`);
});

test('corpus: every eml/mbox parses; last Content-Type and line-ending style match the manifest', () => {
  let checked = 0;
  for (const e of entries) {
    const { root } = parseMime(load(e));
    if (e.mediaType === null) {
      assert.equal(root.contentTypeDefaulted, true, e.path);
      continue;
    }
    assert.equal(root.contentType.value, e.mediaType, e.path);
    // the manifest's whole-file line ending style; ours is the top-level header block's
    if (e.lineEndings === 'CRLF' || e.lineEndings === 'LF') assert.equal(root.lineEnding, e.lineEndings, e.path);
    checked++;
  }
  assert.ok(checked > 100);
});

test('corpus: headerText(subject) equals the manifest subject (decoded by python)', () => {
  let n = 0;
  for (const e of entries) {
    if (e.subject === null || e.subject === undefined) continue;
    assert.equal(headerText(parseMime(load(e)).root, 'subject'), e.subject, e.path);
    n++;
  }
  assert.ok(n > 100);
});

test('corpus: multipart/signed has a first child starting at a header line and a signature second child', () => {
  const latin = (b: Uint8Array): string => Array.from(b.subarray(0, 200), (c) => String.fromCharCode(c)).join('');
  let n = 0;
  const visit = (e: MimeEntity, file: string): void => {
    // (thunderbird's openpgp multiple-signatures.eml holds a deliberately one-part multipart/signed)
    if (e.contentType.value === 'multipart/signed' && e.children.length >= 2) {
      n++;
      const first = latin(entityBytes(e.children[0]!));
      assert.match(first, /^[!-9;-~]+[ \t]*:/, `${file}: first child starts with a header line`);
      assert.match(e.children[1]!.contentType.value, /^application\/(x-)?pkcs7-signature$|^application\/pgp-signature$/, file);
    }
    e.children.forEach((c) => visit(c, file));
    if (e.message) visit(e.message, file);
  };
  for (const e of entries) visit(parseMime(load(e)).root, e.path);
  assert.ok(n >= 40, `only ${n} multipart/signed entities`);
});

test('corpus: part tree and transfer-decoded leaf bodies agree with python3 email', () => {
  const files = entries.map((e) => CORPUS + e.path);
  const py = JSON.parse(
    execFileSync('/usr/bin/python3', ['test/mime/fixtures/python_mime_tree.py', ...files], { encoding: 'utf8', maxBuffer: 1 << 28 }),
  ) as Record<string, Array<[string, string, string | null]>>;
  let compared = 0;
  for (const e of entries) {
    const { root, warnings } = parseMime(load(e));
    // python reads a multipart without boundary differently (RFC 2046 leaves it undefined)
    if (warnings.some((w) => w.code === 'MIME_BOUNDARY_MISSING')) continue;
    const ours: Array<[string, string, string | null]> = [];
    const walk = (x: MimeEntity): void => {
      if (x.children.length > 0 || x.message || x.boundary !== undefined) {
        ours.push([x.path, x.contentType.value, null]);
        x.children.forEach(walk);
      } else ours.push([x.path, x.contentType.value, Buffer.from(decodeBody(x)).toString('hex')]);
    };
    walk(root);
    assert.deepEqual(ours, py[CORPUS + e.path], e.path);
    compared++;
  }
  assert.ok(compared > 100);
});

test('corpus: openssl verifies each good clear-signed message over the exact first-part bytes we slice (RFC 1847 / RFC 8551 3.5)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-mime-'));
  try {
    const good = manifest.entries.filter((e) => (e.format === 'eml' || e.format === 'mbox') && e.mediaType === 'multipart/signed' && e.signatureOnly === 'ok');
    assert.ok(good.length >= 10, `only ${good.length} verifiable messages`);
    for (const e of good) {
      const { root } = parseMime(load(e));
      const [content, sig] = root.children as [MimeEntity, MimeEntity];
      const raw = entityBytes(content);
      writeFileSync(join(dir, 'sig.der'), decodeBody(sig));
      // the signer hashed the canonical CRLF form (RFC 8551 3.1.1); LF-only files were converted in transport
      const forms = [raw, toCrlf(raw)];
      const ok = forms.some((form) => {
        writeFileSync(join(dir, 'content.bin'), form);
        try {
          execFileSync('openssl', ['cms', '-verify', '-noverify', '-binary', '-inform', 'DER', '-in', join(dir, 'sig.der'), '-content', join(dir, 'content.bin'), '-out', join(dir, 'out.bin')], { stdio: 'pipe' });
          return true;
        } catch {
          return false;
        }
      });
      assert.ok(ok, `${e.path}: openssl rejects the signature over our first-part slice`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function toCrlf(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a && (i === 0 || b[i - 1] !== 0x0d)) out.push(0x0d);
    out.push(b[i]!);
  }
  return Uint8Array.from(out);
}
