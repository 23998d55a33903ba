/**
 * Issue 12: the quadratic shapes (a run of a trimmed character class that does not reach the end
 * of the string) and the "accepted, then unwritable" and "silent loss" cases, each with the input
 * shape the campaign or the issue named. Expected values come from the specs cited.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMime } from '../../src/mime/parse.js';
import { unfold } from '../../src/mime/headers.js';
import { sanitizeFilename, splitExtension } from '../../src/oxcmail/filename.js';
import { fromBase64, messageFromJson, JSON_FORMAT, JSON_VERSION } from '../../src/mapi/json.js';
import { MessageObject, PS_PUBLIC_STRINGS, PT_MV_UNICODE, PT_UNICODE, MESSAGE_LIMITS, makeTag } from '../../src/mapi/index.js';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { toMessage } from '../../src/smime/index.js';
import { safeFilename } from '../../src/cli/commands/extract.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { loadCertificates, loadPrivateKey, parsePem } from '../../src/cms/keys.js';
import { decryptEnvelopedData, encryptData } from '../../src/cms/index.js';
import { decodeHeaderText } from '../../src/oxcmail/decode.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMbox } from '../../src/cli/files/mbox.js';
import { deencapsulateHtml } from '../../src/msg/rtf.js';

const b = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const code = (c: string) => (e: unknown) => e instanceof SmimeBridgeError && e.code === c;

test('RFC 5322 2.2.3: a run of 200 000 spaces inside a header value is kept, only the ends are trimmed', () => {
  const run = ' '.repeat(200_000);
  const { root } = parseMime(b(`Subject: \t a${run}b \t\r\n\r\nx`));
  assert.equal(root.fields[0]!.unfolded, `a${run}b`);
  assert.equal(unfold(`\r\n a${run}b${run}\r\n`), `a${run}b`);
});

test('MS-OXCMAIL 2.2.3.4.1.1: file names of long runs of dots and spaces are trimmed at the ends only', () => {
  const dots = '.'.repeat(200_000);
  assert.equal(sanitizeFilename(` ${dots}a${dots}b${dots} `), `a${dots}b`);
  assert.deepEqual(splitExtension(`report${dots} .${dots}pdf`), { base: 'report', ext: 'pdf' });
  assert.equal(safeFilename(`${dots}x${dots}y${dots}`, 'f'), `x${dots}y`.slice(0, 200));
  const m = toMessage(b(`Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nhi\r\n--q\r\nContent-Type: application/octet-stream; name="a${'.'.repeat(100_000)}b.txt"\r\n\r\nx\r\n--q--\r\n`)).message;
  assert.equal(m.attachments[0]!.properties.getString(0x3707001f), `a${'.'.repeat(100_000)}b.txt`);
});

test('RFC 4648 4: base64 with a long run of "=" before other text is rejected (MAPI_JSON_INVALID), padding at the end is not', () => {
  assert.throws(() => fromBase64(`AAAA${'='.repeat(200_000)}A`, 'x'), code('MAPI_JSON_INVALID'));
  assert.deepEqual(fromBase64('AAE=', 'x'), Uint8Array.of(0, 1));
});

test('MS-OXMSG 2.2.3.1.2: a named-property name full of NULs survives writeMsg -> readMsg (only terminators dropped)', () => {
  const m = new MessageObject();
  const name = `x${'\0'.repeat(90_000)}y`;
  m.properties.setNamed({ guid: PS_PUBLIC_STRINGS, name }, PT_UNICODE, 'v');
  const back = readMsg(writeMsg(m)).message;
  assert.equal(back.properties.getNamedString({ guid: PS_PUBLIC_STRINGS, name }), 'v');
});

test('silent loss: strings ending in U+0000 keep their NULs through writeMsg -> readMsg (MS-OXMSG 2.1.3, 2.4.2.2)', () => {
  const m = new MessageObject();
  m.properties.set(0x0037001f, 'abc\0');
  m.properties.set(0x1000001f, '\0\0');
  m.properties.set(0x0e1d001f, 'plain');
  m.properties.set(makeTag(0x6710, PT_MV_UNICODE), ['m\0', 'n', '']);
  const back = readMsg(writeMsg(m)).message.properties;
  assert.deepEqual(back.get(makeTag(0x6710, PT_MV_UNICODE))?.value, ['m\0', 'n', '']);
  assert.equal(back.getString(0x0037001f), 'abc\0');
  assert.equal(back.getString(0x1000001f), '\0\0');
  assert.equal(back.getString(0x0e1d001f), 'plain');
});

function jsonMessage(body: object): object {
  return { format: JSON_FORMAT, version: JSON_VERSION, properties: [], ...body };
}

test('accepted = writable: messageFromJson takes embedded messages 16 deep (the .msg writer\'s limit) and refuses 17', () => {
  const nest = (n: number): object => (n === 0 ? { properties: [] } : { properties: [], attachments: [{ properties: [], embedded: nest(n - 1) }] });
  const ok = messageFromJson(jsonMessage(nest(MESSAGE_LIMITS.embeddingDepth)));
  assert.ok(writeMsg(ok).length > 0);
  assert.throws(() => messageFromJson(jsonMessage(nest(MESSAGE_LIMITS.embeddingDepth + 1))), code('LIMIT_EXCEEDED'));
});

test('accepted = writable: messageFromJson refuses what writeMsg refuses (non-GUID GUIDs, named-range tags, unstorable types)', () => {
  const prop = (p: object) => jsonMessage({ properties: [p] });
  assert.throws(() => messageFromJson(prop({ named: { guid: 'not-a-guid', name: 'x' }, type: 'PT_UNICODE', value: 'v' })), code('MAPI_JSON_INVALID'));
  assert.throws(() => messageFromJson(prop({ tag: '0x67010048', type: 'PT_CLSID', value: '00020329-0000-0000-C000' })), code('MAPI_JSON_INVALID'));
  assert.throws(() => messageFromJson(prop({ tag: '0x8001001F', type: 'PT_UNICODE', value: 'v' })), code('MAPI_JSON_INVALID'));
  assert.throws(() => messageFromJson(prop({ tag: '0x6701000D', type: 'PT_OBJECT', value: 'AAAA' })), code('MAPI_JSON_INVALID'));
  assert.throws(() => messageFromJson(prop({ tag: '0x6701100D', type: 'PT_MV_OBJECT', value: ['AAAA'] })), code('MAPI_JSON_INVALID'));
  assert.throws(() => messageFromJson(prop({ tag: '0x67016C00', type: '0x6C00', value: 'AGUAAAACATPdZB8zU5NS4zZQUxODaQLjlCiz5VN/' })), code('MAPI_JSON_INVALID'));
  const good = messageFromJson(prop({ tag: '0x67010048', type: 'PT_CLSID', value: '{00020329-0000-0000-C000-000000000046}' }));
  assert.ok(writeMsg(good).length > 0);
  const recipients = Array.from({ length: MESSAGE_LIMITS.recipients + 1 }, () => ({ properties: [] }));
  assert.throws(() => messageFromJson(jsonMessage({ recipients })), code('LIMIT_EXCEEDED'));
});

test('accepted = writable: toMessage keeps 2048 of 2049 recipients (MS-OXMSG 2.2.1) with a LIMIT_EXCEEDED warning; strict mode throws', () => {
  const eml = b(`To: ${Array.from({ length: 2049 }, (_, i) => `u${i}@example.org`).join(', ')}\r\nSubject: many\r\n\r\nx`);
  const r = toMessage(eml);
  assert.equal(r.message.recipients.length, 2048);
  assert.ok(r.warnings.some((w) => w.code === 'LIMIT_EXCEEDED'));
  assert.equal(readMsg(writeMsg(r.message)).message.recipients.length, 2048);
  assert.throws(() => toMessage(eml, { strict: true }), code('LIMIT_EXCEEDED'));
});

test('accepted = writable: toMessage keeps 2048 of 2100 attachments (MS-OXMSG 2.2.2) with a warning', () => {
  const parts = Array.from({ length: 2100 }, (_, i) => `--q\r\nContent-Type: application/octet-stream; name="f${i}.bin"\r\n\r\n${i}\r\n`).join('');
  const r = toMessage(b(`Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nbody\r\n${parts}--q--\r\n`), { limits: { maxParts: 3000 } });
  assert.equal(r.message.attachments.length, 2048);
  assert.ok(r.warnings.some((w) => w.code === 'LIMIT_EXCEEDED'));
  assert.ok(writeMsg(r.message).length > 0);
});

test('RFC 7468 2: 40 000 BEGIN lines without an END give no block; a real PEM file gives its one certificate', () => {
  assert.deepEqual(parsePem('-----BEGIN CERTIFICATE-----\n'.repeat(40_000)), []);
  const pem = readFileSync(new URL('../../../samples/keys/alice.pem', import.meta.url), 'utf8');
  assert.deepEqual(parsePem(pem).map((x) => x.label), pem.match(/-----BEGIN ([A-Z0-9 ]+)-----/g)!.map((l) => l.slice(11, -5)));
});

test('RFC 2047 6.1 (tolerant): an encoded-word start followed by 200 000 spaces is left as text; spaced words are still repaired', () => {
  const text = `=?utf-8?q?${' '.repeat(200_000)}`;
  assert.equal(decodeHeaderText(text), text);
  assert.equal(decodeHeaderText('=?iso-8859-1?Q?Test E-Mail?='), 'Test E-Mail');
});

test('MS-OXCDATA 2.11.1: messageFromJson takes only values their .msg storage holds unchanged', () => {
  const one = (type: string, value: unknown) => messageFromJson(jsonMessage({ properties: [{ tag: `0x6701${({ PT_FLOAT: '0004', PT_I8: '0014', PT_LONG: '0003', PT_SHORT: '0002' } as Record<string, string>)[type]}`, type, value }] }));
  assert.throws(() => one('PT_FLOAT', 0.1), code('MAPI_JSON_INVALID')); // not a float32
  assert.equal(one('PT_FLOAT', 0.5).properties.get(0x67010004)?.value, 0.5);
  assert.throws(() => one('PT_I8', '9223372036854775808'), code('MAPI_JSON_INVALID')); // 2^63
  assert.throws(() => one('PT_SHORT', 1.5), code('MAPI_JSON_INVALID'));
  assert.equal(one('PT_LONG', 0xffffffff).properties.get(0x67010003)?.value, -1); // the same 32 bits, as .msg reads them
  const m = one('PT_LONG', 0x80000000);
  assert.equal(readMsg(writeMsg(m)).message.properties.get(0x67010003)?.value, m.properties.get(0x67010003)?.value);
});

test('RFC 4155 2: an mbox of 130 000 tiny messages splits into 130 000 entries (no copy of the rest per message)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smime-bridge-mbox-'));
  try {
    const file = join(dir, 'many.mbox');
    writeFileSync(file, 'From a\n\n'.repeat(130_000));
    let n = 0, bytes = 0;
    for await (const item of readMbox(file)) { n++; bytes += item.size; }
    assert.equal(n, 130_000);
    assert.equal(bytes, 8 * 130_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// RecipientInfo caps (one private-key operation per distinct matching RecipientInfo, content
// decrypted once) are tested in test/cms/bounds.test.ts.

test('MS-OXRTFEX 2.4.1: a font table of 300 000 bytes and a run of 200 000 \\\'hh escapes de-encapsulate (no argument spread past the call stack)', () => {
  // the campaign's rtf finding: String.fromCharCode(...table) threw RangeError on a long font table
  const table = `{\\fonttbl{\\f0\\fcharset0 Arial;}{\\f1\\fcharset204 ${'x'.repeat(300000)};}}`;
  const rtf = b(`{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 ${table}{\\*\\htmltag19 <p>}${"\\'41".repeat(200000)}{\\*\\htmltag19 </p>}}`);
  const html = deencapsulateHtml(rtf);
  assert.equal(html, `<p>${'A'.repeat(200000)}</p>`);
});

test('MS-OXMSG 2.4.2.1: messageFromJson takes property flags only as a 32-bit unsigned integer (1e308 read as Infinity came back as null)', () => {
  const withFlags = (flags: unknown) => messageFromJson(jsonMessage({ properties: [{ tag: '0x0037001F', type: 'PT_UNICODE', value: 'x', flags }] }));
  for (const bad of [Infinity, -1, 1.5, 0x100000000, '2', null]) assert.throws(() => withFlags(bad), code('MAPI_JSON_INVALID'), String(bad));
  const m = withFlags(0xffffffff);
  assert.equal(readMsg(writeMsg(m)).message.properties.get(0x0037001f)?.flags, 0xffffffff);
});

test('MS-OXMSG 2.2.3.1.2: messageFromJson refuses a named-property name ending in U+0000 (a .msg reader drops it as the terminator)', () => {
  const named = (name: string) => messageFromJson(jsonMessage({ properties: [{ named: { guid: '00020329-0000-0000-C000-000000000046', name }, type: 'PT_FLOAT', value: -21 }] }));
  assert.throws(() => named('0\u0000'), code('MAPI_JSON_INVALID'));
  const m = named('0\u0000x');
  assert.equal(readMsg(writeMsg(m)).message.properties.getNamed({ guid: PS_PUBLIC_STRINGS, name: '0\u0000x' })?.value, -21);
});
