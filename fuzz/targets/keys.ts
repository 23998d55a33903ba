/** PKCS#12 (RFC 7292), PKCS#8 (RFC 5208/5958) and PEM (RFC 7468) key loading (src/cms/keys.ts). */
import { loadPkcs12, loadPrivateKey, loadCertificates, parsePem, privateKeyFromPkcs8 } from '../../src/cms/keys.js';
import { corpusFiles, latin1Text, sharedCorpus, repoRoot, type Target } from '../engine/target.js';
import { DER_DICTIONARY } from './cms.js';
import { join } from 'node:path';

const LIMITS = { maxIterations: 10000 };

export const pkcs12Target: Target = {
  name: 'pkcs12', description: 'loadPkcs12 (RFC 7292: PFX, MAC, bags, PBES1/PBES2)',
  maxLen: 64 * 1024, seeds: () => corpusFiles(sharedCorpus, /\.(p12|pfx|pkcs12)$/i), dictionary: DER_DICTIONARY, timeoutMs: 10000,
  run: (input) => loadPkcs12(input, input.length % 2 ? 'nss' : 'no.secret', LIMITS),
};

/** PKCS#8 DER: the DER bodies of the PEM keys of the corpus. */
function pkcs8Seeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of [...corpusFiles(sharedCorpus, /\.(pem|key)$/i), ...corpusFiles(join(repoRoot, 'samples/keys'), /\.key$/)]) {
    try { for (const b of parsePem(latin1Text(f))) if (/PRIVATE KEY/.test(b.label)) out.push(b.der); } catch { /* skip */ }
  }
  return out;
}

export const pkcs8Target: Target = {
  name: 'pkcs8', description: 'privateKeyFromPkcs8 and loadPrivateKey on DER (RFC 5208, 5958, 8017 A.1.2, 5915)',
  maxLen: 16 * 1024, seeds: pkcs8Seeds, dictionary: DER_DICTIONARY,
  async run(input) {
    if (input.length % 2) return privateKeyFromPkcs8(input);
    return loadPrivateKey(input, 'pw', LIMITS);
  },
};

export const pemTarget: Target = {
  name: 'pem', description: 'parsePem, loadCertificates and loadPrivateKey on PEM text (RFC 7468, RFC 1421 headers)',
  maxLen: 64 * 1024,
  seeds: () => [...corpusFiles(sharedCorpus, /\.(pem|key|crt|cnf)$/i), ...corpusFiles(join(repoRoot, 'samples/keys'), /./)],
  dictionary: ['-----BEGIN ', '-----END ', '-----', 'CERTIFICATE', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PKCS7',
    'Proc-Type: 4,ENCRYPTED\n', 'DEK-Info: AES-256-CBC,', 'DEK-Info: DES-EDE3-CBC,', '\n', '\r\n', '=', '==', 'MII', 'MIIE', '    ', '\t'],
  async run(input) {
    const text = latin1Text(input);
    parsePem(text);
    if (input.length % 2) return loadCertificates(text);
    return loadPrivateKey(text, 'pw', LIMITS);
  },
};
