/** Seed inputs shared by several targets: corpus files, the CMS objects inside them, a fixed key. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMime } from '../../src/mime/parse.js';
import { decodeBody } from '../../src/mime/encoding.js';
import type { MimeEntity } from '../../src/mime/types.js';
import { loadPkcs12, type Pkcs12Contents } from '../../src/cms/keys.js';
import { corpusFiles, repoRoot, sharedCorpus } from '../engine/target.js';

let emls: Uint8Array[] | undefined;
/** Every .eml of the shared corpus and of samples/. */
export function emlSeeds(): Uint8Array[] {
  emls ??= [...corpusFiles(sharedCorpus, /\.(eml|multipart|opaque|env|mismatch-econtent)$/i, 400, 1 << 20), ...corpusFiles(join(repoRoot, 'samples'), /\.eml$/)];
  return emls;
}

/** Every .msg of the shared corpus (up to 1 MiB each). */
export function msgSeeds(): Uint8Array[] {
  return corpusFiles(sharedCorpus, /\.msg$/i, 200, 1 << 20);
}

function walk(e: MimeEntity, out: Uint8Array[]): void {
  const t = e.contentType.value;
  if (/^application\/(x-)?pkcs7-(mime|signature)$/.test(t)) {
    try { out.push(decodeBody(e)); } catch { /* not decodable: skip */ }
  }
  for (const c of e.children ?? []) walk(c, out);
}

let cms: Uint8Array[] | undefined;
/** The DER/BER CMS objects inside the corpus messages (signatures, opaque-signed, enveloped). */
export function cmsSeeds(): Uint8Array[] {
  if (cms) return cms;
  const out: Uint8Array[] = [];
  for (const m of emlSeeds()) {
    try { walk(parseMime(m).root, out); } catch { /* a bad seed: skip */ }
  }
  out.push(...corpusFiles(sharedCorpus, /\.(p7m|p7s|der)$/i, 50, 1 << 20));
  cms = out;
  return out;
}

let alice: Promise<Pkcs12Contents> | undefined;
/** The fixed decryption key: Thunderbird's test user Alice (password "nss", listed in the corpus MANIFEST). */
export function fixedKey(): Promise<Pkcs12Contents> {
  alice ??= loadPkcs12(new Uint8Array(readFileSync(join(sharedCorpus, 'thunderbird-smime/mailnews/test/data/smime/Alice.p12'))), 'nss');
  return alice;
}
