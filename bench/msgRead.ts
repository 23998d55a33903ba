/**
 * Reading .msg files: our readMsg against @kenjiuno/msgreader doing the same work: the message
 * class, the properties and every attachment's bytes (embedded messages included), in process.
 */
import { readFileSync } from 'node:fs';
import { readMsg } from '../src/msg/index.js';
import { PidTagAttachDataBinary, type MessageObject } from '../src/mapi/index.js';
import { alternate, mb, timeIt } from './stats.js';
import type { Row } from './report.js';

type MsgReaderCtor = new (ab: ArrayBuffer) => {
  getFileData(): { error?: string; messageClass?: string; attachments?: unknown[] };
  getAttachment(a: unknown): { content: Uint8Array };
};

async function msgReaderClass(): Promise<MsgReaderCtor> {
  const mod = (await import('@kenjiuno/msgreader')) as unknown as { default: MsgReaderCtor | { default: MsgReaderCtor } };
  const d = mod.default;
  return typeof d === 'function' ? d : d.default;
}

/** Our side: class, properties (read by readMsg), attachment bytes; returns bytes touched. */
function oursOne(bytes: Uint8Array): number {
  const walk = (m: MessageObject): number => {
    let n = m.messageClass.length + m.properties.size;
    for (const a of m.attachments) {
      n += a.properties.getBinary(PidTagAttachDataBinary)?.length ?? 0;
      if (a.embedded) n += walk(a.embedded);
    }
    return n;
  };
  return walk(readMsg(bytes).message);
}

/** The peer: getFileData (class, properties) and getAttachment for every attachment. */
function peerOne(Reader: MsgReaderCtor, ab: ArrayBuffer): number {
  const r = new Reader(ab);
  const d = r.getFileData();
  if (d.error) throw new Error(d.error);
  let n = (d.messageClass ?? '').length;
  for (const a of d.attachments ?? []) n += r.getAttachment(a).content.length;
  return n;
}

/** Files both readers accept (a file either side rejects is left out, and counted). */
async function usable(paths: string[]): Promise<{ bytes: Uint8Array; ab: ArrayBuffer }[]> {
  const Reader = await msgReaderClass();
  const out: { bytes: Uint8Array; ab: ArrayBuffer }[] = [];
  for (const p of paths) {
    const bytes = new Uint8Array(readFileSync(p));
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    try {
      oursOne(bytes);
      peerOne(Reader, ab);
      out.push({ bytes, ab });
    } catch {
      /* rejected by one side: not comparable */
    }
  }
  return out;
}

/** Benchmark a batch of .msg files: one row. */
export async function benchMsgRead(label: string, paths: string[], rounds: number): Promise<Row> {
  const Reader = await msgReaderClass();
  const files = await usable(paths);
  const total = files.reduce((s, f) => s + f.bytes.length, 0);
  const ours = () => timeIt(() => { for (const f of files) oursOne(f.bytes); });
  const peer = () => timeIt(() => { for (const f of files) peerOne(Reader, f.ab); });
  await ours(); await peer(); // warm-up (JIT), not counted
  const s = await alternate(rounds, [{ name: 'ours', run: ours }, { name: 'peer', run: peer }]);
  const skipped = paths.length - files.length;
  return {
    bench: '.msg read (class, properties, attachment bytes)',
    input: `${label}: ${files.length} file${files.length === 1 ? '' : 's'}, ${mb(total)}${skipped ? ` (${skipped} rejected by a reader, left out)` : ''}`,
    ours: { label: 'readMsg', samples: s.get('ours')! },
    peer: { label: '@kenjiuno/msgreader', samples: s.get('peer')! },
    kind: 'faster',
    target: 3,
  };
}
