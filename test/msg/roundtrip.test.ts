/**
 * Write -> read round trip of every corpus .msg: readMsg -> writeMsg -> readMsg keeps every
 * property (tagged and named), recipient, attachment and embedded message. The only changes are
 * the ones MS-OXMSG asks of a Unicode writer: PT_STRING8 becomes PT_UNICODE (2.1.3),
 * PidTagStoreSupportMask gains STORE_UNICODE_OK (2.1.1.1), PidTagMessageFlags defaults to mfRead
 * and an embedded message's attachment gets PidTagAttachMethod 5.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { type MessageObject, type PropertyBag } from '../../src/mapi/message.js';
import { namedKey } from '../../src/mapi/named.js';
import { MV_FLAG, PT_STRING8, PT_UNICODE } from '../../src/mapi/proptypes.js';
import { toBase64 } from '../../src/mapi/json.js';
import { corpusBytes, msgEntries } from './helpers.js';

type Canon = Record<string, string>;

function canonBag(bag: PropertyBag, kind: 'message' | 'recipient' | 'attachment', hasEmbedded = false): Canon {
  const out: Canon = {};
  for (const p of bag) {
    const key = p.key.kind === 'tag' ? `tag:${p.key.id.toString(16)}` : `named:${namedKey(p.key.named)}`;
    let type = p.type;
    if ((type & ~MV_FLAG) === PT_STRING8) type = (type & MV_FLAG) | PT_UNICODE;
    const v = (x: unknown): unknown => (x instanceof Uint8Array ? `b64:${toBase64(x)}` : typeof x === 'bigint' ? `big:${x}` : x);
    const value = Array.isArray(p.value) ? p.value.map(v) : v(p.value);
    out[key] = JSON.stringify([type, value, p.flags ?? 6]);
  }
  // What a Unicode writer must change (see the module comment).
  if (kind !== 'recipient') {
    const mask = bag.getNumber(0x340d0003) ?? 0;
    out['tag:340d'] = JSON.stringify([0x0003, (mask | 0x00040000) | 0, bag.get(0x340d0003)?.flags ?? 6]);
  }
  if (kind === 'message' && !bag.has(0x0e070003)) out['tag:e07'] = JSON.stringify([0x0003, 1, 6]);
  if (hasEmbedded) {
    delete out['tag:3701'];
    if (!bag.has(0x37050003)) out['tag:3705'] = JSON.stringify([0x0003, 5, 6]);
  }
  return out;
}

interface CanonMsg { props: Canon; recipients: Canon[]; attachments: { props: Canon; embedded?: CanonMsg }[] }

function canon(m: MessageObject): CanonMsg {
  return {
    props: canonBag(m.properties, 'message'),
    recipients: m.recipients.map((r) => canonBag(r, 'recipient')),
    attachments: m.attachments.map((a) => ({ props: canonBag(a.properties, 'attachment', !!a.embedded), ...(a.embedded ? { embedded: canon(a.embedded) } : {}) })),
  };
}

function sameBag(a: Canon, b: Canon, where: string, failures: string[]): void {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[k] !== b[k]) failures.push(`${where} ${k}: ${(a[k] ?? 'absent').slice(0, 80)} != ${(b[k] ?? 'absent').slice(0, 80)}`);
  }
}

function sameMsg(a: CanonMsg, b: CanonMsg, where: string, failures: string[]): void {
  sameBag(a.props, b.props, where, failures);
  if (a.recipients.length !== b.recipients.length) failures.push(`${where}: recipients ${a.recipients.length} != ${b.recipients.length}`);
  a.recipients.forEach((r, i) => b.recipients[i] && sameBag(r, b.recipients[i]!, `${where} recip ${i}`, failures));
  if (a.attachments.length !== b.attachments.length) failures.push(`${where}: attachments ${a.attachments.length} != ${b.attachments.length}`);
  a.attachments.forEach((x, i) => {
    const y = b.attachments[i];
    if (!y) return;
    sameBag(x.props, y.props, `${where} attach ${i}`, failures);
    if (!!x.embedded !== !!y.embedded) failures.push(`${where} attach ${i}: embedded message lost`);
    if (x.embedded && y.embedded) sameMsg(x.embedded, y.embedded, `${where} attach ${i} embedded`, failures);
  });
}

test('MS-OXMSG round trip of every corpus .msg: properties, recipients, attachments, embedded and named properties survive; output is deterministic and a fixpoint', () => {
  const failures: string[] = [];
  let embedded = 0;
  let named = 0;
  for (const e of msgEntries()) {
    try {
      const first = readMsg(corpusBytes(e.path)).message;
      const a = writeMsg(first);
      const b = writeMsg(first);
      if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) failures.push(`${e.path}: two writes of one object differ`);
      const again = readMsg(a, { strict: true }).message;
      embedded += first.attachments.filter((x) => x.embedded).length;
      named += [...first.properties].filter((p) => p.key.kind === 'named').length;
      sameMsg(canon(first), canon(again), e.path, failures);
      const c = writeMsg(again);
      if (Buffer.compare(Buffer.from(a), Buffer.from(c)) !== 0) failures.push(`${e.path}: write(read(written)) differs from written`);
    } catch (err) {
      failures.push(`${e.path}: ${(err as Error).message}`);
    }
  }
  assert.ok(embedded >= 3, `only ${embedded} embedded messages exercised`);
  assert.ok(named >= 50, `only ${named} named properties exercised`);
  assert.deepEqual(failures.slice(0, 40), []);
});

test('round-trip comparison detects a lost property (the check above can fail)', () => {
  const m = readMsg(corpusBytes(msgEntries()[0]!.path)).message;
  const again = readMsg(writeMsg(m)).message;
  again.properties.delete(0x0037001f);
  const failures: string[] = [];
  sameMsg(canon(m), canon(again), 'x', failures);
  assert.equal(failures.length, 1);
});
