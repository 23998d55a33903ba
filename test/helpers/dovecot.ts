/**
 * A real Dovecot IMAP server for a test (dovecot-imapd): a throwaway configuration in a temporary
 * folder, listening on 127.0.0.1 on a free port, one static password for every user, Maildir
 * mailboxes in the folder. Runs as the current user; as root (CI), the login and internal
 * processes run as Debian's dovenull and dovecot users and the mail belongs to dovecot, because
 * Dovecot refuses to serve mail as root.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort, manageServer, serverAvailable, waitForPort, type ManagedServer } from './servers.js';

/** Is Dovecot installed? (One line when not; CI=true: an error.) */
export function dovecotAvailable(suite: string): boolean {
  return serverAvailable('dovecot', ['--version'], suite, 'dovecot-imapd');
}

export interface DovecotServer extends ManagedServer {
  host: string;
  /** The plain port (with `tls`: STARTTLS offered and required before login). */
  port: number;
  /** With `tls`: the implicit-TLS port (RFC 8314 3.3). */
  tlsPort?: number;
  password: string;
  /** `imap://user@127.0.0.1:port/Mailbox` (`imaps://` on the TLS port with `tls`). */
  url(user: string, mailbox?: string, opts?: { tls?: boolean }): string;
}

/** A certificate and key (PEM files) for the server, e.g. made by openssl in the test. */
export interface DovecotTls { cert: string; key: string }

function idOf(name: string, flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
}

/**
 * Start Dovecot. With `tls`: ssl = required (RFC 9051 11.1: no login before TLS), STARTTLS on the
 * plain port (RFC 9051 6.2.1) and an implicit-TLS listener on a second port.
 */
export async function startDovecot(opts: { tls?: DovecotTls } = {}): Promise<DovecotServer> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-bridge-dovecot-'));
  chmodSync(dir, 0o755); // the login processes (another user under root) reach their sockets here
  const port = await freePort();
  const tlsPort = opts.tls ? await freePort() : undefined;
  const password = 'test-password-not-secret';
  const root = process.getuid?.() === 0;
  const me = userInfo();
  const mail = join(dir, 'mail');
  mkdirSync(mail);
  const mailUid = root ? idOf('dovecot', '-u') : me.uid;
  const mailGid = root ? idOf('dovecot', '-g') : me.gid;
  if (root) chownSync(mail, mailUid, mailGid);
  const group = root ? 'dovecot' : execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, `# throwaway test configuration (test/helpers/dovecot.ts)
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = smime-bridge-test-${port}
listen = 127.0.0.1
protocols = imap
${opts.tls ? `ssl = required
ssl_cert = <${opts.tls.cert}
ssl_key = <${opts.tls.key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes` : `ssl = no
disable_plaintext_auth = no`}
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = ${root ? 'dovecot' : me.username}
default_internal_group = ${group}
default_login_user = ${root ? 'dovenull' : me.username}
first_valid_uid = ${Math.min(mailUid, 100)}
first_valid_gid = 0
mail_location = maildir:${mail}/%u
passdb {
  driver = static
  args = password=${password}
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${mail}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort ?? 0}${tlsPort ? '\n    ssl = yes' : ''}
  }
  chroot =
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
`);
  const server = await manageServer({
    dir, signal: 'SIGTERM', port,
    launch: () => spawn('dovecot', ['-F', '-c', conf], { stdio: 'ignore' }),
    ready: () => waitForPort(port, /^\* OK/),
  });
  return {
    host: '127.0.0.1', port, tlsPort, password,
    url: (user, mailbox = 'INBOX', o = {}) => (o.tls ? `imaps://${user}@127.0.0.1:${tlsPort}/${mailbox}` : `imap://${user}@127.0.0.1:${port}/${mailbox}`),
    restart: server.restart, stop: server.stop,
  };
}
