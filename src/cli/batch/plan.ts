/**
 * What the batch command will convert (Node only): expand the inputs (files, folders walked
 * recursively, mbox files split message by message) into work items, each with its output path
 * under the output folder. Output names mirror the input's path relative to the folder given on
 * the command line (a file given directly: its name); an mbox `box.mbox` becomes a folder
 * `box/` with one output per message, `000001.msg`, `000002.msg`, ... (1-based index).
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import type { BatchTarget } from './convert.js';
import { readMbox } from '../files/mbox.js';

/** Extensions the batch command picks up in folders. */
export const BATCH_EXTENSIONS = new Set(['.eml', '.msg', '.json', '.mbox']);

/** One input file found on the command line or in a folder. */
export interface SourceFile {
  /** Path as the user would write it. */
  path: string;
  /** Path relative to the folder given (or the file name), used for the output name. */
  rel: string;
  size: number;
  mbox: boolean;
  /**
   * Another input differs only by extension (`x.eml` beside `x.msg`): the output keeps the input's
   * extension (`x.eml.msg`, `x.msg.msg`) so that neither replaces the other.
   */
  keepExtension?: boolean;
  /** A message file of a Maildir folder (`cur/` or `new/`): its name has no extension to replace. */
  maildir?: boolean;
}

/** A problem with an input found while planning (missing file, unreadable folder). */
export interface SourceProblem { path: string; code: string; reason: string }

/** Result of {@link planSources}. */
export interface SourcePlan { files: SourceFile[]; problems: SourceProblem[]; totalBytes: number }

