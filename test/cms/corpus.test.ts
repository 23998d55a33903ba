/**
 * The Thunderbird/NSS S/MIME corpus (../shared/corpus/thunderbird-smime): every entry of
 * MANIFEST.json (verdicts computed by OpenSSL) with a `decrypt` key decrypts with that .p12 (read
 * by our loadPkcs12) to the bytes `openssl cms -decrypt` gives; every signed entry's
 * `signatureOnly` verdict is reproduced. CMS DER is extracted with `openssl cms -cmsout`; the
 * first part of a multipart/signed is cut out by the minimal RFC 1847 splitter below (test-only,
 * the real MIME parser lives in src/mime).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptEnvelopedData, inspectCms, loadPkcs12, parsePem, verifySignedData } from '../../src/cms/index.js';
import type { Pkcs12Contents } from '../../src/cms/index.js';
import { openssl, opensslOk, u8 } from './helpers.js';

const CORPUS = '../shared/corpus/';
interface Entry {
  path: string;
  set: string;
  mediaType: string | null;
  cmsType?: string | null;
  signatureOnly?: string;
  verify?: string;
  verifyCAfile?: string | null;
  decrypt?: string;
  cmsDetail?: { contentEncryptionAlgorithm?: string; detached?: boolean };
}
const manifest = JSON.parse(readFileSync(CORPUS + 'MANIFEST.json', 'utf8')) as { entries: Entry[]; keys: Record<string, Record<string, string | null>> };
const entries = manifest.entries.filter((e) => e.set === 'thunderbird-smime');
const passwords = manifest.keys['thunderbird-smime']!;

let dir: string;
const p12Cache = new Map<string, Promise<Pkcs12Contents>>();
const pemCache = new Map<string, string>();
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'smime-bridge-corpus-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function p12(path: string): Promise<Pkcs12Contents> {
  if (!p12Cache.has(path)) p12Cache.set(path, loadPkcs12(u8(readFileSync(CORPUS + path)), passwords[path] ?? 'nss'));
  return p12Cache.get(path)!;
}

/** The key+cert PEM OpenSSL needs, extracted by OpenSSL itself from the .p12. */
function pemFor(path: string): string {
  let f = pemCache.get(path);
  if (!f) {
    f = join(dir, `k${pemCache.size}.pem`);
    writeFileSync(f, openssl(['pkcs12', '-in', CORPUS + path, '-passin', `pass:${passwords[path] ?? 'nss'}`, '-nodes']));
    pemCache.set(path, f);
  }
  return f;
}

/**
 * The CMS DER of a message: the base64 body of an application/pkcs7-mime message or of the
 * second part of a multipart/signed (cut out here, test-only); `openssl cms -cmsout` when that
 * simple cut does not apply.
 */
function cmsDer(path: string): Uint8Array {
  const raw = readFileSync(CORPUS + path, 'latin1');
  const cut = (entity: string): string | undefined => {
    const h = entity.search(/\r?\n\r?\n/);
    if (h < 0 || !/content-transfer-encoding:\s*base64/i.test(entity.slice(0, h))) return undefined;
    return entity.slice(h).replace(/\s+/g, '');
  };
  let b64: string | undefined;
  const headEnd = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, headEnd).replace(/\r?\n[ \t]+/g, ' ');
  if (/content-type:\s*application\/(x-)?pkcs7-mime/i.test(head)) b64 = cut(raw);
  else {
    const m = /boundary="?([^";\r\n]+)"?/i.exec(head);
    if (m) {
      const parts = raw.split('--' + m[1]);
      const sig = parts[2];
      if (sig && /pkcs7-signature/i.test(sig.slice(0, 300))) b64 = cut(sig.replace(/^\r?\n/, ''));
    }
  }
  if (b64 && /^[A-Za-z0-9+/]+=*$/.test(b64)) return u8(Buffer.from(b64, 'base64'));
  return u8(openssl(['cms', '-cmsout', '-in', CORPUS + path, '-outform', 'DER']));
}

/** RFC 1847 2.1: the exact bytes of the first body part of a top-level multipart/signed (test helper). */
function firstPart(msg: Uint8Array): Uint8Array {
  const text = new TextDecoder('latin1').decode(msg);
  const headerEnd = text.search(/\r?\n\r?\n/);
  const headers = text.slice(0, headerEnd).replace(/\r?\n[ \t]+/g, ' ');
  const m = /boundary="?([^";\r\n]+)"?/i.exec(headers);
  if (!m) throw new Error('no boundary');
  const delim = '--' + m[1];
  const first = text.indexOf(delim + '\n', headerEnd) >= 0 && text.indexOf(delim + '\n', headerEnd) < (text.indexOf(delim + '\r\n', headerEnd) + 1 || Infinity) ? text.indexOf(delim + '\n', headerEnd) : text.indexOf(delim + '\r\n', headerEnd);
  const startLineEnd = text.indexOf('\n', first) + 1;
  const next = text.indexOf('\n' + delim, startLineEnd);
  let end = next;
  if (text[end - 1] === '\r') end -= 1; // the CRLF before the delimiter belongs to the delimiter
  return msg.subarray(startLineEnd, end);
}

