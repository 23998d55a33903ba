/**
 * Issue 3 "Done means": every .eml of the corpus and the generated test messages converts to .msg,
 * and readers we did not write read those files: python3-olefile (expected streams and root
 * CLSID), @kenjiuno/msgreader (class, subject, recipients, attachment names and bytes) and Debian's
 * msgconvert (subject, sender, recipients, attachment bytes, read back by Python's email package).
 * Also: every S/MIME .msg of the corpus converts to .eml and OpenSSL verifies or decrypts it where
 * the manifest says the attachment verifies or decrypts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import MsgReaderModule from '@kenjiuno/msgreader';
import {
  type MessageObject, PidTagAttachDataBinary, PidTagAttachLongFilename, PidTagAttachFilename, PidTagRecipientType,
  PidTagEmailAddress, PidTagSubject, PidTagSubjectPrefix, PidTagNormalizedSubject, PidTagSentRepresentingEmailAddress,
} from '../../src/mapi/index.js';
import { toInternet, toMessage } from '../../src/smime/index.js';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { decodeBody } from '../../src/mime/encoding.js';
import { parseMime } from '../../src/mime/parse.js';
import { corpusPath, decryptKeyFor, manifest, readCorpus } from '../helpers/corpus.js';
import { decrypt, decryptDer, identityPem, setCertfile, tempDir, verifySignatureOnly } from '../helpers/openssl.js';
import { type Identity, makeIdentity, clearSigned, encrypted, opaqueSigned } from '../helpers/pki.js';

type MsgReaderCtor = new (b: ArrayBuffer | DataView) => { getFileData(): { messageClass?: string; subject?: string; recipients?: Array<{ email?: string; smtpAddress?: string }>; attachments?: Array<{ fileName?: string; innerMsgContent?: boolean }> }; getAttachment(a: unknown): { content: Uint8Array } };
const MsgReader = ((MsgReaderModule as unknown as { default?: MsgReaderCtor }).default ?? MsgReaderModule) as unknown as MsgReaderCtor;

const t = tempDir('smime-bridge-interop-');
let id: Identity;
interface Case { name: string; file: string; message: MessageObject }
const cases: Case[] = [];

before(() => {
  id = makeIdentity();
  const sources: Array<[string, Uint8Array]> = manifest().entries
    .filter((e) => e.format === 'eml' || e.format === 'mbox')
    .map((e) => [e.path, readCorpus(e)]);
  sources.push(['generated/clear-signed', clearSigned(id)], ['generated/opaque-signed', opaqueSigned(id)], ['generated/encrypted', encrypted(id)]);
  sources.forEach(([name, bytes], i) => {
    const message = toMessage(bytes).message;
    const file = t.file(`${String(i).padStart(3, '0')}.msg`, writeMsg(message));
    cases.push({ name, file, message });
  });
});
after(() => { t.cleanup(); id.cleanup(); });

const subjectOf = (m: MessageObject) => m.properties.getString(PidTagSubject)
  ?? ((m.properties.getString(PidTagSubjectPrefix) ?? '') + (m.properties.getString(PidTagNormalizedSubject) ?? ''));
const recipientsOf = (m: MessageObject) => m.recipients.filter((r) => r.getNumber(PidTagRecipientType) !== 3).map((r) => r.getString(PidTagEmailAddress)!.toLowerCase()).sort();
const attachmentsOf = (m: MessageObject) => m.attachments.filter((a) => !a.embedded).map((a) => ({
  name: a.properties.getString(PidTagAttachLongFilename) ?? a.properties.getString(PidTagAttachFilename),
  data: a.properties.getBinary(PidTagAttachDataBinary) ?? new Uint8Array(),
}));
const sha = (b: Uint8Array) => execFileSync('sha256sum', { input: b }).toString().slice(0, 64);

test('python3-olefile opens every converted file: root CLSID, property streams, recipient and attachment storages', () => {
  const py = `
import olefile, json, sys
out = []
for p in sys.argv[1:]:
    o = olefile.OleFileIO(p)
    names = ['/'.join(x) for x in o.listdir(streams=True, storages=True)]
    out.append({'clsid': o.root.clsid, 'names': names})
print(json.dumps(out))`;
  const res = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, ...cases.map((c) => c.file)], { maxBuffer: 64 << 20 }).toString()) as Array<{ clsid: string; names: string[] }>;
  const wrong: string[] = [];
  res.forEach((r, i) => {
    const c = cases[i]!;
    if (r.clsid.toUpperCase() !== '00020D0B-0000-0000-C000-000000000046') wrong.push(`${c.name}: clsid ${r.clsid}`);
    for (const need of ['__properties_version1.0', '__substg1.0_001A001F', '__nameid_version1.0/__substg1.0_00020102']) {
      if (!r.names.includes(need)) wrong.push(`${c.name}: no ${need}`);
    }
    const atts = r.names.filter((n) => /^__attach_version1\.0_#[0-9A-F]{8}$/.test(n)).length;
    const recs = r.names.filter((n) => /^__recip_version1\.0_#[0-9A-F]{8}$/.test(n)).length;
    if (atts !== c.message.attachments.length) wrong.push(`${c.name}: ${atts} attachment storages, expected ${c.message.attachments.length}`);
    if (recs !== c.message.recipients.length) wrong.push(`${c.name}: ${recs} recipient storages, expected ${c.message.recipients.length}`);
    if (r.names.some((n) => n.includes('Sh33tJ5'))) wrong.push(`${c.name}: cfb marker stream`);
  });
  assert.deepEqual(wrong, []);
  assert.ok(cases.length > 100);
});

test('@kenjiuno/msgreader reads the same class, subject, recipients, attachment names and bytes', () => {
  const wrong: string[] = [];
  for (const c of cases) {
    const buf = readFileSync(c.file);
    const r = new MsgReader(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const d = r.getFileData();
    if (d.messageClass !== c.message.messageClass) wrong.push(`${c.name}: class ${d.messageClass}`);
    if ((d.subject ?? '') !== subjectOf(c.message)) wrong.push(`${c.name}: subject ${JSON.stringify(d.subject)} != ${JSON.stringify(subjectOf(c.message))}`);
    const recips = (d.recipients ?? []).map((x) => (x.smtpAddress ?? x.email ?? '').toLowerCase()).sort();
    const ours = c.message.recipients.map((x) => x.getString(PidTagEmailAddress)!.toLowerCase()).sort();
    if (JSON.stringify(recips) !== JSON.stringify(ours)) wrong.push(`${c.name}: recipients ${recips} != ${ours}`);
    const theirAtts = (d.attachments ?? []).filter((a) => !a.innerMsgContent);
    const ourAtts = attachmentsOf(c.message);
    if (theirAtts.length !== ourAtts.length) { wrong.push(`${c.name}: ${theirAtts.length} attachments != ${ourAtts.length}`); continue; }
    theirAtts.forEach((a, i) => {
      const content = r.getAttachment(a).content;
      if (a.fileName !== ourAtts[i]!.name) wrong.push(`${c.name}: attachment ${i} name ${a.fileName} != ${ourAtts[i]!.name}`);
      if (sha(content) !== sha(ourAtts[i]!.data)) wrong.push(`${c.name}: attachment ${i} bytes differ`);
    });
  }
  assert.deepEqual(wrong, []);
});

test("Debian's msgconvert reads the same subject, sender, recipients and attachment bytes", () => {
  const have = spawnSync('sh', ['-c', 'command -v msgconvert']).status === 0;
  assert.ok(have, 'msgconvert is missing: apt-get install libemail-outlook-message-perl (.ci/run does)');
  const outDir = join(t.dir, 'msgconvert');
  execFileSync('mkdir', ['-p', outDir]);
  // msgconvert writes NAME.eml next to --outfile; one process per file keeps failures apart
  const py = `
import email, email.policy, json, sys, hashlib
out = []
for p in sys.argv[1:]:
    m = email.message_from_binary_file(open(p, 'rb'), policy=email.policy.default)
    atts = []
    for part in m.walk():
        if part.is_multipart(): continue
        data = part.get_payload(decode=True) or b''
        atts.append({'name': part.get_filename(), 'sha': hashlib.sha256(data).hexdigest()})
    out.append({'subject': str(m['subject'] or ''), 'from': [a.addr_spec.lower() for a in m['from'].addresses] if m['from'] else [],
                'to': sorted([a.addr_spec.lower() for h in ('to', 'cc') if m[h] for a in m[h].addresses]), 'atts': atts})
print(json.dumps(out))`;
  const emls: string[] = [];
  const wrong: string[] = [];
  for (const [i, c] of cases.entries()) {
    const eml = join(outDir, `${i}.eml`);
    const r = spawnSync('msgconvert', ['--outfile', eml, c.file], { encoding: 'utf8' });
    if (r.status !== 0) { wrong.push(`${c.name}: msgconvert failed: ${r.stderr.split('\n')[0]}`); continue; }
    emls.push(eml);
  }
  const parsed = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, ...emls], { maxBuffer: 64 << 20 }).toString()) as Array<{ subject: string; from: string[]; to: string[]; atts: Array<{ name: string; sha: string }> }>;
  parsed.forEach((p, i) => {
    const c = cases[i]!;
    const subject = subjectOf(c.message).replace(/\s+/g, ' ').trim();
    if (p.subject.replace(/\s+/g, ' ').trim() !== subject) wrong.push(`${c.name}: subject ${JSON.stringify(p.subject)} != ${JSON.stringify(subject)}`);
    const from = c.message.properties.getString(PidTagSentRepresentingEmailAddress)?.toLowerCase();
    if (from && !p.from.includes(from)) wrong.push(`${c.name}: from ${p.from} lacks ${from}`);
    const ours = recipientsOf(c.message);
    if (JSON.stringify(p.to) !== JSON.stringify(ours)) wrong.push(`${c.name}: to ${p.to} != ${ours}`);
    const raw = readFileSync(emls[i]!);
    for (const a of attachmentsOf(c.message)) {
      // Decoded by Python's email package; or, for a multipart/signed attachment that msgconvert
      // writes as an 8bit part (Python parses it as a multipart), the bytes themselves in the output.
      const found = p.atts.some((x) => x.sha === sha(a.data)) || raw.indexOf(a.data) >= 0
        || raw.indexOf(Buffer.from(Buffer.from(a.data).toString('latin1').replace(/\r\n/g, '\n'), 'latin1')) >= 0;
      if (!found) wrong.push(`${c.name}: attachment ${a.name} (${a.data.length} bytes) not found in msgconvert output`);
    }
  });
  assert.deepEqual(wrong, []);
});

const smimeMsg = manifest().entries.filter((e) => e.format === 'msg' && e.smimeClass !== 'none');
test(`every S/MIME .msg of the corpus (${smimeMsg.length}) converts to .eml, and OpenSSL verifies or decrypts it as the manifest says`, () => {
  const wrong: string[] = [];
  let checked = 0;
  for (const e of smimeMsg) {
    const m = readMsg(new Uint8Array(readFileSync(corpusPath(e.path)))).message;
    const eml = toInternet(m).bytes;
    if (e.signatureOnly === 'ok') {
      const ca = manifest().caFiles[e.set];
      const v = verifySignatureOnly(eml, { certfile: ca ? setCertfile(e.set, [...ca.trust, ...ca.untrusted]) : undefined });
      checked++;
      if (!v.ok) wrong.push(`${e.path}: openssl verify: ${v.stderr.split('\n')[0]}`);
    }
    const k = decryptKeyFor(e);
    if (k) {
      const pem = identityPem(k.path, k.password);
      const root = parseMime(eml).root;
      const d = root.contentType.value === 'application/octet-stream' ? decryptDer(decodeBody(root), pem) : decrypt(eml, pem);
      checked++;
      if (!d.ok) wrong.push(`${e.path}: openssl decrypt: ${d.stderr.split('\n')[0]}`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 5, `only ${checked} checks`);
});
