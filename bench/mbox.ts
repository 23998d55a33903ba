/**
 * Growth series (issue 14 item 5): `smime-bridge inspect` of an mbox of 1 000, 10 000 and 50 000
 * small messages (samples/plain.eml, mboxrd From_ lines): time per
 * message and peak RSS at each size against the 1 000 figures (target: within 15%).
 * Plain messages, so the 50 000 case stays quick on a shared machine (a clear-signed message costs
 * a signature verification, ~10 ms each there).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLI, runProcess } from './proc.js';
import { OUT_DIR } from './inputs.js';
import { alternate, median } from './stats.js';
import type { Row } from './report.js';

function mboxOf(n: number): string {
  const path = join(OUT_DIR, 'mbox', `plain-${n}.mbox`);
  if (existsSync(path)) return path;
  mkdirSync(join(OUT_DIR, 'mbox'), { recursive: true });
  const msgs = ['plain.eml'].map((f) => readFileSync(resolve('samples', f), 'latin1').replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1'));
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`From bench@example.org Mon Nov 23 10:00:00 2026\n${msgs[0]}\n`);
  writeFileSync(path, parts.join(''), 'latin1');
  return path;
}

export async function benchMbox(sizes: number[], rounds: number, log: (s: string) => void): Promise<Row[]> {
  const files = new Map(sizes.map((n) => [n, mboxOf(n)]));
  const rss = new Map<number, number[]>(sizes.map((n) => [n, []]));
  const s = await alternate(rounds, sizes.map((n) => ({
    name: String(n),
    run: () => {
      const r = runProcess(process.execPath, [CLI, 'inspect', files.get(n)!, '--quiet']);
      // exit 0 or a verdict code: inspect reports, it does not judge; any crash is a failure
      if (r.status === null || r.status > 20) throw new Error(`inspect mbox ${n} failed (${r.status}): ${r.stderr.slice(0, 300)}`);
      rss.get(n)!.push(r.maxRssMB);
      log(`mbox ${n}: ${r.ms.toFixed(0)} ms, ${r.maxRssMB.toFixed(0)} MiB`);
      return r.ms / n;
    },
  })));
  const base = sizes[0]!;
  const baseRss = median(rss.get(base)!);
  return sizes.map((n) => {
    const perMsg = median(s.get(String(n))!);
    const peak = median(rss.get(n)!);
    return {
      bench: `mbox growth: inspect ${n} messages (whole process)`,
      input: `${n} small messages (${(readFileSync(files.get(n)!).length / 1e6).toFixed(1)} MB)`,
      ours: { label: `${n}`, samples: s.get(String(n))! },
      peer: { label: `${base}`, samples: s.get(String(base))! },
      kind: 'within' as const,
      unit: 'ms/message' as const,
      target: n === base ? undefined : 1.15,
      extraMet: n === base ? undefined : peak <= baseRss * 1.15,
      note: `${(1000 / perMsg).toFixed(0)} messages/s; peak RSS ${peak.toFixed(0)} MiB (1k: ${baseRss.toFixed(0)} MiB; target within 15%)`,
    };
  });
}
