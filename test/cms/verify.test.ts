/** verifySignedData against signatures made by OpenSSL (`openssl cms -sign`), and signData checked by `openssl cms -verify`. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certDer, inspectCms, loadCertificates, loadPrivateKey, micalgFor, signData, verifySignedData } from '../../src/cms/index.js';
import { MIME_CRLF, type Pki, makePki, openssl, opensslOk, u8 } from './helpers.js';

let pki: Pki;
let ca: Uint8Array[];
before(() => {
  pki = makePki();
  ca = [certDer(loadCertificates(readFileSync(pki.caPem, 'latin1'))[0]!)];
});
after(() => pki.cleanup());

function osslSign(who: { key: string; cert: string }, content: Uint8Array, extra: string[]): Uint8Array {
  const inFile = join(pki.dir, 'content.bin');
  writeFileSync(inFile, content);
  return u8(openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', inFile, '-signer', who.cert, '-inkey', who.key, ...extra]));
}

const variants: [string, 'rsa' | 'ec', string[], string, boolean][] = [
  ['RSA PKCS#1 v1.5 SHA-256 detached', 'rsa', ['-md', 'sha256'], 'SHA-256', false],
  ['RSA PKCS#1 v1.5 SHA-256 attached', 'rsa', ['-md', 'sha256', '-nodetach'], 'SHA-256', false],
  ['RSA PKCS#1 v1.5 SHA-1 detached (weak)', 'rsa', ['-md', 'sha1'], 'SHA-1', true],
  ['RSA PKCS#1 v1.5 SHA-512 attached', 'rsa', ['-md', 'sha512', '-nodetach'], 'SHA-512', false],
  ['RSA-PSS SHA-256 detached', 'rsa', ['-md', 'sha256', '-keyopt', 'rsa_padding_mode:pss'], 'SHA-256', false],
  ['ECDSA P-256 SHA-256 detached', 'ec', ['-md', 'sha256'], 'SHA-256', false],
  ['ECDSA P-256 SHA-384 attached', 'ec', ['-md', 'sha384', '-nodetach'], 'SHA-384', false],
];

for (const [name, who, args, digest, weak] of variants) {
  test(`OpenSSL-signed ${name} verifies as valid with a trusted chain`, async () => {
    const der = osslSign(pki[who], MIME_CRLF, args);
    const detached = !args.includes('-nodetach');
    const r = await verifySignedData(der, { content: detached ? MIME_CRLF : undefined, trustAnchors: ca, expectedAddress: `X <${who === 'rsa' ? 'rsauser' : 'ecuser'}@example.com>` });
    assert.equal(r.signers.length, 1);
    const s = r.signers[0]!;
    assert.equal(s.signatureValid, true, s.detail);
    assert.equal(s.digestAlgorithm, digest);
    assert.equal(s.weakAlgorithm, weak);
    assert.equal(s.chain.trusted, true, s.chain.reason);
    assert.equal(s.validNow, true);
    assert.equal(s.validAtSigningTime, true);
    assert.equal(s.emailProtectionUsage, true);
    assert.equal(s.addressMatches, true);
    assert.equal(r.crlfRetried, false);
    assert.deepEqual(r.content, MIME_CRLF);
    if (name.includes('PSS')) assert.match(s.signatureAlgorithm, /PSS/);
  });

  test(`OpenSSL-signed ${name}: one tampered content byte gives signatureValid false, reason digest-mismatch`, async () => {
    const der = osslSign(pki[who], MIME_CRLF, [...args.filter((a) => a !== '-nodetach')]);
    const tampered = MIME_CRLF.slice();
    tampered[tampered.length - 5] ^= 0x01;
    const r = await verifySignedData(der, { content: tampered, trustAnchors: ca });
    assert.equal(r.signers[0]!.signatureValid, false);
    assert.equal(r.signers[0]!.reason, 'digest-mismatch');
  });
}

test('a flipped bit in the signature value gives reason bad-signature', async () => {
  const der = osslSign(pki.rsa, MIME_CRLF, ['-md', 'sha256']);
  // the RSA signature is the last 256 bytes before the (absent) unsigned attributes: flip one near the end
  const bad = der.slice();
  bad[bad.length - 10] ^= 0x40;
  const r = await verifySignedData(bad, { content: MIME_CRLF, trustAnchors: ca });
  assert.equal(r.signers[0]!.signatureValid, false);
  assert.equal(r.signers[0]!.reason, 'bad-signature');
});

test('RFC 8551 3.1.1: content signed in CRLF form but received with bare LF verifies via the CRLF retry', async () => {
  const der = osslSign(pki.rsa, MIME_CRLF, ['-md', 'sha256']);
  const lf = new TextEncoder().encode(new TextDecoder().decode(MIME_CRLF).replace(/\r\n/g, '\n'));
  const r = await verifySignedData(der, { content: lf, trustAnchors: ca });
  assert.equal(r.signers[0]!.signatureValid, true);
  assert.equal(r.crlfRetried, true);
  assert.deepEqual(r.content, MIME_CRLF);
  const noRetry = await verifySignedData(der, { content: lf, trustAnchors: ca, allowCrlfRetry: false });
  assert.equal(noRetry.signers[0]!.signatureValid, false);
});

test('without trust anchors the signature is still valid but the chain is not trusted', async () => {
  const der = osslSign(pki.rsa, MIME_CRLF, ['-md', 'sha256']);
  const r = await verifySignedData(der, { content: MIME_CRLF });
  assert.equal(r.signers[0]!.signatureValid, true);
  assert.equal(r.signers[0]!.chain.trusted, false);
  assert.equal(r.signers[0]!.addressMatches, undefined);
});

test('validity: a "now" after the certificate expiry gives validNow false; the path is validated at the signing time unless told otherwise', async () => {
  const der = osslSign(pki.rsa, MIME_CRLF, ['-md', 'sha256']);
  const later = new Date(Date.now() + 2 * 365 * 86400_000);
  const r = await verifySignedData(der, { content: MIME_CRLF, trustAnchors: ca, now: later });
  const s = r.signers[0]!;
  assert.equal(s.validNow, false);
  assert.equal(s.validAtSigningTime, true);
  // RFC 5280 6.1.1 (b) "the time for which the path is valid": the signingTime attribute (issue 10)
  assert.equal(s.path.validationTimeSource, 'signing-time');
  assert.equal(s.path.validationTime, s.signingTime!.toISOString());
  assert.equal(s.chain.trusted, true);
  // at "now" (as OpenSSL does), the expired certificate fails
  const atNow = (await verifySignedData(der, { content: MIME_CRLF, trustAnchors: ca, now: later, validationTime: 'now' })).signers[0]!;
  assert.equal(atNow.chain.trusted, false);
  assert.equal(atNow.path.outcome, 'invalid');
  assert.equal(atNow.path.validationTimeSource, 'now');
  assert.ok(atNow.path.reasons.some((x) => x.code === 'expired' && x.certIndex === 0));
});

test('RFC 8550 3: a From address not in the certificate gives addressMatches false', async () => {
  const der = osslSign(pki.rsa, MIME_CRLF, ['-md', 'sha256']);
  const r = await verifySignedData(der, { content: MIME_CRLF, expectedAddress: 'mallory@example.com' });
  assert.equal(r.signers[0]!.addressMatches, false);
});

test('a detached signature without content is an INVALID_ARGUMENT error', async () => {
  const der = osslSign(pki.rsa, MIME_CRLF, ['-md', 'sha256']);
  await assert.rejects(verifySignedData(der, {}), { code: 'INVALID_ARGUMENT' });
});

const ours: [string, 'rsa' | 'ec', 'SHA-256' | 'SHA-1' | 'SHA-384' | 'SHA-512', boolean][] = [
  ['RSA SHA-256 detached', 'rsa', 'SHA-256', true],
  ['RSA SHA-512 attached', 'rsa', 'SHA-512', false],
  ['RSA SHA-1 detached', 'rsa', 'SHA-1', true],
  ['ECDSA SHA-256 detached', 'ec', 'SHA-256', true],
  ['ECDSA SHA-384 attached', 'ec', 'SHA-384', false],
];
for (const [name, who, digest, detached] of ours) {
  test(`signData ${name}: openssl cms -verify accepts it (-noverify and -CAfile)`, async () => {
    const key = await loadPrivateKey(pki[who].keyPem);
    const cert = loadCertificates(pki[who].certPem)[0]!;
    const der = await signData(MIME_CRLF, { key, cert }, { detached, digest, signingTime: new Date() });
    const sig = join(pki.dir, `ours-${who}.der`);
    const content = join(pki.dir, 'content-ours.bin');
    writeFileSync(sig, der);
    writeFileSync(content, MIME_CRLF);
    const common = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, ...(detached ? ['-content', content] : [])];
    const a = opensslOk([...common, '-noverify']);
    assert.ok(a.ok, a.err);
    assert.deepEqual(u8(a.out), MIME_CRLF);
    const b = opensslOk([...common, '-CAfile', pki.caPem, '-purpose', 'smimesign']);
    assert.ok(b.ok, b.err);
    // and our own verifier agrees, reporting the requested digest
    const r = await verifySignedData(der, { content: detached ? MIME_CRLF : undefined, trustAnchors: ca });
    assert.equal(r.signers[0]!.signatureValid, true);
    assert.equal(r.signers[0]!.digestAlgorithm, digest);
  });
}

test('RFC 5652 5.3: a SignerInfo identified by subjectKeyIdentifier (openssl -keyid) verifies', async () => {
  const der = osslSign(pki.rsa, MIME_CRLF, ['-md', 'sha256', '-keyid']);
  const info = inspectCms(der);
  assert.equal(info.signedData?.signers[0]?.sid.type, 'subjectKeyIdentifier');
  const r = await verifySignedData(der, { content: MIME_CRLF, trustAnchors: ca });
  assert.equal(r.signers[0]!.signatureValid, true);
  assert.deepEqual(r.signers[0]!.signer.emails, ['rsauser@example.com']);
});

test('two signers (RSA and ECDSA, openssl -signer twice) give one valid result each', async () => {
  const f = join(pki.dir, 'two.bin');
  writeFileSync(f, MIME_CRLF);
  const der = u8(openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', f, '-signer', pki.rsa.cert, '-inkey', pki.rsa.key, '-signer', pki.ec.cert, '-inkey', pki.ec.key]));
  const r = await verifySignedData(der, { content: MIME_CRLF, trustAnchors: ca });
  assert.equal(r.signers.length, 2);
  assert.ok(r.signers.every((s) => s.signatureValid && s.chain.trusted));
  // signerInfos is a SET OF: DER order, not command-line order
  assert.deepEqual(r.signers.map((s) => s.signer.emails[0]).sort(), ['ecuser@example.com', 'rsauser@example.com']);
  assert.deepEqual(r.signers.map((s) => s.signatureAlgorithm.split(' ')[0]).sort(), ['ECDSA', 'RSA-PKCS1-v1_5']);
});

test('a signature without certificates (openssl -nocerts) is signer-cert-not-found unless the certificate is supplied', async () => {
  const der = osslSign(pki.rsa, MIME_CRLF, ['-md', 'sha256', '-nocerts']);
  assert.equal(inspectCms(der).signedData?.certificateCount, 0);
  const r = await verifySignedData(der, { content: MIME_CRLF });
  assert.equal(r.signers[0]!.signatureValid, false);
  assert.equal(r.signers[0]!.reason, 'signer-cert-not-found');
  const userDer = u8(openssl(['x509', '-in', pki.rsa.cert, '-outform', 'DER']));
  const r2 = await verifySignedData(der, { content: MIME_CRLF, intermediates: [userDer], trustAnchors: ca });
  assert.equal(r2.signers[0]!.signatureValid, true);
  assert.equal(r2.signers[0]!.chain.trusted, true);
});

test('a self-signed signer certificate that is not an anchor is reported untrusted with a reason', async () => {
  const der = osslSign({ cert: pki.caPem, key: pki.caKey }, MIME_CRLF, ['-md', 'sha256']);
  const r = await verifySignedData(der, { content: MIME_CRLF, trustAnchors: [u8(openssl(['x509', '-in', pki.rsa.cert, '-outform', 'DER']))] });
  assert.equal(r.signers[0]!.signatureValid, true);
  assert.equal(r.signers[0]!.chain.trusted, false);
  assert.match(r.signers[0]!.chain.reason ?? '', /not a trust anchor/);
  // the CA certificate has no emailProtection EKU but keyUsage keyCertSign only: not for e-mail signing
  assert.equal(r.signers[0]!.emailProtectionUsage, false);
});

test('signData with a key that does not match the certificate is CMS_WRONG_KEY', async () => {
  const key = await loadPrivateKey(pki.rsa2.keyPem);
  await assert.rejects(signData(MIME_CRLF, { key, cert: loadCertificates(pki.rsa.certPem)[0]! }, { detached: true }), { code: 'CMS_WRONG_KEY' });
});

test('micalgFor gives the RFC 8551 3.5.3.2 names', () => {
  assert.equal(micalgFor('SHA-256'), 'sha-256');
  assert.equal(micalgFor('SHA-1'), 'sha-1');
  assert.equal(micalgFor('SHA-512'), 'sha-512');
});
