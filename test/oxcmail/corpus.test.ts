/**
 * Corpus: real mail from other projects (../shared/corpus), expectations from MANIFEST.json
 * (computed with Python/OpenSSL, not by us).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { type MimeEntity, headerText, parseMime } from '../../src/mime/index.js';
import { type MessageObject, PidTagAttachLongFilename, PidTagEmailAddress, PidTagRecipientType, PidTagSubject } from '../../src/mapi/index.js';
import { messageToMime, mimeToMessage, sanitizeFilename, selectBody } from '../../src/oxcmail/index.js';

interface Entry { path: string; format: string; smimeClass: string; subject?: string | null }
const CORPUS = '../shared/corpus/';
const manifest = JSON.parse(readFileSync(`${CORPUS}MANIFEST.json`, 'utf8')) as { entries: Entry[] };
const mails = manifest.entries.filter((e) => e.format === 'eml' || e.format === 'mbox');
const plain = mails.filter((e) => e.format === 'eml' && e.smimeClass === 'none');

/** mbox files: drop a leading `From ` line (corpus README). */
function load(e: Entry): Uint8Array {
  let b = new Uint8Array(readFileSync(CORPUS + e.path));
  if (b[0] === 0x46 && new TextDecoder('latin1').decode(b.subarray(0, 5)) === 'From ') b = b.subarray(b.indexOf(0x0a) + 1);
  return b;
}

test(`Corpus: every smimeClass "none" .eml (${plain.length}) converts, with the manifest subject`, () => {
  assert.ok(plain.length >= 20);
  for (const e of plain) {
    const { message } = mimeToMessage(parseMime(load(e)).root);
    if (e.subject != null) assert.equal(message.properties.getString(PidTagSubject), e.subject, e.path);
  }
});

test(`Corpus: every .eml/.mbox (${mails.length}) converts leniently and writes back out without throwing`, () => {
  for (const e of mails) {
    const { message } = mimeToMessage(parseMime(load(e)).root);
    const out = messageToMime(message);
    const again = mimeToMessage(parseMime(out).root).message;
    assert.equal(again.properties.getString(PidTagSubject), message.properties.getString(PidTagSubject), e.path);
    assert.equal(again.attachments.length, message.attachments.length, e.path);
  }
});

const PY_VIEW = `
import email, email.header, email.policy, email.utils, json, sys
out = {}
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        data = f.read()
    if data.startswith(b'From '):
        data = data[data.index(b'\\n') + 1:]
    m = email.message_from_bytes(data, policy=email.policy.compat32)
    addrs = []
    for h, t in (('to', 1), ('cc', 2), ('bcc', 3)):
        vals = [str(v) for v in m.get_all(h, [])]
        addrs += [[t, a] for n, a in email.utils.getaddresses(vals) if a]
    names = []
    for part in m.walk():
        if part.is_multipart():
            continue
        fn = part.get_filename() or (None if part.get_content_type() == 'message/rfc822' else part.get('content-description'))
        if fn:
            fn = str(fn).strip()
            names.append(str(email.header.make_header(email.header.decode_header(fn))) if '=?' in fn else fn)
    out[path] = {'addrs': addrs, 'names': names}
print(json.dumps(out))
`;

function comparePython(entries: Entry[]): number {
  const files = entries.map((e) => CORPUS + e.path);
  const py = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_VIEW, ...files], { encoding: 'utf8', maxBuffer: 1 << 26 })) as
    Record<string, { addrs: Array<[number, string]>; names: string[] }>;
  let named = 0;
  for (const e of entries) {
    const root = parseMime(load(e)).root;
    const { message } = mimeToMessage(root);
    const want = py[CORPUS + e.path]!;
    const ours = message.recipients.map((r) => [r.getNumber(PidTagRecipientType), r.getString(PidTagEmailAddress)]);
    assert.deepEqual(ours, want.addrs, e.path);
    // Python lists every named leaf, inside attached messages too; ours are the named leaves
    // that are not a body, with embedded messages' attachments in place (document order).
    const bodyNames = new Set<string>();
    const collectBodies = (x: MimeEntity): void => {
      for (const b of selectBody(x).bodyEntities) {
        const n = b.disposition?.params['filename'] ?? b.contentType.params['name'] ?? headerText(b, 'content-description');
        if (n) bodyNames.add(n.trim());
      }
      const walk = (y: MimeEntity): void => { if (y.message) collectBodies(y.message); y.children.forEach(walk); };
      walk(x);
    };
    collectBodies(root);
    const expected = want.names.filter((n) => !bodyNames.has(n)).map((n) => sanitizeFilename(n));
    const got: string[] = [];
    const flatten = (m: MessageObject): void => {
      for (const a of m.attachments) {
        const n = a.properties.getString(PidTagAttachLongFilename);
        if (n !== undefined) got.push(n);
        if (a.embedded) flatten(a.embedded);
      }
    };
    flatten(message);
    assert.deepEqual(got, expected, e.path);
    named += got.length;
  }
  return named;
}

test('Corpus: recipients and attachment names agree with Python email (getaddresses, get_filename)', () => {
  assert.ok(comparePython(plain) >= 8);
});

const PY_REWRITE = `
import email, email.policy, hashlib, json, sys
out = []
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    defects = [type(d).__name__ for part in m.walk() for d in part.defects]
    out.append({'defects': defects, 'subject': m['subject'] and str(m['subject']),
                'to': [a.addr_spec for a in (m['to'].addresses if m['to'] else [])]})
print(json.dumps(out))
`;

test('Corpus: messageToMime output of every "none" .eml parses in Python email without defects, same subject and To', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oxcmail-corpus-'));
  try {
    const files: string[] = [];
    const expect: Array<{ subject?: string; to: string[] }> = [];
    plain.forEach((e, i) => {
      const { message } = mimeToMessage(parseMime(load(e)).root);
      const f = join(dir, `${i}.eml`);
      writeFileSync(f, messageToMime(message));
      files.push(f);
      expect.push({
        subject: message.properties.getString(PidTagSubject),
        to: message.recipients.filter((r) => r.getNumber(PidTagRecipientType) === 1).map((r) => r.getString(PidTagEmailAddress)!),
      });
    });
    const py = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_REWRITE, ...files], { encoding: 'utf8', maxBuffer: 1 << 26 })) as
      Array<{ defects: string[]; subject: string | null; to: string[] }>;
    py.forEach((r, i) => {
      const where = plain[i]!.path;
      assert.deepEqual(r.defects, [], where);
      assert.equal(r.subject ?? undefined, expect[i]!.subject, where);
      assert.deepEqual(r.to, expect[i]!.to, where);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
