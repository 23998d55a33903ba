/**
 * .msg → .eml over a batch of files: Debian's msgconvert (one whole process for the batch)
 * against our CLI as whole processes, and our in-process time (readMsg + toInternet + write).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMsg } from '../src/msg/index.js';
import { toInternet } from '../src/smime/index.js';
import { alternate, mb, timeIt } from './stats.js';
import { CLI, runProcess } from './proc.js';
import { OUT_DIR } from './inputs.js';
import type { Row } from './report.js';

/** Our in-process conversion of one file. */
function oursOne(inPath: string, outPath: string): void {
  const m = readMsg(new Uint8Array(readFileSync(inPath))).message;
  writeFileSync(outPath, toInternet(m).bytes);
}

/**
 * The batch: links (not copies) named 001.msg, 002.msg, ... in bench/out/batch/in, to the files
 * that msgconvert and our converter both convert on their own (a file either rejects is left out).
 */
function prepareBatch(paths: string[], log: (s: string) => void): { dir: string; files: string[]; bytes: number; skipped: number } {
  const root = join(OUT_DIR, 'batch');
  const cacheFile = join(root, 'accepted.json');
  let accepted: string[] | undefined;
  if (existsSync(cacheFile)) {
    const c = JSON.parse(readFileSync(cacheFile, 'utf8')) as { paths: string[]; accepted: string[] };
    if (JSON.stringify(c.paths) === JSON.stringify(paths)) accepted = c.accepted;
  }
  const probe = join(root, 'probe');
  if (!accepted) {
    log(`checking which of ${paths.length} .msg files msgconvert and smime-bridge both convert (cached afterwards)`);
    mkdirSync(probe, { recursive: true });
    accepted = paths.filter((p) => {
      const peer = runProcess('msgconvert', ['--outfile', join(probe, 'x.eml'), p]);
      if (peer.status !== 0) return false;
      try {
        oursOne(p, join(probe, 'y.eml'));
        return true;
      } catch {
        return false;
      }
    });
    mkdirSync(root, { recursive: true });
    writeFileSync(cacheFile, JSON.stringify({ paths, accepted }));
  }
  const dir = join(root, 'in');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = accepted.map((p, i) => {
    const f = join(dir, `${String(i + 1).padStart(3, '0')}.msg`);
    symlinkSync(p, f);
    return f;
  });
  const bytes = accepted.reduce((s, p) => s + readFileSync(p).length, 0);
  return { dir, files, bytes, skipped: paths.length - accepted.length };
}

/** How our CLI converts a whole batch in one process, if this build can (issue 6 item 3). */
function cliBatchArgs(files: string[], inDir: string, outDir: string): string[] | undefined {
  const args = ['convert', inDir, '--out', outDir, '--to', 'eml', '--force'];
  mkdirSync(outDir, { recursive: true });
  const r = runProcess(process.execPath, [CLI, ...args]);
  const n = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.eml')).length : 0;
  return r.status === 0 && n === files.length ? args : undefined;
}

/** Benchmark: rows msgconvert vs our CLI (whole processes) and msgconvert vs ours in-process. */
export async function benchMsgToEml(paths: string[], rounds: number, log: (s: string) => void): Promise<Row[]> {
  const batch = prepareBatch(paths, log);
  const outRoot = join(OUT_DIR, 'batch', 'out');
  const dirs = { peer: join(outRoot, 'msgconvert'), cli: join(outRoot, 'cli'), ours: join(outRoot, 'inproc') };
  for (const d of Object.values(dirs)) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  const check = (what: string, r: { status: number | null; stderr: string }) => {
    if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  };
  const batchArgs = cliBatchArgs(batch.files, batch.dir, dirs.cli);
  log(batchArgs ? `our CLI converts the batch in one process: ${batchArgs.join(' ')}` : 'our CLI has no batch mode in this build: one process per file');
  const contenders = [
    {
      name: 'peer',
      // msgconvert writes NAME.eml into the working directory for each NAME.msg argument.
      run: () => { const r = runProcess('msgconvert', batch.files, { cwd: dirs.peer }); check('msgconvert', r); return r.ms; },
    },
    {
      name: 'cli',
      run: () => {
        if (batchArgs) { const r = runProcess(process.execPath, [CLI, ...batchArgs]); check('smime-bridge convert', r); return r.ms; }
        let ms = 0;
        for (const f of batch.files) {
          const r = runProcess(process.execPath, [CLI, 'convert', f, join(dirs.cli, f.slice(f.lastIndexOf('/') + 1).replace(/\.msg$/, '.eml')), '--quiet']);
          check('smime-bridge convert', r);
          ms += r.ms;
        }
        return ms;
      },
    },
    { name: 'ours', run: () => timeIt(() => { for (const f of batch.files) oursOne(f, join(dirs.ours, f.slice(f.lastIndexOf('/') + 1).replace(/\.msg$/, '.eml'))); }) },
  ];
  await contenders[2]!.run(); // warm-up of the in-process contender
  const s = await alternate(rounds, contenders);
  const input = `${batch.files.length} corpus .msg files, ${mb(batch.bytes)}${batch.skipped ? ` (${batch.skipped} rejected by msgconvert or us, left out)` : ''}`;
  return [
    {
      bench: '.msg → .eml, batch (whole processes)', input,
      ours: { label: batchArgs ? 'smime-bridge convert (1 process)' : `smime-bridge convert (${batch.files.length} processes)`, samples: s.get('cli')! },
      peer: { label: 'msgconvert (1 process)', samples: s.get('peer')! }, kind: 'faster', target: 25, // issue 14 (issue 6 had 20)
      note: batchArgs ? '' : 'no batch mode in this build: includes one Node start-up per file',
    },
    {
      bench: '.msg → .eml, batch (ours in-process)', input,
      ours: { label: 'readMsg+toInternet+write', samples: s.get('ours')! },
      peer: { label: 'msgconvert (1 process)', samples: s.get('peer')! }, kind: 'faster', target: 20,
    },
  ];
}
