/** Naming and describing findings; shared by the child, its watchdog and the parent. */
import { createHash } from 'node:crypto';

export function hashOf(b: Uint8Array): string {
  return createHash('sha1').update(b).digest('hex').slice(0, 12);
}

/** The text file kept next to a finding: what happened and the command that replays it. */
export function findingText(target: string, kind: string, detail: string, file: string, replayArg: string): string {
  return `target: ${target}\nkind: ${kind}\n\n${detail}\n\nreplay: npm run fuzz -- --replay ${replayArg}${file.slice(file.lastIndexOf('/fuzz/findings/') + 1)}\n`;
}

/** A signature to tell findings apart: kind, error name, message without numbers, first frame in the library. */
export function signatureOf(kind: string, e: unknown): string {
  const err = e as { name?: string; message?: string; stack?: string };
  // numbers and quoted names (paths in errno messages) vary between inputs of one failure
  const msg = String(err?.message ?? e).split('\n')[0]!.replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N').slice(0, 120);
  const frame = (err?.stack ?? '').split('\n').find((l) => l.includes('/dist/src/'))?.replace(/:\d+:\d+\)?$/, '').trim() ?? '';
  return `${kind}|${err?.name ?? typeof e}|${msg}|${frame}`;
}
