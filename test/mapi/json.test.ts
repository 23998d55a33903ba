import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Attachment, MessageObject, PidNameContentType, PidNameKeywords, PidTagAttachDataBinary, PidTagClientSubmitTime,
  PidTagImportance, PidTagMessageClass, PidTagSubject, PT_MV_UNICODE, PT_UNICODE, PT_DOUBLE, PT_I8, PT_CLSID,
  PT_MV_BINARY, PT_BOOLEAN, PT_SYSTIME, makeTag, messageFromJson, messageToJson, stringifyMessage, PS_INTERNET_HEADERS,
  dateToFiletime, filetimeToIso, isoToFiletime, PropertyBag, PidTagDisplayName, PidTagRecipientType,
} from '../../src/mapi/index.js';
import { SmimeBridgeError } from '../../src/errors.js';

function sample(): MessageObject {
  const m = new MessageObject();
  m.properties.set(PidTagMessageClass, 'IPM.Note.SMIME');
  m.properties.set(PidTagSubject, 'Grüße ✓');
  m.properties.set(PidTagImportance, 2);
  m.properties.set(PidTagClientSubmitTime, dateToFiletime(new Date('2026-11-23T10:00:00Z')) + 1234567n);
  m.properties.set(makeTag(0x6701, PT_DOUBLE), Number.NaN);
  m.properties.set(makeTag(0x6702, PT_I8), -9007199254740993n);
  m.properties.set(makeTag(0x6703, PT_CLSID), '00020D0B-0000-0000-C000-000000000046');
  m.properties.set(makeTag(0x6704, PT_MV_BINARY), [new Uint8Array([0, 255, 1]), new Uint8Array()]);
  m.properties.setNamed(PidNameContentType, PT_UNICODE, 'application/pkcs7-mime; smime-type=enveloped-data');
  m.properties.setNamed(PidNameKeywords, PT_MV_UNICODE, ['a', 'b']);
  m.properties.setNamed({ guid: '{00062008-0000-0000-c000-000000000046}', lid: 0x8514 }, PT_BOOLEAN, true, 2);
  const r = new PropertyBag();
  r.set(PidTagRecipientType, 1).set(PidTagDisplayName, 'Bob');
  m.recipients.push(r);
  const a = new Attachment();
  a.properties.set(PidTagAttachDataBinary, new Uint8Array(300).map((_, i) => i & 0xff));
  const inner = new MessageObject();
  inner.properties.set(PidTagSubject, 'inner');
  a.embedded = inner;
  m.attachments.push(a);
  return m;
}

test('mapi JSON form: every value type survives a round trip losslessly', () => {
  const m = sample();
  const text = stringifyMessage(m);
  const back = messageFromJson(text);
  assert.deepEqual(messageToJson(back), messageToJson(m));
  assert.equal(back.properties.getString(PidTagSubject), 'Grüße ✓');
  assert.equal(back.properties.get(PidTagClientSubmitTime)?.value, m.properties.get(PidTagClientSubmitTime)?.value);
  assert.ok(Number.isNaN(back.properties.getNumber(makeTag(0x6701, PT_DOUBLE))!));
  assert.equal(back.properties.get(makeTag(0x6702, PT_I8))?.value, -9007199254740993n);
  assert.deepEqual(back.attachments[0]!.properties.getBinary(PidTagAttachDataBinary), m.attachments[0]!.properties.getBinary(PidTagAttachDataBinary));
  assert.equal(back.attachments[0]!.embedded?.properties.getString(PidTagSubject), 'inner');
  assert.equal(back.properties.getNamed({ guid: '00062008-0000-0000-C000-000000000046', lid: 0x8514 })?.flags, 2);
});

test('mapi JSON form: tags as hex with PidTag names, times as ISO 8601, binary as base64', () => {
  const j = messageToJson(sample()) as { properties: Array<Record<string, unknown>> };
  const cls = j.properties.find((p) => p.tag === '0x001A001F');
  assert.equal(cls?.name, 'PidTagMessageClass');
  assert.equal(cls?.type, 'PT_UNICODE');
  const time = j.properties.find((p) => p.name === 'PidTagClientSubmitTime');
  assert.equal(time?.value, '2026-11-23T10:00:00.1234567Z');
  const named = j.properties.find((p) => (p.named as { name?: string } | undefined)?.name === 'content-type');
  assert.deepEqual(named?.named, { set: 'PS_INTERNET_HEADERS', guid: PS_INTERNET_HEADERS, name: 'content-type' });
  const mv = j.properties.find((p) => p.tag === '0x67041102');
  assert.deepEqual(mv?.value, ['AP8B', '']);
});

test('PS_INTERNET_HEADERS names compare case-insensitively (MS-OXMSG note <1>)', () => {
  const m = new MessageObject();
  m.properties.setNamed({ guid: PS_INTERNET_HEADERS, name: 'Content-Type' }, PT_UNICODE, 'x/y');
  assert.equal(m.properties.getNamedString({ guid: PS_INTERNET_HEADERS, name: 'CONTENT-TYPE' }), 'x/y');
});

test('FILETIME <-> ISO 8601 keeps 100 ns ticks', () => {
  const ft = 133_000_000_001_234_567n;
  assert.equal(isoToFiletime(filetimeToIso(ft)), ft);
  assert.equal(isoToFiletime('2026-11-23T10:00:00Z'), dateToFiletime(new Date('2026-11-23T10:00:00Z')));
});

test('mapi JSON form: malformed input gives MAPI_JSON_INVALID naming the place', () => {
  const bad: Array<[string, RegExp]> = [
    ['not json', /not JSON/],
    ['{"format":"x","version":1}', /format/],
    ['{"format":"smime-bridge/message-object","version":1,"properties":[{"tag":"0x001A001F","type":"PT_LONG","value":1}]}', /tag type/],
    ['{"format":"smime-bridge/message-object","version":1,"properties":[{"tag":"0x00370003","type":"PT_LONG","value":"x"}]}', /does not fit/],
    ['{"format":"smime-bridge/message-object","version":1,"properties":[{"tag":"0x00370102","type":"PT_BINARY","value":"@@"}]}', /base64/],
    ['{"format":"smime-bridge/message-object","version":1,"attachments":[1]}', /attachments\[0\]/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => messageFromJson(text), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'MAPI_JSON_INVALID' && re.test(e.message), text);
  }
});

test('PropertyBag rejects a value that does not fit the tag type', () => {
  const b = new PropertyBag();
  assert.throws(() => b.set(PidTagSubject, 5 as unknown as string), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'MAPI_PROPERTY_INVALID');
  assert.throws(() => b.set(makeTag(0x1234, PT_SYSTIME), 'x'), (e: unknown) => e instanceof SmimeBridgeError && e.location.propertyTag === '0x12340040');
});
