#!/usr/bin/env node
/**
 * The `smime-bridge` command (Node only). Each subcommand lives in its own module; this file only
 * dispatches and maps failures to exit codes: 0 success, 1 rejected input (one line naming the
 * error code), 2 usage error.
 */
import '../platform/node-install.js';
import { isSmimeBridgeError } from '../errors.js';
import { HELP, UsageError } from './usage.js';

type Command = (args: string[]) => Promise<number>;

// Commands are loaded on demand: `convert` never pays for loading the CMS and X.400 code, which
// matters when a batch tool starts one process per file.
const COMMANDS: Record<string, () => Promise<Command>> = {
  convert: async () => (await import('./convertCommand.js')).runConvert,
  inspect: async () => (await import('./inspectCommand.js')).runInspect,
  demo: async () => (await import('./demo.js')).runDemo,
  extract: async () => (await import('./extract.js')).runExtract,
  verify: async () => (await import('./cryptoCommands.js')).runVerify,
  decrypt: async () => (await import('./cryptoCommands.js')).runDecrypt,
  sign: async () => (await import('./cryptoCommands.js')).runSign,
  encrypt: async () => (await import('./cryptoCommands.js')).runEncrypt,
  unwrap: async () => (await import('./cryptoCommands.js')).runUnwrap,
  x400: async () => (await import('./x400Command.js')).runX400,
};

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  try {
    if (!load) throw new UsageError(`unknown command "${name}"`);
    return await (await load())(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`smime-bridge: ${e.message}\n(see smime-bridge help)\n`);
      return 2;
    }
    if (isSmimeBridgeError(e)) {
      process.stderr.write(`smime-bridge: ${e.message}\n`);
      return 1;
    }
    if ((e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
      || (e as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`smime-bridge: ${(e as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`smime-bridge: internal error: ${(e as Error).stack ?? e}\n`);
    return 3;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isMain) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
