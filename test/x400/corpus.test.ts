// Issue 5 "Done means": for the signed and encrypted messages of ../shared/corpus/MANIFEST.json,
// .eml → P1 → .eml (MIME wrapper kept, id-data) and .eml → CMS → IPM forward in P1 (22) → .eml keep
// the CMS bytes identical, and OpenSSL verifies (signatureOnly) or decrypts the result as the
// manifest says it did the input. Expectations come from the manifest (computed by OpenSSL).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x from '../../src/x400/index.js';
import { CORPUS, makeFixture, mapLimit, openssl, opensslAsync, sameBytes } from './helpers.js';

interface Entry {
  path: string;
  set: string;
  format: string;
  smimeClass: string;
  mediaType: string | null;
  signatureOnly?: string;
  decrypt?: string;
  verifyCAfile?: string;
}
const manifest = JSON.parse(readFileSync(join(CORPUS, 'MANIFEST.json'), 'utf8')) as { entries: Entry[]; keys: Record<string, Record<string, string | null>> };
const eligible = manifest.entries.filter((e) => (e.format === 'eml' || e.format === 'mbox') && (e.signatureOnly === 'ok' || e.decrypt?.startsWith('ok')));
/** Every signed or encrypted message of the manifest (issue 5 "Done means"); about 15 s. */
const entries = eligible;

const fx = makeFixture();
after(() => fx.cleanup());

const keyCache = new Map<string, string>();
/** PEM private key for the first key file the manifest names in `decrypt: "ok with A, B"`. */
function keyFor(e: Entry): string {
  const keyPath = e.decrypt!.replace(/^ok with /, '').split(', ')[0]!;
  const cached = keyCache.get(keyPath);
  if (cached) return cached;
  const abs = join(CORPUS, keyPath);
  let pem = abs;
  if (/\.(p12|pfx)$/i.test(keyPath)) {
    const pass = manifest.keys[e.set]?.[keyPath] ?? '';
    pem = fx.write(`key${keyCache.size}.pem`, '');
    let r = openssl(['pkcs12', '-in', abs, '-passin', `pass:${pass}`, '-nodes', '-nocerts', '-out', pem]);
    if (r.status !== 0) r = openssl(['pkcs12', '-legacy', '-in', abs, '-passin', `pass:${pass}`, '-nodes', '-nocerts', '-out', pem]);
    assert.equal(r.status, 0, r.stderr);
  }
  keyCache.set(keyPath, pem);
  return pem;
}

function relabel(b: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(Buffer.from(b).toString('latin1').replace(/application\/octet-stream/i, 'application/pkcs7-mime'), 'latin1'));
}

function message(e: Entry): Uint8Array {
  let b = new Uint8Array(readFileSync(join(CORPUS, e.path)));
  if (e.format === 'mbox' && b[0] === 0x46 /* F */) b = b.subarray(b.indexOf(0x0a) + 1); // drop the "From " line
  return b;
}

/** What OpenSSL makes of an S/MIME message: verified content or decrypted content, or null. */
async function opensslResult(e: Entry, eml: Uint8Array, name: string): Promise<Buffer | null> {
  // OpenSSL's SMIME reader accepts only pkcs7 media types; the manifest's application/octet-stream
  // smime.p7m messages get the same one-word relabel before and after the trip.
  const p = fx.write(name, e.mediaType === 'application/octet-stream' ? relabel(eml) : eml);
  const r = await (e.signatureOnly === 'ok'
    ? opensslAsync(['cms', '-verify', '-noverify', '-inform', 'SMIME', '-in', p, ...(e.verifyCAfile ? ['-certfile', join(CORPUS, e.verifyCAfile)] : [])])
    : opensslAsync(['cms', '-decrypt', '-inform', 'SMIME', '-in', p, '-inkey', keyFor(e)]));
  return r.status === 0 ? r.stdout : null;
}

/** The input with every line end as CRLF (bare LF and bare CR included). */
function crlfForm(b: Uint8Array): Uint8Array {
  return Uint8Array.from(new TextDecoder('latin1').decode(b).replace(/\r\n|\r|\n/g, '\r\n'), (c) => c.charCodeAt(0));
}

const originator = x.parseORName('C=GB;A= ;P=Example;S=Gateway');
const recipient = x.orNameFromRfc822('bob@example.com', 'C=GB;A= ;P=Example');

test(`corpus (${entries.length} signed/encrypted messages): MIME wrapper kept → P1 id-data → .eml; OpenSSL result unchanged`, async () => {
  assert.ok(entries.length >= 10);
  await mapLimit(entries, 8, async (e, i) => {
    const input = message(e);
    const p1 = x.encodeP1Message({ ...x.contentFromMimeEntity(input), originator, recipients: [recipient] });
    const [found] = x.findCmsObjects(p1);
    // issue 11 defect 9: the wrapper is carried in canonical form, CRLF line ends (RFC 8551 3.1.1)
    assert.ok(found && found.mimeWrapped && sameBytes(found.cms, crlfForm(input)), e.path);
    const [before, after] = await Promise.all([opensslResult(e, input, `in${i}.eml`), opensslResult(e, x.toInternetMessage(found), `out${i}.eml`)]);
    assert.ok(before, `manifest says ok but openssl fails on input: ${e.path}`);
    assert.ok(after && after.equals(before), `OpenSSL result differs after X.400: ${e.path}`);
  });
});

test('corpus opaque messages: CMS (openssl -cmsout) → IPM forward in P1 (22) → .eml; identical CMS, OpenSSL result unchanged', async () => {
  const opaque = entries.filter((e) => e.smimeClass === 'opaque-or-encrypted');
  assert.ok(opaque.length >= 5);
  await mapLimit(opaque, 8, async (e, i) => {
    const input = message(e);
    const src = fx.write(`src${i}.eml`, e.mediaType === 'application/octet-stream' ? relabel(input) : input);
    const der = await opensslAsync(['cms', '-cmsout', '-inform', 'SMIME', '-in', src, '-outform', 'DER']);
    assert.equal(der.status, 0, `${e.path}: ${der.stderr}`);
    const c = x.contentFromCms(new Uint8Array(der.stdout));
    const ipm = x.encodeIpmForward({ cms: c.content, contentType: c.contentType, subject: 'corpus', originator, recipients: [recipient] });
    const p1 = x.encodeP1Message({ content: ipm, contentType: x.BUILTIN_P22, originator, recipients: [recipient] });
    const [found] = x.findCmsObjects(p1);
    assert.ok(found && !found.mimeWrapped && sameBytes(found.cms, der.stdout), e.path);
    const [before, after] = await Promise.all([opensslResult(e, input, `oin${i}.eml`), opensslResult(e, x.toInternetMessage(found), `oout${i}.eml`)]);
    assert.ok(before, e.path);
    assert.ok(after && after.equals(before), `OpenSSL result differs after IPM forward: ${e.path}`);
  });
});
