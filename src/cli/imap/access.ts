/**
 * How a command reaches and logs in to IMAP servers (Node only): the `--imap-*` options without
 * loading imapflow (client.ts), so that commands and workers that never touch IMAP do not load it.
 *
 * TLS: `imaps://` or `--imap-tls` is TLS from the first byte (RFC 8314 3.3); `--starttls`
 * requires STARTTLS (RFC 9051 6.2.1). The server certificate must chain to a CA Node trusts or to
 * one given with `--imap-ca FILE` (PEM); `--imap-insecure` (test servers only) is the one way to
 * accept any certificate.
 *
 * The password: from the URL (discouraged), `--imap-password-file FILE`, `--imap-password-env
 * VAR`, or, when none is given, a prompt on the terminal that does not echo; without a terminal,
 * a usage error naming those options. A worker asks only when its first IMAP job needs it.
 */
import { readFile } from 'node:fs/promises';
import { SmimeBridgeError } from '../../errors.js';
import { resolvePassword } from '../files/password.js';
import { errnoText } from '../output.js';

/** How to reach and log in to IMAP servers. */
export interface ImapAccess {
  /** TLS from the first byte even for `imap://` URLs. */
  tls?: boolean;
  /** Require STARTTLS. */
  starttls?: boolean;
  /** Accept a server certificate that does not chain to a known CA (test servers). */
  insecure?: boolean;
  /** Trust these CA certificates (PEM) for the server certificate, besides Node's own list. */
  ca?: string;
  /** Where `ca` came from (for error messages). */
  caFile?: string;
  /** The password (for URLs that carry none)... */
  password?: string;
  /** ...or how to get it when first needed (a worker's prompt, or the usage error without a terminal). */
  askPassword?: () => Promise<string>;
}

/** The `--imap-*` option values of a command. */
export interface ImapOptionValues { imapTls?: boolean; starttls?: boolean; imapInsecure?: boolean; imapCa?: string; imapPasswordFile?: string; imapPasswordEnv?: string }

/** The usage error when a password is needed and nothing can give it. */
export function noPasswordError(what: string, usage: (m: string) => Error): Error {
  return usage(`${what} needs a password: give --imap-password-file FILE or --imap-password-env VAR (no terminal to ask on)`);
}

/**
 * The access options from the command line. `what` names the server for the prompt. `needed`:
 * whether a login without a password in its URL is ahead for sure (convert, queue submit: ask or
 * fail now) or only perhaps (a worker: ask when the first IMAP job comes).
 */
export async function imapAccessFrom(o: ImapOptionValues, what: string, usage: (m: string) => Error, needed: 'now' | 'later' | 'no' = 'now'): Promise<ImapAccess> {
  if (o.imapTls && o.starttls) throw usage('--imap-tls and --starttls contradict each other');
  if (o.imapInsecure && o.imapCa) throw usage('--imap-insecure and --imap-ca contradict each other');
  let ca: string | undefined;
  if (o.imapCa !== undefined) {
    try {
      ca = await readFile(o.imapCa, 'utf8');
    } catch (e) {
      throw new SmimeBridgeError('IO_ERROR', `cannot read --imap-ca ${o.imapCa}: ${errnoText(e)}`);
    }
    if (!/-----BEGIN CERTIFICATE-----/.test(ca)) throw usage(`--imap-ca ${o.imapCa}: not a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  const access: ImapAccess = { tls: o.imapTls, starttls: o.starttls, insecure: o.imapInsecure, ca, caFile: o.imapCa };
  const given = o.imapPasswordFile !== undefined || o.imapPasswordEnv !== undefined;
  if (given || needed === 'now') {
    access.password = await resolvePassword({ passwordFile: o.imapPasswordFile, passwordEnv: o.imapPasswordEnv }, what, usage, 'imap-');
    if (access.password === undefined) throw noPasswordError(what, usage);
  } else if (needed === 'later') {
    let asked: Promise<string> | undefined;
    access.askPassword = () => asked ??= resolvePassword({}, what, usage, 'imap-').then((p) => {
      if (p === undefined) throw noPasswordError(what, usage);
      return p;
    });
  }
  return access;
}
