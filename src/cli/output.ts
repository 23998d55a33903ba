/**
 * What the command prints, in one place (Node only): text lines with every control character
 * taken from a message or certificate escaped (no input can repaint the terminal), one JSON
 * object per command (`--json`; JSON Lines for runs over many files), error lines that give the
 * code once, the message, where, and what to do, and a quiet end when the reader of a pipe goes
 * away (`| head -1`).
 */
import { getSystemErrorMap } from 'node:util';
import { SmimeBridgeError, formatLocation, isSmimeBridgeError } from '../errors.js';
import { EXIT } from './exit.js';

/** Options every command takes. */
export interface CommonOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/**
 * C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text (bidi
 * overrides and isolates, zero-width joiners, line/paragraph separators), escaped as `\xNN` or
 * `\u{NNNN}`. Tab stays a tab.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/gu;

/** One line of text made safe for a terminal: every control or reordering character escaped. */
export function safeText(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const n = c.codePointAt(0)!;
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });
}

/** errno code -> its words (`ENOENT` -> `no such file or directory`), from libuv's own table. */
let errnoWords: Map<string, string> | undefined;
function wordsOf(code: string): string | undefined {
  if (!errnoWords) {
    errnoWords = new Map();
    for (const [name, message] of getSystemErrorMap().values()) errnoWords.set(name, message);
  }
  return errnoWords.get(code);
}

/** `ENOENT` -> `no such file or directory (ENOENT)`. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code) {
    const w = wordsOf(code);
    return w ? `${w} (${code})` : code;
  }
  return (e as Error)?.message ?? String(e);
}

/** What to do about an error code, shown under the error line. */
const HINTS: Record<string, string> = {
  IO_ERROR: 'check the path and its permissions',
  OUTPUT_EXISTS: 'give --force to overwrite it, or choose another output',
  INPUT_EMPTY: 'the input is empty: nothing to read',
  INPUT_NOT_MAIL: 'the input does not look like mail, .msg, JSON or CMS; --lenient reads it as mail anyway',
  MBOX_MULTIPLE: 'give --out DIR to convert every message, or --index N for one',
  MBOX_MALFORMED: 'the mbox has text before its first "From " line; see the report for what was skipped',
  CMS_NO_RECIPIENT: 'give the decryption key: --key KEY.pem [--cert CERT.pem] or --p12 FILE.p12',
  CMS_WRONG_KEY: 'the message was not encrypted for this key; `inspect` lists its recipients',
  CMS_BAD_PASSWORD: 'check the password (--password-file FILE, --password-env VAR, or the prompt)',
  CMS_DECRYPT_FAILED: 'the key does not open this message, or the message was changed in transit',
  CMS_UNSUPPORTED_ALGORITHM: 'smime-bridge does not implement this algorithm; `inspect` names it',
  CMS_KEY_MALFORMED: 'the key file is not a PEM/DER private key or PKCS#12 file',
  SMIME_NOT_SMIME: 'the message is not S/MIME; `inspect` shows what it is',
  LIMIT_EXCEEDED: 'the input is over a safety limit (see the message); a larger limit is an option where one exists',
  MSG_CFB_MALFORMED: 'the .msg file is damaged or not an Outlook file (not a Compound File Binary)',
  UNSUPPORTED_FORMAT: 'see `smime-bridge help` for the formats each command reads and writes',
  USAGE: 'see `smime-bridge help COMMAND`',
};

/** A usage error (exit 2), also from commander. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Structured form of an error for `--json` and for the error line. */
export interface ErrorRecord {
  code: string;
  message: string;
  location?: Record<string, unknown>;
  hint?: string;
  exitCode: number;
}

/** The exit code and record of any thrown value: typed errors 1, usage 2, anything else 3. */
export function errorRecord(e: unknown): ErrorRecord {
  if (e instanceof UsageError) return { code: 'USAGE', message: e.message, hint: HINTS.USAGE, exitCode: EXIT.USAGE };
  if (isSmimeBridgeError(e)) {
    const loc = Object.keys(e.location).length ? e.location as Record<string, unknown> : undefined;
    return { code: e.code, message: reasonOf(e), location: loc, hint: HINTS[e.code], exitCode: e.code === 'INVALID_ARGUMENT' ? EXIT.USAGE : EXIT.REJECTED };
  }
  const err = e as Error;
  return { code: 'INTERNAL_ERROR', message: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`, hint: 'this is a bug in smime-bridge: please report it (run with -v for the stack)', exitCode: EXIT.INTERNAL };
}

/** The message of a typed error without its leading code and trailing location. */
export function reasonOf(e: SmimeBridgeError): string {
  // a nested error's text may itself start with its code: give each code once
  return e.reason.startsWith(`${e.code}: `) ? e.reason.slice(e.code.length + 2) : e.reason;
}

/** Prints for one command run; knows `--json`, `-q`, `-v`. */
export class Printer {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  /** A JSON line went out already: what follows (an error too) must be one line each (JSON Lines). */
  private jsonLines = false;

  constructor(o: CommonOptions = {}) {
    this.json = !!o.json;
    this.quiet = !!o.quiet;
    this.verbose = !!o.verbose;
  }

  /** Text lines of the result (stdout); nothing with --json or -q. Each line is escaped. */
  lines(lines: string[] | string): void {
    if (this.json || this.quiet) return;
    for (const l of Array.isArray(lines) ? lines : [lines]) process.stdout.write(`${safeText(l)}\n`);
  }

  /** Only with -v. */
  detail(lines: string[] | string): void {
    if (this.verbose) this.lines(lines);
  }

  /** A warning line on stderr (not with -q or --json: JSON carries warnings in its object). */
  warn(text: string): void {
    if (this.json || this.quiet) return;
    process.stderr.write(`warning: ${safeText(text)}\n`);
  }

  /** The one JSON object of a command (or one JSON line of a run over many inputs). */
  result(obj: unknown, pretty = true): void {
    if (!this.json) return;
    if (!pretty) this.jsonLines = true;
    process.stdout.write(`${JSON.stringify(obj, jsonReplacer, pretty && !this.jsonLines ? 2 : undefined)}\n`);
  }

  /** Report an error: the JSON record on stdout with --json, else one line (+ hint) on stderr. Returns the exit code. */
  error(e: unknown, context?: string): number {
    const r = errorRecord(e);
    if (this.json) {
      process.stdout.write(`${JSON.stringify({ error: r, ...(context ? { input: context } : {}) }, jsonReplacer, this.jsonLines ? undefined : 2)}\n`);
      return r.exitCode;
    }
    const where = r.location ? formatLocation(r.location) : '';
    process.stderr.write(`smime-bridge: ${context ? `${safeText(context)}: ` : ''}${r.code}: ${safeText(r.message)}${where}\n`);
    if (r.hint) process.stderr.write(`  hint: ${r.hint}\n`);
    if (this.verbose && r.exitCode === EXIT.INTERNAL) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
    return r.exitCode;
  }
}

/** JSON for results: bytes as their length, dates as ISO strings, bigint as decimal. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: value.length };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** End quietly when the reader of stdout goes away (`| head -1`): no stack trace. */
export function quietOnClosedPipe(): void {
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.PIPE);
    throw e;
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}
