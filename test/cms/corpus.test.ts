/**
 * The shared corpus (../shared/corpus, MANIFEST.json verdicts computed by OpenSSL, never by us):
 * for every .eml/.mbox entry with keys, decryption with the listed identity (read by our
 * loadPkcs12 / loadPrivateKey) gives the bytes `openssl cms -decrypt` gives; every signed entry's
 * `signatureOnly` verdict is reproduced; every `verify` verdict with the set's CA file at
 * `verifiedOn` is reproduced; inspectCms agrees with `cmsDetail`.
 *
 * The CMS bytes are cut out of the message here (base64 body of application/pkcs7-mime, second
 * part of multipart/signed) with a minimal RFC 1847 splitter — test-only; the real MIME parser
 * lives in src/mime. `openssl cms -cmsout` is the fallback.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptEnvelopedData, inspectCms, loadCertificates, loadPkcs12, loadPrivateKey, parsePem, verifySignedData } from '../../src/cms/index.js';
import type { PrivateKey } from '../../src/cms/index.js';
import type * as pkijs from 'pkijs';
import { openssl, opensslOk, u8 } from './helpers.js';

const CORPUS = '../shared/corpus/';
interface Entry {
  path: string;
  set: string;
  format: string;
  mediaType: string | null;
  cmsType?: string | null;
  signatureOnly?: string;
  verify?: string;
  verifyCAfile?: string | null;
  decrypt?: string;
  cmsDetail?: {
    contentEncryptionAlgorithm?: string;
    recipientInfoTypes?: string[];
    detached?: boolean;
    digestAlgorithms?: string[];
    signerCount?: number;
    certificateCount?: number;
  };
}
const manifest = JSON.parse(readFileSync(CORPUS + 'MANIFEST.json', 'utf8')) as {
  entries: Entry[];
  keys: Record<string, Record<string, string | null>>;
  caFiles: Record<string, { trust: string[]; untrusted: string[] }>;
  verifiedOn: string;
};
/** The set's certificates (trusted and untrusted), DER: some messages carry no certificates. */
function setCerts(set: string): Uint8Array[] {
  const c = manifest.caFiles[set];
  return [...(c?.trust ?? []), ...(c?.untrusted ?? [])].flatMap((f) => {
    const t = readFileSync(CORPUS + f, 'latin1');
    return t.includes('-----BEGIN') ? parsePem(t).filter((b) => b.label === 'CERTIFICATE').map((b) => b.der) : [u8(readFileSync(CORPUS + f))];
  });
}
const verifiedOn = new Date(manifest.verifiedOn + 'T12:00:00Z');
const entries = manifest.entries.filter((e) => e.format === 'eml' || e.format === 'mbox');
const short = (p: string) => p.split('/').slice(-2).join('/');

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'smime-bridge-corpus-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The message bytes, without an mbox "From " separator line. */
function message(path: string): Uint8Array {
  const b = u8(readFileSync(CORPUS + path));
  if (b[0] === 0x46 && new TextDecoder('latin1').decode(b.subarray(0, 5)) === 'From ') {
    const nl = b.indexOf(0x0a);
    return b.subarray(nl + 1);
  }
  return b;
}

/** The message as a file OpenSSL can read (mbox separator removed). */
function messageFile(path: string): string {
  const f = join(dir, path.replace(/[^A-Za-z0-9.]/g, '_'));
  writeFileSync(f, message(path));
  return f;
}

function passwordFor(set: string, path: string): string | undefined {
  return manifest.keys[set]?.[path] ?? undefined;
}

/** Identity by manifest path: .p12/.pfx/.pkcs12 via loadPkcs12, PEM key via loadPrivateKey. */
const ids = new Map<string, Promise<{ key: PrivateKey; cert?: pkijs.Certificate; pem: string }>>();
function identity(set: string, path: string) {
  if (!ids.has(path)) {
    ids.set(
      path,
      (async () => {
        const pw = passwordFor(set, path);
        const pemFile = join(dir, `id${ids.size}.pem`);
        if (/\.(p12|pfx|pkcs12)$/i.test(path)) {
          const p = await loadPkcs12(u8(readFileSync(CORPUS + path)), pw ?? '');
          let out = opensslOk(['pkcs12', '-in', CORPUS + path, '-passin', `pass:${pw ?? ''}`, '-nodes']);
          if (!out.ok) out = opensslOk(['pkcs12', '-legacy', '-in', CORPUS + path, '-passin', `pass:${pw ?? ''}`, '-nodes']);
          writeFileSync(pemFile, out.out);
          return { key: p.key, cert: p.cert, pem: pemFile };
        }
        const text = readFileSync(CORPUS + path, 'latin1');
        const key = await loadPrivateKey(text, pw);
        writeFileSync(pemFile, openssl(['pkey', '-in', CORPUS + path, ...(pw ? ['-passin', `pass:${pw}`] : [])]));
        let cert: pkijs.Certificate | undefined;
        if (text.includes('BEGIN CERTIFICATE')) cert = loadCertificates(text)[0];
        return { key, cert, pem: pemFile };
      })(),
    );
  }
  return ids.get(path)!;
}

