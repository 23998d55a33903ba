/**
 * MS-OXOSMIME rules, one test per rule, on messages OpenSSL signed or encrypted in the test.
 * Signatures are checked with `openssl cms -verify`, never by comparing with our own output only.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SmimeBridgeError } from '../../src/errors.js';
import {
  MessageObject, PidNameContentType, PidTagAttachDataBinary, PidTagAttachFilename, PidTagAttachLongFilename,
  PidTagAttachMethod, PidTagAttachMimeTag, PidTagBody, PidTagDisplayName, PidTagMessageClass, PidTagSubject,
  PidTagNormalizedSubject, PidTagSubjectPrefix, messageFromJson, stringifyMessage, Attachment, PT_UNICODE,
} from '../../src/mapi/index.js';
import { classifyEntity, recognizeMessage, toInternet, toMessage, CLASS_CLEAR_SIGNED, CLASS_OPAQUE, CLASS_RECEIPT } from '../../src/smime/index.js';
import { parseMime } from '../../src/mime/parse.js';
import { type Identity, makeIdentity, clearSigned, opaqueSigned, encrypted, derOf, cms, withHeaders, ENVELOPE, INNER } from '../helpers/pki.js';
import { decrypt, verifySignatureOnly } from '../helpers/openssl.js';

const latin1 = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const toLF = (b: Uint8Array) => bytes(latin1(b).replace(/\r\n/g, '\n'));

let id: Identity;
before(() => { id = makeIdentity(); });
after(() => id.cleanup());

/** eml -> message object -> JSON text -> message object -> eml */
function roundTrip(eml: Uint8Array): Uint8Array {
  const m = toMessage(eml).message;
  return toInternet(messageFromJson(stringifyMessage(m))).bytes;
}

test('3.1.5.1.1: multipart/signed is a clear-signed message', () => {
  const { root } = parseMime(clearSigned(id));
  assert.equal(classifyEntity(root).kind, 'clear-signed');
});

test('3.1.5.1.1: the optional two-part check is a warning, or an error in strict mode', () => {
  const text = latin1(clearSigned(id));
  const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
  // add a third body part before the close delimiter
  const three = bytes(text.replace(`--${boundary}--`, `--${boundary}\r\nContent-Type: text/plain\r\n\r\nextra\r\n--${boundary}--`));
  const r = toMessage(three);
  assert.equal(r.classification.kind, 'clear-signed');
  assert.ok(r.warnings.some((w) => w.code === 'SMIME_NOT_TWO_PARTS'));
  assert.throws(() => toMessage(three, { strict: true }), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'SMIME_NOT_TWO_PARTS');
});

test('3.1.5.1.1 / 3.1.5.2.1: the LAST Content-Type field decides the media type', () => {
  const signed = clearSigned(id);
  const firstIsPlain = withHeaders(['Content-Type: text/plain'], signed);
  assert.equal(toMessage(firstIsPlain).classification.kind, 'clear-signed');
  const lastIsPlain = bytes(latin1(signed).replace(/(\r\n\r\nThis is an S\/MIME)/, '\r\nContent-Type: text/plain$1'));
  assert.equal(toMessage(lastIsPlain).classification.kind, 'none');
});

test('3.1.5.2.1: application/pkcs7-mime, application/x-pkcs7-mime and octet-stream named .p7m are opaque/encrypted', () => {
  const e = latin1(encrypted(id));
  assert.equal(toMessage(bytes(e)).classification.kind, 'opaque-or-encrypted');
  const x = e.replace('application/pkcs7-mime', 'application/x-pkcs7-mime');
  assert.equal(toMessage(bytes(x)).classification.kind, 'opaque-or-encrypted');
  // application/octet-stream with .P7M only in Content-Disposition (any case)
  const oct = e.replace(/Content-Type: application\/pkcs7-mime;[^\r]*/, 'Content-Type: application/octet-stream')
    .replace(/filename="smime.p7m"/, 'filename="SMIME.P7M"');
  const c = toMessage(bytes(oct)).classification;
  assert.equal(c.kind, 'opaque-or-encrypted');
  assert.equal(c.p7mName, 'SMIME.P7M');
  // ... and with neither name it is not S/MIME
  const none = oct.replace(/filename="SMIME.P7M"/, 'filename="data.bin"');
  assert.equal(toMessage(bytes(none)).classification.kind, 'none');
});

