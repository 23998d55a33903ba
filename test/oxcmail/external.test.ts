/**
 * External checks of the MIME writer: Python's standard `email` package (which we did not write)
 * parses what messageToMime produces, with no defects, and sees the same subject and attachments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { parseMime } from '../../src/mime/index.js';
import {
  Attachment, MessageObject, PidTagAttachContentId, PidTagAttachDataBinary, PidTagAttachFlags, PidTagAttachLongFilename,
  PidTagAttachMethod, PidTagAttachMimeTag, PidTagBody, PidTagHtml, PidTagInternetCodepage, PidTagSubject,
} from '../../src/mapi/index.js';
import { messageToMime, mimeToMessage } from '../../src/oxcmail/index.js';

const PY = `
import email, email.policy, hashlib, json, sys
with open(sys.argv[1], 'rb') as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
defects = [str(d) for part in m.walk() for d in part.defects]
atts = []
for part in m.walk():
    if part.get_content_maintype() == 'multipart':
        continue
    if part.get_content_type() == 'message/rfc822':
        atts.append({'type': 'message/rfc822', 'subject': str(part.get_payload(0)['subject'])})
        continue
    fn = part.get_filename()
    if fn is None:
        continue
    data = part.get_payload(decode=True)
    atts.append({'name': fn, 'type': part.get_content_type(), 'sha256': hashlib.sha256(data).hexdigest()})
body = m.get_body(preferencelist=('plain',))
print(json.dumps({'defects': defects, 'subject': str(m['subject']), 'attachments': atts,
                  'plain': body.get_content() if body is not None else None, 'from': str(m['from'])}))
`;

interface PyResult {
  defects: string[];
  subject: string;
  attachments: Array<{ name?: string; type: string; sha256?: string; subject?: string }>;
  plain: string | null;
  from: string;
}

function pythonParse(bytes: Uint8Array): PyResult {
  const dir = mkdtempSync(join(tmpdir(), 'oxcmail-'));
  try {
    const file = join(dir, 'out.eml');
    writeFileSync(file, bytes);
    return JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY, file], { encoding: 'utf8' })) as PyResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

test('MS-OXCMAIL 2.1.3 writer output parses in Python email with no defects, same subject, body and attachments', () => {
  const m = new MessageObject();
  m.properties.set(PidTagSubject, 'Überweisung – Bestätigung für Jörg (very long subject line that needs folding across several lines)');
  m.properties.set(PidTagBody, 'Grüße ☕\r\nZeile 2\r\n');
  m.properties.set(PidTagHtml, new TextEncoder().encode('<p>Gr&uuml;&szlig;e <img src="cid:logo@x"></p>'));
  m.properties.set(PidTagInternetCodepage, 65001);
  const logo = new Attachment();
  logo.properties.set(PidTagAttachMethod, 1).set(PidTagAttachLongFilename, 'logo.png').set(PidTagAttachMimeTag, 'image/png')
    .set(PidTagAttachContentId, 'logo@x').set(PidTagAttachFlags, 4).set(PidTagAttachDataBinary, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]));
  const longName = 'Sehr langer Dateiname mit Umlauten äöü und noch mehr Text damit er umbricht.xlsx';
  const doc = new Attachment();
  const docData = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
  doc.properties.set(PidTagAttachMethod, 1).set(PidTagAttachLongFilename, longName).set(PidTagAttachDataBinary, docData);
  const emb = new Attachment();
  emb.properties.set(PidTagAttachMethod, 5);
  emb.embedded = new MessageObject();
  emb.embedded.properties.set(PidTagSubject, 'Weitergeleitet: Größe').set(PidTagBody, 'innen');
  m.attachments.push(logo, doc, emb);

  const py = pythonParse(messageToMime(m));
  assert.deepEqual(py.defects, []);
  assert.equal(py.subject, m.properties.getString(PidTagSubject));
  assert.equal(py.plain?.replace(/\r\n/g, '\n'), 'Grüße ☕\nZeile 2\n');
  assert.deepEqual(py.attachments, [
    { name: 'logo.png', type: 'image/png', sha256: sha(logo.properties.getBinary(PidTagAttachDataBinary)!) },
    { name: longName, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', sha256: sha(docData) },
    { type: 'message/rfc822', subject: 'Weitergeleitet: Größe' },
  ]);
});

test('Round trip of a corpus message through messageToMime agrees with Python email on subject and attachments', () => {
  const src = new Uint8Array(readFileSync('../shared/corpus/email-outlook-message-perl/t/files/plain_jpeg_attached.eml'));
  const { message } = mimeToMessage(parseMime(src).root);
  const original = pythonParse(src);
  const rewritten = pythonParse(messageToMime(message));
  assert.deepEqual(rewritten.defects, []);
  assert.equal(rewritten.subject, original.subject);
  assert.equal(rewritten.from, original.from);
  const named = (r: PyResult) => r.attachments.filter((a) => a.name).map((a) => [a.name, a.type, a.sha256]);
  assert.deepEqual(named(rewritten), named(original));
  assert.ok(named(original).length >= 1);
});
