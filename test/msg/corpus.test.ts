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

test('MS-OXMSG 2.1.3: ANSI files keep PT_STRING8 in the model, decoded with PidTagInternetCodepage / PidTagMessageCodepage', () => {
  const big5 = readMsg(corpusBytes('apache-poi-hsmf/test-data/hsmf/chinese-traditional.msg')).message.properties.get(makeTag(0x0037, PT_UNICODE))!;
  assert.equal(big5.type, 0x001e);
  assert.equal(big5.value, 'Alfresco MSG format testing ( MSG \u683c\u5f0f\u6e2c\u8a66 )'); // code page 950
  const cyr = readMsg(corpusBytes('apache-poi-hsmf/test-data/hsmf/cyrillic_message.msg')).message.properties.get(makeTag(0x0037, PT_UNICODE))!;
  assert.equal(cyr.type, 0x001e);
  assert.match(cyr.value as string, /^\u0410\u0432\u0442\u043e\u043c\u0430\u0442\u0438\u0447\u0435\u0441\u043a\u0438\u0439 /); // code page 1251
});

test('MS-OXMSG 2.1.3: trailing NULs in string streams are dropped (Outlook stores some with a terminator)', () => {
  for (const e of entries) {
    const { message } = readMsg(corpusBytes(e.path));
    for (const bag of [message.properties, ...message.recipients, ...message.attachments.map((a) => a.properties)]) {
      for (const p of bag) if (typeof p.value === 'string') assert.ok(!p.value.endsWith('\0'), `${e.path}: ${JSON.stringify(p.key)}`);
    }
  }
});