test('2.2.1 + 3.1.5.1.2: clear-signed message object: class, one attachment, SMIME.txt, data = Content-Type field + body as received', () => {
  const eml = clearSigned(id);
  const { message: m, root } = toMessage(eml);
  assert.equal(m.properties.getString(PidTagMessageClass), CLASS_CLEAR_SIGNED);
  assert.equal(m.attachments.length, 1);
  const a = m.attachments[0]!.properties;
  assert.equal(a.getNumber(PidTagAttachMethod), 1);
  assert.equal(a.getString(PidTagAttachMimeTag), 'multipart/signed');
  assert.equal(a.getString(PidTagAttachFilename), 'SMIME.txt');
  assert.equal(a.getString(PidTagAttachLongFilename), 'SMIME.txt');
  assert.equal(a.getString(PidTagDisplayName), 'SMIME.txt');
  const data = latin1(a.getBinary(PidTagAttachDataBinary)!);
  const text = latin1(eml);
  const ctStart = text.indexOf('Content-Type: multipart/signed');
  // MIME-Version (a header field before Content-Type) is excluded; from Content-Type on, byte for byte.
  assert.ok(data.startsWith('Content-Type: multipart/signed'));
  assert.equal(data, text.slice(ctStart));
  assert.ok(!/^MIME-Version/im.test(data.slice(0, data.indexOf('\r\n\r\n'))));
  // 2.2.1 item 2: the body promoted from the first body part
  assert.match(m.properties.getString(PidTagBody) ?? '', /Hello Bob\./);
  // MS-OXCMAIL: headers promoted (subject prefix split)
  assert.equal(m.properties.getString(PidTagSubjectPrefix), 'Re: ');
  assert.equal(m.properties.getString(PidTagNormalizedSubject), 'test message');
  assert.equal(root.contentType.value, 'multipart/signed');
});

test('endnote <1>: a clear-signed message is never IPM.Note.SMIME', () => {
  for (const md of ['sha1', 'sha256', 'sha512']) {
    assert.equal(toMessage(clearSigned(id, INNER, md)).message.messageClass, CLASS_CLEAR_SIGNED);
  }
});

test('2.2.2 + 3.1.5.2.2: opaque/encrypted message object: class, no body, raw Content-Type named property, decoded CMS attachment', () => {
  for (const [eml, smimeType] of [[encrypted(id), 'enveloped-data'], [opaqueSigned(id), 'signed-data']] as const) {
    const { message: m } = toMessage(eml);
    assert.equal(m.messageClass, CLASS_OPAQUE);
    assert.equal(m.properties.has(PidTagBody), false, '2.2.2 item 2: no body');
    const ct = m.properties.getNamedString(PidNameContentType)!;
    assert.match(ct, new RegExp(`^application/pkcs7-mime; smime-type=${smimeType}; name="?smime.p7m"?$`));
    assert.equal(m.attachments.length, 1);
    const a = m.attachments[0]!.properties;
    assert.equal(a.getString(PidTagAttachMimeTag), 'application/pkcs7-mime');
    assert.equal(a.getString(PidTagAttachFilename), 'smime.p7m');
    assert.deepEqual(a.getBinary(PidTagAttachDataBinary), derOf(eml), 'the attachment holds the transfer-decoded CMS bytes');
  }
});

test('endnote <5>: smime-type=signed-receipt gives IPM.Note.Receipt.SMIME', () => {
  const e = latin1(opaqueSigned(id)).replace('smime-type=signed-data', 'smime-type=signed-receipt');
  assert.equal(toMessage(bytes(e)).message.messageClass, CLASS_RECEIPT);
});

