/**
 * Progress display of the batch command (Node only): on a terminal a cli-progress bar with the
 * message rate and the time left; otherwise (a pipe, a log file, CI) a plain line on stderr every
 * 2 seconds or every 100 messages, whichever comes first. Percentage and time left are computed
 * over input bytes, because the number of messages in an mbox is not known until it is read.
 */
import cliProgress from 'cli-progress';

/** Counters the scheduler reports. */
export interface ProgressCounts {
  /** Messages finished (converted + failed). */
  done: number;
  failed: number;
  /** Input bytes finished. */
  bytes: number;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where progress goes (stderr). */
  stream: NodeJS.WriteStream;
  /** Total input bytes, for percentage and time left. */
  totalBytes: number;
  /** Show nothing but logged lines. */
  quiet?: boolean;
  /** Force the bar (true) or plain lines (false); default: the stream is a TTY. */
  tty?: boolean;
  /** Plain mode: a line every this many ms... */
  intervalMs?: number;
  /** ...or every this many messages. */
  everyMessages?: number;
}

/** A progress display. */
export interface Progress {
  update(c: ProgressCounts): void;
  /** Print a line (a failure) without breaking the bar. */
  log(line: string): void;
  /** Final update; remove the bar. */
  stop(c: ProgressCounts): void;
}

/** `1h02m`, `3m05s`, `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

class Rates {
  private readonly start = Date.now();
  constructor(private readonly totalBytes: number) {}
  of(c: ProgressCounts): { rate: string; eta: string; percent: number; elapsed: number } {
    const elapsed = (Date.now() - this.start) / 1000;
    const rate = elapsed > 0 ? c.done / elapsed : 0;
    const fraction = this.totalBytes > 0 ? Math.min(1, c.bytes / this.totalBytes) : 0;
    const eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : Number.NaN;
    return { rate: rate.toFixed(rate < 10 ? 1 : 0), eta: formatDuration(eta), percent: Math.floor(fraction * 100), elapsed };
  }
}

/** A progress display for the batch command. */
export function createProgress(opts: ProgressOptions): Progress {
  const tty = opts.tty ?? opts.stream.isTTY === true;
  if (opts.quiet) return { update() {}, log: (l) => { opts.stream.write(`${l}\n`); }, stop() {} };
  return tty ? barProgress(opts) : plainProgress(opts);
}

function barProgress(opts: ProgressOptions): Progress {
  const rates = new Rates(opts.totalBytes);
  const multi = new cliProgress.MultiBar({
    stream: opts.stream,
    format: '{bar} {percentage}% | {done} msgs, {failed} failed | {rate} msg/s | ETA {etaText}',
    hideCursor: true,
    clearOnComplete: true,
    fps: 5,
  }, cliProgress.Presets.shades_classic);
  const total = Math.max(1, opts.totalBytes);
  const bar = multi.create(total, 0, { done: 0, failed: 0, rate: '0', etaText: '?' });
  const update = (c: ProgressCounts) => {
    const r = rates.of(c);
    bar.update(Math.min(total, c.bytes), { done: c.done, failed: c.failed, rate: r.rate, etaText: r.eta });
  };
  return {
    update,
    log: (line) => multi.log(`${line}\n`),
    // A final redraw flushes logged lines still buffered (cli-progress prints them on redraw only).
    stop: (c) => { update(c); multi.update(); multi.stop(); },
  };
}

function plainProgress(opts: ProgressOptions): Progress {
  const rates = new Rates(opts.totalBytes);
  const interval = opts.intervalMs ?? 2000;
  const every = opts.everyMessages ?? 100;
  let lastTime = Date.now();
  let lastDone = 0;
  let latest: ProgressCounts = { done: 0, failed: 0, bytes: 0 };
  const line = (c: ProgressCounts) => {
    const r = rates.of(c);
    opts.stream.write(`progress: ${c.done} messages (${c.failed} failed), ${r.percent}% of input, ${r.rate} msg/s, ETA ${r.eta}\n`);
    lastTime = Date.now();
    lastDone = c.done;
  };
  // A line every `interval` ms even when no message finished (a large one may take a while).
  const timer = setInterval(() => { if (Date.now() - lastTime >= interval) line(latest); }, interval);
  timer.unref();
  return {
    update: (c) => {
      latest = c;
      if (c.done - lastDone >= every || Date.now() - lastTime >= interval) line(c);
    },
    log: (l) => { opts.stream.write(`${l}\n`); },
    stop: (c) => { clearInterval(timer); if (c.done !== lastDone) line(c); },
  };
}

/**
 * Progress for commands over many inputs whose total is not known in advance (`verify`,
 * `inspect` over folders and mboxes): on a terminal only, and only once the run has taken more
 * than `delayMs` (default 1 s, or `SMIME_BRIDGE_PROGRESS_DELAY_MS`), so a quick run prints nothing extra. Result lines go through
 * `print` so they never break the bar.
 */
export function lazyProgress(opts: { enabled: boolean; delayMs?: number }): { tick(c: ProgressCounts): void; print(write: () => void): void; stop(c: ProgressCounts): void } {
  const started = Date.now();
  let shown: Progress | undefined;
  const enabled = opts.enabled && process.stderr.isTTY === true;
  // SMIME_BRIDGE_PROGRESS_DELAY_MS: how long a run goes before the bar appears (default 1 s)
  const fromEnv = Number(process.env.SMIME_BRIDGE_PROGRESS_DELAY_MS);
  const delay = opts.delayMs ?? (process.env.SMIME_BRIDGE_PROGRESS_DELAY_MS !== undefined && Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : 1000);
  return {
    tick(c) {
      if (!enabled) return;
      if (!shown && Date.now() - started >= delay) shown = createProgress({ stream: process.stderr, totalBytes: 0, tty: true });
      shown?.update(c);
    },
    print(write) {
      if (!shown || !process.stdout.isTTY) return write();
      // the bar and the lines share the terminal: clear the bar line, write, redraw on the next tick
      process.stderr.write('\r\x1b[2K');
      write();
    },
    stop(c) { shown?.stop(c); },
  };
}
