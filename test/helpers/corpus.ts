/**
 * Test access to the shared corpus (../shared/corpus, read-only) and its MANIFEST.json, whose
 * expectations were computed with OpenSSL and olefile, never by smime-bridge.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CORPUS_DIR = join('..', 'shared', 'corpus');

export interface ManifestEntry {
  path: string;
  set: string;
  format: 'eml' | 'mbox' | 'msg';
  mediaType: string | null;
  smimeClass: 'clear-signed' | 'opaque-or-encrypted' | 'none';
  cmsType: string | null;
  smimeTypeParam: string | null;
  messageClass?: string;
  attachmentCount?: number;
  firstAttachment?: { mimeTag: string | null; filename: string | null; longFilename: string | null; attachMethod: number | null; dataBinarySize: number | null };
  micalg?: string;
  signatureOnly?: string;
  verify?: string;
  decrypt?: string;
  innerMediaType?: string | null;
  subject?: string | null;
  from?: string | null;
  lineEndings?: string;
  notes: string[];
}

export interface Manifest {
  keys: Record<string, Record<string, string | null>>;
  caFiles: Record<string, { trust: string[]; untrusted: string[]; identities: string[] }>;
  entries: ManifestEntry[];
}

let cached: Manifest | undefined;
/** The parsed MANIFEST.json. */
export function manifest(): Manifest {
  cached ??= JSON.parse(readFileSync(join(CORPUS_DIR, 'MANIFEST.json'), 'utf8')) as Manifest;
  return cached;
}

/** Absolute-enough path of a corpus file (relative to the repo root, where tests run). */
export function corpusPath(rel: string): string {
  return join(CORPUS_DIR, rel);
}

/** A corpus file's bytes; for mbox files the leading `From ` line is dropped (RFC 4155). */
export function readCorpus(e: Pick<ManifestEntry, 'path' | 'format'>): Uint8Array {
  const bytes = new Uint8Array(readFileSync(corpusPath(e.path)));
  if (e.format === 'mbox' && bytes[0] === 0x46 && new TextDecoder().decode(bytes.subarray(0, 5)) === 'From ') {
    return bytes.subarray(bytes.indexOf(0x0a) + 1);
  }
  return bytes;
}

/** The key files and password named by an entry's `decrypt` field (`ok with A.p12, B.p12#alias, C.key`). */
export function decryptKeyFor(e: ManifestEntry): { path: string; password: string | null } | undefined {
  if (!e.decrypt?.startsWith('ok with ')) return undefined;
  const first = e.decrypt.slice('ok with '.length).split(', ').map((s) => s.trim()).find((s) => !s.includes('#'));
  if (!first) return undefined;
  return { path: first, password: manifest().keys[e.set]?.[first] ?? null };
}