test('3.1.5.1.3 / 3.1.5.2.3: message classes, suffixes, InfoPath and options', () => {
  const withClass = (cls: string, n = 1) => {
    const m = new MessageObject();
    m.properties.set(PidTagMessageClass, cls);
    for (let i = 0; i < n; i++) {
      const a = new Attachment();
      a.properties.set(PidTagAttachDataBinary, new Uint8Array([0x30, 0x00]));
      a.properties.set(PidTagAttachMimeTag, cls.toLowerCase().endsWith('multipartsigned') ? 'multipart/signed' : 'application/pkcs7-mime');
      m.attachments.push(a);
    }
    return m;
  };
  assert.equal(recognizeMessage(withClass('IPM.Note.SMIME.MultipartSigned')).kind, 'clear-signed');
  assert.equal(recognizeMessage(withClass('ipm.note.smime.multipartsigned')).kind, 'clear-signed');
  assert.equal(recognizeMessage(withClass('IPM.Note.SMIME')).kind, 'opaque-or-encrypted');
  assert.equal(recognizeMessage(withClass('IPM.Note.Receipt.SMIME')).kind, 'opaque-or-encrypted');
  assert.equal(recognizeMessage(withClass('IPM.Note.Custom.SMIME.MultipartSigned')).kind, 'clear-signed');
  assert.equal(recognizeMessage(withClass('IPM.Note.Custom.SMIME.MultipartSigned'), { acceptSuffixes: false }).kind, 'none');
  assert.equal(recognizeMessage(withClass('IPM.InfoPathForm.Expense.SMIME')).kind, 'opaque-or-encrypted');
  assert.equal(recognizeMessage(withClass('IPM.InfoPathForm.Expense.SMIME'), { acceptInfoPath: false }).kind, 'none');
  assert.equal(recognizeMessage(withClass('IPM.Note')).kind, 'none');
  assert.equal(recognizeMessage(withClass('IPM.Note.SMIMEX')).kind, 'none');
});

test('3.1.5.1.3 / 3.1.5.2.3: not exactly one attachment is a diagnostic, or a typed error in strict mode', () => {
  const m = toMessage(encrypted(id)).message;
  m.attachments.push(m.attachments[0]!);
  const r = recognizeMessage(m);
  assert.equal(r.structureOk, false);
  assert.ok(r.warnings.some((w) => w.code === 'SMIME_ATTACHMENT_COUNT'));
  assert.throws(() => toInternet(m, { strict: true }), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'SMIME_ATTACHMENT_COUNT');
  m.attachments.length = 0;
  const lenient = toInternet(m);
  assert.ok(lenient.warnings.some((w) => w.code === 'SMIME_ATTACHMENT_COUNT'));
  assert.ok(lenient.bytes.length > 0);
});

test('endnote <6>: IPM.Note.SMIME whose one attachment is a multipart/signed entity is treated as clear-signed', () => {
  const eml = clearSigned(id);
  const m = toMessage(eml).message;
  m.properties.set(PidTagMessageClass, 'IPM.Note.SMIME');
  m.attachments[0]!.properties.delete(PidTagAttachMimeTag); // decided by the data alone
  assert.equal(recognizeMessage(m).kind, 'clear-signed');
  assert.equal(recognizeMessage(m, { exchange2003Ambiguity: false }).kind, 'opaque-or-encrypted');
  assert.ok(verifySignatureOnly(toInternet(m).bytes).ok);
});

