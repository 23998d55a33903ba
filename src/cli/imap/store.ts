/**
 * Messages in and out of an IMAP mailbox (Node only, imapflow).
 *
 * Source: the UIDs of a mailbox (UID SEARCH ALL, RFC 9051 6.4.4) under its UIDVALIDITY, and the
 * messages of a job's UID set with their flags and internal date (UID FETCH set (FLAGS
 * INTERNALDATE BODY.PEEK[]), 6.4.5; PEEK leaves \Seen alone). A UIDVALIDITY that changed since the listing
 * means the UIDs name other messages now (RFC 9051 2.3.1.1): the fetch fails instead.
 *
 * Destination: APPEND with the message's flags and internal date (RFC 9051 6.3.12). APPEND is not
 * idempotent, so every appended message carries `X-SMIME-Bridge-Source: ID` as its first header
 * field (outside any signed part: a signature covers the signed content only, RFC 8551 3.5) and
 * is appended only when a SEARCH HEADER for that ID (6.4.4) finds nothing: a job run twice
 * appends each message once. Queue workers also take a claim on the ID in Redis around the
 * search and the APPEND (queue/connection.ts redisClaims), so that two workers running the same
 * job at the same moment do not both find nothing and both append.
 */
import type { ImapFlow } from 'imapflow';
import { SmimeBridgeError } from '../../errors.js';
import { imapError } from './client.js';
import type { ImapUrl } from './url.js';

/** The header field that names an appended message's source. */
export const SOURCE_HEADER = 'X-SMIME-Bridge-Source';

/** A mailbox's UIDs (ascending) and UIDVALIDITY. */
export async function listMailbox(client: ImapFlow, u: ImapUrl): Promise<{ uidValidity: string; uids: number[] }> {
  try {
    const box = await client.mailboxOpen(u.mailbox, { readOnly: true });
    const uids = box.exists ? await client.search({ all: true }, { uid: true }) : [];
    return { uidValidity: String(box.uidValidity), uids: [...(uids || [])].sort((a, b) => a - b) };
  } catch (e) {
    throw imapError(u, 'cannot list', e);
  }
}

/** One fetched message. */
export interface ImapMessage { uid: number; flags: string[]; internalDate?: Date; source: Uint8Array }

/** A UID set (RFC 9051 9, `sequence-set`) of ascending UIDs: runs as `a:b`, the rest one by one. */
export function uidSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length;) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    parts.push(j > i ? `${uids[i]}:${uids[j]}` : String(uids[i]));
    i = j + 1;
  }
  return parts.join(',');
}

/** The messages with these UIDs (ascending) that still exist. */
export async function fetchUids(client: ImapFlow, u: ImapUrl, uidValidity: string, uids: number[]): Promise<ImapMessage[]> {
  if (uids.length === 0) return [];
  // The lock keeps other jobs on this connection from selecting another mailbox meanwhile.
  let lock;
  try {
    lock = await client.getMailboxLock(u.mailbox, { readOnly: true });
  } catch (e) {
    throw imapError(u, 'cannot open', e);
  }
  const wanted = new Set(uids);
  const out: ImapMessage[] = [];
  try {
    const box = client.mailbox;
    if (!box || String(box.uidValidity) !== uidValidity) {
      throw new SmimeBridgeError('IMAP_ERROR', `${u.mailbox}: UIDVALIDITY is ${box ? box.uidValidity : '?'}, not ${uidValidity} as when the job was made: the UIDs name other messages now (RFC 9051 2.3.1.1); submit the mailbox again`);
    }
    for await (const m of client.fetch(uidSet(uids), { uid: true, flags: true, internalDate: true, source: true }, { uid: true })) {
      if (!wanted.has(m.uid) || !m.source) continue; // "a:b" also matches the highest UID when none is in range (RFC 9051 6.4.8)
      const d = m.internalDate;
      out.push({ uid: m.uid, flags: [...(m.flags ?? [])], internalDate: d ? new Date(d) : undefined, source: new Uint8Array(m.source) });
    }
  } catch (e) {
    throw imapError(u, 'cannot fetch from', e);
  } finally {
    lock.release();
  }
  return out.sort((a, b) => a.uid - b.uid);
}

/** `bytes` with the source header field in front (CRLF or LF, as the message's first line ends). */
export function withSourceHeader(bytes: Uint8Array, id: string): Uint8Array {
  const nl = bytes.indexOf(0x0a);
  const eol = nl > 0 && bytes[nl - 1] === 0x0d ? '\r\n' : nl >= 0 ? '\n' : '\r\n';
  const head = new TextEncoder().encode(`${SOURCE_HEADER}: ${id}${eol}`);
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head);
  out.set(bytes, head.length);
  return out;
}

/** Flags APPEND may set: not \Recent, which only the server sets (RFC 3501 2.3.2). */
function appendableFlags(flags: string[]): string[] {
  return flags.filter((f) => f.toLowerCase() !== '\\recent');
}

/** A mailbox exists after this (CREATE; one that already exists is fine). */
export async function ensureMailbox(client: ImapFlow, u: ImapUrl): Promise<void> {
  try {
    const list = await client.list();
    if (list.some((b) => b.path === u.mailbox || (u.mailbox.toUpperCase() === 'INBOX' && b.path.toUpperCase() === 'INBOX'))) return;
    await client.mailboxCreate(u.mailbox);
  } catch (e) {
    throw imapError(u, 'cannot create the mailbox at', e);
  }
}

/** Claims around APPEND (queue/process.ts AppendClaims). */
interface Claims { acquire(id: string): Promise<boolean>; appended(id: string): Promise<void>; release(id: string): Promise<void> }

/** Is a message with this source ID in the mailbox? (SEARCH HEADER, RFC 9051 6.4.4) */
async function holds(client: ImapFlow, u: ImapUrl, id: string): Promise<boolean> {
  const lock = await client.getMailboxLock(u.mailbox);
  try {
    const found = await client.search({ header: { [SOURCE_HEADER]: id } }, { uid: true });
    return !!found && found.length > 0;
  } finally {
    lock.release();
  }
}

/**
 * Append `bytes` unless a message with this source ID is there already; returns whether it
 * appended. With `claims` (queue workers), the search and the APPEND happen under a claim on the
 * ID that only one worker holds at a time, so two workers running the same job (a lock lost to a
 * stall) cannot both find nothing and both append.
 */
export async function appendOnce(client: ImapFlow, u: ImapUrl, id: string, bytes: Uint8Array, flags: string[], internalDate?: Date, claims?: Claims): Promise<boolean> {
  try {
    if (await holds(client, u, id)) return false;
    if (claims && !(await claims.acquire(id))) return false;
    try {
      if (claims && await holds(client, u, id)) {
        await claims.appended(id);
        return false;
      }
      const r = await client.append(u.mailbox, Buffer.from(withSourceHeader(bytes, id)), appendableFlags(flags), internalDate);
      if (!r) throw new Error('APPEND refused');
    } catch (e) {
      await claims?.release(id).catch(() => undefined);
      throw e;
    }
    await claims?.appended(id);
    return true;
  } catch (e) {
    throw imapError(u, 'cannot append to', e);
  }
}
