/**
 * A pool of worker threads for the batch command (Node only). Each worker converts one message
 * at a time; the pool replaces a worker that crashed or overran its time limit, so one bad
 * message never stops the run, and can abort every worker at once after an interrupt.
 *
 * Hand-written on node:worker_threads: the job protocol is one message in, one outcome out, and
 * the crash/timeout/abort handling is what matters here; a generic pool library would hide it.
 */
import { Worker } from 'node:worker_threads';
import type { BatchJob, BatchOutcome } from './convert.js';

/** Options of {@link WorkerPool}. */
export interface PoolOptions {
  /** Number of worker threads. */
  size: number;
  /** Per-message time limit in milliseconds; the worker is replaced when it is exceeded. 0 = none. */
  timeoutMs: number;
}

/** Compiled, the worker is worker.js; under tsx (tests, development) the .ts source. */
const fromSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(`./worker${fromSource ? '.ts' : '.js'}`, import.meta.url);

/** A worker running worker; from source, tsx is registered in the worker first (Node 20 does not run `--import` there). */
function newWorker(): Worker {
  if (!fromSource) return new Worker(workerUrl);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(boot, { eval: true });
}

/** Outcome code of a job that was never started because the pool was draining or closed. */
export const NOT_STARTED = 'NOT_STARTED';

interface Slot {
  worker: Worker;
  busy?: { job: BatchJob; resolve: (o: BatchOutcome) => void; timer?: NodeJS.Timeout };
}