test('3.1.5.1.4: reconstructed clear-signed message keeps only the last Content-Type of the attachment and verifies in OpenSSL', () => {
  const eml = clearSigned(id);
  assert.ok(verifySignatureOnly(eml).ok, 'the input verifies');
  const m = toMessage(eml).message;
  // Outlook stores the mime tag without protocol/micalg and may keep other fields in the data.
  const a = m.attachments[0]!.properties;
  a.set(PidTagAttachMimeTag, 'multipart/signed');
  a.set(PidTagAttachDataBinary, bytes('X-Extra: dropped\r\nContent-Type: text/plain\r\n' + latin1(a.getBinary(PidTagAttachDataBinary)!)));
  const out = toInternet(m);
  const text = latin1(out.bytes);
  assert.ok(!text.includes('X-Extra'), 'step 3: other header fields removed');
  assert.equal(text.match(/^Content-Type:/gim)?.length, 3, 'one top-level Content-Type + the two body parts');
  assert.match(text, /^Subject: Re: test message\r$/m, 'step 4: promoted headers added');
  assert.match(text, /^To: .*bob@example.org.*carol@example.org/m);
  assert.match(text, /protocol="application\/pkcs7-signature"; micalg="sha-256"/);
  const v = verifySignatureOnly(out.bytes);
  assert.ok(v.ok, v.stderr);
});

test('3.1.5.2.4: reconstructed opaque/encrypted message: stored Content-Type, Content-Disposition, base64 body; OpenSSL decrypts it', () => {
  const eml = encrypted(id);
  const m = toMessage(eml).message;
  const out = latin1(toInternet(m).bytes);
  assert.match(out, /^Content-Type: application\/pkcs7-mime; smime-type=enveloped-data; name="?smime.p7m"?\r$/m);
  assert.match(out, /^Content-Disposition: attachment; filename="?smime.p7m"?\r$/m);
  assert.match(out, /^Content-Transfer-Encoding: base64\r$/m);
  const d = decrypt(bytes(out), id.key);
  assert.ok(d.ok, d.stderr);
  assert.match(latin1(d.content), /Hello Bob\./);
  // step 4b: without the named property, Content-Type from the mime tag plus name
  m.properties.deleteNamed(PidNameContentType);
  m.attachments[0]!.properties.set(PidTagAttachFilename, 'secret.p7m');
  const out2 = latin1(toInternet(m).bytes);
  assert.match(out2, /^Content-Type: application\/pkcs7-mime; name="?secret.p7m"?\r$/m);
  assert.match(out2, /^Content-Disposition: attachment; filename="?secret.p7m"?\r$/m);
  assert.ok(decrypt(bytes(out2), id.key).ok);
});

test('round trip .eml -> message object -> JSON -> .eml: clear-signed (CRLF and bare LF) still verifies in OpenSSL', () => {
  for (const eml of [clearSigned(id), toLF(clearSigned(id))]) {
    const back = roundTrip(eml);
    const v = verifySignatureOnly(back);
    assert.ok(v.ok, v.stderr);
  }
});

test('round trip: opaque-signed and encrypted keep their CMS bytes identical', () => {
  for (const eml of [opaqueSigned(id), encrypted(id), toLF(encrypted(id))]) {
    assert.deepEqual(derOf(roundTrip(eml)), derOf(eml));
  }
  assert.ok(verifySignatureOnly(roundTrip(opaqueSigned(id))).ok);
});

test('two Content-Type fields in a signed message: the attachment keeps the last one, byte for byte', () => {
  const eml = withHeaders(['Content-Type: text/plain; charset=us-ascii'], clearSigned(id));
  const m = toMessage(eml).message;
  const data = latin1(m.attachments[0]!.properties.getBinary(PidTagAttachDataBinary)!);
  assert.ok(data.startsWith('Content-Type: multipart/signed'));
  assert.ok(verifySignatureOnly(roundTrip(eml)).ok);
});

test('subject survives: PidTagSubject or prefix + normalized subject', () => {
  const m = toMessage(encrypted(id)).message;
  const subject = m.properties.getString(PidTagSubject) ?? `${m.properties.getString(PidTagSubjectPrefix)}${m.properties.getString(PidTagNormalizedSubject)}`;
  assert.equal(subject, 'Re: test message');
  void cms; void ENVELOPE; void PT_UNICODE;
});
