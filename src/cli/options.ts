/**
 * The option groups the commands share, declared once on commander (a well-kept argument parser:
 * generated per-command help that shows every default, option validation, `help CMD`). Every
 * command takes the common group (`--json`, `-q`, `-v`); commands that write take the output
 * group; commands that open layers take the key and trust groups.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';


/** Repeatable option values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A whole number >= min, as an option value. */
export function wholeNumber(min: number): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min) throw new InvalidArgumentError(`needs a whole number >= ${min}`);
    return Number(v);
  };
}

const WEAK = ['md5', 'sha1', 'rsa-short'];
function weakAlgorithm(v: string, previous: string[] = []): string[] {
  if (!WEAK.includes(v)) throw new InvalidArgumentError(`one of ${WEAK.join(', ')}`);
  return collect(v, previous);
}

/** `--json`, `-q`, `-v`. */
export function common(c: Command): Command {
  return c
    .option('--json', 'print one JSON object on stdout (errors too; runs over many files: one JSON line each)')
    .option('-q, --quiet', 'print nothing but errors (the exit code tells the outcome)')
    .option('-v, --verbose', 'print more detail (certificates, warnings, stacks of internal errors)');
}

/** Reading inputs: strict/lenient and the mbox index. */
export function inputOptions(c: Command): Command {
  return c
    .option('--strict', 'a recoverable violation of a specification rejects the input instead of a warning')
    .option('--lenient', 'read an empty or unrecognisable input as mail instead of rejecting it')
    .option('--index <n>', 'the message of an mbox (1-based) when it holds more than one', wholeNumber(1));
}

/** `-o`, `--to`, `--force`. */
export function outputOptions(c: Command, formats: string[], what = 'the output'): Command {
  return c
    .option('-o, --out <file>', `${what}; - is stdout`, '-')
    .addOption(new Option('--to <format>', 'output format (default: from the extension of -o; eml for stdout)').choices(formats))
    .option('--force', 'overwrite an existing output file (default: an existing file is kept and the command fails)');
}

/** Decryption / signing keys and their passwords. */
export function keyOptions(c: Command): Command {
  return c
    .option('--key <file>', 'private key (PEM or DER, PKCS#8 or PKCS#1; encrypted PEM needs a password)')
    .option('--cert <file>', 'certificate of the key (PEM or DER; optional for decryption)')
    .option('--p12 <file>', 'PKCS#12 / PFX file with key and certificate')
    .option('--password-file <file>', 'read the password from the first line of FILE')
    .option('--password-env <var>', 'take the password from environment variable VAR')
    .option('--password <pw>', 'the password itself (WARNING: other users of this machine can see it in the process list; prefer --password-file or --password-env; without any, a terminal asks)');
}

/** Trust anchors, CRLs and the verification policy. */
export function trustOptions(c: Command): Command {
  return c
    .option('--ca <file|dir>', 'trust anchor CA certificate(s): PEM/DER file or folder (repeatable)', collect)
    .option('--trust-leaf <file>', 'trust these end-entity certificates as themselves only (never as issuers) (repeatable)', collect)
    .option('--crl <file|dir>', 'CRLs for revocation checking: PEM/DER file or folder (repeatable)', collect)
    .option('--signature-only', 'do not require a path to a trust anchor (signature, digest, usage, address and algorithms still decide)')
    .option('--allow-address-mismatch', 'a From/Sender address the certificate does not carry is a note, not invalid')
    .option('--allow-weak <alg>', 'accept a weak signature algorithm: md5, sha1 or rsa-short (RSA under 2048 bits) (repeatable)', weakAlgorithm)
    .addOption(new Option('--revocation <mode>', 'CRL checking: require (a certificate no CRL covers fails), if-available (CRLs at hand are checked), off').choices(['require', 'if-available', 'off']).default('if-available'))
    .option('--at <time>', 'validate certificate paths at this time (ISO 8601) instead of the signing time (or now when the message has none or it lies ahead)');
}

/** Values of the key group. */
export interface KeyValues { key?: string; cert?: string; p12?: string; password?: string; passwordFile?: string; passwordEnv?: string }
/** Values of the trust group. */
export interface TrustValues { ca?: string[]; trustLeaf?: string[]; crl?: string[]; revocation?: string; signatureOnly?: boolean; allowAddressMismatch?: boolean; allowWeak?: string[]; at?: string }
/** Values of the output group. */
export interface OutputValues { out: string; to?: string; force?: boolean }
/** Values of the input group. */
export interface InputValues { strict?: boolean; lenient?: boolean; index?: number }

/** IMAP access: TLS, STARTTLS, the password (never in a job or a log). */
export function imapOptions(c: Command): Command {
  return c
    .option('--imap-tls', 'IMAP: TLS from the first byte (as imaps://; port 993 by default)')
    .option('--starttls', 'IMAP: require STARTTLS (refuse a server that does not offer it)')
    .option('--imap-ca <file>', 'IMAP: also trust this CA certificate (PEM) for the server certificate')
    .option('--imap-insecure', 'IMAP: accept any server certificate, even one that does not chain to a trusted CA (test servers only)')
    .option('--imap-password-file <file>', 'IMAP: read the password from the first line of FILE')
    .option('--imap-password-env <var>', 'IMAP: take the password from environment variable VAR (without either, a terminal asks; no terminal: a usage error)');
}

/** Where the queue is: `--redis URL`, `--queue NAME`. */
export function queueOptions(c: Command): Command {
  return c
    .requiredOption('--redis <url>', 'the Redis server of the queue: redis://host:port (rediss:// for TLS)')
    .option('--queue <name>', 'queue name (several runs can share one Redis)', 'smime-bridge');
}
