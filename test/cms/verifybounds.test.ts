/**
 * Issue 10 item 4, verification side: each bound on the work of one verification, with a
 * generator of the hostile shape (copies of an OpenSSL-made SignerInfo, same-name fake issuer
 * certificates, CRL floods, many signers over a large content). Each exceeded bound is a
 * LIMIT_EXCEEDED naming the ASN.1 path; each bounded case reports the work it did (`work`).
 * Revocation with an OpenSSL-made CRL (`openssl ca -revoke` / `-gencrl`) is checked here too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { verifySignedData } from '../../src/cms/index.js';
import { MIME_CRLF, u8 } from './helpers.js';

let dir: string;
const p = (n: string) => join(dir, n);
const run = (args: string[], input?: Uint8Array) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', input, maxBuffer: 64 << 20 });
const derOf = (pem: string) => u8(run(['x509', '-in', pem, '-outform', 'DER']));
let root: Uint8Array;
let ca: Uint8Array;
let signed: Uint8Array;
let crlDer: Uint8Array;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'smime-bridge-bounds-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/CN=Bounds Root', '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  writeFileSync(p('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  run(['req', '-new', ...ec, '-keyout', 'ca.key', '-out', 'ca.csr', '-subj', '/CN=Bounds CA']);
  run(['x509', '-req', '-in', 'ca.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'ca.pem', '-days', '3650', '-extfile', 'ca.ext']);
  writeFileSync(p('ee.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:b@example.org\nauthorityKeyIdentifier=keyid\n');
  run(['req', '-new', ...ec, '-keyout', 'ee.key', '-out', 'ee.csr', '-subj', '/CN=b']);
  run(['x509', '-req', '-in', 'ee.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'ee.pem', '-days', '365', '-extfile', 'ee.ext']);
  root = derOf('root.pem');
  ca = derOf('ca.pem');
  writeFileSync(p('content.bin'), MIME_CRLF);
  signed = u8(run(['cms', '-sign', '-binary', '-outform', 'DER', '-in', 'content.bin', '-signer', 'ee.pem', '-inkey', 'ee.key', '-md', 'sha256', '-certfile', 'ca.pem']));
  // a CRL of the CA revoking the signer (openssl ca)
  writeFileSync(p('ca.cnf'), '[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n');
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('crlnumber'), '01\n');
  run(['ca', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-revoke', 'ee.pem', '-crl_reason', 'keyCompromise']);
  run(['ca', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-gencrl', '-out', 'crl.pem']);
  crlDer = u8(run(['crl', '-in', 'crl.pem', '-outform', 'DER']));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The parts of a SignedData ContentInfo a generator changes, as BER elements. */
interface Parts {
  signerInfos: asn1js.AsnType[];
  certs: asn1js.AsnType[];
  crls: asn1js.AsnType[];
}

/** Re-encode `der` (a SignedData ContentInfo) after `edit` changed its parts (asn1js level: fast for thousands of elements). */
function reshape(der: Uint8Array, edit: (p: Parts) => void): Uint8Array {
  const ci = asn1js.fromBER(der.slice()).result as asn1js.Sequence;
  const sd = (ci.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
  const els = sd.valueBlock.value;
  const find = (n: number) => els.find((e) => e.idBlock.tagClass === 3 && e.idBlock.tagNumber === n) as asn1js.Constructed | undefined;
  const si = els[els.length - 1] as asn1js.Set;
  const parts: Parts = { signerInfos: [...si.valueBlock.value], certs: [...(find(0)?.valueBlock.value ?? [])], crls: [...(find(1)?.valueBlock.value ?? [])] };
  edit(parts);
  const tag = (n: number, value: asn1js.AsnType[]) => new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: n }, value });
  const out = [els[0]!, els[1]!, els[2]!];
  if (parts.certs.length) out.push(tag(0, parts.certs));
  if (parts.crls.length) out.push(tag(1, parts.crls));
  out.push(new asn1js.Set({ value: parts.signerInfos }));
  const content = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Sequence({ value: out })] });
  return new Uint8Array(new asn1js.Sequence({ value: [ci.valueBlock.value[0]!, content] }).toBER(false));
}

const asn = (b: Uint8Array) => asn1js.fromBER(b.slice()).result;