/** Test-only: the CMS DER inside a message. */
function cmsDer(path: string): Uint8Array {
  const raw = new TextDecoder('latin1').decode(message(path));
  const cut = (entity: string): string | undefined => {
    const h = entity.search(/\r?\n\r?\n/);
    if (h < 0 || !/content-transfer-encoding:\s*base64/i.test(entity.slice(0, h))) return undefined;
    return entity.slice(h).replace(/\s+/g, '');
  };
  let b64: string | undefined;
  const headEnd = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, headEnd).replace(/\r?\n[ \t]+/g, ' ');
  if (/content-type:\s*application\/(x-)?pkcs7-mime|content-type:\s*application\/octet-stream/i.test(head)) b64 = cut(raw);
  else {
    const m = /boundary="?([^";\r\n]+)"?/i.exec(head);
    if (m) {
      const parts = raw.split('--' + m[1]);
      const sig = parts[2];
      if (sig && /pkcs7-signature/i.test(sig.slice(0, 300))) b64 = cut(sig.replace(/^\r?\n/, ''));
    }
  }
  if (b64 && /^[A-Za-z0-9+/]+=*$/.test(b64)) return u8(Buffer.from(b64, 'base64'));
  return u8(openssl(['cms', '-cmsout', '-in', messageFile(path), '-outform', 'DER']));
}

/** RFC 1847 2.1: the exact bytes of the first body part of a top-level multipart/signed (test-only). */
function firstPart(msg: Uint8Array): Uint8Array {
  const text = new TextDecoder('latin1').decode(msg);
  const headerEnd = text.search(/\r?\n\r?\n/);
  const headers = text.slice(0, headerEnd).replace(/\r?\n[ \t]+/g, ' ');
  const m = /boundary="?([^";\r\n]+)"?/i.exec(headers);
  if (!m) throw new Error('no boundary');
  const delim = '--' + m[1];
  let first = headerEnd;
  for (;;) {
    first = text.indexOf(delim, first);
    if (first < 0) throw new Error('no first delimiter');
    if (first === 0 || text[first - 1] === '\n') break;
    first += delim.length;
  }
  const startLineEnd = text.indexOf('\n', first) + 1;
  let end = text.indexOf('\n' + delim, startLineEnd);
  if (text[end - 1] === '\r') end -= 1; // the line break before a delimiter belongs to the delimiter
  return msg.subarray(startLineEnd, end);
}

const decryptable = entries.filter((e) => e.decrypt?.startsWith('ok with '));
const signed = entries.filter((e) => e.signatureOnly && e.cmsType === 'signed-data');

test(`corpus: the manifest lists decryptable (${decryptable.length}) and signed (${signed.length}) messages`, () => {
  assert.ok(decryptable.length >= 25);
  assert.ok(signed.length >= 70);
});

