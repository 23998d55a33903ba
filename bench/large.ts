/**
 * Large messages: .eml → .msg in a dedicated child against the floor (read the input, base64-decode
 * its encoded bodies with Node's native decoder, write an output of the same size) in a dedicated
 * child; and peak resident memory of our conversion.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Generated } from './inputs.js';
import { OUT_DIR } from './inputs.js';
import { runChild } from './proc.js';
import { alternate, mb } from './stats.js';
import type { Row } from './report.js';

/** Benchmark one generated message; `target` applies the 3x-floor and memory targets. */
export async function benchEmlToMsg(g: Generated, rounds: number, target: boolean): Promise<Row> {
  const out = join(OUT_DIR, 'large');
  mkdirSync(out, { recursive: true });
  const rss: number[] = [];
  const floorRss: number[] = [];
  const s = await alternate(rounds, [
    { name: 'floor', run: () => { const r = runChild('floor', { input: g.eml, out: join(out, 'floor.out') }); floorRss.push(r.maxRssMB); return r.ms; } },
    { name: 'ours', run: () => { const r = runChild('eml2msg', { input: g.eml, out: join(out, 'out.msg') }); rss.push(r.maxRssMB); return r.ms; } },
  ]);
  const peak = Math.max(...rss);
  const limit = (2.5 * g.bytes) / 2 ** 20 + 100;
  return {
    bench: `.eml → .msg, ${g.kind === 'signed' ? 'clear-signed' : 'encrypted'}`,
    input: `generated ${g.shape === 'big' ? 'one big attachment' : 'many small parts'}, ${mb(g.bytes)}`,
    ours: { label: 'toMessage+writeMsg (child)', samples: s.get('ours')! },
    peer: { label: 'floor (child)', samples: s.get('floor')! },
    kind: 'within',
    target: target ? 3 : undefined,
    extraMet: target ? peak < limit : undefined,
    note: `peak RSS ours ${peak.toFixed(0)} MiB${target ? ` (limit 2.5x input + 100 MiB = ${limit.toFixed(0)} MiB: ${peak < limit ? 'met' : 'NOT met'})` : ''}; floor ${Math.max(...floorRss).toFixed(0)} MiB`,
  };
}
