/**
 * Results of a batch run: the record of each message (a line of `--report FILE.jsonl`, see
 * files/jsonLines.ts) and the counters behind the summary line.
 */
import type { SmimeKind } from '../../smime/index.js';

/** One message's result, as written to the report. */
export interface BatchRecord {
  input: string;
  /** mbox: 1-based message index and byte offset of its `From ` line. */
  index?: number;
  offset?: number;
  /** IMAP sources: the message's UID (under the mailbox's UIDVALIDITY). */
  uid?: number;
  /** Queue jobs: the message's ID (SHA-256 of its source's identity, queue/job.ts). */
  id?: string;
  output?: string;
  status: 'converted' | 'failed' | 'skipped';
  smimeKind?: SmimeKind;
  messageClass?: string;
  outputBytes?: number;
  warnings?: number;
  /** `convert --verify`: the verdict (valid, untrusted, invalid, cannot-check, unsigned) and its reason codes. */
  verdict?: string;
  verdictReasons?: string[];
  code?: string;
  reason?: string;
}

/** Counters of a run. */
export class BatchSummary {
  converted = 0;
  failed = 0;
  skipped = 0;
  bytes = 0;
  readonly byKind: Record<SmimeKind, number> = { 'clear-signed': 0, 'opaque-or-encrypted': 0, none: 0 };
  readonly byCode = new Map<string, number>();
  readonly byVerdict = new Map<string, number>();

  add(r: BatchRecord, size: number): void {
    this.bytes += size;
    if (r.status === 'skipped') {
      this.skipped++;
    } else if (r.status === 'converted') {
      this.converted++;
      this.byKind[r.smimeKind ?? 'none']++;
      if (r.verdict) this.byVerdict.set(r.verdict, (this.byVerdict.get(r.verdict) ?? 0) + 1);
    } else {
      this.failed++;
      this.byCode.set(r.code ?? '?', (this.byCode.get(r.code ?? '?') ?? 0) + 1);
    }
  }

  get done(): number { return this.converted + this.failed + this.skipped; }

  /** `converted 290 (clear-signed 100, opaque-or-encrypted 90, none 100), failed 10 (SMIME_NOT_TWO_PARTS 4, ...)`. */
  line(): string {
    const k = this.byKind;
    const codes = [...this.byCode].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
    return `converted ${this.converted} (clear-signed ${k['clear-signed']}, opaque-or-encrypted ${k['opaque-or-encrypted']}, none ${k.none}), ${this.byVerdict.size ? `verdicts ${[...this.byVerdict].map(([k, n]) => `${k} ${n}`).join(', ')}; ` : ''}${this.skipped ? `skipped ${this.skipped} (output exists), ` : ''}failed ${this.failed}${codes ? ` (${codes})` : ''}`;
  }

  toJSON(): object {
    return { converted: this.converted, byKind: this.byKind, skipped: this.skipped, failed: this.failed, failedByCode: Object.fromEntries(this.byCode),
      ...(this.byVerdict.size ? { verdicts: Object.fromEntries(this.byVerdict) } : {}) };
  }
}

