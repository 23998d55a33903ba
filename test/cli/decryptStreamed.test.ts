/**
 * `decrypt` of large messages decrypted as they are read (src/cli/commands/decryptStreamed.ts,
 * issue 14 item 3) against the whole-message path (SMIME_BRIDGE_NO_STREAM=1) and OpenSSL: the
 * same output bytes, the same verdict, the same exit code and error for every input, whichever
 * path took it; the plaintext is what `openssl cms -decrypt` gives. `-v` says when the one-pass
 * path was taken, so each case also proves which path ran.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openssl, tempDir } from '../helpers/openssl.js';

const bin = fileURLToPath(new URL('../../cli/smime-bridge.cjs', import.meta.url));
const t = tempDir('smime-bridge-stream-');
after(() => t.cleanup());
const BOB = ['--key', 'samples/keys/bob.key', '--cert', 'samples/keys/bob.pem'];
const ONE_PASS = /read and decrypted in one pass/;

/** A MIME entity of about `mb` megabytes: text and a base64 attachment of random bytes. */
function content(mb: number): Uint8Array {
  const data = randomBytes(mb * 1024 * 1024).toString('base64').replace(/.{76}/g, '$&\r\n');
  return new TextEncoder().encode(
    'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nthe figures\r\n' +
    `--b1\r\nContent-Type: application/octet-stream; name="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${data}\r\n--b1--\r\n`);
}

/** openssl cms -encrypt for Bob, with the envelope fields of a mail. */
function encrypt(entity: Uint8Array, args: string[] = ['-aes256']): Uint8Array {
  const r = openssl(['cms', '-encrypt', ...args, '-from', 'alice@example.org', '-to', 'bob@example.org', '-subject', 'figures', 'samples/keys/bob.pem'], entity);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function decrypt(input: string, out: string, env: Record<string, string> = {}, extra: string[] = []) {
  const r = spawnSync(process.execPath, [bin, 'decrypt', input, ...BOB, '-o', out, '-v', ...extra], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Decrypt `bytes` both ways; assert the same exit code, output bytes and report; returns the one-pass run. */
function bothWays(name: string, bytes: Uint8Array, extra: string[] = []) {
  const input = t.file(name, bytes);
  const a = decrypt(input, t.file(`${name}.stream.eml`), {}, extra);
  const b = decrypt(input, t.file(`${name}.whole.eml`), { SMIME_BRIDGE_NO_STREAM: '1' }, extra);
  assert.equal(a.status, b.status, `${name}: exit codes differ\n${a.stderr}\n${b.stderr}`);
  const strip = (s: string) => s.replace(/^.*read and decrypted in one pass.*\n/m, '').replace(/\.(stream|whole)\.eml/g, '.OUT.eml');
  assert.equal(strip(a.stdout), strip(b.stdout), `${name}: reports differ`);
  assert.equal(strip(a.stderr), strip(b.stderr), `${name}: errors differ`);
  const sa = existsSync(`${input}.stream.eml`) ? readFileSync(`${input}.stream.eml`) : undefined;
  const sb = existsSync(`${input}.whole.eml`) ? readFileSync(`${input}.whole.eml`) : undefined;
  assert.equal(sa?.length, sb?.length, `${name}: output sizes differ`);
  assert.ok(!sa || sa.equals(sb!), `${name}: outputs differ`);
  return { ...a, out: sa };
}

/** The plaintext as OpenSSL decrypts it. */
function opensslPlain(input: Uint8Array): Buffer {
  const r = openssl(['cms', '-decrypt', '-inkey', 'samples/keys/bob.key', '-recip', 'samples/keys/bob.pem'], input);
  assert.equal(r.status, 0, r.stderr);
  return Buffer.from(r.stdout);
}

test('AES-256-CBC, definite length: one pass; output = envelope + the plaintext OpenSSL gives', () => {
  const entity = content(5);
  const enc = encrypt(entity);
  const r = bothWays('aes256.eml', enc);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, ONE_PASS);
  assert.match(r.stdout, /verdict: UNSIGNED/);
  const plain = opensslPlain(enc);
  assert.ok(r.out!.subarray(r.out!.length - plain.length).equals(plain), 'the plaintext is OpenSSL\'s');
  assert.match(r.out!.subarray(0, 200).toString('latin1'), /^To: bob@example.org\r?\nFrom: alice@example.org\r?\nSubject: figures\r?\nMIME-Version: 1.0\r?\n/);
});

test('indefinite-length BER (openssl -stream: a constructed OCTET STRING of segments) and DES-EDE3-CBC: one pass, same bytes', () => {
  for (const [name, args] of [['stream.eml', ['-aes128', '-stream']], ['des3.eml', ['-des3']]] as const) {
    const enc = encrypt(content(5), [...args]);
    const r = bothWays(name, enc);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, ONE_PASS, name);
    const plain = opensslPlain(enc);
    assert.ok(r.out!.subarray(r.out!.length - plain.length).equals(plain), name);
  }
});

test('what the one-pass path does not take goes the whole-message way, with the same result', () => {
  // signed inside: the signature must be verified, so the whole message is read
  const signed = openssl(['cms', '-sign', '-signer', 'samples/keys/alice.pem', '-inkey', 'samples/keys/alice.key'], content(5));
  assert.equal(signed.status, 0, signed.stderr);
  let r = bothWays('signed-inside.eml', encrypt(signed.stdout), ['--ca', 'samples/keys/ca.pem']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, ONE_PASS);
  assert.match(r.stdout, /verdict: VALID/);
  // base64 lines of varying length
  const enc = new TextDecoder('latin1').decode(encrypt(content(5)));
  const [head, body] = [enc.slice(0, enc.indexOf('\n\n') + 2), enc.slice(enc.indexOf('\n\n') + 2).replace(/\n/g, '')];
  const ragged = head + body.replace(/.{1,90}/g, (m) => `${m.slice(0, 40 + (m.length % 37))}\n${m.slice(40 + (m.length % 37))}\n`).replace(/\n\n/g, '\n');
  r = bothWays('ragged.eml', new TextEncoder().encode(ragged));
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, ONE_PASS);
  // a small message
  r = bothWays('small.eml', encrypt(content(1)));
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, ONE_PASS);
});

