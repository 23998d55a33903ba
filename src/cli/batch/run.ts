/**
 * `smime-bridge convert INPUT... --out DIR --to msg|eml|json` (Node only): convert many messages
 * with every core. The main thread only plans, schedules, shows progress and collects results;
 * worker threads (batchPool.ts) convert one message each at a time with the library and write
 * each output atomically (batchConvert.ts). A bad message is logged and counted, never fatal.
 *
 * Interrupts: on the first SIGINT/SIGTERM nothing new is scheduled and running messages get
 * `graceMs` to finish; then (or at a second signal) the workers are stopped and the temporary
 * files of unfinished messages are deleted, so no partial output is ever left. Exit codes: 0 all
 * converted, 1 something failed, 130 interrupted by SIGINT, 143 by SIGTERM.
 */
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { availableParallelism } from 'node:os';
import { SmimeBridgeError } from '../../errors.js';
import type { BatchJob, BatchOutcome, BatchTarget } from './convert.js';
import { planSources, tempPathFor, workItems, type WorkItem } from './plan.js';
import { InProcessPool, NOT_STARTED, WorkerPool } from './pool.js';
import { convertJob } from './convert.js';
import { BatchSummary, type BatchRecord } from './report.js';
import { JsonLines } from '../files/jsonLines.js';
import { errnoText } from '../output.js';
import { createProgress } from '../progress.js';

/** Options of {@link runBatch}. */
export interface BatchOptions {
  inputs: string[];
  outDir: string;
  to: BatchTarget;
  /** Overwrite existing outputs. Default false. */
  force?: boolean;
  /** Skip messages whose output exists (resume an interrupted run). */
  skipExisting?: boolean;
  /** Verify each message; the verdict goes into its record (and the summary). */
  verify?: BatchJob['verify'];
  /** Strict mode per message (recoverable violations fail the message). */
  strict?: boolean;
  /** Worker threads; default `os.availableParallelism()`. */
  jobs?: number;
  /** Write per-message results here (JSON Lines). */
  report?: string;
  /** No progress display (failures and the summary are still printed). */
  quiet?: boolean;
  /** Largest message converted, bytes. Default 512 MiB. */
  maxMessageBytes?: number;
  /** Per-message time limit in ms; 0 = none. Default 10 minutes. */
  timeoutMs?: number;
  /** After a first interrupt, how long running messages may take to finish. Default 5 s. */
  graceMs?: number;
  /** Print each record as a JSON line on stdout, and the summary as a last JSON line. */
  json?: boolean;
  /** Progress as a bar (true) or plain lines (false); default: stderr is a TTY. */
  tty?: boolean;
}

/** Batches up to this many input bytes are converted in the main thread (no worker start-up). */
const IN_PROCESS_MAX_BYTES = 32 * 1024 * 1024;
/** Messages under way at once when converting in-process. */
const IN_PROCESS_LANES = 4;

/** Exit status of a signal: 128 + its number. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Transient failures after which the worker may have left its temporary file behind. */
const ABANDONED = new Set(['INTERRUPTED', 'TIMEOUT', 'WORKER_FAILED']);

