/**
 * Results of a batch run (Node only): the counters and summary line, and the optional
 * `--report FILE.json` written record by record (a run over a million messages does not hold a
 * million records), to a temporary file renamed into place when the run ends.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { SmimeKind } from '../../smime/index.js';

/** One message's result, as written to the report. */
export interface BatchRecord {
  input: string;
  /** mbox: 1-based message index and byte offset of its `From ` line. */
  index?: number;
  offset?: number;
  output?: string;
  status: 'converted' | 'failed';
  smimeKind?: SmimeKind;
  messageClass?: string;
  outputBytes?: number;
  warnings?: number;
  code?: string;
  reason?: string;
}

/** Counters of a run. */
export class BatchSummary {
  converted = 0;
  failed = 0;
  bytes = 0;
  readonly byKind: Record<SmimeKind, number> = { 'clear-signed': 0, 'opaque-or-encrypted': 0, none: 0 };
  readonly byCode = new Map<string, number>();

  add(r: BatchRecord, size: number): void {
    this.bytes += size;
    if (r.status === 'converted') {
      this.converted++;
      this.byKind[r.smimeKind ?? 'none']++;
    } else {
      this.failed++;
      this.byCode.set(r.code ?? '?', (this.byCode.get(r.code ?? '?') ?? 0) + 1);
    }
  }

  get done(): number { return this.converted + this.failed; }

  /** `converted 290 (clear-signed 100, opaque-or-encrypted 90, none 100), failed 10 (SMIME_NOT_TWO_PARTS 4, ...)`. */
  line(): string {
    const k = this.byKind;
    const codes = [...this.byCode].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
    return `converted ${this.converted} (clear-signed ${k['clear-signed']}, opaque-or-encrypted ${k['opaque-or-encrypted']}, none ${k.none}), failed ${this.failed}${codes ? ` (${codes})` : ''}`;
  }

  toJSON(): object {
    return { converted: this.converted, byKind: this.byKind, failed: this.failed, failedByCode: Object.fromEntries(this.byCode) };
  }
}

/** Streams `{"messages":[...],"summary":{...}}` to `path` (via a temporary file). */
export class ReportWriter {
  private readonly tmp: string;
  private readonly out: WriteStream;
  private first = true;
  private failedWrite?: Error;

  constructor(private readonly path: string) {
    this.tmp = `${path}.${process.pid}.tmp`;
    this.out = createWriteStream(this.tmp, { flags: 'wx' });
    this.out.on('error', (e) => { this.failedWrite = e; });
    this.out.write('{"messages":[\n');
  }

  add(r: BatchRecord): void {
    this.out.write(`${this.first ? '' : ',\n'}${JSON.stringify(r)}`);
    this.first = false;
  }

  /** Finish the file and move it into place. */
  async close(summary: BatchSummary, extra: Record<string, unknown>): Promise<void> {
    this.out.write(`\n],\n"summary":${JSON.stringify({ ...summary.toJSON(), ...extra })}}\n`);
    await new Promise<void>((res) => this.out.end(res));
    if (this.failedWrite) {
      await unlink(this.tmp).catch(() => undefined);
      throw this.failedWrite;
    }
    await rename(this.tmp, this.path);
  }

  /** Drop the temporary file (the run could not finish the report). */
  async discard(): Promise<void> {
    await new Promise<void>((res) => this.out.end(res));
    await unlink(this.tmp).catch(() => undefined);
  }
}
