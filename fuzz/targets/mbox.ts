/**
 * The mbox reader (src/cli/mbox.ts, RFC 4155). Invariants: only SmimeBridgeError escapes; the
 * entries cover the file exactly (sizes add up, offsets follow each other); the split does not
 * depend on the chunk size the file is read in.
 */
import { writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMbox, mboxMessageContent, type MboxItem } from '../../src/cli/files/mbox.js';
import { OracleFailure, corpusFiles, sharedCorpus, type Target } from '../engine/target.js';
import { emlSeeds } from './seeds.js';
import { latin1Bytes } from '../engine/target.js';

const file = join(existsShm() ? '/dev/shm' : tmpdir(), `smime-bridge-fuzz-mbox-${process.pid}`);
function existsShm(): boolean { try { writeFileSync('/dev/shm/.smime-bridge-probe', ''); rmSync('/dev/shm/.smime-bridge-probe'); return true; } catch { return false; } }

async function split(chunkBytes: number, maxMessageBytes: number): Promise<MboxItem[]> {
  const out: MboxItem[] = [];
  for await (const item of readMbox(file, { chunkBytes, maxMessageBytes })) {
    if (item.bytes) mboxMessageContent(item.bytes);
    out.push(item);
  }
  return out;
}

const summary = (items: MboxItem[]): string => items.map((i) => `${i.index}@${i.offset}+${i.size}${i.preamble ? 'p' : ''}${i.bytes ? 'b' : ''}`).join(',');

export const mboxTarget: Target = {
  name: 'mbox', description: 'readMbox + mboxMessageContent (RFC 4155 split, mboxrd un-quoting), at two chunk sizes',
  maxLen: 128 * 1024,
  seeds: () => [...corpusFiles(sharedCorpus, /\.mbox$/i, 20, 1 << 20), ...emlSeeds().slice(0, 20).map((e) => {
    const from = latin1Bytes('From a@example.org Tue Dec  1 09:00:00 2026\n');
    const out = new Uint8Array(from.length * 2 + e.length * 2 + 2);
    out.set(from); out.set(e, from.length); out[from.length + e.length] = 0x0a; out.set(from, from.length + e.length + 1); out.set(e, 2 * from.length + e.length + 1);
    return out;
  })],
  dictionary: ['From ', '\nFrom ', '>From ', '>>From ', '\n\n', '\r\n', 'From a@b Tue Dec  1 09:00:00 2026\n', 'Subject: x\n', ': '],
  async run(input) {
    writeFileSync(file, input);
    const big = await split(1 << 20, 1 << 20);
    // a small chunk puts `\nFrom ` across chunk boundaries (7 bytes only on small inputs: one read each)
    const small = await split(input.length < 4096 ? 7 : 509, 1 << 20);
    if (summary(big) !== summary(small)) throw new OracleFailure('mbox-chunking', `split differs by chunk size: ${summary(big).slice(0, 200)} vs ${summary(small).slice(0, 200)}`);
    // A blank preamble (whitespace before the first `From ` line) is no entry (src/cli/mbox.ts).
    let at = 0;
    const blank = (b: Uint8Array) => b.every((c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d);
    if (big.length === 0 && blank(input)) return; // only white space: no message and no preamble
    if (big[0] && big[0].offset > 0 && blank(input.subarray(0, big[0].offset))) at = big[0].offset;
    for (const i of big) {
      if (i.offset !== at) throw new OracleFailure('mbox-coverage', `entry ${i.index} at ${i.offset}, expected ${at}`);
      at += i.size;
    }
    if (at !== input.length) throw new OracleFailure('mbox-coverage', `entries cover ${at} of ${input.length} bytes`);
    const capped = await split(input.length < 4096 ? 64 : 4096, 100);
    if (capped.length !== big.length) throw new OracleFailure('mbox-limit', `${capped.length} entries with a 100-byte message limit, ${big.length} without`);
  },
};
