/**
 * Output formats of the command (Node only: file names). What a file is lives in
 * src/formats/sniff.ts (browser-safe; the page uses it too) and is re-exported here.
 */
import { extname } from 'node:path';
import { OUTPUT_FORMATS, type OutputFormat } from '../../formats/sniff.js';

export { bareCmsDer, looksLikeCmsDer, looksLikeMail, sniffInput, OUTPUT_FORMATS } from '../../formats/sniff.js';
export type { InputKind, OutputFormat } from '../../formats/sniff.js';

/** The output format of a path: `--to` when given, else the extension; `-` (stdout) defaults to eml. */
export function outputFormatOf(path: string, to: string | undefined, usage: (m: string) => Error, allowed: readonly string[] = OUTPUT_FORMATS): OutputFormat {
  if (to !== undefined) {
    const t = to.toLowerCase();
    if (!allowed.includes(t)) throw usage(`--to must be one of ${allowed.join(', ')}, got "${to}"`);
    return t as OutputFormat;
  }
  if (path === '-') return 'eml';
  const ext = extname(path).toLowerCase().slice(1);
  if (allowed.includes(ext)) return ext as OutputFormat;
  throw usage(`cannot tell the output format of "${path}": name it .${allowed.join(', .')} or give --to FORMAT`);
}
