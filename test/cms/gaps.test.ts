/**
 * Issue 10 item 5, crypto gaps against other implementations. Every vector is made by OpenSSL or
 * gpgsm in the test and accepted by OpenSSL (the oracle) before we are asked to read it:
 * kari with every RFC 5753 / SEC 1 KDF hash OpenSSL offers (standard and cofactor ECDH), AES and
 * Triple-DES key wrap (RFC 3217; OpenSSL writes its AlgorithmIdentifier with a NULL parameter,
 * which enters the KDF's SharedInfo), precise errors for what we cannot use, PKCS#12 with an empty
 * password (openssl -legacy, OpenSSL 3 default, gpgsm --export-secret-key-p12) and PEM/base64 armour.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { decryptEnvelopedData, loadPkcs12, loadPrivateKey } from '../../src/cms/index.js';
import type { PrivateKey } from '../../src/cms/index.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { MIME_CRLF, type Pki, makePki, openssl, opensslOk, u8 } from './helpers.js';

let pki: Pki;
let ecKey: PrivateKey;
before(async () => {
  pki = makePki();
  ecKey = await loadPrivateKey(pki.ec.keyPem);
});
after(() => pki.cleanup());

const f = (name: string, b?: Uint8Array | string) => {
  const p = join(pki.dir, name);
  if (b !== undefined) writeFileSync(p, b);
  return p;
};

function osslEcEncrypt(args: string[], keyopts: string[]): Uint8Array {
  const recip = ['-recip', pki.ec.cert, ...keyopts.flatMap((k) => ['-keyopt', k])];
  return u8(openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', f('plain.bin', MIME_CRLF), ...args, ...recip]));
}

function osslDecrypts(der: Uint8Array): boolean {
  const r = opensslOk(['cms', '-decrypt', '-inform', 'DER', '-inkey', pki.ec.key, '-in', f('ct.der', der)]);
  return r.ok && Buffer.from(r.out).equals(Buffer.from(MIME_CRLF));
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof SmimeBridgeError, `not a SmimeBridgeError: ${String(e)}`);
    return e.code;
  }
}

describe('kari: every KDF hash, standard and cofactor ECDH, AES and 3DES key wrap', () => {
  for (const md of ['sha1', 'sha224', 'sha256', 'sha384', 'sha512']) {
    for (const cofactor of ['0', '1']) {
      for (const wrap of ['aes128-wrap', 'aes256-wrap', 'des3-wrap']) {
        test(`ecdh_kdf_md:${md}, cofactor mode ${cofactor}, -wrap ${wrap}`, async () => {
          const der = osslEcEncrypt(['-aes128', '-wrap', wrap], [`ecdh_kdf_md:${md}`, `ecdh_cofactor_mode:${cofactor}`]);
          assert.ok(osslDecrypts(der), 'OpenSSL decrypts its own vector');
          if (wrap === 'des3-wrap') {
            // RFC 3370 4.3.1: the 3DES wrap AlgorithmIdentifier carries NULL, and it is in the SharedInfo
            const dump = openssl(['asn1parse', '-inform', 'DER', '-in', f('ct.der', der)]).toString();
            assert.match(dump, /id-smime-alg-CMS3DESwrap\n.*prim: NULL/);
          }
          assert.deepEqual(await decryptEnvelopedData(der, { key: ecKey, cert: u8(openssl(['x509', '-in', pki.ec.cert, '-outform', 'DER'])) }), MIME_CRLF);
        });
      }
    }
  }
  test('3DES key wrap of a 3DES content key (RFC 3217 proper: 24-byte CEK, 40-byte wrapped key)', async () => {
    const der = osslEcEncrypt(['-des3', '-wrap', 'des3-wrap'], ['ecdh_kdf_md:sha256']);
    assert.ok(osslDecrypts(der));
    assert.deepEqual(await decryptEnvelopedData(der, { key: ecKey }), MIME_CRLF);
  });
});

/** Replace the first occurrence of `from` (hex) with `to` (hex, same length) in `der`. */
function patch(der: Uint8Array, from: string, to: string): Uint8Array {
  const h = Buffer.from(der).toString('hex');
  const i = h.indexOf(from);
  assert.ok(i >= 0 && i % 2 === 0, `${from} not found`);
  return u8(Buffer.from(h.slice(0, i) + to + h.slice(i + from.length), 'hex'));
}