/** Expand command-line inputs into files; never follows symbolic links into folders (no loops). */
export async function planSources(inputs: string[], outDir: string): Promise<SourcePlan> {
  const files: SourceFile[] = [];
  const problems: SourceProblem[] = [];
  const outAbs = resolve(outDir);
  for (const input of inputs) {
    let s;
    try {
      s = await stat(input);
    } catch (e) {
      problems.push({ path: input, code: 'IO_ERROR', reason: `cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    if (s.isDirectory()) {
      await walk(input, input, outAbs, files, problems);
    } else {
      files.push({ path: input, rel: basename(input), size: s.size, mbox: extname(input).toLowerCase() === '.mbox' });
    }
  }
  const stems = new Map<string, SourceFile[]>();
  for (const f of files) {
    if (f.mbox || f.maildir) continue;
    const key = stripExtension(f.rel);
    stems.set(key, [...(stems.get(key) ?? []), f]);
  }
  for (const group of stems.values()) {
    // Only a difference in extension is resolved this way; the same name twice stays a clash.
    if (new Set(group.map((f) => extname(f.rel))).size > 1) for (const f of group) f.keepExtension = true;
  }
  return { files, problems, totalBytes: files.reduce((n, f) => n + f.size, 0) };
}

async function walk(root: string, dir: string, outAbs: string, files: SourceFile[], problems: SourceProblem[], maildirMessages = false): Promise<void> {
  if (resolve(dir) === outAbs) return; // never convert our own outputs
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    problems.push({ path: dir, code: 'IO_ERROR', reason: `cannot list ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A Maildir (maildir(5)): cur/, new/ and tmp/; the messages are every file of cur/ and new/,
  // named without an extension; tmp/ holds deliveries in progress and is never read.
  const subdirs = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
  const isMaildir = subdirs.has('cur') && subdirs.has('new') && subdirs.has('tmp');
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (isMaildir && e.name === 'tmp') continue;
      await walk(root, p, outAbs, files, problems, isMaildir && (e.name === 'cur' || e.name === 'new'));
    } else if (e.isFile() || e.isSymbolicLink()) {
      const ext = extname(e.name).toLowerCase();
      if (!maildirMessages && !BATCH_EXTENSIONS.has(ext)) continue;
      if (maildirMessages && e.name.startsWith('.')) continue;
      try {
        const st = e.isSymbolicLink() ? await stat(p) : await lstat(p);
        if (!st.isFile()) continue;
        files.push(maildirMessages
          ? { path: p, rel: relative(root, p), size: st.size, mbox: false, keepExtension: true, maildir: true }
          : { path: p, rel: relative(root, p), size: st.size, mbox: ext === '.mbox' });
      } catch (err) {
        problems.push({ path: p, code: 'IO_ERROR', reason: `cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      }
    }
  }
}

/** One message to convert, or one that is known to fail before conversion. */
export interface WorkItem {
  /** `path` or `path#index` (mbox), for logs and the report. */
  label: string;
  input: string;
  /** mbox: 1-based message index. */
  index?: number;
  /** mbox: byte offset of the message in the file. */
  offset?: number;
  out: string;
  /** Bytes of input this item accounts for (progress). */
  size: number;
  path?: string;
  mboxEntry?: Uint8Array;
  formatName: string;
  /** Set when the item fails without conversion (too large, name collision, unreadable mbox). */
  problem?: { code: string; reason: string };
}

/** Options of {@link workItems}. */
export interface WorkItemOptions { outDir: string; to: BatchTarget; maxMessageBytes: number }

function stripExtension(rel: string): string {
  const ext = extname(rel);
  return ext ? rel.slice(0, -ext.length) : rel;
}

/**
 * Output path of a file: its relative path under `outDir`, extension replaced by the target's
 * (or kept, followed by the target's, when `keepExtension`).
 */
export function outputPathFor(outDir: string, rel: string, to: BatchTarget, keepExtension = false): string {
  return join(outDir, `${keepExtension ? rel : stripExtension(rel)}.${to}`);
}

/** Output path of message `index` (1-based) of an mbox at `rel`. */
export function mboxOutputPathFor(outDir: string, rel: string, index: number, to: BatchTarget): string {
  const ext = extname(rel);
  return join(outDir, ext ? rel.slice(0, -ext.length) : `${rel}.d`, `${String(index).padStart(6, '0')}.${to}`);
}

/**
 * The work items of a plan, lazily: an mbox is read only as fast as items are taken, so at most
 * one message per consumer is held. Two inputs that would write the same output are reported
 * (the second fails) instead of overwriting each other.
 */
export async function* workItems(plan: SourcePlan, opts: WorkItemOptions): AsyncGenerator<WorkItem> {
  const claimed = new Map<string, string>();
  const claim = (item: WorkItem): WorkItem => {
    const key = resolve(item.out);
    const first = claimed.get(key);
    if (first !== undefined && !item.problem) {
      item.problem = { code: 'OUTPUT_EXISTS', reason: `output ${item.out} is also the output of ${first}; rename one of the inputs` };
    } else if (first === undefined) {
      claimed.set(key, item.label);
    }
    return item;
  };
  for (const p of plan.problems) {
    yield { label: p.path, input: p.path, out: '', size: 0, formatName: p.path, problem: { code: p.code, reason: p.reason } };
  }
  for (const f of plan.files) {
    if (!f.mbox) {
      const item: WorkItem = { label: f.path, input: f.path, out: outputPathFor(opts.outDir, f.rel, opts.to, f.keepExtension), size: f.size, path: f.path, formatName: f.path };
      if (f.size > opts.maxMessageBytes) item.problem = { code: 'LIMIT_EXCEEDED', reason: `${f.size} bytes, more than the limit of ${opts.maxMessageBytes} (--max-size)` };
      yield claim(item);
      continue;
    }
    let seen = 0;
    try {
      for await (const m of readMbox(f.path, { maxMessageBytes: opts.maxMessageBytes })) {
        seen += m.size;
        if (m.preamble) {
          yield { label: `${f.path}#0`, input: f.path, index: 0, offset: 0, out: '', size: m.size, formatName: 'entry.eml',
            problem: { code: 'MBOX_MALFORMED', reason: `${m.size} bytes before the first "From " line (RFC 4155 section 2) are not a message; skipped` } };
          continue;
        }
        const item: WorkItem = {
          label: `${f.path}#${m.index}`, input: f.path, index: m.index, offset: m.offset, size: m.size,
          out: mboxOutputPathFor(opts.outDir, f.rel, m.index, opts.to), mboxEntry: m.bytes, formatName: 'entry.eml',
        };
        if (!m.bytes) item.problem = { code: 'LIMIT_EXCEEDED', reason: `message of ${m.size} bytes at byte ${m.offset}, more than the limit of ${opts.maxMessageBytes} (--max-size)` };
        yield claim(item);
      }
    } catch (e) {
      yield { label: f.path, input: f.path, out: '', size: Math.max(0, f.size - seen), formatName: f.path,
        problem: { code: 'IO_ERROR', reason: `cannot read mbox ${f.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` } };
    }
  }
}

/** The temporary file for an output: hidden, in the same folder (so rename is atomic), unique per run and job. */
export function tempPathFor(out: string, jobId: number): string {
  return join(dirname(out), `.${basename(out)}.${process.pid}-${jobId}.tmp`);
}
