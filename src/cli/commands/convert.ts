/**
 * `smime-bridge convert`:
 * - `convert IN OUT` converts one message, kinds read by content (.eml, mbox entry, .msg, JSON,
 *   bare CMS, X.400) and the output format from OUT's extension or `--to`; `-` is stdin/stdout;
 * - `convert INPUT... --out DIR --to FORMAT` converts many (files, folders, Maildir folders, mbox
 *   files) with every core (batch/run.ts); `--to mbox` writes one mbox file.
 */
import type { Printer } from '../output.js';
import { UsageError } from '../output.js';
import { loadInput, refuseBinaryToTerminal, renderOutput, writeOutput } from '../files/io.js';
import { outputFormatOf } from '../files/formats.js';
import { formatWarning } from './inspectReport.js';
import { runBatch } from '../batch/run.js';
import type { BatchTarget } from '../batch/convert.js';
import type { InputValues, KeyValues, TrustValues } from '../options.js';
import { openOptionsFrom } from './verify.js';
import { isImapUrl } from '../imap/url.js';
import type { ImapOptionValues } from '../imap/access.js';

interface ConvertValues extends InputValues, KeyValues, TrustValues, ImapOptionValues {
  verify?: boolean;
  out?: string; to?: string; force?: boolean; skipExisting?: boolean; jobs?: number; report?: string;
  maxSize: number; timeout: number; grace: number; json?: boolean; quiet?: boolean;
}

const usage = (m: string) => new UsageError(m);

export async function runConvert(p: Printer, paths: string[], o: ConvertValues): Promise<number> {
  if (o.out !== undefined && (isImapUrl(o.out) || paths.some(isImapUrl))) {
    if (o.force) throw usage('--force: outputs of IMAP runs are never replaced (a second run finds them and writes nothing)');
    return (await import('./queue.js')).runLocalImap(p, paths, { ...o, out: o.out });
  }
  if (o.out !== undefined) {
    if (o.out === '') throw usage('--out needs a folder (or, with --to mbox, a file) name; it was empty');
    if (o.to === undefined) throw usage('a batch (--out) needs --to msg|eml|json|mbox');
    if (o.force && o.skipExisting) throw usage('--force and --skip-existing contradict each other');
    const verify = o.verify ? await openOptionsFrom(o) : undefined;
    return runBatch({
      verify,
      inputs: paths, outDir: o.out, to: o.to as BatchTarget, force: o.force ?? false, skipExisting: o.skipExisting, strict: o.strict,
      jobs: o.jobs, report: o.report, quiet: o.quiet, json: o.json, maxMessageBytes: o.maxSize, timeoutMs: o.timeout * 1000, graceMs: o.grace * 1000,
    });
  }
  for (const batchOnly of ['skipExisting', 'jobs', 'report', 'verify'] as const) {
    if (o[batchOnly] !== undefined) throw usage(`--${batchOnly.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is for batches: give --out DIR`);
  }
  if (paths.length !== 2) {
    throw usage(paths.length > 2
      ? `convert IN OUT takes two paths; for ${paths.length - 1} inputs give --out DIR --to FORMAT`
      : 'convert needs IN and OUT (or INPUT... --out DIR --to FORMAT)');
  }
  const [inPath, outPath] = paths as [string, string];
  const format = outputFormatOf(outPath, o.to, usage);
  refuseBinaryToTerminal(outPath, format, usage);
  if (outPath === '-' && o.json) throw usage('--json and -o - would both write stdout: give OUT as a file');
  const input = await loadInput(inPath, { strict: o.strict, lenient: o.lenient, index: o.index });
  const out = renderOutput(format, input.message, { strict: o.strict });
  await writeOutput(outPath, out.bytes, { force: o.force });
  const warnings = [...input.warnings, ...(out.internet?.warnings ?? [])];
  if (outPath === '-') {
    for (const w of warnings) p.warn(formatWarning(w));
    return 0;
  }
  for (const w of warnings) p.warn(formatWarning(w));
  p.lines(`${inPath} -> ${outPath}  (${input.message.messageClass}, ${out.bytes.length} bytes)`);
  p.result({ input: inPath, output: outPath, format, inputKind: input.kind, messageClass: input.message.messageClass, bytes: out.bytes.length, warnings });
  return 0;
}