describe('what we cannot use is a precise error, never CMS_DECRYPT_FAILED', () => {
  test('an unknown key-wrap algorithm (id-aes128-wrap changed to id-aes128-GCM) is CMS_UNSUPPORTED_ALGORITHM', async () => {
    const der = osslEcEncrypt(['-aes128', '-wrap', 'aes128-wrap'], []);
    const bad = patch(der, '0609608648016503040105', '0609608648016503040106');
    assert.equal(opensslOk(['cms', '-decrypt', '-inform', 'DER', '-inkey', pki.ec.key, '-in', f('bad.der', bad)]).ok, false, 'OpenSSL refuses it too');
    assert.equal(await code(decryptEnvelopedData(bad, { key: ecKey })), 'CMS_UNSUPPORTED_ALGORITHM');
  });
  test('an unknown KDF scheme (dhSinglePass-stdDH-sha256kdf changed to an unassigned arc) is CMS_UNSUPPORTED_ALGORITHM', async () => {
    const der = osslEcEncrypt(['-aes128'], ['ecdh_kdf_md:sha256']);
    const bad = patch(der, '06062b8104010b01', '06062b8104010b09');
    assert.equal(await code(decryptEnvelopedData(bad, { key: ecKey })), 'CMS_UNSUPPORTED_ALGORITHM');
  });
  test('an ephemeral key that is not on the curve is CMS_MALFORMED naming the originator key', async () => {
    const der = osslEcEncrypt(['-aes128'], []);
    const h = Buffer.from(der).toString('hex');
    const at = h.indexOf('034200' + '04'); // BIT STRING of the uncompressed P-256 point
    assert.ok(at > 0);
    const bad = u8(Buffer.from(h.slice(0, at + 10) + 'ff'.repeat(32) + h.slice(at + 10 + 64), 'hex'));
    const err = await decryptEnvelopedData(bad, { key: ecKey }).catch((e: unknown) => e);
    assert.ok(err instanceof SmimeBridgeError && err.code === 'CMS_MALFORMED', String(err));
    assert.match(err.message, /ephemeral public key/);
  });
});

describe('PKCS#12 with an empty password (RFC 7292 B.1: two encodings in the wild) and armoured PKCS#12', () => {
  const exportP12 = (name: string, extra: string[]) => {
    const out = f(name);
    openssl(['pkcs12', '-export', '-in', pki.rsa.cert, '-inkey', pki.rsa.key, '-certfile', pki.caPem, '-passout', 'pass:', '-out', out, ...extra]);
    // the oracle: OpenSSL reads it back with the empty password
    openssl(['pkcs12', '-in', out, '-passin', 'pass:', '-nodes', '-out', f(name + '.pem'), ...(extra.includes('-legacy') ? ['-legacy'] : [])]);
    return u8(readFileSync(out));
  };
  const expectRsa = async (p12: Uint8Array | string) => {
    const r = await loadPkcs12(p12, '');
    assert.equal(r.key.type, 'rsa');
    assert.equal(r.chain.length, 1);
    const want = await loadPrivateKey(pki.rsa.keyPem);
    assert.equal(r.key.rsa!.n, want.rsa!.n);
  };
  test('openssl pkcs12 -export -legacy -passout pass: (RC2-40 certificates, 3DES key, SHA-1 MAC): MAC and decryption', async () => {
    await expectRsa(exportP12('legacy.p12', ['-legacy']));
  });
  test('openssl pkcs12 -export -passout pass: (OpenSSL 3 default: PBES2 AES-256-CBC, SHA-256 MAC)', async () => {
    await expectRsa(exportP12('default.p12', []));
  });
  test('gpgsm --export-secret-key-p12 with an empty passphrase (GnuPG minip12)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'smime-bridge-gnupg-'));
    try {
      writeFileSync(join(home, 'gpg-agent.conf'), 'allow-loopback-pinentry\n');
      const gpgsm = (args: string[], input: string) =>
        execFileSync('gpgsm', ['--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', ...args], { env: { ...process.env, GNUPGHOME: home }, input, stdio: ['pipe', 'pipe', 'pipe'] });
      // gpgsm 2.2 reads only the legacy PKCS#12 schemes
      const legacy = f('forgpg.p12');
      openssl(['pkcs12', '-export', '-legacy', '-in', pki.rsa.cert, '-inkey', pki.rsa.key, '-passout', 'pass:', '-out', legacy]);
      gpgsm(['--import', legacy], '\n\n\n');
      const out = f('gnupg.p12');
      gpgsm(['--export-secret-key-p12', '-o', out, 'rsauser@example.com'], '\n\n\n');
      openssl(['pkcs12', '-in', out, '-passin', 'pass:', '-nodes', '-legacy', '-out', f('gnupg.pem')]);
      const r = await loadPkcs12(u8(readFileSync(out)), '');
      assert.equal(r.key.rsa!.n, (await loadPrivateKey(pki.rsa.keyPem)).rsa!.n);
    } finally {
      try {
        execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: home }, stdio: 'pipe' });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }
  });
  test('a PEM-armoured PKCS#12 (-----BEGIN PKCS12-----) and bare base64 load, as text and as bytes', async () => {
    const der = exportP12('armour.p12', ['-legacy']);
    const b64 = openssl(['base64', '-in', f('armour.p12')]).toString('latin1');
    const pem = `-----BEGIN PKCS12-----\n${b64}-----END PKCS12-----\n`;
    await expectRsa(pem);
    await expectRsa(u8(Buffer.from(pem, 'latin1')));
    await expectRsa(u8(Buffer.from(b64, 'latin1')));
    await expectRsa(der);
  });
  test('a wrong password on an empty-password file is still CMS_BAD_PASSWORD', async () => {
    assert.equal(await code(loadPkcs12(exportP12('wrong.p12', ['-legacy']), 'nope')), 'CMS_BAD_PASSWORD');
  });
});