test('failures: a wrong key, a damaged last block, bytes after the structure: same exit code and error, and no output', () => {
  const enc = encrypt(content(5));
  // wrong key: Alice's key with her certificate is not a recipient
  const r1 = decrypt(t.file("wrong.eml", enc), t.file("wrong.out.eml"), {}, ['--key', 'samples/keys/alice.key', '--cert', 'samples/keys/alice.pem']);
  const w = decrypt(t.file('wrong.eml', enc), t.file('wrong.out2.eml'), { SMIME_BRIDGE_NO_STREAM: '1' }, ['--key', 'samples/keys/alice.key', '--cert', 'samples/keys/alice.pem']);
  assert.notEqual(r1.status, 0);
  assert.equal(r1.status, w.status);
  assert.equal(r1.stderr.replace('out2', 'out'), w.stderr.replace('out2', 'out'));
  let r;
  // the DER with its last ciphertext block changed (CBC padding then fails) and with bytes appended
  const text = new TextDecoder('latin1').decode(enc);
  const split = text.indexOf('\n\n') + 2;
  const der = Buffer.from(text.slice(split), 'base64');
  const rewrap = (d: Buffer) => new TextEncoder().encode(text.slice(0, split) + d.toString('base64').replace(/.{64}/g, '$&\n') + '\n');
  const damaged = Buffer.from(der);
  damaged[damaged.length - 1] ^= 0x55;
  for (const [name, bytes] of [['damaged.eml', rewrap(damaged)], ['appended.eml', rewrap(Buffer.concat([der, Buffer.from([0x05, 0x00])]))]] as const) {
    r = bothWays(name, bytes);
    assert.notEqual(r.status, 0, `${name} must fail`);
    assert.equal(r.out, undefined, `${name}: nothing written`);
  }
  // an existing output without --force: refused before any work, both ways
  writeFileSync(t.file('exists.eml.stream.eml'), 'x');
  writeFileSync(t.file('exists.eml.whole.eml'), 'x');
  r = bothWays('exists.eml', enc);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /exists/);
});
