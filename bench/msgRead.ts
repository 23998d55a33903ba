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

/**
 * Our side: class, properties (read by readMsg), attachment bytes; returns bytes touched.
 * `deriveHtml: false` by default: msgreader does not decompress RTF, so deriving HTML from it
 * (readMsg's default) would be extra work; the default-options time is reported separately.
 */
function oursOne(bytes: Uint8Array, deriveHtml = false): number {
  const walk = (m: MessageObject): number => {
    let n = m.messageClass.length + m.properties.size;
    for (const a of m.attachments) {
      n += a.properties.getBinary(PidTagAttachDataBinary)?.length ?? 0;
      if (a.embedded) n += walk(a.embedded);
    }
    return n;
  };
  return walk(readMsg(bytes, { deriveHtml }).message);
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

/** Benchmark a batch of .msg files: the target row (same work) and readMsg with default options. */
export async function benchMsgRead(label: string, paths: string[], rounds: number): Promise<Row[]> {
  const Reader = await msgReaderClass();
  const files = await usable(paths);
  const total = files.reduce((s, f) => s + f.bytes.length, 0);
  const ours = () => timeIt(() => { for (const f of files) oursOne(f.bytes); });
  const peer = () => timeIt(() => { for (const f of files) peerOne(Reader, f.ab); });
  const oursDefault = () => timeIt(() => { for (const f of files) oursOne(f.bytes, true); });
  await ours(); await peer(); await oursDefault(); // warm-up (JIT), not counted
  const s = await alternate(rounds, [{ name: 'ours', run: ours }, { name: 'peer', run: peer }, { name: 'default', run: oursDefault }]);
  const skipped = paths.length - files.length;
  const input = `${label}: ${files.length} file${files.length === 1 ? '' : 's'}, ${mb(total)}${skipped ? ` (${skipped} rejected by a reader, left out)` : ''}`;
  return [{
    bench: '.msg read (class, properties, attachment bytes)', input,
    ours: { label: 'readMsg {deriveHtml:false}', samples: s.get('ours')! },
    peer: { label: '@kenjiuno/msgreader', samples: s.get('peer')! },
    kind: 'faster',
    target: 3,
  }, {
    bench: '.msg read, readMsg default options', input,
    ours: { label: 'readMsg (derives HTML from RTF)', samples: s.get('default')! },
    peer: { label: '@kenjiuno/msgreader', samples: s.get('peer')! },
    kind: 'faster',
    note: 'extra work msgreader does not do: decompress RTF and de-encapsulate HTML when PidTagHtml is absent',
  }];
}
