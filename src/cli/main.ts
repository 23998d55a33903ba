#!/usr/bin/env node
/**
 * The `smime-bridge` command (Node only). Each subcommand lives in its own module; this file only
 * dispatches and maps failures to exit codes: 0 success, 1 rejected input (one line naming the
 * error code), 2 usage error.
 */
import { isSmimeBridgeError } from '../errors.js';
import { HELP, UsageError } from './usage.js';
import { runConvert } from './convertCommand.js';
import { runInspect } from './inspectCommand.js';
import { runDemo } from './demo.js';
import { runExtract } from './extract.js';
import { runX400 } from './x400Command.js';
import { runDecrypt, runEncrypt, runSign, runUnwrap, runVerify } from './cryptoCommands.js';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  convert: runConvert,
  inspect: runInspect,
  demo: runDemo,
  extract: runExtract,
  verify: runVerify,
  decrypt: runDecrypt,
  sign: runSign,
  encrypt: runEncrypt,
  unwrap: runUnwrap,
  x400: runX400,
};

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  try {
    if (!cmd) throw new UsageError(`unknown command "${name}"`);
    return await cmd(rest);
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
