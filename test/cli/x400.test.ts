/**
 * `smime-bridge x400 ...` end to end (issue 5 item 5): .eml -> P1 / IPM -> .eml keeps the CMS
 * bytes and OpenSSL still verifies or decrypts; every BER file passes Wireshark's X.411/X.420
 * dissectors (../shared/tools/x400/check-ber.sh).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { decrypt, openssl, tempDir, verifySignatureOnly } from '../helpers/openssl.js';
import { derOf } from '../helpers/pki.js';
import { parseMime } from '../../src/mime/parse.js';
import { decodeBody } from '../../src/mime/encoding.js';

const t = tempDir('smime-bridge-x400-cli-');
let env: NodeJS.ProcessEnv;
before(() => {
  // Wireshark decodes base64 MIME parts with this preference, so the CMS signature of a
  // MIME-wrapped multipart/signed is dissected too (a stricter check).
  const dir = join(t.dir, 'wireshark');
  mkdirSync(dir);
  writeFileSync(join(dir, 'preferences'), 'mime_multipart.remove_base64_encoding: TRUE\n');
  env = { ...process.env, WIRESHARK_CONFIG_DIR: dir };
});
after(() => t.cleanup());

function checkBer(file: string, kind: 'p1' | 'p22'): void {
  const r = spawnSync('bash', ['../shared/tools/x400/check-ber.sh', file, kind], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, `${file}: ${r.stdout}${r.stderr}`);
}
const read = (p: string) => new Uint8Array(readFileSync(p));
const out = (n: string) => join(t.dir, n);

test('x400 wrap: bare CMS by default (id-ct-contentInfo), MIME entity with --mime-wrapper (id-data); Wireshark decodes both', () => {
  for (const [src, args, name, oid] of [
    ['samples/encrypted.eml', [], 'enc.p1', '1.2.840.113549.1.9.16.1.6'],
    ['samples/encrypted.eml', ['--mime-wrapper'], 'enc-wrapped.p1', '1.2.840.113549.1.7.1'],
    ['samples/opaque-signed.eml', [], 'opaque.p1', '1.2.840.113549.1.9.16.1.6'],
    ['samples/clear-signed.eml', [], 'clear.p1', '1.2.840.113549.1.7.1'],
  ] as const) {
    const r = runCli(['x400', 'wrap', src, '-o', out(name), ...args]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(oid), `${name}: ${r.stdout}`);
    checkBer(out(name), 'p1');
  }
});

test('x400 wrap -> unwrap: CMS bytes identical; OpenSSL decrypts and verifies the .eml that comes back', () => {
  assert.equal(runCli(['x400', 'unwrap', out('enc.p1'), '-o', out('enc.back.eml')]).status, 0);
  assert.deepEqual(derOf(read(out('enc.back.eml'))), derOf(read('samples/encrypted.eml')));
  assert.ok(decrypt(read(out('enc.back.eml')), 'samples/keys/bob.key').ok);
  assert.equal(runCli(['x400', 'unwrap', out('clear.p1'), '-o', out('clear.back.eml')]).status, 0);
  const v = verifySignatureOnly(read(out('clear.back.eml')));
  assert.ok(v.ok, v.stderr);
  assert.equal(runCli(['x400', 'unwrap', out('enc-wrapped.p1'), '-o', out('ew.p7m')]).status, 0);
  assert.deepEqual(read(out('ew.p7m')), decodeBody(parseMime(read('samples/encrypted.eml')).root));
});

test('x400 forward: IPM alone and inside P1 (built-in 22); Wireshark decodes them; unwrap to .msg keeps the CMS bytes', () => {
  let r = runCli(['x400', 'forward', 'samples/opaque-signed.eml', '-o', out('fwd.ipm')]);
  assert.equal(r.status, 0, r.stderr);
  checkBer(out('fwd.ipm'), 'p22');
  r = runCli(['x400', 'forward', 'samples/encrypted.eml', '-o', out('fwd.p1'), '--originator', 'C=GB;A= ;P=Example;O=Org;S=Alice', '--recipient', 'C=GB;A= ;P=Example;O=Org;S=Bob']);
  assert.equal(r.status, 0, r.stderr);
  checkBer(out('fwd.p1'), 'p1');
  r = runCli(['x400', 'unwrap', out('fwd.ipm'), '-o', out('fwd.back.eml')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(out('fwd.back.eml'), 'latin1'), /^Subject: Quarterly figures \(opaque-signed\)\r$/m, 'subject from the IPM heading');
  assert.ok(verifySignatureOnly(read(out('fwd.back.eml'))).ok);
  r = runCli(['x400', 'unwrap', out('fwd.p1'), '-o', out('fwd.back.msg')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(runCli(['convert', out('fwd.back.msg'), out('fwd.back2.eml')]).status, 0);
  assert.deepEqual(derOf(read(out('fwd.back2.eml'))), derOf(read('samples/encrypted.eml')));
});

test('x400 from a .msg and from a bare .p7m (DER and PEM)', () => {
  assert.equal(runCli(['convert', 'samples/encrypted.eml', out('enc.msg')]).status, 0);
  assert.equal(runCli(['x400', 'wrap', out('enc.msg'), '-o', out('from-msg.p1')]).status, 0);
  checkBer(out('from-msg.p1'), 'p1');
  const der = derOf(read('samples/opaque-signed.eml'));
  writeFileSync(out('bare.p7m'), der);
  let r = runCli(['x400', 'wrap', out('bare.p7m'), '-o', out('bare.p1'), '--originator', 'C=GB;A= ;P=Example;O=Org;S=Alice', '--recipient', 'C=GB;A= ;P=Example;O=Org;S=Bob']);
  assert.equal(r.status, 0, r.stderr);
  checkBer(out('bare.p1'), 'p1');
  const pem = openssl(['cms', '-cmsout', '-inform', 'DER', '-outform', 'PEM'], der).stdout;
  writeFileSync(out('bare.pem'), pem);
  r = runCli(['x400', 'wrap', out('bare.pem'), '-o', out('bare-pem.p1'), '--originator', 'C=GB;A= ;P=Example;O=Org;S=Alice', '--recipient', 'C=GB;A= ;P=Example;O=Org;S=Bob']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(runCli(['x400', 'unwrap', out('bare-pem.p1'), '-o', out('bare.back.p7m')]).status, 0);
  assert.deepEqual(read(out('bare.back.p7m')), der);
});

test('inspect on BER files shows envelope, heading and the CMS objects; bad input is a typed error', () => {
  const r = runCli(['inspect', out('fwd.p1')]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(JSON.stringify(j).includes('1.2.840.113549.1.9.16.1.6'));
  const broken = read(out('fwd.p1')).subarray(0, 200);
  writeFileSync(out('broken.p1'), broken);
  const b = runCli(['x400', 'unwrap', out('broken.p1'), '-o', out('x.eml')]);
  assert.equal(b.status, 1);
  assert.match(b.stderr, /X400_BER_(TRUNCATED|MALFORMED)/);
  assert.equal(runCli(['x400', 'wrap', 'samples/plain.eml', '-o', out('plain.p1')]).status, 1, 'a message that is not S/MIME is rejected');
  assert.equal(runCli(['x400', 'bogus', 'x']).status, 2);
});

test('corpus: every signed/encrypted message goes .eml -> P1 (bare CMS, wrapper removed) -> .eml and .eml -> IPM forward -> .eml; CMS identical, OpenSSL verdict unchanged', async () => {
  const { x400Source } = await import('../../src/cli/commands/x400.js');
  const { encodeP1Message, encodeIpmForward, findCmsObjects, toInternetMessage, orNameFromRfc822 } = await import('../../src/x400/index.js');
  const { manifest, readCorpus, decryptKeyFor } = await import('../helpers/corpus.js');
  const { identityPem, decryptDer, setCertfile } = await import('../helpers/openssl.js');
  const entries = manifest().entries.filter((e) => (e.format === 'eml' || e.format === 'mbox') && e.smimeClass === 'opaque-or-encrypted'
    && (e.signatureOnly === 'ok' || e.decrypt?.startsWith('ok')));
  assert.ok(entries.length > 40);
  const wrong: string[] = [];
  const who = [orNameFromRfc822('a@example.org')];
  for (const e of entries) {
    const original = readCorpus(e);
    const der = decodeBody(parseMime(original).root);
    const src = x400Source(`${e.path}.eml`, original, false);
    const p1 = encodeP1Message({ content: src.content, contentType: src.contentType, originator: who[0]!, recipients: who });
    const ipm = encodeIpmForward({ cms: src.content, contentType: src.contentType, subject: 'x', originator: who[0]!, recipients: who });
    for (const [via, ber] of [['P1', p1], ['IPM', ipm]] as const) {
      const found = findCmsObjects(ber);
      if (found.length !== 1) { wrong.push(`${e.path} via ${via}: ${found.length} CMS objects`); continue; }
      const back = toInternetMessage(found[0]!);
      const backDer = decodeBody(parseMime(back).root);
      if (backDer.length !== der.length || !backDer.every((b, i) => b === der[i])) { wrong.push(`${e.path} via ${via}: CMS bytes differ`); continue; }
      if (e.signatureOnly === 'ok') {
        const ca = manifest().caFiles[e.set];
        const certfile = ca ? setCertfile(e.set, [...ca.trust, ...ca.untrusted]) : undefined;
        const v = verifySignatureOnly(back, { certfile });
        if (!v.ok) wrong.push(`${e.path} via ${via}: openssl verify: ${v.stderr.split('\n')[0]}`);
      } else {
        const k = decryptKeyFor(e)!;
        const d = decryptDer(backDer, identityPem(k.path, k.password));
        if (!d.ok) wrong.push(`${e.path} via ${via}: openssl decrypt: ${d.stderr.split('\n')[0]}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('issue 11 defect 9: x400 wrap --mime-wrapper of an LF (and mixed) clear-signed message carries CRLF; Wireshark decodes it and OpenSSL verifies what comes back', () => {
  const crlf = read('samples/clear-signed.eml');
  const text = new TextDecoder('latin1').decode(crlf);
  const lf = Uint8Array.from(text.replace(/\r\n/g, '\n'), (c) => c.charCodeAt(0));
  // mixed: the header block with LF, the rest as it was (CRLF)
  const split = text.indexOf('\r\n\r\n');
  const mixed = Uint8Array.from(text.slice(0, split).replace(/\r\n/g, '\n') + text.slice(split), (c) => c.charCodeAt(0));
  for (const [name, bytes] of [['lf', lf], ['mixed', mixed]] as const) {
    const src = t.file(`clear-${name}.eml`, bytes);
    const r = runCli(['x400', 'wrap', src, '-o', out(`clear-${name}.p1`), '--mime-wrapper']);
    assert.equal(r.status, 0, r.stderr);
    checkBer(out(`clear-${name}.p1`), 'p1');
    assert.equal(runCli(['x400', 'unwrap', out(`clear-${name}.p1`), '-o', out(`clear-${name}.back.eml`)]).status, 0);
    const back = readFileSync(out(`clear-${name}.back.eml`), 'latin1');
    // RFC 8551 3.1.1: the canonical form, CRLF line ends throughout
    assert.equal((back.match(/(?<!\r)\n/g) ?? []).length, 0, `${name}: bare LF in the X.400 content`);
    const v = verifySignatureOnly(read(out(`clear-${name}.back.eml`)));
    assert.ok(v.ok, v.stderr);
  }
});
