/** `smime-bridge inspect FILE [--json]`. */
import { parseArgs } from 'node:util';
import { loadInput } from './io.js';
import { inspect, renderInspect } from './inspect.js';
import { UsageError } from './usage.js';

export async function runInspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, strict: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new UsageError('inspect needs exactly one FILE');
  const file = positionals[0]!;
  const report = inspect(file, await loadInput(file, { strict: values.strict }));
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : renderInspect(report) + '\n');
  return 0;
}