describe('kari with an AES key-wrap AlgorithmIdentifier carrying NULL (not what OpenSSL writes, but what some writers send)', () => {
  test('a vector built with node:crypto (ECDH, X9.63 KDF over SharedInfo with the NULL, AES-KW): OpenSSL decrypts it, and so do we', async () => {
    // skeleton: an OpenSSL ECDH message (SHA-256 KDF, id-aes128-wrap), whose kari and content we replace
    const der = osslEcEncrypt(['-aes128', '-wrap', 'aes128-wrap'], ['ecdh_kdf_md:sha256']);
    const ci = asn1js.fromBER(der).result as asn1js.Sequence;
    const ed = (ci.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
    const kari = ((ed.valueBlock.value[1] as asn1js.Set).valueBlock.value[0] as asn1js.Constructed).valueBlock.value;
    const origKey = ((kari[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Constructed).valueBlock.value;
    const kea = kari.find((x: asn1js.AsnType) => x instanceof asn1js.Sequence && x.valueBlock.value[0] instanceof asn1js.ObjectIdentifier) as asn1js.Sequence;
    const reks = kari[kari.length - 1] as asn1js.Sequence;
    const rek = reks.valueBlock.value[0] as asn1js.Sequence;
    const eci = ed.valueBlock.value[2] as asn1js.Sequence;
    // RFC 5753 7.2 SharedInfo with keyInfo = SEQUENCE { id-aes128-wrap, NULL }, suppPubInfo = 128 bits
    const wrapAlg = Buffer.from('300d0609608648016503040105' + '0500', 'hex');
    wrapAlg[1] = wrapAlg.length - 2;
    const suppPub = Buffer.from('a2060404' + '00000080', 'hex');
    const si = Buffer.concat([Buffer.from([0x30, wrapAlg.length + suppPub.length]), wrapAlg, suppPub]);
    const jwk = crypto.createPublicKey(pki.ec.certPem).export({ format: 'jwk' });
    const recipientPoint = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    const eph = crypto.createECDH('prime256v1');
    eph.generateKeys();
    const z = eph.computeSecret(recipientPoint);
    const kek = crypto.createHash('sha256').update(z).update(Buffer.from([0, 0, 0, 1])).update(si).digest().subarray(0, 16);
    const cek = crypto.randomBytes(16);
    const kw = crypto.createCipheriv('id-aes128-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
    const wrapped = Buffer.concat([kw.update(cek), kw.final()]);
    const iv = crypto.randomBytes(16);
    const c = crypto.createCipheriv('aes-128-cbc', cek, iv);
    const content = Buffer.concat([c.update(MIME_CRLF), c.final()]);
    const ab = (b: Buffer) => new Uint8Array(b).buffer as ArrayBuffer;
    origKey[1] = new asn1js.BitString({ valueHex: ab(eph.getPublicKey()) });
    kea.valueBlock.value[1] = asn1js.fromBER(ab(wrapAlg)).result;
    rek.valueBlock.value[1] = new asn1js.OctetString({ valueHex: ab(wrapped) });
    const alg = eci.valueBlock.value[1] as asn1js.Sequence;
    alg.valueBlock.value[1] = new asn1js.OctetString({ valueHex: ab(iv) });
    eci.valueBlock.value[2] = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: ab(content) });
    const vector = new Uint8Array(ci.toBER());
    assert.ok(osslDecrypts(vector), 'OpenSSL decrypts the vector (its SharedInfo uses the NULL as received)');
    assert.deepEqual(await decryptEnvelopedData(vector, { key: ecKey }), MIME_CRLF);
  });
});
