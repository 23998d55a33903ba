/**
 * Issue 11 item 6: every .msg of the shared corpus (the MANIFEST sets plus msgreader-js and
 * msgreader-net) converted by us and by Debian's msgconvert (once per file, 2 at a time); Python's
 * email package (policy.default) reads both .eml files. They must agree on subject, sender and
 * recipient addresses and display names (decoded), date, attachment names and bytes, except for
 * the differences listed in DIFFERENCES, each with who is right and why. Python must find no
 * defect in any .eml we write.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readMsg } from '../../src/msg/index.js';
import { toInternet } from '../../src/smime/index.js';
import { CORPUS_DIR, manifest } from '../helpers/corpus.js';
import { tempDir } from '../helpers/openssl.js';
import { DIFFERENCES } from './corpusMsgconvert.differences.js';

const t = tempDir('smime-bridge-corpus-msgconvert-');
after(() => t.cleanup());

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.msg') ? [p] : [];
  });
}
const files = [
  ...manifest().entries.filter((e) => e.format === 'msg').map((e) => e.path),
  ...['msgreader-js', 'msgreader-net'].flatMap((d) => walk(join(CORPUS_DIR, d)).map((p) => relative(CORPUS_DIR, p)).sort()),
];

interface View {
  subject: string | null; from: string[][]; to: string[][]; cc: string[][]; date: string | null;
  attachments: Array<[string, string, number]>; defects: string[];
}
const ours: Array<View | null> = [];
const theirs: Array<View | null> = [];
const ourErrors: string[] = [];

function msgconvert(src: string, out: string): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn('msgconvert', ['--outfile', out, src], { stdio: 'ignore' });
    p.on('close', () => resolve());
    p.on('error', () => resolve());
  });
}

before(async () => {
  const oursPaths: string[] = [];
  const theirPaths: string[] = [];
  files.forEach((f, i) => {
    const o = join(t.dir, `${i}.ours.eml`);
    try {
      t.file(`${i}.ours.eml`, toInternet(readMsg(new Uint8Array(readFileSync(join(CORPUS_DIR, f)))).message).bytes);
    } catch (e) {
      ourErrors.push(`${f}: ${(e as Error).message}`);
    }
    oursPaths.push(o);
    theirPaths.push(join(t.dir, `${i}.theirs.eml`));
  });
  // msgconvert once per file, at most 2 at a time
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      await msgconvert(join(CORPUS_DIR, files[i]!), theirPaths[i]!);
    }
  };
  await Promise.all([worker(), worker()]);
  const read = (paths: string[]) => JSON.parse(execFileSync('/usr/bin/python3', ['test/helpers/eml_fields.py', ...paths], { maxBuffer: 256 << 20 }).toString()) as Array<View | null>;
  ours.push(...read(oursPaths));
  theirs.push(...read(theirPaths.map((p) => (existsSync(p) ? p : join(t.dir, 'missing')))));
});

const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
const addrs = (l: string[][]) => JSON.stringify(l.map(([n, a]) => [norm(n).replace(/^'(.*)'$/, '$1'), (a ?? '').toLowerCase()]).sort());
const atts = (l: Array<[string, string, number]>) => JSON.stringify(l.map(([n, h]) => [norm(n), h]).sort());

/** Every field of every file: agree, or a listed difference. */
function compare(): { fields: number; agree: number; diffs: Map<string, string> } {
  const diffs = new Map<string, string>();
  let fields = 0;
  let agree = 0;
  files.forEach((f, i) => {
    const o = ours[i];
    const th = theirs[i];
    if (!o) { diffs.set(`${f}|all`, 'we wrote no .eml'); return; }
    if (!th) { diffs.set(`${f}|all`, 'msgconvert wrote no .eml'); return; }
    const pairs: Array<[string, string, string]> = [
      ['subject', norm(o.subject), norm(th.subject)],
      ['from', addrs(o.from), addrs(th.from)],
      ['to', addrs(o.to), addrs(th.to)],
      ['cc', addrs(o.cc), addrs(th.cc)],
      ['date', o.date ?? '', th.date ?? ''],
      ['attachments', atts(o.attachments), atts(th.attachments)],
    ];
    for (const [field, a, b] of pairs) {
      fields++;
      if (a === b) agree++;
      else diffs.set(`${f}|${field}`, `ours ${a.slice(0, 200)} / msgconvert ${b.slice(0, 200)}`);
    }
  });
  return { fields, agree, diffs };
}

test('corpus: we convert every .msg; python finds no defect in any .eml we write', () => {
  assert.deepEqual(ourErrors, []);
  const bad = files.map((f, i) => [f, ours[i]?.defects ?? ['no output']] as const).filter(([, d]) => d.length > 0);
  assert.deepEqual(bad, []);
});

test('corpus vs msgconvert: subject, addresses and names, date, attachments agree except the listed, justified differences', (ctx) => {
  const { fields, agree, diffs } = compare();
  const unexplained = [...diffs.entries()].filter(([k]) => !(k in DIFFERENCES)).map(([k, v]) => `${k}: ${v}`);
  const stale = Object.keys(DIFFERENCES).filter((k) => !diffs.has(k));
  if (process.env['CORPUS_DIFFS_OUT']) writeFileSync(process.env['CORPUS_DIFFS_OUT'], JSON.stringify(Object.fromEntries(diffs), null, 1));
  ctx.diagnostic(`corpus vs msgconvert: ${files.length} files, ${fields} fields compared, ${agree} agree, ${diffs.size} differences (${Object.keys(DIFFERENCES).length} listed)`);
  assert.deepEqual(unexplained, []);
  assert.deepEqual(stale, []);
});
