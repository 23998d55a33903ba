/**
 * Corpus: every .msg in ../shared/corpus/MANIFEST.json reads with the message class, attachment
 * count, first attachment's properties and subject that the manifest records (computed with
 * python olefile, not by smime-bridge).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMsg } from '../../src/msg/index.js';
import { makeTag, PT_LONG, PT_UNICODE } from '../../src/mapi/proptypes.js';
import { corpusBytes, msgEntries } from './helpers.js';

const entries = msgEntries();

/** U+FFFD in the manifest marks a byte its decoder could not decode: it matches any one character. */
function subjectMatches(expected: string, actual: string): boolean {
  if (expected.length !== actual.length) return false;
  for (let i = 0; i < expected.length; i++) if (expected[i] !== '\uFFFD' && expected[i] !== actual[i]) return false;
  return true;
}

test('corpus has .msg entries', () => {
  assert.ok(entries.length >= 60, `only ${entries.length} .msg entries`);
});

test('MS-OXMSG read: message class, attachment count and subject match the manifest (olefile)', () => {
  const failures: string[] = [];
  for (const e of entries) {
    try {
      const { message } = readMsg(corpusBytes(e.path));
      if (message.messageClass !== e.messageClass) failures.push(`${e.path}: class ${message.messageClass} != ${e.messageClass}`);
      if (message.attachments.length !== e.attachmentCount) failures.push(`${e.path}: ${message.attachments.length} attachments != ${e.attachmentCount}`);
      if (typeof e.subject === 'string') {
        const s = message.properties.getString(makeTag(0x0037, PT_UNICODE)) ?? '';
        if (!subjectMatches(e.subject, s)) failures.push(`${e.path}: subject ${JSON.stringify(s)} != ${JSON.stringify(e.subject)}`);
      }
    } catch (err) {
      failures.push(`${e.path}: ${(err as Error).message}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('MS-OXCMSG 2.2.2: first attachment mime tag, file names, method and data size match the manifest', () => {
  const failures: string[] = [];
  let checked = 0;
  for (const e of entries) {
    const fa = e.firstAttachment;
    if (!fa) continue;
    checked++;
    const { message } = readMsg(corpusBytes(e.path));
    const a = message.attachments[0];
    if (!a) { failures.push(`${e.path}: no attachment`); continue; }
    const p = a.properties;
    const got = {
      mimeTag: p.getString(makeTag(0x370e, PT_UNICODE)) ?? null,
      filename: p.getString(makeTag(0x3704, PT_UNICODE)) ?? null,
      longFilename: p.getString(makeTag(0x3707, PT_UNICODE)) ?? null,
      attachMethod: p.getNumber(makeTag(0x3705, PT_LONG)) ?? null,
      dataBinarySize: p.getBinary(makeTag(0x3701, 0x0102))?.length ?? null,
    };
    for (const k of Object.keys(got) as (keyof typeof got)[]) {
      if (got[k] !== fa[k]) failures.push(`${e.path}: ${k} ${JSON.stringify(got[k])} != ${JSON.stringify(fa[k])}`);
    }
    if (fa.attachMethod === 5 && !a.embedded) failures.push(`${e.path}: method 5 without an embedded message`);
  }
  assert.ok(checked >= 25, `only ${checked} entries with a first attachment`);
  assert.deepEqual(failures, []);
});