const decryptable = entries.filter((e) => e.decrypt?.startsWith('ok with '));
test(`corpus: there are decryptable entries (${decryptable.length}) and signed entries`, () => {
  assert.ok(decryptable.length >= 20);
  assert.ok(entries.filter((e) => e.signatureOnly).length >= 60);
});

for (const e of decryptable) {
  const keyPath = e.decrypt!.slice('ok with '.length).split(', ')[0]!;
  test(`corpus decrypt ${e.path.split('/').slice(-2).join('/')} with ${keyPath.split('/').pop()} equals openssl cms -decrypt`, async () => {
    const der = cmsDer(e.path);
    const info = inspectCms(der);
    assert.ok(info.envelopedData);
    const id = await p12(keyPath);
    const ours = await decryptEnvelopedData(der, { key: id.key, cert: id.cert });
    const theirs = u8(openssl(['cms', '-decrypt', '-binary', '-in', CORPUS + e.path, '-inkey', pemFor(keyPath)]));
    assert.deepEqual(ours, theirs);
  });
}

for (const e of entries.filter((x) => x.signatureOnly && x.cmsType === 'signed-data')) {
  const expectOk = e.signatureOnly === 'ok';
  test(`corpus signatureOnly ${e.path.split('/').slice(-2).join('/')} is ${e.signatureOnly}`, async () => {
    const der = cmsDer(e.path);
    const info = inspectCms(der);
    let content: Uint8Array | undefined;
    if (e.mediaType === 'multipart/signed') content = firstPart(u8(readFileSync(CORPUS + e.path)));
    else assert.ok(info.encapsulatedContent, 'opaque signed has eContent');
    const r = await verifySignedData(der, { content });
    assert.ok(r.signers.length >= 1);
    const allValid = r.signers.every((s) => s.signatureValid);
    assert.equal(allValid, expectOk, JSON.stringify(r.signers.map((s) => [s.reason, s.detail])));
  });
}

const verifiedOn = new Date((JSON.parse(readFileSync(CORPUS + 'MANIFEST.json', 'utf8')) as { verifiedOn: string }).verifiedOn + 'T12:00:00Z');
for (const e of entries.filter((x) => x.signatureOnly === 'ok' && x.verifyCAfile && x.verify)) {
  const expectTrusted = e.verify === 'ok';
  test(`corpus verify with ${e.verifyCAfile!.split('/').pop()} ${e.path.split('/').slice(-2).join('/')} is ${e.verify}`, async () => {
    const der = cmsDer(e.path);
    const content = e.mediaType === 'multipart/signed' ? firstPart(u8(readFileSync(CORPUS + e.path))) : undefined;
    const anchors = parsePem(readFileSync(CORPUS + e.verifyCAfile!, 'latin1')).map((b) => b.der);
    const r = await verifySignedData(der, { content, trustAnchors: anchors, now: verifiedOn });
    const trusted = r.signers.every((s) => s.signatureValid && s.chain.trusted);
    assert.equal(trusted, expectTrusted, JSON.stringify(r.signers.map((s) => s.chain)));
  });
}

test('corpus: a wrong password for Bob.p12 gives CMS_BAD_PASSWORD', async () => {
  const path = 'thunderbird-smime/mailnews/test/data/smime/Bob.p12';
  await assert.rejects(loadPkcs12(u8(readFileSync(CORPUS + path)), 'not-nss'), { code: 'CMS_BAD_PASSWORD' });
});

test('corpus: Bob cannot decrypt a message encrypted to Fran (CMS_NO_RECIPIENT)', async () => {
  const fran = 'thunderbird-smime/mailnews/test/data/smime-interop/fran-oaep_ossl.env';
  const bob = await p12('thunderbird-smime/mailnews/test/data/smime/Bob.p12');
  await assert.rejects(decryptEnvelopedData(cmsDer(fran), { key: bob.key, cert: bob.cert }), { code: 'CMS_NO_RECIPIENT' });
  assert.ok(opensslOk(['version']).ok);
});
