/**
 * Issue 4 verdicts at message level, from MANIFEST.json (computed with OpenSSL): signatures of
 * .eml/.mbox entries are reproduced (good ones valid, tampered/mismatched ones invalid), and every
 * decryptable message decrypts to the same inner bytes `openssl cms -decrypt` gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { allSignaturesValid, openMessage } from '../../src/secure/index.js';
import { loadPkcs12, loadPrivateKey, loadCertificates, certDer, type Recipient } from '../../src/cms/index.js';
import { readMsg } from '../../src/msg/index.js';
import { corpusPath, decryptKeyFor, manifest, readCorpus, type ManifestEntry } from '../helpers/corpus.js';
import { decrypt, decryptDer, identityPem } from '../helpers/openssl.js';
import { decodeBody } from '../../src/mime/encoding.js';
import { parseMime } from '../../src/mime/parse.js';

const entries = manifest().entries;
const keyCache = new Map<string, Recipient>();
async function recipientFor(e: ManifestEntry): Promise<Recipient | undefined> {
  const k = decryptKeyFor(e);
  if (!k) return undefined;
  let r = keyCache.get(k.path);
  if (!r) {
    const bytes = new Uint8Array(readFileSync(corpusPath(k.path)));
    if (/\.(p12|pfx|pkcs12)$/i.test(k.path)) {
      const p = await loadPkcs12(bytes, k.password ?? '');
      r = { key: p.key, cert: p.cert };
    } else {
      r = { key: await loadPrivateKey(bytes, k.password ?? undefined) };
    }
    keyCache.set(k.path, r);
  }
  return r;
}

/** Every certificate a set names, as extra (untrusted) certificates for signatures that carry none. */
function setCerts(e: ManifestEntry): Uint8Array[] {
  const c = manifest().caFiles[e.set];
  if (!c) return [];
  return [...c.trust, ...c.untrusted].flatMap((f) => loadCertificates(new Uint8Array(readFileSync(corpusPath(f)))).map(certDer));
}

const signedInternet = entries.filter((e) => (e.format === 'eml' || e.format === 'mbox') && e.signatureOnly !== undefined && e.signatureOnly !== null
  && !e.notes.some((n) => n.includes('pgp-signature')));

test(`corpus: signature verdicts of ${signedInternet.length} signed .eml/.mbox entries match OpenSSL's (signature and digest only)`, async () => {
  const wrong: string[] = [];
  for (const e of signedInternet) {
    const recipient = await recipientFor(e);
    const opened = await openMessage(readCorpus(e), { intermediates: setCerts(e), recipients: recipient ? [recipient] : [] });
    const ours = allSignaturesValid(opened, false);
    const theirs = e.signatureOnly === 'ok';
    // OpenSSL canonicalizes text to CRLF before checking the digest; so do we (and say so).
    if (ours !== theirs) wrong.push(`${e.path}: ours ${ours}, openssl ${e.signatureOnly}; ${opened.layers.map((l) => l.error?.message ?? l.verify?.signers.map((s) => s.reason ?? 'ok').join('/')).join(' | ')}`);
  }
  assert.deepEqual(wrong, []);
});

const decryptable = entries.filter((e) => decryptKeyFor(e) && e.format !== 'msg');
test(`corpus: ${decryptable.length} encrypted .eml/.mbox messages decrypt to the bytes OpenSSL gives`, async () => {
  const wrong: string[] = [];
  for (const e of decryptable) {
    const k = decryptKeyFor(e)!;
    const pem = identityPem(k.path, k.password);
    const bytes = readCorpus(e);
    const theirs = e.mediaType === 'application/octet-stream' ? decryptDer(decodeBody(parseMime(bytes).root), pem) : decrypt(bytes, pem);
    assert.ok(theirs.ok, `${e.path}: openssl could not decrypt: ${theirs.stderr}`);
    const opened = await openMessage(bytes, { recipients: [(await recipientFor(e))!], intermediates: setCerts(e) });
    const layer = opened.layers.find((l) => l.kind === 'enveloped' || l.kind === 'auth-enveloped');
    if (!layer?.decrypted) { wrong.push(`${e.path}: ${layer?.error?.code} ${layer?.error?.message}`); continue; }
    const plain = layer.innerContent!;
    if (!eq(plain, theirs.content)) wrong.push(`${e.path}: plaintext differs (${plain.length} vs ${theirs.content.length} bytes)`);
  }
  assert.deepEqual(wrong, []);
});

const smimeMsg = entries.filter((e) => e.format === 'msg' && e.smimeClass !== 'none' && e.cmsType !== null && !e.notes.some((n) => n.includes('pgp')));
test(`corpus: ${smimeMsg.length} S/MIME .msg files verify or decrypt as the manifest says`, async () => {
  const wrong: string[] = [];
  for (const e of smimeMsg) {
    const m = readMsg(new Uint8Array(readFileSync(corpusPath(e.path)))).message;
    const recipient = await recipientFor(e);
    const opened = await openMessage(m, { recipients: recipient ? [recipient] : [], intermediates: setCerts(e) });
    if (e.signatureOnly !== undefined && e.signatureOnly !== null) {
      const ours = allSignaturesValid(opened, false);
      if (ours !== (e.signatureOnly === 'ok')) wrong.push(`${e.path}: signature ours ${ours}, openssl ${e.signatureOnly}`);
    }
    if (e.decrypt?.startsWith('ok')) {
      if (!opened.layers.some((l) => l.decrypted)) wrong.push(`${e.path}: not decrypted: ${opened.layers.map((l) => l.error?.message).join(', ')}`);
      if (e.innerMediaType && parseMime(opened.content).root.contentType.value !== e.innerMediaType && opened.layers.length === 1) {
        wrong.push(`${e.path}: inner media type ${parseMime(opened.content).root.contentType.value} != ${e.innerMediaType}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
