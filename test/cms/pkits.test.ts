/**
 * NIST PKITS (../shared/nist-pkits): all 224 S/MIME messages through verifySignedData with the
 * PKITS trust anchor, revocation 'require' and the PKITS default policy settings. The expected
 * verdict of each test comes from NIST (MANIFEST.json `expected`), never from our output:
 * valid → path outcome 'trusted' and signature valid; invalid → not trusted.
 *
 * KNOWN_MISSES lists tests we get wrong, with the reason; it is asserted exactly, so fixing one
 * fails the test until the list is updated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PolicyInputs, verifySignedData } from '../../src/cms/index.js';
import { parseMime } from '../../src/mime/parse.js';
import { decodeBody } from '../../src/mime/encoding.js';

const ROOT = '../shared/nist-pkits/';

interface Entry {
  file: string;
  section: string;
  name: string;
  expected: 'valid' | 'invalid';
  policyDependent: boolean;
  embeddedCerts: string[];
}

/** section → why we miss it (empty: none). */
const KNOWN_MISSES: Record<string, string> = {};

const u8 = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

if (!existsSync(ROOT + 'MANIFEST.json')) {
  console.log(`PKITS: ${ROOT} is absent; the PKITS suite did not run`);
  test('PKITS data present under CI', () => {
    assert.notEqual(process.env.CI, 'true', `${ROOT} is missing on CI`);
  });
} else {
  const manifest = JSON.parse(readFileSync(ROOT + 'MANIFEST.json', 'utf8')) as { trustAnchor: string; entries: Entry[] };
  const anchor = u8(readFileSync(ROOT + manifest.trustAnchor));

  test('PKITS: every one of the 224 tests gives the expected verdict (known misses listed)', async () => {
    assert.equal(manifest.entries.length, 224);
    const misses: Record<string, string> = {};
    let agree = 0;
    for (const e of manifest.entries) {
      const root = parseMime(u8(readFileSync(ROOT + e.file))).root;
      const [first, sig] = root.children;
      assert.ok(first && sig, `${e.file}: multipart/signed with two parts`);
      const content = first.source.subarray(first.range.start, first.range.end);
      const r = await verifySignedData(decodeBody(sig), { content, trustAnchors: [anchor], revocation: 'require' });
      const s = r.signers[0]!;
      const trusted = s.signatureValid && s.path.outcome === 'trusted' && s.chain.trusted;
      const ok = e.expected === 'valid' ? trusted : !trusted;
      if (ok) agree++;
      else {
        const why = s.path.reasons.map((x) => `${x.kind}:${x.code}@${x.certIndex ?? '-'}`).join(' ');
        misses[e.section] = `${e.name}: expected ${e.expected}, got ${s.path.outcome} (signature ${s.signatureValid ? 'valid' : s.reason}) ${why}`;
      }
    }
    console.log(`PKITS: ${agree}/224 agree with NIST's expected verdicts`);
    assert.deepEqual(Object.keys(misses).sort(), Object.keys(KNOWN_MISSES).sort(), JSON.stringify(misses, null, 1));
  });

  const one = async (section: string, opts: Parameters<typeof verifySignedData>[1]) => {
    const e = manifest.entries.find((x) => x.section === section)!;
    const [first, sig] = parseMime(u8(readFileSync(ROOT + e.file))).root.children;
    const content = first!.source.subarray(first!.range.start, first!.range.end);
    return (await verifySignedData(decodeBody(sig!), { content, trustAnchors: [anchor], ...opts })).signers[0]!;
  };

  test('PKITS revocation modes: a missing CRL (4.4.1) is a not-checked reason under the default if-available, a failure under require', async () => {
    const dflt = await one('4.4.1', {});
    assert.equal(dflt.path.outcome, 'trusted');
    assert.equal(dflt.path.revocation, 'partial'); // the trust anchor's CRL covers the CA, nothing covers the end entity
    assert.ok(dflt.path.reasons.some((r) => r.code === 'revocation-unknown' && r.kind === 'not-checked' && r.certIndex === 0));
    const req = await one('4.4.1', { revocation: 'require' });
    assert.equal(req.path.outcome, 'invalid');
    assert.ok(req.path.reasons.some((r) => r.code === 'revocation-unknown' && r.kind === 'failure'));
  });

  test('PKITS revocation modes: a revoked end entity (4.4.3) is invalid by default, and only revocation off ignores the CRL', async () => {
    const dflt = await one('4.4.3', {});
    assert.equal(dflt.path.outcome, 'invalid');
    assert.ok(dflt.path.reasons.some((r) => r.code === 'revoked' && r.certIndex === 0));
    const off = await one('4.4.3', { revocation: 'off' });
    assert.equal(off.path.outcome, 'trusted');
    assert.equal(off.path.revocation, 'off');
  });

  test('PKITS 4.1.5: DSA parameters inherited from the issuer (RFC 5280 6.1.4 (f)) check, and SHA-1 / DSA-1024 are listed as weak', async () => {
    const s = await one('4.1.5', { revocation: 'require' });
    assert.equal(s.signatureValid, true);
    assert.equal(s.path.outcome, 'trusted');
    assert.equal(s.path.certs[0]!.keyType, 'DSA');
    assert.ok(s.path.weak.includes('SHA-1'));
    assert.equal(s.path.validationTimeSource, 'signing-time');
  });

  test('PKITS 4.6.5 with revocation off: pathLenConstraint violated names the certificate (index 1, the sub-CA)', async () => {
    const s = await one('4.6.5', { revocation: 'off' });
    assert.equal(s.path.outcome, 'invalid');
    assert.deepEqual(s.path.reasons.filter((r) => r.kind === 'failure').map((r) => [r.code, r.certIndex]), [['path-length-exceeded', 1]]);
  });

  test('PKITS 4.8-4.12 under non-default policy inputs agree with OpenSSL verify -policy_check (revocation off on both sides)', async () => {
    const NIST1 = '2.16.840.1.101.3.2.1.48.1';
    const NIST2 = '2.16.840.1.101.3.2.1.48.2';
    const settings: { name: string; policy: PolicyInputs; flags: string[] }[] = [
      { name: 'explicit, {NIST-test-policy-1}', policy: { initialExplicitPolicy: true, userInitialPolicySet: [NIST1] }, flags: ['-explicit_policy', '-policy', NIST1] },
      { name: 'explicit, {NIST-test-policy-2}', policy: { initialExplicitPolicy: true, userInitialPolicySet: [NIST2] }, flags: ['-explicit_policy', '-policy', NIST2] },
      { name: 'mapping and anyPolicy inhibited, explicit', policy: { initialExplicitPolicy: true, initialPolicyMappingInhibit: true, initialAnyPolicyInhibit: true }, flags: ['-explicit_policy', '-inhibit_map', '-inhibit_any', '-policy', '2.5.29.32.0'] },
    ];
    const tmp = mkdtempSync(join(tmpdir(), 'smime-bridge-pkits-'));
    try {
      const pem = (f: string) => execFileSync('openssl', ['x509', '-inform', 'DER', '-in', ROOT + f]).toString();
      writeFileSync(join(tmp, 'ta.pem'), pem(manifest.trustAnchor));
      const disagree: string[] = [];
      let runs = 0;
      for (const e of manifest.entries.filter((x) => x.policyDependent)) {
        const ee = e.embeddedCerts.find((c) => /EE\.crt$/.test(c))!;
        writeFileSync(join(tmp, 'ee.pem'), pem(ee));
        const others = e.embeddedCerts.filter((c) => c !== ee);
        writeFileSync(join(tmp, 'untrusted.pem'), others.map(pem).join(''));
        for (const st of settings) {
          let theirs = true;
          try {
            execFileSync('openssl', ['verify', '-x509_strict', '-policy_check', ...st.flags, '-CAfile', join(tmp, 'ta.pem'), ...(others.length ? ['-untrusted', join(tmp, 'untrusted.pem')] : []), '-attime', '1577836800', join(tmp, 'ee.pem')], { stdio: 'pipe' });
          } catch {
            theirs = false;
          }
          const s = await one(e.section, { revocation: 'off', policy: st.policy });
          const ours = s.path.outcome === 'trusted';
          runs++;
          if (ours !== theirs) disagree.push(`${e.section} [${st.name}]: OpenSSL ${theirs ? 'valid' : 'invalid'}, ours ${s.path.outcome} ${s.path.reasons.map((r) => r.code).join(',')}`);
        }
      }
      assert.equal(runs, 63 * settings.length);
      assert.deepEqual(disagree, []);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}
