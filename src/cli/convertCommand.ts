/** `smime-bridge convert IN OUT`: formats chosen by extension (.eml/.mbox, .msg, .json). */
import { parseArgs } from 'node:util';
import { loadInput, renderOutput, writeAtomic } from './io.js';
import { formatWarning } from './inspect.js';
import { UsageError } from './usage.js';

export async function runConvert(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { strict: { type: 'boolean', default: false }, force: { type: 'boolean', default: true }, quiet: { type: 'boolean', short: 'q', default: false } },
  });
  if (positionals.length !== 2) throw new UsageError('convert needs IN and OUT');
  const [inPath, outPath] = positionals as [string, string];
  const input = await loadInput(inPath, { strict: values.strict });
  const out = renderOutput(outPath, input.message, { strict: values.strict });
  await writeAtomic(outPath, out.bytes, values.force);
  if (!values.quiet) {
    for (const w of [...input.warnings, ...(out.internet?.warnings ?? [])]) process.stderr.write(`warning: ${formatWarning(w)}\n`);
    process.stdout.write(`${inPath} -> ${outPath}  (${input.message.messageClass}, ${out.bytes.length} bytes)\n`);
  }
  return 0;
}
