/**
 * The folder and Maildir reader of the batch (src/cli/batch/plan.ts: planSources + workItems,
 * then convertJob on every item). The input describes a tree that is written to a scratch folder:
 * entries separated by NUL, each `path\ncontent` (`/` separates folders; `@path\ntarget` makes a
 * symbolic link). Paths are sanitised to stay inside the scratch folder (no `.`/`..`/empty parts,
 * at most 5 levels of at most 85 characters, i.e. up to 255 bytes: NAME_MAX; 24 entries, 16 kB per file).
 *
 * Invariants (maildir(5); README "Batch"): the messages are exactly the regular files (or links to
 * files) of `cur/` and `new/` of every Maildir (a folder with `cur`, `new` and `tmp`) whose names do
 * not start with a dot, plus the `.eml`/`.msg`/`.json`/`.mbox` files elsewhere; nothing from a
 * Maildir's `tmp/` and nothing through a symbolic link to a folder; each message once; every output
 * inside the output folder and no two items writing the same output; every failure carries a
 * typed code (never INTERNAL_ERROR); every success left its output file.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { planSources, workItems, tempPathFor } from '../../src/cli/batch/plan.js';
import { convertJob, type BatchTarget } from '../../src/cli/batch/convert.js';
import { OracleFailure, latin1Bytes, utf8, type Target } from '../engine/target.js';
import { emlSeeds, msgSeeds } from './seeds.js';

const base = join(existsSync('/dev/shm') ? '/dev/shm' : (process.env.TMPDIR ?? '/tmp'), `smime-bridge-fuzz-maildir-${process.pid}`);
const root = join(base, 'in');
const outDir = join(base, 'out');
const dec = new TextDecoder('utf-8', { fatal: false });
const EXTENSIONS = new Set(['.eml', '.msg', '.json', '.mbox']);

interface Entry { path: string[]; link?: string; content?: Uint8Array }

/** The tree an input describes (sanitised as the header says). */
export function treeOf(input: Uint8Array): Entry[] {
  const out: Entry[] = [];
  let start = 0;
  for (let i = 0; i <= input.length && out.length < 24; i++) {
    if (i < input.length && input[i] !== 0) continue;
    const rec = input.subarray(start, i);
    start = i + 1;
    const nl = rec.indexOf(0x0a);
    let name = dec.decode(nl < 0 ? rec : rec.subarray(0, nl));
    const body = nl < 0 ? new Uint8Array(0) : rec.subarray(nl + 1, nl + 1 + 16384);
    const link = name.startsWith('@');
    if (link) name = name.slice(1);
    const path = name.split('/').map((p) => p.slice(0, 85)).filter((p) => p !== '' && p !== '.' && p !== '..').slice(0, 5);
    if (path.length === 0) continue;
    out.push(link ? { path, link: dec.decode(body).slice(0, 200) } : { path, content: body });
  }
  return out;
}

function write(tree: Entry[]): void {
  rmSync(base, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const e of tree) {
    const p = join(root, ...e.path);
    try {
      mkdirSync(join(p, '..'), { recursive: true });
      if (e.link !== undefined) symlinkSync(e.link, p); else writeFileSync(p, e.content!, { flag: 'wx' });
    } catch { /* a file where a folder should be, or the name twice: the entry is left out */ }
  }
}

/** What the batch must pick up, found by a walk of our own (lstat: links to folders are not folders). */
function expected(): { want: Set<string>; mboxes: Set<string> } {
  const want = new Set<string>();
  const mboxes = new Set<string>();
  const walk = (dir: string, inMaildir: boolean): void => {
    const names = readdirSync(dir);
    const isDir = (n: string) => lstatSync(join(dir, n)).isDirectory();
    const maildir = ['cur', 'new', 'tmp'].every((n) => names.includes(n) && isDir(n));
    for (const n of names) {
      const p = join(dir, n);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        if (maildir && n === 'tmp') continue;
        walk(p, maildir && (n === 'cur' || n === 'new'));
        continue;
      }
      let file = st.isFile();
      if (st.isSymbolicLink()) { try { file = statSync(p).isFile(); } catch { file = false; } }
      if (!file) continue;
      if (inMaildir ? !n.startsWith('.') : EXTENSIONS.has(extname(n).toLowerCase())) {
        if (!inMaildir && extname(n).toLowerCase() === '.mbox') mboxes.add(p); else want.add(p);
      }
    }
  };
  walk(root, false);
  return { want, mboxes };
}

function seedTree(entries: [string, Uint8Array | string][]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, body] of entries) {
    parts.push(utf8(`${name}\n`), typeof body === 'string' ? utf8(body) : body, new Uint8Array([0]));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out.subarray(0, out.length - 1);
}

