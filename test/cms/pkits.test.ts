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
import { existsSync, readFileSync } from 'node:fs';
import { verifySignedData } from '../../src/cms/index.js';
import { parseMime } from '../../src/mime/parse.js';
import { decodeBody } from '../../src/mime/encoding.js';

const ROOT = '../shared/nist-pkits/';

interface Entry {
  file: string;
  section: string;
  name: string;
  expected: 'valid' | 'invalid';
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
}
