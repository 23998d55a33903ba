/**
 * Cross-check with tools we did not write: the .eml files of email-outlook-message-perl were made
 * from the .msg files beside them by msgconvert; @kenjiuno/msgreader reads those .msg files. The
 * message object we promote from each .eml must agree with msgreader's view of the .msg on the
 * subject, the SMTP recipients and the named attachments (name and size).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import MsgReaderPkg from '@kenjiuno/msgreader';
import { parseMime } from '../../src/mime/index.js';
import {
  PidTagAttachDataBinary, PidTagAttachLongFilename, PidTagEmailAddress, PidTagRecipientType, PidTagSubject,
} from '../../src/mapi/index.js';
import { mimeToMessage } from '../../src/oxcmail/index.js';

interface MsgData {
  subject?: string;
  recipients?: Array<{ email?: string; recipType?: string }>;
  attachments?: Array<{ fileName?: string; contentLength?: number }>;
}
type ReaderCtor = new (b: ArrayBuffer) => { getFileData(): MsgData };
const Reader = ((MsgReaderPkg as unknown as { default?: ReaderCtor }).default ?? (MsgReaderPkg as unknown as ReaderCtor));

const DIR = '../shared/corpus/email-outlook-message-perl/t/files/';
const NAMES = ['charset', 'gpg_signed', 'plain_jpeg_attached', 'plain_uc_unsent', 'plain_uc_wc_unsent', 'plain_unsent'];

for (const name of NAMES) {
  test(`msgconvert pair ${name}: subject, SMTP recipients and named attachments agree with msgreader's view of the .msg`, () => {
    const msgBytes = readFileSync(`${DIR}${name}.msg`);
    const d = new Reader(msgBytes.buffer.slice(msgBytes.byteOffset, msgBytes.byteOffset + msgBytes.length) as ArrayBuffer).getFileData();
    const { message } = mimeToMessage(parseMime(new Uint8Array(readFileSync(`${DIR}${name}.eml`))).root);
    assert.equal(message.properties.getString(PidTagSubject), d.subject);
    const types: Record<string, number> = { to: 1, cc: 2, bcc: 3 };
    // Exchange (EX) recipients have no SMTP address in the .msg; compare the SMTP ones.
    const theirs = (d.recipients ?? []).filter((r) => r.email?.includes('@')).map((r) => [types[r.recipType ?? 'to'], r.email!.toLowerCase()]);
    const ours = message.recipients.map((r) => [r.getNumber(PidTagRecipientType), r.getString(PidTagEmailAddress)!.toLowerCase()]);
    if (theirs.length === (d.recipients ?? []).length) assert.deepEqual(ours, theirs);
    else for (const t of theirs) assert.ok(ours.some((o) => o[0] === t[0] && o[1] === t[1]), String(t));
    assert.equal(ours.length, (d.recipients ?? []).length);
    const theirAtts = (d.attachments ?? []).filter((a) => a.fileName).map((a) => [a.fileName, a.contentLength]);
    const ourAtts = message.attachments.filter((a) => a.properties.getString(PidTagAttachLongFilename))
      .map((a) => [a.properties.getString(PidTagAttachLongFilename), a.properties.getBinary(PidTagAttachDataBinary)?.length]);
    assert.deepEqual(ourAtts, theirAtts);
  });
}
