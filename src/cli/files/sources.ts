/**
 * The messages of the inputs of a many-file command (`verify`, `inspect`): files, `-` (stdin),
 * folders (walked as the batch walks them, Maildir included) and mbox files (each message). Lazy:
 * one message is held at a time, an mbox file is streamed.
 */
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { planSources } from '../batch/plan.js';
import { readInputBytes } from './io.js';
import { mboxMessageContent, readMbox, splitMbox, startsWithFromLine } from './mbox.js';
import { errnoText } from '../output.js';

/** One message to look at, or an input that could not be read. */
export interface SourceMessage {
  /** `path`, or `path#N` for message N of an mbox. */
  label: string;
  input: string;
  index?: number;
  offset?: number;
  /** The message's bytes (an mbox entry already un-quoted). */
  bytes?: Uint8Array;
  /** The name used to sniff the kind (the file name; for mbox entries `entry.eml`). */
  name: string;
  problem?: { code: string; reason: string };
}

async function* fileMessages(path: string, name: string): AsyncGenerator<SourceMessage> {
  if (extname(path).toLowerCase() === '.mbox' && path !== '-') {
    for await (const m of readMbox(path)) {
      if (m.preamble) continue;
      yield { label: `${path}#${m.index}`, input: path, index: m.index, offset: m.offset, name: 'entry.eml', bytes: m.bytes && mboxMessageContent(m.bytes),
        problem: m.bytes ? undefined : { code: 'LIMIT_EXCEEDED', reason: `message of ${m.size} bytes is over the limit` } };
    }
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = await readInputBytes(path);
  } catch (e) {
    yield { label: path, input: path, name, problem: { code: (e as { code?: string }).code ?? 'IO_ERROR', reason: (e as { reason?: string }).reason ?? (e as Error).message } };
    return;
  }
  const entries = startsWithFromLine(bytes) ? splitMbox(bytes) : [];
  if (entries.length > 1) {
    for (const e of entries) yield { label: `${path}#${e.index}`, input: path, index: e.index, offset: e.offset, name: 'entry.eml', bytes: mboxMessageContent(e.entry) };
    return;
  }
  yield { label: path, input: path, name, bytes };
}

/** Every message of the inputs, in order. */
export async function* eachMessage(inputs: string[]): AsyncGenerator<SourceMessage> {
  for (const input of inputs) {
    if (input === '-') {
      yield* fileMessages('-', 'stdin');
      continue;
    }
    const s = await stat(input).catch((e) => e as Error);
    if (s instanceof Error) {
      yield { label: input, input, name: input, problem: { code: 'IO_ERROR', reason: `cannot read ${input}: ${errnoText(s)}` } };
      continue;
    }
    if (!s.isDirectory()) {
      yield* fileMessages(input, input);
      continue;
    }
    const plan = await planSources([input], '\0no-output');
    for (const p of plan.problems) yield { label: p.path, input: p.path, name: p.path, problem: { code: p.code, reason: p.reason } };
    for (const f of plan.files) yield* fileMessages(f.path, f.maildir ? `${f.path}.eml` : f.path);
  }
}
