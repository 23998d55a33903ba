/**
 * The `smime-bridge` command (Node only): the commands and their options declared on commander,
 * and the one mapping of failures to exit codes (exit.ts). Command modules load on demand, so
 * `--version` and `help` never pay for the CMS or X.400 code. The process entry point is bin.ts;
 * nothing here runs at import time.
 */
import { packageVersion } from './packageRoot.js';
import { Command, CommanderError, Option } from 'commander';
import { EXIT, EXIT_TABLE } from './exit.js';
import { Printer, UsageError, quietOnClosedPipe, type CommonOptions } from './output.js';
import { collect, common, imapOptions, inputOptions, keyOptions, outputOptions, queueOptions, trustOptions, wholeNumber } from './options.js';

type Handler = (p: Printer, ...args: any[]) => Promise<number>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FORMATS = ['eml', 'msg', 'json', 'mbox'];

/** Build the program; `setExit` receives the exit code of the command that ran. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('smime-bridge');
  const act = (load: () => Promise<Handler>) => async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.opts() as CommonOptions;
    const p = new Printer(opts);
    try {
      setExit(await (await load())(p, ...args.slice(0, -1)));
    } catch (e) {
      setExit(p.error(e));
    }
  };
  program
    .description('carry S/MIME e-mail between Internet mail (.eml), Outlook .msg and X.400 without breaking a signature')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(true)
    .helpCommand('help [command]', 'show the help of a command')
    .addHelpText('after', `\n${EXIT_TABLE}\n\nverdicts: valid = signature, digest, path to a trust anchor (--ca), usage and From address all hold;\n  untrusted = the signature holds but no path reaches a trust anchor; invalid = forged, tampered,\n  ambiguous or against policy; cannot-check = encrypted without a key, unsupported, incomplete.\n`);

  common(imapOptions(inputOptions(trustOptions(keyOptions(program.command('convert')
    .description('convert a message: IN OUT by format (.eml, .mbox, .msg, .json; - is stdin/stdout), or a batch with --out DIR')
    .argument('<paths...>', 'IN OUT, or with --out: inputs (files, folders, Maildir folders, mbox files, imap://user@host[:port]/Mailbox)')
    .option('--out <dir>', 'batch: output folder (or, with --to mbox, one mbox file; or an IMAP mailbox imap://user@host[:port]/Mailbox)')
    .addOption(new Option('--to <format>', 'output format (single: default from OUT\'s extension)').choices(FORMATS))
    .option('--force', 'overwrite existing outputs (default: an existing output is kept and counts as a failure)')
    .option('--skip-existing', 'batch: skip messages whose output exists (resume an interrupted run)')
    .option('-j, --jobs <n>', 'batch: worker threads (default: number of CPUs; small batches run in-process)', wholeNumber(1))
    .option('--report <file>', 'batch: one JSON line per message (input, output, class, error code, warnings) and a summary line')
    .option('--max-size <bytes>', 'batch: largest message converted', wholeNumber(1), 512 * 1024 * 1024)
    .option('--timeout <seconds>', 'batch: time limit per message (0 = none)', wholeNumber(0), 600)
    .option('--grace <seconds>', 'batch: after SIGINT/SIGTERM, time running messages get to finish', wholeNumber(0), 5)
    .option('--verify', 'batch: also verify each message (trust, keys and policy as for verify); the verdict goes into the report'))))))
    .action(act(async () => (await import('./commands/convert.js')).runConvert));

  const queue = program.command('queue').description('the queue-driven mode on BullMQ/Redis: submit sources as jobs, watch, list failures, retry, report');
  common(imapOptions(trustOptions(queueOptions(queue.command('submit')
    .description('split sources into jobs (files, mbox message runs, IMAP UID ranges) and add them to the queue; workers convert them')
    .argument('<sources...>', 'files, folders, Maildir folders, mbox files, imap://user@host[:port]/Mailbox (paths every worker can read)')
    .requiredOption('--out <dest>', 'output folder every worker can write (shared storage), or imap://user@host[:port]/Mailbox')
    .addOption(new Option('--to <format>', 'output format (IMAP: eml)').choices(['eml', 'msg', 'json']))
    .option('--verify', 'also verify each message (the trust options name files every worker can read); the verdict goes into the report')
    .option('--strict', 'a recoverable violation of a specification fails the message')
    .option('--per-job <n>', 'messages per job at most (files, mbox messages, IMAP UIDs)', wholeNumber(1), 50)
    .option('--job-bytes <bytes>', 'bytes per job at most (files and mbox messages; a larger message is a job of its own)', wholeNumber(1), 64 * 1024 * 1024)
    .option('--attempts <n>', 'tries of a job (source or destination unreachable) before it goes to the failed set', wholeNumber(1), 5)
    .option('--backoff <ms>', 'delay before the first retry; doubles each time', wholeNumber(0), 2000)
    .option('--max-size <bytes>', 'largest message converted', wholeNumber(1), 512 * 1024 * 1024)))))
    .action(act(async () => (await import('./commands/queue.js')).runSubmit));
  common(queueOptions(queue.command('status')
    .description('jobs waiting, active, delayed, completed, failed; messages done, rate and time left')
    .option('--watch', 'refresh until nothing is left (a progress bar on a terminal)')))
    .action(act(async () => (await import('./commands/queue.js')).runStatus));
  common(queueOptions(queue.command('failed').description('the failed set: each job\'s sources, attempts and error code')))
    .action(act(async () => (await import('./commands/queue.js')).runFailed));
  common(queueOptions(queue.command('retry').description('put the failed set back in the queue (attempts start again)')))
    .action(act(async () => (await import('./commands/queue.js')).runRetry));
  common(queueOptions(queue.command('report')
    .description('write the run\'s report: one JSON line per source message (converted or failed) and a summary line')
    .argument('<file>', 'the report (JSON Lines)')
    .option('--force', 'overwrite an existing report')))
    .action(act(async () => (await import('./commands/queue.js')).runReport));

  common(imapOptions(queueOptions(program.command('worker')
    .description('take jobs from the queue and convert them (any number of workers, on any machine); SIGTERM finishes the running message and stops')
    .option('--concurrency <n>', 'jobs at once', wholeNumber(1), 1)
    .option('--stalled <seconds>', 'a job whose worker stopped renewing its lock this long ago is run again elsewhere', wholeNumber(1), 30)
    .option('--until-empty', 'exit when nothing is waiting, delayed or running')
    .option('--report <file>', 'also write this worker\'s records (JSON Lines; the run\'s report is queue report)'))))
    .action(act(async () => (await import('./commands/queue.js')).runWorkerCommand));

  common(inputOptions(program.command('inspect')
    .description('what a message is: S/MIME class, every layer, signers and their verdict (no trust anchors: untrusted at best), headers, attachments; an mbox lists its messages')
    .argument('<files...>', 'files, folders, mbox files; - is stdin')
    .option('--report <file>', 'one JSON line per message and a summary line')
    .option('--force', 'overwrite an existing --report file')))
    .action(act(async () => (await import('./commands/inspect.js')).runInspect));

  common(inputOptions(trustOptions(keyOptions(program.command('verify')
    .description('verify every signature of every layer and give the verdict (exit 0 only when valid)')
    .argument('<files...>', 'files, folders, mbox files; - is stdin')
    .option('--content <file>', 'the signed content of a detached signature given as a bare .p7s')
    .option('--report <file>', 'one JSON line per message and a summary line')
    .option('--force', 'overwrite an existing --report file')))))
    .action(act(async () => (await import('./commands/verify.js')).runVerify));

  common(inputOptions(trustOptions(keyOptions(program.command('extract')
    .description('write the body and real attachments of the signed or decrypted content to DIR (verifies first)')
    .argument('<file>', 'the message; - is stdin')
    .argument('<dir>', 'output folder')
    .option('--force', 'overwrite existing files in DIR')
    .option('--no-verify', 'write the content even when its signature is invalid (the record says so)')))))
    .action(act(async () => (await import('./commands/extract.js')).runExtract));

  common(inputOptions(trustOptions(keyOptions(outputOptions(program.command('decrypt')
    .description('remove the encryption; signatures inside are kept (and verified)')
    .argument('<file>', 'the message; - is stdin'), FORMATS)))))
    .action(act(async () => (await import('./commands/crypto.js')).runDecrypt));

  common(inputOptions(keyOptions(outputOptions(program.command('sign')
    .description('sign a message: clear-signed multipart/signed (default) or opaque, optionally then encrypted')
    .argument('<file>', 'the message; - is stdin')
    .option('--opaque', 'opaque-signed application/pkcs7-mime instead of multipart/signed')
    .addOption(new Option('--digest <alg>', 'digest algorithm').choices(['sha256', 'sha384', 'sha512', 'sha1']).default('sha256'))
    .option('--encrypt <cert>', 'then encrypt for this recipient certificate (repeatable)', collect)
    .option('--no-encrypt-to-self', 'with --encrypt: do not also encrypt to the signer (Outlook does by default)'), FORMATS))))
    .action(act(async () => (await import('./commands/crypto.js')).runSign));

  common(inputOptions(outputOptions(program.command('encrypt')
    .description('encrypt a message for recipient certificates (defaults every receiving agent must read, RFC 8551 2.7)')
    .argument('<file>', 'the message; - is stdin')
    .requiredOption('--cert <file>', 'recipient certificate (repeatable)', collect)
    .addOption(new Option('--cipher <alg>', 'content encryption').choices(['aes-128-cbc', 'aes-256-cbc', 'aes-128-gcm', 'aes-256-gcm']).default('aes-128-cbc'))
    .addOption(new Option('--key-transport <alg>', 'RSA key transport').choices(['pkcs1', 'oaep']).default('pkcs1')), FORMATS)))
    .action(act(async () => (await import('./commands/crypto.js')).runEncrypt));

  common(inputOptions(trustOptions(keyOptions(outputOptions(program.command('unwrap')
    .description('peel every S/MIME layer: the innermost message as a plain IPM.Note, with the record of each layer in its header')
    .argument('<file>', 'the message; - is stdin')
    .option('--no-verify', 'write the content even when a signature is invalid'), FORMATS)))))
    .action(act(async () => (await import('./commands/crypto.js')).runUnwrap));

  const x400 = program.command('x400').description('S/MIME over X.400 (RFC 3855): wrap, forward, unwrap, inspect');
  const x400Common = (c: Command) => common(c
    .option('-o, --out <file>', 'output file; - is stdout', '-')
    .option('--force', 'overwrite an existing output file'));
  const x400Send = (c: Command) => x400Common(c
    .option('--mime-wrapper', 'carry the whole S/MIME entity (RFC 3855 2.4) instead of the bare CMS object')
    .option('--originator <or-name>', 'originator O/R name, e.g. "C=GB;A= ;P=Ex;O=Org;S=Doe" (default: from the From address, RFC 2156)')
    .option('--recipient <or-name>', 'recipient O/R name (repeatable; default: from To/Cc)', collect));
  x400Send(x400.command('wrap').description('a CMS object or S/MIME message as the content of an X.400 P1 message (RFC 3855 2.2, 2.4)').argument('<file>'))
    .action(act(async () => (await import('./commands/x400.js')).runX400Wrap));
  x400Send(x400.command('forward').description('a CMS object as a forwarded IPMS body part (RFC 3855 2.3); -o X.ipm for the IPM alone').argument('<file>')
    .option('--subject <text>', 'IPM subject (default: the message\'s)'))
    .action(act(async () => (await import('./commands/x400.js')).runX400Forward));
  x400Common(x400.command('unwrap').description('every CMS object of a P1 message or IPM back to .eml, .msg, .json or .p7m').argument('<file>')
    .addOption(new Option('--to <format>', 'output format (default: from -o)').choices(['eml', 'msg', 'json', 'p7m'])))
    .action(act(async () => (await import('./commands/x400.js')).runX400Unwrap));
  common(x400.command('inspect').description('envelope, heading, body parts and CMS objects of a P1 message or IPM').argument('<file>'))
    .action(act(async () => (await import('./commands/x400.js')).runX400Inspect));

  common(program.command('web')
    .description('serve the offline page (check and convert messages in a browser; nothing is uploaded) on 127.0.0.1 and print its URL')
    .option('--port <n>', 'port (0: any free port)', wholeNumber(0), 8080)
    .option('--open', 'open the page in the default browser'))
    .action(act(async () => (await import('./commands/web.js')).runWeb));

  common(program.command('demo')
    .description('convert the included samples to .msg/.json and back, verify and decrypt them, and show what it found')
    .argument('[dir]', 'folder of .eml samples (default: the samples shipped with smime-bridge)')
    .option('--out <dir>', 'output folder', 'demo-out'))
    .action(act(async () => (await import('./commands/demo.js')).runDemo));

  return program;
}

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram((c) => { code = c; });
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return e.code === 'commander.help' && e.exitCode !== 0 ? EXIT.USAGE : EXIT.OK;
      const p = new Printer({ json: argv.includes('--json') });
      // commander puts its suggestion on a line of its own; one line here (split, not a regex: linear)
      return p.error(new UsageError(e.message.replace(/^error: /, '').split('\n').map((l) => l.trim()).filter(Boolean).join(' ')));
    }
    return new Printer({ json: argv.includes('--json'), verbose: argv.includes('-v') || argv.includes('--verbose') }).error(e);
  }
}

/** The process entry: run, set the exit code, end quietly on a closed pipe. */
export async function run(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  process.exitCode = await main(argv);
}
