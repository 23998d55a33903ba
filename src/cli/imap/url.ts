/**
 * IMAP mailbox URLs (Node only): `imap://user@host[:port]/Mailbox` (RFC 5092 section 3, the
 * `iserver` and `enc-mailbox` parts; `imaps://` for implicit TLS, RFC 8314 section 3.3). The user
 * and mailbox are percent-decoded; a password in the URL is accepted but never printed: logs and
 * reports use {@link redactedUrl}, and jobs carry the URL without it.
 */
import { SmimeBridgeError } from '../../errors.js';

/** A parsed mailbox URL. */
export interface ImapUrl {
  /** `imaps:` URL: TLS from the first byte (RFC 8314 3.3). */
  tls: boolean;
  host: string;
  port: number;
  user: string;
  /** Only when the URL carries one (`imap://user:pw@host/...`); never stored in a job. */
  password?: string;
  /** The mailbox (`INBOX`, `Archive/2024`); default INBOX. */
  mailbox: string;
}

/** True when `s` names an IMAP mailbox rather than a file. */
export function isImapUrl(s: string): boolean {
  return /^imaps?:\/\//i.test(s);
}

/** Parse `imap://user@host[:port]/Mailbox`. */
export function parseImapUrl(s: string): ImapUrl {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new SmimeBridgeError('INVALID_ARGUMENT', `not an IMAP URL: ${redactedUrl(s)} (expected imap://user@host[:port]/Mailbox)`);
  }
  const tls = u.protocol.toLowerCase() === 'imaps:';
  if (!tls && u.protocol.toLowerCase() !== 'imap:') throw new SmimeBridgeError('INVALID_ARGUMENT', `not an IMAP URL: ${redactedUrl(s)}`);
  if (!u.hostname) throw new SmimeBridgeError('INVALID_ARGUMENT', `IMAP URL without a host: ${redactedUrl(s)}`);
  if (!u.username) throw new SmimeBridgeError('INVALID_ARGUMENT', `IMAP URL without a user: ${redactedUrl(s)} (imap://user@host/Mailbox)`);
  const mailbox = decodeURIComponent(u.pathname.replace(/^\/+/, '').replace(/;.*$/, '')) || 'INBOX'; // RFC 5092: ";UIDVALIDITY=..." etc. are not ours
  return {
    tls, host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : tls ? 993 : 143,
    user: decodeURIComponent(u.username), password: u.password ? decodeURIComponent(u.password) : undefined, mailbox,
  };
}

/** The URL without a password, for logs, reports and job data. */
export function redactedUrl(s: string): string {
  return s.replace(/^(imaps?:\/\/[^/@:]*):[^/@]*@/i, '$1@');
}

/** The canonical text of a parsed URL, without password. */
export function formatImapUrl(u: ImapUrl): string {
  const host = u.host.includes(':') ? `[${u.host}]` : u.host;
  return `${u.tls ? 'imaps' : 'imap'}://${encodeURIComponent(u.user)}@${host}:${u.port}/${u.mailbox.split('/').map(encodeURIComponent).join('/')}`;
}
