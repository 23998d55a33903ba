/**
 * `--report FILE.jsonl` (Node only): one JSON line per message, written as results come (a run over
 * a million messages holds none of them), to a temporary file renamed into place at the end; the
 * last line is `{"summary": ...}`.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { SmimeBridgeError } from '../../errors.js';
import { errnoText, jsonReplacer } from '../output.js';

export class JsonLines {
  private failed?: Error;
  private constructor(private readonly path: string, private readonly tmp: string, private readonly out: WriteStream) {
    out.on('error', (e) => { this.failed = e; });
  }

  /** Open a report; an existing file is kept unless `force`. */
  static async create(path: string, force = false): Promise<JsonLines> {
    if (!force && await stat(path).then(() => true, () => false)) throw new SmimeBridgeError('OUTPUT_EXISTS', `report ${path} exists`);
    const tmp = `${path}.${process.pid}.tmp`;
    return new JsonLines(path, tmp, createWriteStream(tmp, { flags: 'wx' }));
  }

  write(record: unknown): void {
    this.out.write(`${JSON.stringify(record, jsonReplacer)}\n`);
  }

  /** Write the last line and move the file into place. */
  async close(last?: unknown): Promise<void> {
    if (last !== undefined) this.write(last);
    await new Promise<void>((res) => this.out.end(res));
    if (this.failed) {
      await unlink(this.tmp).catch(() => undefined);
      throw new SmimeBridgeError('IO_ERROR', `cannot write report ${this.path}: ${errnoText(this.failed)}`);
    }
    await rename(this.tmp, this.path);
  }
}
