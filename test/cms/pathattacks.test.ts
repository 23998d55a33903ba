/**
 * Issue 10 attack shapes on the certification path, each built with OpenSSL (never by us): the
 * expected verdict comes from `openssl verify` where OpenSSL refuses the shape, and from the RFC
 * otherwise (MD5: RFC 6151 / RFC 8551 2.1; serverAuth-only EKU: RFC 8550 4.4.4).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySignedData } from '../../src/cms/index.js';
import { MIME_CRLF, opensslOk, u8 } from './helpers.js';

let dir: string;
const p = (n: string) => join(dir, n);
const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const der = (pem: string) => u8(run(['x509', '-in', pem, '-outform', 'DER']));

/** A key and a certificate: self-signed (no `issuer`) or signed by `issuer` with the extensions `ext`. */
function cert(name: string, subj: string, ext: string, issuer?: string, opts: { rsa?: number; ed25519?: boolean; md?: string } = {}): string {
  const keyArgs = opts.ed25519 ? ['-newkey', 'ed25519'] : opts.rsa ? ['-newkey', `rsa:${opts.rsa}`] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  writeFileSync(p(`${name}.ext`), ext + '\n');
  if (!issuer) {
    run(['req', '-x509', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', subj, '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash']);
    return `${name}.pem`;
  }
  run(['req', '-new', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj]);
  run(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '365', '-extfile', `${name}.ext`, ...(opts.md ? [`-${opts.md}`] : opts.ed25519 || issuer === 'edroot' ? [] : ['-sha256'])]);
  return `${name}.pem`;
}

const CA = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid';
const EE = (mail: string, moreNames = '') => `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:${mail}${moreNames}\nauthorityKeyIdentifier=keyid`;

/** Sign MIME_CRLF with `who` (openssl cms), carrying the `chain` certificates too. */
function sign(who: string, chain: string[] = []): Uint8Array {
  writeFileSync(p('content.bin'), MIME_CRLF);
  if (chain.length) writeFileSync(p('chain.pem'), chain.map((c) => run(['x509', '-in', c]).toString()).join(''));
  return u8(run(['cms', '-sign', '-binary', '-outform', 'DER', '-in', 'content.bin', '-signer', `${who}.pem`, '-inkey', `${who}.key`, '-md', 'sha256', ...(chain.length ? ['-certfile', 'chain.pem'] : [])]));
}

/** `openssl verify` of `leaf` against `anchor` with `untrusted` intermediates, purpose S/MIME signing. */
function osslVerify(leaf: string, anchor: string, untrusted: string[] = []): { ok: boolean; err: string } {
  if (untrusted.length) writeFileSync(p('untrusted.pem'), untrusted.map((c) => run(['x509', '-in', c]).toString()).join(''));
  const r = opensslOk(['verify', '-purpose', 'smimesign', '-CAfile', p(anchor), ...(untrusted.length ? ['-untrusted', p('untrusted.pem')] : []), p(leaf)]);
  return { ok: r.ok, err: r.err + r.out.toString() };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'smime-bridge-path-'));
  cert('root', '/CN=Attack Root/O=smime-bridge tests', '', undefined, { rsa: 2048 }); // RSA: it also signs with MD5 below
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function verdict(msg: Uint8Array, anchors: string[], extra: Parameters<typeof verifySignedData>[1] = {}) {
  const r = await verifySignedData(msg, { content: MIME_CRLF, trustAnchors: anchors.map((a) => der(p(a))), ...extra });
  return r.signers[0]!;
}

test('control: root → CA → e-mail certificate is trusted, with a CertSummary per certificate', async () => {
  cert('okca', '/CN=OK CA', CA, 'root');
  cert('okee', '/CN=ok', EE('ok@example.org'), 'okca');
  assert.ok(osslVerify('okee.pem', 'root.pem', ['okca.pem']).ok);
  const s = await verdict(sign('okee', ['okca.pem']), ['root.pem']);
  assert.equal(s.path.outcome, 'trusted', JSON.stringify(s.path.reasons));
  assert.equal(s.chain.trusted, true);
  assert.equal(s.emailProtectionUsage, true);
  assert.deepEqual(s.path.certs.map((c) => c.subject), ['CN=ok', 'CN=OK CA', 'CN=Attack Root, O=smime-bridge tests']);
  const [ee, ca, root] = s.path.certs;
  assert.equal(ee!.keyType, 'EC');
  assert.equal(ee!.keyBits, 256);
  assert.deepEqual(ee!.emails, ['ok@example.org']);
  assert.deepEqual(ee!.extKeyUsage, ['emailProtection']);
  assert.deepEqual(ca!.keyUsage, ['keyCertSign', 'cRLSign']);
  assert.equal(root!.trustAnchor, true);
  // the fingerprint is OpenSSL's
  const fp = run(['x509', '-in', 'okee.pem', '-noout', '-fingerprint', '-sha256']).toString().split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
  assert.equal(ee!.sha256, fp);
  // no CRL at hand, default 'if-available': a not-checked reason, not a failure
  assert.equal(s.path.revocation, 'not-checked');
  assert.ok(s.path.reasons.every((r) => r.kind !== 'failure'));
  assert.ok(s.path.reasons.some((r) => r.code === 'revocation-unknown' && r.kind === 'not-checked'));
  // with revocation 'require' the same path is invalid
  const req = await verdict(sign('okee', ['okca.pem']), ['root.pem'], { revocation: 'require' });
  assert.equal(req.path.outcome, 'invalid');
  const off = await verdict(sign('okee', ['okca.pem']), ['root.pem'], { revocation: 'off' });
  assert.equal(off.path.revocation, 'off');
  assert.deepEqual(off.path.reasons, []);
});

