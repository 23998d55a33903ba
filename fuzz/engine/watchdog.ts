/**
 * The watchdog thread of a fuzzing child: it sees the input being run (copied into shared
 * memory) and kills the whole process when that input overruns the time budget or the process
 * overruns its memory budget, after writing the input down as a finding. A hang in synchronous
 * code cannot be interrupted from its own thread, so this runs in a worker thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findingText, hashOf } from './findings.js';

interface WatchdogData { ctrl: SharedArrayBuffer; data: SharedArrayBuffer; target: string; dir: string; timeoutMs: number; rssBytes: number; replayArg: string }
const wd = workerData as WatchdogData;
// ctrl: [0] running flag, [1] sequence, [2] length, [3..4] start time (ms, as two 32-bit halves)
const ctrl = new Int32Array(wd.ctrl);
const data = new Uint8Array(wd.data);
let savedSeq = -1;
// The budget is CPU time of the process (the machine is shared: wall time under load says little),
// measured from when the watchdog first sees an input; a wall-clock cap of 20x catches inputs
// that wait forever without using the CPU. (At 5x, a process the loaded machine did not schedule
// for 17 s, 0 ms of CPU, was written down as a hang; its input replays in 0.4 s.)
let seenSeq = -1;
let cpuStart = 0;
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

function current(): Uint8Array {
  return data.slice(0, Math.min(ctrl[2]!, data.length));
}

function write(kind: string, detail: string): void {
  const input = current();
  mkdirSync(wd.dir, { recursive: true });
  const file = join(wd.dir, `${kind}-${hashOf(input)}.bin`);
  writeFileSync(file, input);
  writeFileSync(file.replace(/\.bin$/, '.txt'), findingText(wd.target, kind, detail, file, wd.replayArg));
  rmSync(join(wd.dir, '.current'), { force: true });
}

setInterval(() => {
  const rss = process.memoryUsage.rss();
  const running = Atomics.load(ctrl, 0) === 1;
  if (!running) return;
  const seq = Atomics.load(ctrl, 1);
  const start = ctrl[3]! * 0x100000000 + (ctrl[4]! >>> 0);
  const elapsed = Date.now() - start;
  if (seq !== seenSeq) { seenSeq = seq; cpuStart = cpuMs(); }
  const cpu = cpuMs() - cpuStart;
  if (rss > wd.rssBytes) {
    write('memory', `resident memory ${(rss / 1048576).toFixed(0)} MiB over the budget of ${(wd.rssBytes / 1048576).toFixed(0)} MiB after ${elapsed} ms`);
    process.kill(process.pid, 'SIGKILL');
  }
  if (cpu > wd.timeoutMs || elapsed > 20 * wd.timeoutMs) {
    write('hang', `input ran over the time budget of ${wd.timeoutMs} ms of CPU (${cpu.toFixed(0)} ms CPU, ${elapsed} ms wall)`);
    process.kill(process.pid, 'SIGKILL');
  }
  // A slow input may be about to run the heap out (V8 aborts without a word): keep it where the
  // parent looks after an abnormal exit.
  if (elapsed > 300 && savedSeq !== seq) {
    savedSeq = seq;
    mkdirSync(wd.dir, { recursive: true });
    writeFileSync(join(wd.dir, '.current'), current());
  }
}, 50);
parentPort?.postMessage('ready');
