/**
 * Connecting to an IMAP server with imapflow (Node only). TLS: `imaps://` or `--imap-tls` is TLS
 * from the first byte (RFC 8314 3.3); `--starttls` requires STARTTLS (RFC 9051 6.2.1) and refuses a
 * server that does not offer it; neither: imapflow upgrades when the server offers STARTTLS. The
 * certificate is checked (Node's CAs plus `--imap-ca`); one that does not verify is
 * IMAP_CERT_UNTRUSTED, never accepted unless `--imap-insecure` says so.
 * imapflow logs nothing (its logger is off), so no credential can reach a log; our own messages
 * name the server as `user@host:port`, never the password.
 */
import * as tls from 'node:tls';
import { ImapFlow } from 'imapflow';
import { SmimeBridgeError } from '../../errors.js';
import type { ImapAccess } from './access.js';
import type { ImapUrl } from './url.js';

export type { ImapAccess } from './access.js';

/** `user@host:port/Mailbox`: how messages name a server. */
export function serverLabel(u: ImapUrl): string {
  return `${u.user}@${u.host}:${u.port}/${u.mailbox}`;
}

/** Node's codes for a server certificate that does not verify (tls.TLSSocket authorizationError, X509_V_ERR_*). */
const CERT_ERRORS = /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_UNTRUSTED|CERT_REVOKED|ERR_TLS_CERT_ALTNAME_INVALID|CERT_SIGNATURE_FAILURE|INVALID_CA)$/;

/** A logged-in client; throws IMAP_ERROR when the server cannot be reached or refuses the login, IMAP_CERT_UNTRUSTED for a certificate that does not verify. */
export async function connectImap(u: ImapUrl, access: ImapAccess): Promise<ImapFlow> {
  const secure = u.tls || !!access.tls;
  const pass = u.password ?? access.password ?? (access.askPassword ? await access.askPassword() : '');
  const client = new ImapFlow({
    host: u.host, port: u.port, secure, doSTARTTLS: secure ? undefined : access.starttls ? true : undefined,
    auth: { user: u.user, pass },
    // RFC 8314 / RFC 9051 11.1: the certificate must chain to a trusted CA and name the host; only --imap-insecure says otherwise.
    tls: access.insecure ? { rejectUnauthorized: false } : access.ca ? { ca: [...tls.rootCertificates, access.ca] } : undefined,
    logger: false, disableAutoIdle: true, connectionTimeout: 20_000, greetingTimeout: 16_000, socketTimeout: 120_000,
  });
  // A dropped connection is reported by the command that was running; the event must not crash us.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    client.close();
    const code = (e as { code?: string }).code ?? '';
    if (CERT_ERRORS.test(code)) {
      throw new SmimeBridgeError('IMAP_CERT_UNTRUSTED', `${serverLabel(u)}: the server certificate is not trusted (${code}: ${(e as Error).message}); `
        + (access.caFile ? `it does not chain to --imap-ca ${access.caFile} or does not name ${u.host}` : 'give the CA that issued it with --imap-ca FILE'));
    }
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