/** Worker threads that each run one {@link BatchJob} at a time. */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly waiting: Array<(s: Slot | undefined) => void> = [];
  private closed = false;
  private draining = false;
  private outcomes = 0;
  private crashes = 0;
  /**
   * Set when workers keep dying before any of them returned a result (the worker script cannot
   * start): the caller should stop scheduling instead of failing every message the same way.
   */
  broken?: string;

  constructor(private readonly opts: PoolOptions) {
    for (let i = 0; i < opts.size; i++) {
      const s = this.spawn();
      this.slots.push(s);
      this.idle.push(s);
    }
  }

  /** Run a job on the next free worker. Resolves with its outcome, never rejects. */
  async run(job: BatchJob, transfer: ArrayBuffer[] = []): Promise<BatchOutcome> {
    const slot = await this.acquire();
    if (!slot || this.closed || this.draining || this.broken) {
      if (slot && !this.closed) this.release(slot);
      if (this.broken && !this.closed) return { id: job.id, ok: false, code: 'WORKER_FAILED', reason: this.broken };
      return { id: job.id, ok: false, code: NOT_STARTED, reason: 'run interrupted before this message started' };
    }
    return new Promise<BatchOutcome>((resolve) => {
      slot.busy = { job, resolve };
      if (this.opts.timeoutMs > 0) {
        slot.busy.timer = setTimeout(() => {
          this.fail(slot, 'TIMEOUT', `no result after ${this.opts.timeoutMs / 1000} s (--timeout); worker restarted`, true);
        }, this.opts.timeoutMs);
      }
      slot.worker.postMessage(job, transfer);
    });
  }

  /** Start no more jobs: queued and later {@link run} calls resolve with code {@link NOT_STARTED}. */
  drain(): void {
    this.draining = true;
    for (const w of this.waiting.splice(0)) w(undefined);
  }

  /** Wait for running jobs, then stop the workers. */
  async close(): Promise<void> {
    this.drain(); // not `closed` yet: a crash or timeout of a running job must still settle it
    await Promise.all(this.slots.map((s) => (s.busy ? new Promise<void>((r) => {
      const prev = s.busy!.resolve;
      s.busy!.resolve = (o) => { prev(o); r(); };
    }) : undefined)));
    this.closed = true;
    await this.terminateAll();
  }

  /** Stop every worker now; running jobs end as INTERRUPTED. */
  async abort(): Promise<void> {
    this.closed = true;
    const busy = this.slots.filter((s) => s.busy);
    await this.terminateAll();
    for (const s of busy) this.settle(s, { id: s.busy!.job.id, ok: false, code: 'INTERRUPTED', reason: 'run interrupted while converting this message (an output, if present, is complete)' });
  }

  private async terminateAll(): Promise<void> {
    for (const w of this.waiting.splice(0)) w(undefined);
    await Promise.all(this.slots.map((s) => {
      s.worker.removeAllListeners();
      s.worker.on('error', () => undefined);
      return s.worker.terminate();
    }));
  }

  /** A free worker, or undefined when the pool stopped taking jobs. */
  private acquire(): Promise<Slot | undefined> {
    if (this.closed || this.draining || this.broken) return Promise.resolve(undefined);
    const s = this.idle.pop();
    if (s) return Promise.resolve(s);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }

  private settle(slot: Slot, outcome: BatchOutcome): void {
    const busy = slot.busy;
    if (!busy) return;
    if (busy.timer) clearTimeout(busy.timer);
    slot.busy = undefined;
    busy.resolve(outcome);
  }

  private spawn(): Slot {
    const slot: Slot = { worker: newWorker() };
    this.wire(slot);
    return slot;
  }

  private wire(slot: Slot): void {
    const w = slot.worker;
    w.on('message', (o: BatchOutcome) => {
      if (!slot.busy || slot.busy.job.id !== o.id) return;
      this.outcomes++;
      this.settle(slot, o);
      this.release(slot);
    });
    w.on('error', (e: Error) => this.fail(slot, 'WORKER_FAILED', `worker crashed: ${e.message}`, false));
    w.on('exit', (code) => {
      if (!this.closed && slot.worker === w) this.fail(slot, 'WORKER_FAILED', `worker exited with code ${code}`, false);
    });
  }

  /** The job on `slot` failed with the worker itself: report it, replace the worker. */
  private fail(slot: Slot, code: string, reason: string, terminate: boolean): void {
    if (this.closed) return;
    if (code === 'WORKER_FAILED' && ++this.crashes >= 2 * this.opts.size + 1 && this.outcomes === 0) this.broken = reason;
    const wasBusy = slot.busy !== undefined;
    const old = slot.worker;
    old.removeAllListeners();
    old.on('error', () => undefined);
    // A timed-out worker is stopped before its job is settled, so that it cannot write afterwards.
    const stopped = terminate ? old.terminate().then(() => undefined, () => undefined) : Promise.resolve();
    if (!this.broken) {
      slot.worker = newWorker();
      this.wire(slot);
    }
    const busy = slot.busy;
    void stopped.then(() => {
      if (busy && slot.busy === busy) this.settle(slot, { id: busy.job.id, ok: false, code, reason });
      if (this.broken) {
        for (const w of this.waiting.splice(0)) w(undefined);
      } else if (wasBusy) {
        this.release(slot);
      }
    });
  }
}

/**
 * The same contract as {@link WorkerPool}, converting in this thread one message at a time: for
 * small batches, where starting worker threads (each loading the library again) costs more than
 * the conversions. A running conversion cannot be cut short here, so `--timeout` needs workers.
 */
export class InProcessPool {
  private draining = false;
  private closed = false;
  private readonly running = new Set<Promise<BatchOutcome>>();
  readonly broken?: string = undefined;

  constructor(private readonly convert: (job: BatchJob) => Promise<BatchOutcome>) {}

  /** Convert one message now (one at a time: callers run a single lane). */
  async run(job: BatchJob): Promise<BatchOutcome> {
    if (this.draining || this.closed) return { id: job.id, ok: false, code: NOT_STARTED, reason: 'run interrupted before this message started' };
    const p = this.convert(job);
    this.running.add(p);
    try { return await p; } finally { this.running.delete(p); }
  }

  drain(): void { this.draining = true; }

  async close(): Promise<void> {
    this.drain();
    await Promise.all(this.running);
    this.closed = true;
  }

  /** Nothing to kill: the message under way finishes (its output is written atomically). */
  async abort(): Promise<void> {
    this.closed = true;
    await Promise.all(this.running);
  }
}
