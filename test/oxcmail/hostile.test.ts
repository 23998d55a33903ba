/**
 * Bad input never crashes the conversion with anything but a typed SmimeBridgeError, and the
 * writer accepts whatever the reader produced (common rules: no TypeError/RangeError, no hang).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isSmimeBridgeError } from '../../src/errors.js';
import { parseMime } from '../../src/mime/index.js';
import { type MessageObject, PidTagAttachDataBinary, PidTagBody, PidTagSubject } from '../../src/mapi/index.js';
import { messageToMime, mimeToMessage } from '../../src/oxcmail/index.js';

function convertOrTypedError(bytes: Uint8Array): void {
  try {
    const { message } = mimeToMessage(parseMime(bytes).root);
    const again = mimeToMessage(parseMime(messageToMime(message)).root).message;
    assert.equal(again.properties.getString(PidTagSubject), message.properties.getString(PidTagSubject));
    assert.equal(again.properties.getString(PidTagBody), message.properties.getString(PidTagBody));
    const data = (m: MessageObject) => m.attachments.map((a) => a.properties.getBinary(PidTagAttachDataBinary) ?? a.embedded?.properties.getString(PidTagSubject) ?? null);
    assert.deepEqual(data(again), data(message));
  } catch (e) {
    if (!isSmimeBridgeError(e)) throw e;
  }
}

const HEADER_LINES = [
  'From: ', 'To: ', 'Cc: ', 'Bcc: ', 'Reply-To: ', 'Sender: ', 'Subject: ', 'Date: ', 'Message-ID: ', 'Thread-Index: ',
  'Keywords: ', 'Importance: ', 'X-Priority: ', 'Sensitivity: ', 'Content-Language: ', 'Disposition-Notification-To: ',
  'Content-Type: ', 'Content-Disposition: ', 'Content-Transfer-Encoding: ', 'Content-ID: ', 'X-Custom: ',
];
const VALUES = [
  '', '<>', '"unterminated', '=?utf-8?B?w7w=?=', '=?x-bad?Q?abc?=', 'a@b, , ,@,<@>', 'Group: ;', 'Ø <ø@ø>',
  'multipart/mixed; boundary=b', 'multipart/alternative; boundary=b', 'multipart/related; boundary=b; start=<x>',
  'message/rfc822', 'text/html; charset=utf-16', 'text/plain; charset=x-none', 'attachment; filename*0*=utf-8\'\'%ZZ',
  'base64', 'quoted-printable', '1 (Highest)', 'Tue, 99 Foo 2020 99:99:99 +9999', '!!!', 'de-DE', 'cid:x',
];
const BODY = ['--b', '--b--', 'text', '<img src="cid:x">', 'Content-Type: image/png', 'Content-ID: <x>', '', '=ZZ', 'AAAA', '--b\r\nContent-Type: message/rfc822\r\n'];

test('Hostile input: random bytes convert or fail with a typed error', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => convertOrTypedError(b)), { numRuns: 300 });
});

test('Hostile input: random header/body soups of MIME-like lines convert (and round-trip subject, body, attachments) or fail with a typed error', () => {
  const line = fc.oneof(
    fc.tuple(fc.constantFrom(...HEADER_LINES), fc.constantFrom(...VALUES)).map(([h, v]) => h + v),
    fc.constantFrom(...BODY),
  );
  fc.assert(fc.property(fc.array(line, { maxLength: 40 }), fc.boolean(), (lines, crlf) => {
    convertOrTypedError(new TextEncoder().encode(lines.join(crlf ? '\r\n' : '\n')));
  }), { numRuns: 400 });
});
