/**
 * `smime-bridge convert`:
 * - `convert IN OUT` converts one file, formats chosen by extension (.eml/.mbox, .msg, .json);
 * - `convert INPUT... --out DIR --to msg|eml|json` converts many (files, folders, mbox files)
 *   with every core; see batch.ts.
 */
import { parseArgs } from 'node:util';
import { loadInput, renderOutput, writeAtomic } from '../files/io.js';
import { formatWarning } from './inspectReport.js';
import { UsageError } from '../usage.js';
import { runBatch } from '../batch/run.js';
import type { BatchTarget } from '../batch/convert.js';

/** Help for the batch form (`convert --help`). */
export const BATCH_HELP = `usage:
  smime-bridge convert IN OUT [--strict]
  smime-bridge convert INPUT... --out DIR --to msg|eml|json [options]

INPUT: files (.eml, .msg, .json, .mbox), folders (searched recursively for those) and mbox files
(RFC 4155; message N of box.mbox becomes DIR/box/00000N.<to>). Output names mirror the input
paths relative to the folder given; x.eml beside x.msg become x.eml.<to> and x.msg.<to>.

options:
  --out DIR          output folder (created if needed)
  --to FORMAT        msg, eml or json
  --force            overwrite existing outputs (default: an existing output is a failure)
  --strict           a recoverable violation fails the message instead of a warning
  --jobs N           worker threads (default: number of CPUs)
  --report FILE      write per-message results as JSON
  --max-size BYTES   largest message converted (default 536870912)
  --timeout SECONDS  time limit per message (default 600; 0 = none)
  --grace SECONDS    after SIGINT/SIGTERM, time running messages get to finish before the
                     workers are stopped (default 5; a second signal stops them at once)
  --quiet, -q        no progress display

exit codes: 0 all converted, 1 some failed, 2 usage error, 130/143 interrupted (SIGINT/SIGTERM)
`;

const TARGETS = new Set(['msg', 'eml', 'json']);

function positiveInt(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) throw new UsageError(`${name} needs a whole number >= ${min}, got "${v}"`);
  return Number(v);
}

/** Run `convert` with its arguments (after the word `convert`); resolves to the exit code. */
export async function runConvert(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      strict: { type: 'boolean', default: false },
      force: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      out: { type: 'string' },
      to: { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      report: { type: 'string' },
      'max-size': { type: 'string' },
      timeout: { type: 'string' },
      grace: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(BATCH_HELP);
    return 0;
  }
  const batch = values.out !== undefined || values.to !== undefined || values.jobs !== undefined || values.report !== undefined
    || values['max-size'] !== undefined || values.timeout !== undefined || values.grace !== undefined;
  if (batch) {
    if (values.out === undefined || values.to === undefined) throw new UsageError('batch convert needs --out DIR and --to msg|eml|json');
    if (!TARGETS.has(values.to)) throw new UsageError(`--to must be msg, eml or json, got "${values.to}"`);
    if (positionals.length === 0) throw new UsageError('batch convert needs at least one INPUT (file, folder or mbox)');
    const timeout = positiveInt('--timeout', values.timeout, 0);
    const grace = positiveInt('--grace', values.grace, 0);
    return runBatch({
      inputs: positionals, outDir: values.out, to: values.to as BatchTarget, force: values.force ?? false, strict: values.strict,
      jobs: positiveInt('--jobs', values.jobs, 1), report: values.report, quiet: values.quiet,
      maxMessageBytes: positiveInt('--max-size', values['max-size'], 1), timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      graceMs: grace === undefined ? undefined : grace * 1000,
    });
  }
  if (positionals.length !== 2) throw new UsageError('convert needs IN and OUT (or INPUT... --out DIR --to FORMAT)');
  const [inPath, outPath] = positionals as [string, string];
  const input = await loadInput(inPath, { strict: values.strict });
  const out = renderOutput(outPath, input.message, { strict: values.strict });
  await writeAtomic(outPath, out.bytes, values.force ?? true);
  if (!values.quiet) {
    for (const w of [...input.warnings, ...(out.internet?.warnings ?? [])]) process.stderr.write(`warning: ${formatWarning(w)}\n`);
    process.stdout.write(`${inPath} -> ${outPath}  (${input.message.messageClass}, ${out.bytes.length} bytes)\n`);
  }
  return 0;
}
