/**
 * Parsing .eml into a message object / body and attachments: our toMessage against postal-mime
 * and mailparser (simpleParser), in process, on the same bytes.
 */
import { readFileSync } from 'node:fs';
import { toMessage } from '../src/smime/index.js';
import { parseMime, decodeBody, type MimeEntity } from '../src/mime/index.js';
import { alternate, mb, timeIt } from './stats.js';
import type { Row } from './report.js';

type Parse = (b: Uint8Array) => Promise<unknown>;

/** Limits for the generated 100 MB / many-part inputs (defaults allow 10 000 parts). */
const LIMITS = { maxParts: 100_000 };

async function peers(): Promise<{ postal: Parse; mailparser: Parse }> {
  const pm = (await import('postal-mime')) as unknown as { default: { parse(b: Uint8Array): Promise<unknown> } };
  const mp = (await import('mailparser')) as unknown as { simpleParser(b: Buffer, o: { maxChildNodes: number }): Promise<unknown> };
  return {
    postal: (b) => pm.default.parse(b),
    // mailparser wants a Buffer; wrapping the same memory is free. Its splitter stops at 1000 MIME
    // nodes by default; the limit is raised like ours (maxParts) so the many-part inputs parse.
    mailparser: (b) => mp.simpleParser(Buffer.from(b.buffer, b.byteOffset, b.length), { maxChildNodes: LIMITS.maxParts }),
  };
}

const ours = (b: Uint8Array) => toMessage(b, { limits: LIMITS });

/** Equal-work variant: parse, then take every leaf body out of its transfer encoding. */
function oursDecodeAll(b: Uint8Array): number {
  const { root } = parseMime(b, { limits: LIMITS });
  let n = 0;
  const walk = (e: MimeEntity) => {
    if (e.children.length) for (const c of e.children) walk(c);
    else if (e.message) walk(e.message);
    else n += decodeBody(e, LIMITS).length;
  };
  walk(root);
  return n;
}

/** Bytes of files all three parsers accept. */
async function usable(paths: string[]): Promise<Uint8Array[]> {
  const p = await peers();
  const out: Uint8Array[] = [];
  for (const path of paths) {
    const b = new Uint8Array(readFileSync(path));
    try {
      ours(b);
      await p.postal(b);
      await p.mailparser(b);
      out.push(b);
    } catch {
      /* not comparable */
    }
  }
  return out;
}

/**
 * Benchmark a batch of .eml files: rows ours vs postal-mime (target 2x), ours vs mailparser,
 * and (when `equalWork`) parse+decode-every-leaf vs postal-mime.
 */
export async function benchEmlParse(label: string, paths: string[], rounds: number, equalWork: boolean): Promise<Row[]> {
  const p = await peers();
  const files = await usable(paths);
  const total = files.reduce((s, f) => s + f.length, 0);
  const skipped = paths.length - files.length;
  const input = `${label}: ${files.length} file${files.length === 1 ? '' : 's'}, ${mb(total)}${skipped ? ` (${skipped} rejected by a parser, left out)` : ''}`;
  const contenders = [
    { name: 'ours', run: () => timeIt(() => { for (const f of files) ours(f); }) },
    { name: 'postal', run: () => timeIt(async () => { for (const f of files) await p.postal(f); }) },
    { name: 'mailparser', run: () => timeIt(async () => { for (const f of files) await p.mailparser(f); }) },
  ];
  if (equalWork) contenders.push({ name: 'decodeAll', run: () => timeIt(() => { for (const f of files) oursDecodeAll(f); }) });
  for (const c of contenders) await c.run(); // warm-up
  const s = await alternate(rounds, contenders);
  const rows: Row[] = [
    { bench: '.eml → message object', input, ours: { label: 'toMessage', samples: s.get('ours')! }, peer: { label: 'postal-mime', samples: s.get('postal')! }, kind: 'faster', target: 2 },
    { bench: '.eml → message object', input, ours: { label: 'toMessage', samples: s.get('ours')! }, peer: { label: 'mailparser', samples: s.get('mailparser')! }, kind: 'faster' },
  ];
  if (equalWork) {
    rows.push({
      bench: '.eml parse + decode every body', input,
      ours: { label: 'parseMime+decodeBody', samples: s.get('decodeAll')! }, peer: { label: 'postal-mime', samples: s.get('postal')! }, kind: 'faster',
      note: 'equal work: postal-mime decodes every part; toMessage keeps a clear-signed body as one slice (MS-OXOSMIME 2.2.1)',
    });
  }
  return rows;
}
