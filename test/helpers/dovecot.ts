/**
 * A real Dovecot IMAP server for a test (dovecot-imapd): a throwaway configuration in a temporary
 * folder, listening on 127.0.0.1 on a free port, one static password for every user, Maildir
 * mailboxes in the folder. Runs as the current user; as root (CI), the login and internal
 * processes run as Debian's dovenull and dovecot users and the mail belongs to dovecot, because
 * Dovecot refuses to serve mail as root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort, serverAvailable, waitForPort } from './servers.js';

/** Is Dovecot installed? (One line when not; CI=true: an error.) */
export function dovecotAvailable(suite: string): boolean {
  return serverAvailable('dovecot', ['--version'], suite, 'dovecot-imapd');
}

export interface DovecotServer {
  host: string;
  port: number;
  password: string;
  /** `imap://user@127.0.0.1:port/Mailbox` */
  url(user: string, mailbox?: string): string;
  /** Stop (the port stops answering) and, after `downMs`, start again with the same mail. */
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

function idOf(name: string, flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
}

export async function startDovecot(): Promise<DovecotServer> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-bridge-dovecot-'));
  chmodSync(dir, 0o755); // the login processes (another user under root) reach their sockets here
  const port = await freePort();
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
ssl = no
disable_plaintext_auth = no
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
    port = 0
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
  let proc: ChildProcess | undefined;
  const launch = async () => {
    proc = spawn('dovecot', ['-F', '-c', conf], { stdio: 'ignore' });
    await waitForPort(port, /^\* OK/);
  };
  const halt = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => { p.once('exit', () => r()); p.kill('SIGTERM'); });
    // the master is gone; wait until the port stops answering too
    for (let i = 0; i < 50; i++) {
      try {
        await waitForPort(port, undefined, 100);
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        return;
      }
    }
  };
  await launch();
  return {
    host: '127.0.0.1', port, password,
    url: (user, mailbox = 'INBOX') => `imap://${user}@127.0.0.1:${port}/${mailbox}`,
    async restart(o = {}) {
      await halt();
      await new Promise((r) => setTimeout(r, o.downMs ?? 1000));
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
