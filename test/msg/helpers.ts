/**
 * Shared helpers for the .msg tests: corpus manifest access, running external readers
 * (python3-olefile, msgconvert), temporary files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CORPUS = '../shared/corpus';

export interface ManifestEntry {
  path: string;
  format: string;
  messageClass?: string;
  subject?: string | null;
  attachmentCount?: number;
  firstAttachment?: {
    mimeTag: string | null;
    filename: string | null;
    longFilename: string | null;
    attachMethod: number | null;
    dataBinarySize: number | null;
  } | null;
}

/** The corpus .msg entries of ../shared/corpus/MANIFEST.json. */
export function msgEntries(): ManifestEntry[] {
  const m = JSON.parse(readFileSync(join(CORPUS, 'MANIFEST.json'), 'utf8')) as { entries: ManifestEntry[] };
  return m.entries.filter((e) => e.format === 'msg');
}

export function corpusBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(CORPUS, path)));
}

/** Run `fn` with a fresh temporary directory that is removed afterwards. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'smime-bridge-msg-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Write bytes to a temp file and run a python3 script on it (argv[1] = the file). Returns parsed JSON stdout. */
export function olefileJson(bytes: Uint8Array, script: string): unknown {
  return withTempDir((dir) => {
    const f = join(dir, 'x.msg');
    writeFileSync(f, bytes);
    const r = spawnSync('/usr/bin/python3', ['-c', `import olefile, json, sys\n${script}`, f], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  });
}

/** Convert a .msg with Debian's msgconvert; returns the .eml text. */
export function msgconvert(bytes: Uint8Array): string {
  return withTempDir((dir) => {
    const f = join(dir, 'x.msg');
    writeFileSync(f, bytes);
    const r = spawnSync('msgconvert', ['--outfile', join(dir, 'x.eml'), f], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`msgconvert failed: ${r.stderr}`);
    return readFileSync(join(dir, 'x.eml'), 'latin1');
  });
}

/** True when the external tool exists. */
export function haveTool(cmd: string, args: string[] = ['--help']): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error === undefined;
}