/** Run a batch conversion; resolves to the exit code. */
export async function runBatch(o: BatchOptions): Promise<number> {
  const started = Date.now();
  const force = o.force ?? false;
  const strict = o.strict ?? false;
  const maxMessageBytes = o.maxMessageBytes ?? 512 * 1024 * 1024;
  const plan = await planSources(o.inputs, o.outDir);
  // --to mbox: every message is appended, in input order, to the one mbox file --out names.
  const mbox = o.to === 'mbox' ? await openMboxOutput(o.outDir, force) : undefined;
  try {
    await mkdir(mbox ? dirname(o.outDir) : o.outDir, { recursive: true });
  } catch (e) {
    throw new SmimeBridgeError('IO_ERROR', `cannot create output folder ${o.outDir}: ${errnoText(e)}`);
  }

  const summary = new BatchSummary();
  const report = o.report ? await JsonLines.create(o.report, force) : undefined;
  const progress = createProgress({ stream: process.stderr, totalBytes: plan.totalBytes, quiet: o.quiet, tty: o.tty });
  const counts = () => ({ done: summary.done, failed: summary.failed, bytes: summary.bytes });
  const record = (item: WorkItem, r: BatchRecord) => {
    summary.add(r, item.size);
    report?.write(r);
    if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    if (r.status === 'failed') progress.log(`failed: ${item.label}: ${r.code}: ${r.reason}`);
    progress.update(counts());
  };

  // Worker threads pay off on large batches; a small one (a few MB) converts faster in this thread
  // than workers can start. `--jobs N` always decides.
  const inProcess = !!mbox || o.jobs === 1 || (o.jobs === undefined && plan.totalBytes <= IN_PROCESS_MAX_BYTES);
  // In-process lanes overlap one message's file I/O with another's conversion (one thread); one
  // lane when appending to an mbox, so that it keeps the input order.
  const size = mbox ? 1 : inProcess ? IN_PROCESS_LANES : Math.max(1, o.jobs ?? availableParallelism());
  const pool = inProcess ? new InProcessPool(convertJob) : new WorkerPool({ size, timeoutMs: o.timeoutMs ?? 10 * 60 * 1000 });
  let signal: string | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const onSignal = (sig: string) => {
    if (signal) {
      void pool.abort(); // second signal: stop now
      return;
    }
    signal = sig;
    pool.drain();
    const grace = o.graceMs ?? 5000;
    progress.log(`${sig}: stopping; no new messages are started${grace > 0 ? `, running ones get ${grace / 1000} s to finish` : ''}`);
    if (grace > 0) graceTimer = setTimeout(() => void pool.abort(), grace);
    else void pool.abort();
  };
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);

  const items = workItems(plan, { outDir: o.outDir, to: o.to, maxMessageBytes });
  let nextId = 0;
  const lane = async () => {
    for (;;) {
      if (signal || pool.broken) return;
      const it = await items.next();
      if (it.done || signal || pool.broken) return;
      const item = it.value;
      if (item.problem) {
        record(item, { input: item.input, index: item.index, offset: item.offset, status: 'failed', ...item.problem });
        continue;
      }
      const id = ++nextId;
      const job: BatchJob = {
        id, path: item.path, mboxEntry: item.mboxEntry, formatName: item.formatName, out: item.out, tmp: tempPathFor(item.out, id),
        to: o.to, strict, force, maxInputBytes: maxMessageBytes, skipExisting: o.skipExisting, returnBytes: !!mbox, verify: o.verify,
      };
      const transfer = item.mboxEntry ? [item.mboxEntry.buffer as ArrayBuffer] : [];
      item.mboxEntry = undefined;
      const outcome: BatchOutcome = await pool.run(job, transfer);
      if (!outcome.ok && outcome.code === NOT_STARTED) return; // interrupted: not converted, not a failure
      if (!outcome.ok && ABANDONED.has(outcome.code)) await unlink(job.tmp).catch(() => undefined);
      if (outcome.ok && 'skipped' in outcome) {
        record(item, { input: item.input, index: item.index, offset: item.offset, output: item.out, status: 'skipped' });
        continue;
      }
      if (outcome.ok && mbox && outcome.bytes) await mbox.append(outcome.bytes);
      record(item, outcome.ok
        ? { input: item.input, index: item.index, offset: item.offset, output: mbox ? o.outDir : item.out, status: 'converted', smimeKind: outcome.kind,
          messageClass: outcome.messageClass, outputBytes: outcome.outBytes, warnings: outcome.warnings, verdict: outcome.verdict, verdictReasons: outcome.verdictReasons }
        : { input: item.input, index: item.index, offset: item.offset, output: item.out || undefined, status: 'failed', code: outcome.code, reason: outcome.reason });
    }
  };

  let exit: number;
  try {
    await Promise.all(Array.from({ length: size }, lane));
    await items.return(undefined);
    await pool.close();
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
    await pool.abort();
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
    progress.stop(counts());
  }
  const seconds = (Date.now() - started) / 1000;
  if (pool.broken) process.stderr.write(`smime-bridge: worker threads cannot run (${pool.broken}); stopped\n`);
  if (mbox) await mbox.close(!signal);
  if (report) {
    try {
      await report.close({ summary: { ...summary.toJSON(), interrupted: signal ?? null, seconds } });
    } catch (e) {
      process.stderr.write(`smime-bridge: ${(e as Error).message}\n`);
      summary.failed++;
    }
  }
  if (o.json) process.stdout.write(`${JSON.stringify({ summary: { ...summary.toJSON(), interrupted: signal ?? null, seconds } })}\n`);
  else if (!o.quiet || summary.failed > 0) process.stdout.write(`${summary.line()} in ${seconds.toFixed(1)} s\n`);
  if (signal) {
    if (!o.json) process.stdout.write(`interrupted by ${signal}: messages not started were not converted; run again with --skip-existing to resume\n`);
    exit = SIGNAL_EXIT[signal] ?? 130;
  } else {
    exit = summary.failed > 0 || pool.broken ? 1 : 0;
  }
  return exit;
}

/** One mbox file written by a batch: appended to a temporary file, renamed into place at the end. */
async function openMboxOutput(path: string, force: boolean) {
  if (!force && await stat(path).then(() => true, () => false)) throw new SmimeBridgeError('OUTPUT_EXISTS', `${path} exists`);
  await mkdir(dirname(path), { recursive: true }).catch(() => undefined);
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'wx').catch((e) => { throw new SmimeBridgeError('IO_ERROR', `cannot write ${path}: ${errnoText(e)}`); });
  return {
    append: async (bytes: Uint8Array) => { await fh.write(bytes); },
    /** Keep the file (complete run) or drop it (interrupted). */
    close: async (keep: boolean) => {
      await fh.close();
      if (keep) await rename(tmp, path).catch((e) => { throw new SmimeBridgeError('IO_ERROR', `cannot write ${path}: ${errnoText(e)}`); });
      else await unlink(tmp).catch(() => undefined);
    },
  };
}