test('nameConstraints excluding the signer address (RFC 5280 4.2.1.10): invalid, as OpenSSL says', async () => {
  cert('ncca', '/CN=NC CA', CA + '\nnameConstraints=critical,excluded;email:.example.org,excluded;email:example.org', 'root');
  cert('ncee', '/CN=alice', EE('alice@example.org'), 'ncca');
  const o = osslVerify('ncee.pem', 'root.pem', ['ncca.pem']);
  assert.equal(o.ok, false);
  assert.match(o.err, /excluded subtree/);
  const s = await verdict(sign('ncee', ['ncca.pem']), ['root.pem']);
  assert.equal(s.signatureValid, true);
  assert.equal(s.path.outcome, 'invalid');
  assert.equal(s.chain.trusted, false);
  assert.ok(s.path.reasons.some((r) => r.code === 'name-constraints' && r.certIndex === 0 && r.kind === 'failure'), JSON.stringify(s.path.reasons));
});

test('nameConstraints on iPAddress and DNS: a name outside the permitted subtrees is invalid, as OpenSSL says; inside is trusted', async () => {
  cert('ipca', '/CN=IP CA', CA + '\nnameConstraints=critical,permitted;IP:10.0.0.0/255.0.0.0,permitted;DNS:example.org,permitted;email:example.org', 'root');
  cert('ipin', '/CN=in', EE('in@example.org', ',IP:10.1.2.3,DNS:mail.example.org'), 'ipca');
  cert('ipout', '/CN=out', EE('out@example.org', ',IP:192.168.1.1'), 'ipca');
  assert.equal(osslVerify('ipin.pem', 'root.pem', ['ipca.pem']).ok, true);
  const o = osslVerify('ipout.pem', 'root.pem', ['ipca.pem']);
  assert.equal(o.ok, false);
  assert.match(o.err, /permitted subtree/);
  assert.equal((await verdict(sign('ipin', ['ipca.pem']), ['root.pem'])).path.outcome, 'trusted');
  const s = await verdict(sign('ipout', ['ipca.pem']), ['root.pem']);
  assert.equal(s.path.outcome, 'invalid');
  assert.ok(s.path.reasons.some((r) => r.code === 'name-constraints' && /iPAddress/.test(r.message)), JSON.stringify(s.path.reasons));
});

test('an end-entity certificate given as trust anchor never issues: its key cannot mint trusted certificates', async () => {
  cert('bob', '/CN=bob', EE('bob@example.org'), 'root');
  // mallory's certificate is signed with bob's key, issuer = bob's subject
  cert('mallory', '/CN=mallory', EE('ceo@bank.test'), 'bob');
  assert.equal(osslVerify('mallory.pem', 'bob.pem').ok, false);
  for (const trustLeafAsItself of [false, true]) {
    const s = await verdict(sign('mallory', ['bob.pem']), ['bob.pem'], { trustLeafAsItself });
    assert.equal(s.signatureValid, true);
    assert.notEqual(s.path.outcome, 'trusted');
    assert.equal(s.chain.trusted, false);
    assert.ok(s.path.reasons.some((r) => r.code === 'anchor-not-ca'), JSON.stringify(s.path.reasons));
  }
  // bob himself: trusted as itself only with the option
  const self = await verdict(sign('bob'), ['bob.pem']);
  assert.equal(self.path.outcome, 'no-anchor');
  assert.ok(self.path.reasons.some((r) => r.code === 'leaf-anchor-not-allowed'));
  const asItself = await verdict(sign('bob'), ['bob.pem'], { trustLeafAsItself: true });
  assert.equal(asItself.path.outcome, 'trusted', JSON.stringify(asItself.path.reasons));
  assert.equal(asItself.path.certs.length, 1);
  assert.equal(asItself.path.certs[0]!.trustAnchor, true);
});