for (const e of decryptable) {
  const keyPath = e.decrypt!.slice('ok with '.length).split(', ').find((p) => !p.includes('#'))!;
  test(`corpus decrypt ${e.set}: ${short(e.path)} with ${keyPath.split('/').pop()} equals openssl cms -decrypt`, async () => {
    const der = cmsDer(e.path);
    const info = inspectCms(der);
    assert.ok(info.envelopedData);
    if (e.cmsDetail?.recipientInfoTypes) assert.deepEqual(info.envelopedData.recipients.map((r) => r.type), e.cmsDetail.recipientInfoTypes);
    const id = await identity(e.set, keyPath);
    const ours = await decryptEnvelopedData(der, { key: id.key, cert: id.cert });
    let r = opensslOk(['cms', '-decrypt', '-binary', '-in', messageFile(e.path), '-inkey', id.pem]);
    if (!r.ok) {
      // OpenSSL's S/MIME reader refuses application/octet-stream: give it the DER
      const f = join(dir, 'cms.der');
      writeFileSync(f, der);
      r = opensslOk(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', f, '-inkey', id.pem]);
    }
    assert.ok(r.ok, r.err);
    const theirs = u8(r.out);
    assert.deepEqual(ours, theirs);
  });
}

for (const e of signed) {
  const expectOk = e.signatureOnly === 'ok';
  test(`corpus signatureOnly ${e.set}: ${short(e.path)} is ${e.signatureOnly}`, async () => {
    const der = cmsDer(e.path);
    const info = inspectCms(der);
    assert.ok(info.signedData);
    const d = e.cmsDetail;
    if (d?.digestAlgorithms) assert.deepEqual(info.signedData.digestAlgorithms.map((a) => a.toLowerCase().replace('-', '')), d.digestAlgorithms);
    if (d?.signerCount !== undefined) assert.equal(info.signedData.signers.length, d.signerCount);
    if (d?.certificateCount !== undefined) assert.equal(info.signedData.certificateCount, d.certificateCount);
    if (d?.detached !== undefined) assert.equal(info.signedData.detached, d.detached);
    const content = e.mediaType === 'multipart/signed' ? firstPart(message(e.path)) : undefined;
    const r = await verifySignedData(der, { content, intermediates: setCerts(e.set) });
    assert.ok(r.signers.length >= 1);
    const allValid = r.signers.every((s) => s.signatureValid);
    assert.equal(allValid, expectOk, JSON.stringify(r.signers.map((s) => [s.reason, s.detail])));
    if (e.signatureOnly === 'fail:signer certificate not found') assert.equal(r.signers[0]!.reason, 'signer-cert-not-found');
  });
}

for (const e of signed.filter((x) => x.signatureOnly === 'ok' && x.verifyCAfile && x.verify && x.verify !== 'unknown')) {
  const expectTrusted = e.verify === 'ok';
  test(`corpus verify ${e.set}: ${short(e.path)} with ${e.verifyCAfile!.split('/').pop()} at ${manifest.verifiedOn} is ${e.verify}`, async () => {
    const der = cmsDer(e.path);
    const content = e.mediaType === 'multipart/signed' ? firstPart(message(e.path)) : undefined;
    const anchors = parsePem(readFileSync(CORPUS + e.verifyCAfile!, 'latin1')).map((b) => b.der);
    // OpenSSL validates the path at the current time (not at the signing time): validationTime 'now'
    const r = await verifySignedData(der, { content, trustAnchors: anchors, intermediates: setCerts(e.set), now: verifiedOn, validationTime: 'now' });
    const trusted = r.signers.every((s) => s.signatureValid && s.chain.trusted);
    assert.equal(trusted, expectTrusted, JSON.stringify(r.signers.map((s) => s.chain)));
    if (e.verify === 'fail:certificate has expired') assert.ok(r.signers.some((s) => !s.validNow));
  });
}

test('corpus: a wrong password for Bob.p12 gives CMS_BAD_PASSWORD', async () => {
  const path = 'thunderbird-smime/mailnews/test/data/smime/Bob.p12';
  await assert.rejects(loadPkcs12(u8(readFileSync(CORPUS + path)), 'not-nss'), { code: 'CMS_BAD_PASSWORD' });
});

test('corpus: simple-java-mail PKCS#12 with RC2-40 bags and legacy encrypted PEM key load with "letmein"', async () => {
  const base = CORPUS + 'simple-java-mail/modules/simple-java-mail/src/test/resources/pkcs12/';
  const p = await loadPkcs12(u8(readFileSync(base + 'smime_test_user.p12')), 'letmein');
  const k = await loadPrivateKey(readFileSync(base + 'smime_test_user.key', 'latin1'), 'letmein');
  assert.equal(p.key.rsa?.n, k.rsa?.n);
  await assert.rejects(loadPrivateKey(readFileSync(base + 'smime_test_user.key', 'latin1'), 'wrong'), { code: 'CMS_BAD_PASSWORD' });
});

test('corpus: the simple-java-mail keystore alias smime_test_user_alias_rsa is selected by friendlyName', async () => {
  const base = CORPUS + 'simple-java-mail/modules/simple-java-mail/src/test/resources/pkcs12/';
  const p = await loadPkcs12(u8(readFileSync(base + 'smime_keystore.pkcs12')), 'letmein', { friendlyName: 'smime_test_user_alias_rsa' });
  assert.equal(p.key.type, 'rsa');
  await assert.rejects(loadPkcs12(u8(readFileSync(base + 'smime_keystore.pkcs12')), 'letmein', { friendlyName: 'no-such-alias' }), { code: 'CMS_KEY_MALFORMED' });
});

test('corpus: Bob cannot decrypt a message encrypted to Fran (CMS_NO_RECIPIENT)', async () => {
  const fran = 'thunderbird-smime/mailnews/test/data/smime-interop/fran-oaep_ossl.env';
  const bob = await identity('thunderbird-smime', 'thunderbird-smime/mailnews/test/data/smime/Bob.p12');
  await assert.rejects(decryptEnvelopedData(cmsDer(fran), { key: bob.key, cert: bob.cert }), { code: 'CMS_NO_RECIPIENT' });
});