/** `n` certificates named like `base`'s subject, with broken public keys (distinct DER each). */
function fakeIssuers(base: Uint8Array, n: number): Uint8Array[] {
  const c = pkijs.Certificate.fromBER(base.slice());
  const key = new Uint8Array(c.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
  const at = indexOf(base, key);
  return Array.from({ length: n }, (_, i) => {
    const b = base.slice();
    b[at + 10] = i & 0xff;
    b[at + 11] = (i >> 8) ^ 0x5a;
    return b;
  });
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}

test('control: the generated message verifies and is trusted; revoked by an OpenSSL CRL given with the crls option', async () => {
  const r = await verifySignedData(signed, { content: MIME_CRLF, trustAnchors: [root] });
  assert.equal(r.signers[0]!.path.outcome, 'trusted', JSON.stringify(r.signers[0]!.path.reasons));
  assert.equal(r.work.digests, 1);
  const revoked = await verifySignedData(signed, { content: MIME_CRLF, trustAnchors: [root], crls: [crlDer] });
  const s = revoked.signers[0]!;
  assert.equal(s.path.outcome, 'invalid');
  assert.ok(s.path.reasons.some((x) => x.code === 'revoked' && x.certIndex === 0 && /keyCompromise/.test(x.message)), JSON.stringify(s.path.reasons));
  // the same CRL embedded in the SignedData (RFC 5652 10.2.1)
  const embedded = reshape(signed, (x) => {
    x.crls = [asn(crlDer)];
  });
  assert.equal((await verifySignedData(embedded, { content: MIME_CRLF, trustAnchors: [root] })).signers[0]!.path.outcome, 'invalid');
  assert.equal((await verifySignedData(embedded, { content: MIME_CRLF, trustAnchors: [root], revocation: 'off' })).signers[0]!.path.outcome, 'trusted');
});

test('bound: more SignerInfos than maxSigners (default 64) is LIMIT_EXCEEDED at SignedData.signerInfos', async () => {
  const many = reshape(signed, (x) => {
    x.signerInfos = Array.from({ length: 500 }, () => x.signerInfos[0]!);
  });
  await assert.rejects(verifySignedData(many, { content: MIME_CRLF, trustAnchors: [root] }), (e: { code: string; location: { asn1Path?: string } }) => e.code === 'LIMIT_EXCEEDED' && e.location.asn1Path === 'SignedData.signerInfos');
});

test('bound: one digest per digest algorithm per content: 300 signers over 4 MB compute one SHA-256', async () => {
  const big = new Uint8Array(4 << 20).fill(0x61);
  writeFileSync(p('big.bin'), big);
  const one = u8(run(['cms', '-sign', '-binary', '-outform', 'DER', '-in', 'big.bin', '-signer', 'ee.pem', '-inkey', 'ee.key', '-md', 'sha256', '-certfile', 'ca.pem']));
  const many = reshape(one, (x) => {
    x.signerInfos = Array.from({ length: 300 }, () => x.signerInfos[0]!);
  });
  const r = await verifySignedData(many, { content: big, trustAnchors: [root], verifyLimits: { maxSigners: 300 }, allowCrlfRetry: false });
  assert.equal(r.signers.length, 300);
  assert.ok(r.signers.every((s) => s.signatureValid && s.path.outcome === 'trusted'));
  assert.equal(r.work.digests, 1);
  // one path validation for the 300 identical signer certificates: two certificate signatures checked
  assert.equal(r.work.signatureChecks, 2);
});

test('bound: more certificates than maxCertificates (default 256) is LIMIT_EXCEEDED at SignedData.certificates', async () => {
  const flood = reshape(signed, (x) => {
    x.certs = [...x.certs, ...fakeIssuers(ca, 300).map(asn)];
  });
  await assert.rejects(verifySignedData(flood, { content: MIME_CRLF, trustAnchors: [root] }), (e: { code: string; location: { asn1Path?: string } }) => e.code === 'LIMIT_EXCEEDED' && e.location.asn1Path === 'SignedData.certificates');
  // the caller-given intermediates count too
  await assert.rejects(verifySignedData(signed, { content: MIME_CRLF, trustAnchors: [root], intermediates: fakeIssuers(ca, 300) }), { code: 'LIMIT_EXCEEDED' });
});

test('bound: more CRLs than maxCrls (default 128) is LIMIT_EXCEEDED at SignedData.crls', async () => {
  const flood = reshape(signed, (x) => {
    x.crls = Array.from({ length: 200 }, () => asn(crlDer));
  });
  await assert.rejects(verifySignedData(flood, { content: MIME_CRLF, trustAnchors: [root] }), (e: { code: string; location: { asn1Path?: string } }) => e.code === 'LIMIT_EXCEEDED' && e.location.asn1Path === 'SignedData.crls');
  await assert.rejects(verifySignedData(signed, { content: MIME_CRLF, trustAnchors: [root], crls: Array.from({ length: 200 }, () => crlDer) }), { code: 'LIMIT_EXCEEDED' });
});

test('bound: 60 signers × 200 same-name fake issuers: at most maxIssuerCandidates (8) tried per step, checks cached', async () => {
  const hostile = reshape(signed, (x) => {
    x.certs = [...fakeIssuers(ca, 200).map(asn), ...x.certs];
    x.signerInfos = Array.from({ length: 60 }, () => x.signerInfos[0]!);
  });
  const r = await verifySignedData(hostile, { content: MIME_CRLF, trustAnchors: [root] });
  assert.equal(r.signers.length, 60);
  const s = r.signers[0]!;
  assert.equal(s.signatureValid, true);
  // the real CA comes after 200 fakes: beyond the cap, so no acceptable path is found
  assert.notEqual(s.path.outcome, 'trusted');
  assert.ok(s.path.reasons.some((x) => x.code === 'issuer-candidates-capped' && x.kind === 'note'));
  // 8 candidates for the signer, then each (bad-signature) candidate checked against the root once
  assert.ok(r.work.signatureChecks <= 2 * 8, `signatureChecks ${r.work.signatureChecks}`);
  // a tighter signature budget is LIMIT_EXCEEDED
  await assert.rejects(verifySignedData(hostile, { content: MIME_CRLF, trustAnchors: [root], verifyLimits: { maxSignatureChecks: 4 } }), (e: { code: string; location: { asn1Path?: string } }) => e.code === 'LIMIT_EXCEEDED' && e.location.asn1Path === 'SignedData.certificates');
  // a wider candidate cap finds the real CA among them
  const wide = await verifySignedData(hostile, { content: MIME_CRLF, trustAnchors: [root], verifyLimits: { maxIssuerCandidates: 256, maxCertificates: 256 } });
  assert.equal(wide.signers[0]!.path.outcome, 'trusted');
  assert.ok(wide.work.signatureChecks <= 203, `signatureChecks ${wide.work.signatureChecks}`);
});