function seeds(): Uint8Array[] {
  const emls = emlSeeds().filter((e) => e.length < 16384).slice(0, 12);
  const msgs = msgSeeds().filter((m) => m.length < 16384).slice(0, 3);
  const e = (i: number) => emls[i % Math.max(1, emls.length)] ?? latin1Bytes('Subject: x\r\n\r\nbody\r\n');
  const from = latin1Bytes('From a@example.org Tue Dec  1 09:00:00 2026\n');
  return [
    seedTree([['INBOX/cur/1700000000.M1P1.host:2,S', e(0)], ['INBOX/new/1700000001.M2P1.host', e(1)], ['INBOX/tmp/1700000002.M3P1.host', e(2)]]),
    seedTree([['Mail/cur/a:2,RS', e(3)], ['Mail/new/b', e(4)], ['Mail/tmp/c', e(5)], ['Mail/.Sent/cur/d:2,S', e(6)], ['Mail/.Sent/new/e', e(7)], ['Mail/.Sent/tmp/f', e(8)],
      ['Mail/cur/.hidden', e(9)], ['Mail/dovecot-uidlist', '3 V1 N4\n']]),
    seedTree([['a.eml', e(10)], ['a.msg', msgs[0] ?? e(0)], ['sub/b.mbox', new Uint8Array([...from, ...e(1), 0x0a, ...from, ...e(2)])], ['sub/c.json', '{}'], ['notes.txt', 'x']]),
    seedTree([['md/cur/1', e(3)], ['md/new/2', e(4)], ['md/tmp/3', e(5)], ['@md/cur/link', '1'], ['@loop/cur', '..'], ['loop/new/x', e(6)], ['loop/tmp/y', e(7)],
      ['@up', '../..'], ['@dangling.eml', 'nowhere.eml']]),
    seedTree([['x/cur/m', msgs[1] ?? e(0)], ['x/new/n', msgs[2] ?? e(1)], ['x/tmp', 'a file, not a folder'], ['x.eml/cur/1', e(2)]]),
  ];
}

export const maildirTarget: Target = {
  name: 'maildir', description: 'planSources + workItems (folders, Maildir cur/new/tmp, links) and convertJob on every item',
  maxLen: 96 * 1024, seeds,
  dictionary: ['\0', '\n', '/', 'cur/', 'new/', 'tmp/', 'cur', 'new', 'tmp', ':2,', ':2,S', ':2,RS', '.Sent/', '.', '..', '@', '.eml', '.msg', '.json', '.mbox', '.EML',
    'From a@b Tue Dec  1 09:00:00 2026\n', 'Subject: x\r\n\r\n', 'MIME-Version: 1.0\r\n', '{"messageClass":"IPM.Note"}'],
  async run(input) {
    write(treeOf(input));
    const { want, mboxes } = expected();
    const to: BatchTarget = (['msg', 'eml', 'json'] as const)[input.length % 3]!;
    const plan = await planSources([root], outDir);
    const got = new Map<string, number>();
    const unreadable = new Set<string>();
    const outputs = new Map<string, string>();
    let id = 0;
    for await (const item of workItems(plan, { outDir, to, maxMessageBytes: 65536 })) {
      const src = resolve(item.path ?? item.input);
      if (item.problem && (!/^[A-Z][A-Z0-9_]+$/.test(item.problem.code) || item.problem.code === 'INTERNAL_ERROR')) {
        throw new OracleFailure('maildir-untyped', `${item.label}: ${item.problem.code} ${item.problem.reason}`);
      }
      if (item.index !== undefined || mboxes.has(src)) {
        // a message of an mbox (or the whole mbox, unreadable): the file must be one of the tree's mbox files
        if (!mboxes.has(src)) throw new OracleFailure('maildir-extra', `${item.label}: ${relative(root, src)} is not an mbox of the tree`);
      } else if (item.problem?.code === 'IO_ERROR') {
        unreadable.add(src); // a dangling link or a folder that cannot be listed: reported, not lost
      } else {
        got.set(src, (got.get(src) ?? 0) + 1);
      }
      if (item.problem) continue;
      const out = resolve(item.out);
      if (!out.startsWith(outDir + sep)) throw new OracleFailure('maildir-outside', `${item.label} would write ${out}, outside ${outDir}`);
      if (outputs.has(out)) throw new OracleFailure('maildir-clash', `${item.label} and ${outputs.get(out)} both write ${relative(outDir, out)}`);
      outputs.set(out, item.label);
      const r = await convertJob({ id: ++id, path: item.path, mboxEntry: item.mboxEntry, formatName: item.formatName, out: item.out, tmp: tempPathFor(item.out, id),
        to, strict: false, force: false, maxInputBytes: 65536 });
      if (!r.ok) {
        if (r.code === 'INTERNAL_ERROR') throw new OracleFailure('maildir-internal', `${item.label}: ${r.reason}`);
      } else if (!('skipped' in r) && !existsSync(item.out)) {
        throw new OracleFailure('maildir-lost', `${item.label} converted but ${item.out} is missing`);
      }
    }
    for (const p of want) if (got.get(p) !== 1 && !unreadable.has(p)) throw new OracleFailure('maildir-missed', `${relative(root, p)} picked up ${got.get(p) ?? 0} times`);
    for (const p of got.keys()) if (!want.has(p)) throw new OracleFailure('maildir-extra', `${relative(root, p)} is not a message of the tree`);
  },
};
