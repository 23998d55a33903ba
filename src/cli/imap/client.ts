/**
 * Connecting to an IMAP server with imapflow (Node only). TLS: `imaps://` or `--imap-tls` is TLS
 * from the first byte (RFC 8314 3.3); `--starttls` requires STARTTLS (RFC 9051 6.2.1) and refuses a
 * server that does not offer it; neither: imapflow upgrades when the server offers STARTTLS.
 * imapflow logs nothing (its logger is off), so no credential can reach a log; our own messages
 * name the server as `user@host:port`, never the password.
 */
import { ImapFlow } from 'imapflow';
import { SmimeBridgeError } from '../../errors.js';
import { resolvePassword } from '../files/password.js';
import type { ImapUrl } from './url.js';

/** How to reach and log in to IMAP servers (the `--imap-*` options). */
export interface ImapAccess {
  /** TLS from the first byte even for `imap://` URLs. */
  tls?: boolean;
  /** Require STARTTLS. */
  starttls?: boolean;
  /** Accept a server certificate that does not chain to a known CA (test servers). */
  insecure?: boolean;
  /** The password (for URLs that carry none). */
  password?: string;
}

/** The `--imap-*` option values of a command. */
export interface ImapOptionValues { imapTls?: boolean; starttls?: boolean; imapInsecure?: boolean; imapPasswordFile?: string; imapPasswordEnv?: string }

/** The access options from the command line; the password from a file, a variable or a prompt. */
export async function imapAccessFrom(o: ImapOptionValues, what: string, usage: (m: string) => Error): Promise<ImapAccess> {
  if (o.imapTls && o.starttls) throw usage('--imap-tls and --starttls contradict each other');
  const password = await resolvePassword({ passwordFile: o.imapPasswordFile, passwordEnv: o.imapPasswordEnv }, what, usage, 'imap-');
  return { tls: o.imapTls, starttls: o.starttls, insecure: o.imapInsecure, password };
}

/** `user@host:port/Mailbox`: how messages name a server. */
export function serverLabel(u: ImapUrl): string {
  return `${u.user}@${u.host}:${u.port}/${u.mailbox}`;
}

/** A logged-in client; throws IMAP_ERROR when the server cannot be reached or refuses the login. */
export async function connectImap(u: ImapUrl, access: ImapAccess): Promise<ImapFlow> {
  const secure = u.tls || !!access.tls;
  const client = new ImapFlow({
    host: u.host, port: u.port, secure, doSTARTTLS: secure ? undefined : access.starttls ? true : undefined,
    auth: { user: u.user, pass: u.password ?? access.password ?? '' },
    tls: access.insecure ? { rejectUnauthorized: false } : undefined,
    logger: false, disableAutoIdle: true, connectionTimeout: 20_000, greetingTimeout: 16_000, socketTimeout: 120_000,
  });
  // A dropped connection is reported by the command that was running; the event must not crash us.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    client.close();
    throw imapError(u, 'cannot log in to', e);
  }
  return client;
}

/** An imapflow failure as IMAP_ERROR naming the server (never the password). */
export function imapError(u: ImapUrl, doing: string, e: unknown): SmimeBridgeError {
  if (e instanceof SmimeBridgeError) return e;
  const err = e as { message?: string; code?: string; responseText?: string; authenticationFailed?: boolean };
  const why = err.authenticationFailed ? 'authentication failed' : [err.code, err.responseText ?? err.message].filter(Boolean).join(': ');
  return new SmimeBridgeError('IMAP_ERROR', `${doing} ${serverLabel(u)}: ${why || String(e)}`);
}

/** Log out politely; a connection already gone is closed. */
export async function closeImap(client: ImapFlow): Promise<void> {
  try {
    await client.logout();
  } catch {
    client.close();
  }
}