test('pathLenConstraint 0 followed by a sub-CA: invalid (RFC 5280 6.1.4 (l)), as OpenSSL says', async () => {
  cert('pl0', '/CN=PathLen0 CA', 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid', 'root');
  cert('plsub', '/CN=Sub CA', CA, 'pl0');
  cert('plee', '/CN=carol', EE('carol@example.org'), 'plsub');
  const o = osslVerify('plee.pem', 'root.pem', ['pl0.pem', 'plsub.pem']);
  assert.equal(o.ok, false);
  assert.match(o.err, /path length/);
  const s = await verdict(sign('plee', ['pl0.pem', 'plsub.pem']), ['root.pem']);
  assert.equal(s.path.outcome, 'invalid');
  assert.ok(s.path.reasons.some((r) => r.code === 'path-length-exceeded' && r.certIndex === 1), JSON.stringify(s.path.reasons));
});

test('an issuer without keyCertSign: invalid (RFC 5280 6.1.4 (n)), as OpenSSL says', async () => {
  cert('nokcs', '/CN=No keyCertSign CA', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid', 'root');
  cert('nokcsee', '/CN=dave', EE('dave@example.org'), 'nokcs');
  assert.equal(osslVerify('nokcsee.pem', 'root.pem', ['nokcs.pem']).ok, false);
  const s = await verdict(sign('nokcsee', ['nokcs.pem']), ['root.pem']);
  assert.equal(s.path.outcome, 'invalid');
  assert.ok(s.path.reasons.some((r) => r.code === 'no-keycertsign' && r.certIndex === 1), JSON.stringify(s.path.reasons));
});

test('an unknown critical extension in the signer certificate: invalid (RFC 5280 6.1.5 (f)), as OpenSSL says', async () => {
  cert('critee', '/CN=erin', EE('erin@example.org') + '\n1.3.6.1.4.1.55555.1=critical,ASN1:NULL', 'root');
  const o = osslVerify('critee.pem', 'root.pem');
  assert.equal(o.ok, false);
  assert.match(o.err, /critical extension/);
  const s = await verdict(sign('critee'), ['root.pem']);
  assert.equal(s.path.outcome, 'invalid');
  assert.ok(s.path.reasons.some((r) => r.code === 'unknown-critical-extension' && r.certIndex === 0 && /55555/.test(r.message)));
});

test('a serverAuth-only EKU: the path holds but emailProtectionUsage is false (RFC 8550 4.4.4), OpenSSL refuses the purpose', async () => {
  cert('tlsee', '/CN=frank', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=email:frank@example.org', 'root');
  const o = osslVerify('tlsee.pem', 'root.pem');
  assert.equal(o.ok, false);
  assert.match(o.err, /purpose/);
  const s = await verdict(sign('tlsee'), ['root.pem']);
  assert.equal(s.signatureValid, true);
  assert.equal(s.emailProtectionUsage, false);
  assert.deepEqual(s.path.certs[0]!.extKeyUsage, ['serverAuth']);
});

test('an MD5-signed certificate is "MD5 not accepted", not a bad signature; MD5 is listed as weak', async () => {
  cert('md5ee', '/CN=grace', EE('grace@example.org'), 'root', { md: 'md5' });
  assert.match(run(['x509', '-in', 'md5ee.pem', '-noout', '-text']).toString(), /md5WithRSAEncryption|md5/i);
  const s = await verdict(sign('md5ee'), ['root.pem']);
  assert.equal(s.path.outcome, 'invalid');
  const r = s.path.reasons.find((x) => x.certIndex === 0 && x.kind === 'failure');
  assert.equal(r?.code, 'md5-not-accepted');
  assert.match(r!.message, /MD5 not accepted/);
  assert.ok(!s.path.reasons.some((x) => x.code === 'bad-signature'));
  assert.ok(s.path.weak.includes('MD5'));
});

test('an RSA-1024 signer key is listed as weak (the verdict policy decides)', async () => {
  cert('small', '/CN=small', EE('small@example.org'), 'root', { rsa: 1024 });
  const s = await verdict(sign('small'), ['root.pem']);
  assert.equal(s.path.outcome, 'trusted', JSON.stringify(s.path.reasons));
  assert.ok(s.path.weak.includes('RSA-1024'));
  assert.equal(s.path.certs[0]!.keyBits, 1024);
});

test('a certificate signed with an algorithm we cannot check (Ed25519) gives outcome cannot-check, not trusted', async () => {
  cert('edroot', '/CN=Ed Root', '', undefined, { ed25519: true });
  cert('edee', '/CN=ed', EE('ed@example.org'), 'edroot');
  assert.ok(osslVerify('edee.pem', 'edroot.pem').ok);
  const s = await verdict(sign('edee'), ['edroot.pem']);
  assert.equal(s.signatureValid, true);
  assert.equal(s.path.outcome, 'cannot-check');
  assert.equal(s.chain.trusted, false);
  assert.ok(s.path.reasons.some((r) => r.code === 'unsupported-algorithm' && r.kind === 'not-checked' && r.certIndex === 0));
  assert.equal(s.path.certs[1]!.keyType, 'Ed25519');
});
