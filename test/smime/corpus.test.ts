/**
 * Corpus tests driven by ../shared/corpus/MANIFEST.json (expectations computed by OpenSSL and
 * olefile, not by us): classification of every .eml/.mbox entry; the clear-signed ones whose
 * signature verified still verify after .eml -> message object -> .msg -> JSON -> .eml;
 * opaque/encrypted ones keep their CMS bytes, and OpenSSL still decrypts or verifies them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageFromJson, stringifyMessage, PidTagAttachDataBinary } from '../../src/mapi/index.js';
import { toInternet, toMessage } from '../../src/smime/index.js';
import { decodeBody } from '../../src/mime/encoding.js';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { manifest, readCorpus, decryptKeyFor, type ManifestEntry } from '../helpers/corpus.js';

const certfileFor = (e: ManifestEntry) => { const c = manifest().caFiles[e.set]; return c ? setCertfile(e.set, [...c.trust, ...c.untrusted]) : undefined; };
import { decrypt, decryptDer, identityPem, setCertfile, verifySignatureOnly } from '../helpers/openssl.js';

const internetEntries = manifest().entries.filter((e) => e.format === 'eml' || e.format === 'mbox');

/** .eml -> message object -> .msg -> message object -> JSON -> message object -> .eml */
function roundTrip(e: ManifestEntry): Uint8Array {
  const m = toMessage(readCorpus(e)).message;
  const fromMsg = readMsg(writeMsg(m)).message;
  return toInternet(messageFromJson(stringifyMessage(fromMsg))).bytes;
}

test(`corpus: every .eml/.mbox entry (${internetEntries.length}) is classified as MANIFEST.json says (3.1.5.1.1 / 3.1.5.2.1)`, () => {
  const wrong: string[] = [];
  for (const e of internetEntries) {
    const r = toMessage(readCorpus(e));
    if (r.classification.kind !== e.smimeClass) wrong.push(`${e.path}: ${r.classification.kind} != ${e.smimeClass}`);
    if (e.mediaType !== null && r.classification.mediaType !== e.mediaType) wrong.push(`${e.path}: media type ${r.classification.mediaType} != ${e.mediaType}`);
  }
  assert.deepEqual(wrong, []);
});

const clearOk = internetEntries.filter((e) => e.smimeClass === 'clear-signed' && e.signatureOnly === 'ok');
test(`corpus: ${clearOk.length} clear-signed messages whose signature verified still verify in OpenSSL after the .eml -> .msg -> JSON -> .eml round trip`, () => {
  assert.ok(clearOk.length >= 10);
  const failed: string[] = [];
  for (const e of clearOk) {
    const v = verifySignatureOnly(roundTrip(e));
    if (!v.ok) failed.push(`${e.path}: ${v.stderr.split('\n')[0]}`);
  }
  assert.deepEqual(failed, []);
});

const clearBad = internetEntries.filter((e) => e.smimeClass === 'clear-signed' && e.signatureOnly?.startsWith('fail'));
test(`corpus: ${clearBad.length} clear-signed messages that failed in OpenSSL still fail after the round trip (nothing repaired or hidden)`, () => {
  const changed: string[] = [];
  for (const e of clearBad) if (verifySignatureOnly(roundTrip(e)).ok) changed.push(e.path);
  assert.deepEqual(changed, []);
});

const opaque = internetEntries.filter((e) => e.smimeClass === 'opaque-or-encrypted');
test(`corpus: ${opaque.length} opaque/encrypted messages keep their CMS bytes identical through the round trip`, () => {
  const changed: string[] = [];
  for (const e of opaque) {
    const original = toMessage(readCorpus(e));
    const before = decodeBody(original.root);
    const attached = original.message.attachments[0]!.properties.getBinary(PidTagAttachDataBinary)!;
    const back = toMessage(roundTrip(e));
    const after = decodeBody(back.root);
    if (!eq(before, attached) || !eq(before, after)) changed.push(e.path);
  }
  assert.deepEqual(changed, []);
});

const decryptable = opaque.filter((e) => decryptKeyFor(e));
test(`corpus: ${decryptable.length} encrypted messages still decrypt in OpenSSL after the round trip`, () => {
  assert.ok(decryptable.length > 20);
  const failed: string[] = [];
  for (const e of decryptable) {
    const k = decryptKeyFor(e)!;
    const pem = identityPem(k.path, k.password);
    // OpenSSL's S/MIME reader refuses application/octet-stream (a .p7m by name, MS-OXOSMIME
    // 3.1.5.2.1): for those, hand it the transfer-decoded CMS bytes of each side.
    const octet = e.mediaType === 'application/octet-stream';
    const open = (b: Uint8Array) => octet ? decryptDer(decodeBody(toMessage(b).root), pem) : decrypt(b, pem);
    const before = open(readCorpus(e));
    const after = open(roundTrip(e));
    if (!after.ok || !eq(before.content, after.content)) failed.push(`${e.path}: ${after.stderr.split('\n')[0]}`);
  }
  assert.deepEqual(failed, []);
});

const opaqueSignedOk = opaque.filter((e) => e.signatureOnly === 'ok');
test(`corpus: ${opaqueSignedOk.length} opaque-signed messages still verify in OpenSSL after the .eml -> .msg -> JSON -> .eml round trip`, () => {
  const failed: string[] = [];
  for (const e of opaqueSignedOk) {
    const v = verifySignatureOnly(roundTrip(e), { certfile: certfileFor(e) });
    if (!v.ok) failed.push(`${e.path}: ${v.stderr.split('\n')[0]}`);
  }
  assert.deepEqual(failed, []);
});

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
