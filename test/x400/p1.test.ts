// P1 messages (X.411 MTS-APDU message) carrying CMS per draft-ietf-smime-x400transport-01 2.2/2.4:
// each encoded file passes Wireshark's X.411 dissector (check-ber.sh), decodes back to identical
// CMS bytes, and OpenSSL verifies / decrypts what came back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as x from '../../src/x400/index.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { bobKey, checkBer, corpusCmsDer, makeFixture, openssl, opensslVerifies, readCorpus, sameBytes, signWithOpenssl, TB, tsharkShow } from './helpers.js';

const fx = makeFixture();
after(() => fx.cleanup());

const originator = x.parseORName('C=GB;A= ;P=Example;O=Org;S=Surname;G=Given');
const recipient = x.orNameFromRfc822('Bob <bob@example.com>', 'C=GB;A= ;P=Gateway');

test('draft 2.2: bare CMS (openssl DER) → P1 with id-ct-contentInfo passes Wireshark, decodes to identical CMS, verifies', () => {
  const cms = signWithOpenssl(fx, 'DER');
  const c = x.contentFromCms(cms);
  assert.equal(c.contentType, x.ID_CT_CONTENT_INFO);
  assert.equal(c.cmsType, x.ID_SIGNED_DATA);
  const p1 = x.encodeP1Message({ content: c.content, contentType: c.contentType, originator, recipients: [recipient], contentIdentifier: 'cms-1' });
  const chk = checkBer(fx, 'p1_cms.ber', p1, 'p1');
  assert.ok(chk.ok, chk.output);
  const d = x.decodeP1Message(p1);
  assert.equal(d.contentType, x.ID_CT_CONTENT_INFO);
  assert.equal(d.contentIdentifier, 'cms-1');
  assert.ok(sameBytes(d.content, cms));
  const found = x.findCmsObjects(p1);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.mimeWrapped, false);
  assert.equal(found[0]!.where, 'MTS-APDU.message.content');
  assert.ok(sameBytes(found[0]!.cms, cms));
  assert.ok(opensslVerifies(fx, found[0]!.cms, 'DER'));
});

test('draft 2.2/2.4: MIME-wrapped S/MIME (openssl SMIME) → P1 with id-data keeps the entity bytes exactly (in CRLF form); Wireshark decodes it', () => {
  const entity = signWithOpenssl(fx, 'SMIME');
  const c = x.contentFromMimeEntity(entity);
  assert.equal(c.contentType, x.ID_DATA);
  const p1 = x.encodeP1Message({ content: c.content, contentType: c.contentType, originator, recipients: [recipient] });
  const chk = checkBer(fx, 'p1_mimewrapped.ber', p1, 'p1');
  assert.ok(chk.ok, chk.output);
  const found = x.findCmsObjects(p1, 'p1');
  assert.equal(found[0]!.mimeWrapped, true);
  assert.equal(found[0]!.contentType, x.ID_DATA);
  // issue 11 defect 9: byte for byte, in canonical form (CRLF line ends, RFC 8551 3.1.1)
  const canonical = Uint8Array.from(new TextDecoder('latin1').decode(entity).replace(/\r\n|\r|\n/g, '\r\n'), (ch) => ch.charCodeAt(0));
  assert.ok(sameBytes(found[0]!.cms, canonical));
  // The way back: an Internet message whose signature OpenSSL still verifies.
  const eml = x.toInternetMessage(found[0]!);
  assert.ok(opensslVerifies(fx, eml, 'SMIME', 'back.eml'));
});

test('corpus .eml (opaque-signed, NSS BER) → P1 (id-data) → .eml: signature verifies as the manifest says (signatureOnly ok)', () => {
  const eml = readCorpus('thunderbird-smime/mailnews/test/data/smime/alice.sig.SHA256.opaque.eml');
  const p1 = x.encodeP1Message({ ...x.contentFromMimeEntity(eml), originator, recipients: [recipient] });
  const chk = checkBer(fx, 'p1_corpus_opaque.ber', p1, 'p1');
  assert.ok(chk.ok, chk.output);
  const [found] = x.findCmsObjects(p1);
  assert.ok(sameBytes(found!.cms, eml));
  assert.ok(opensslVerifies(fx, x.toInternetMessage(found!), 'SMIME', 'opaque-back.eml'));
});

test('corpus .eml (clear-signed multipart/signed) → P1 (id-data) → .eml keeps the signed bytes; OpenSSL verifies', () => {
  const eml = readCorpus('thunderbird-smime/mailnews/test/data/smime/alice.dsig.SHA256.multipart.eml');
  const p1 = x.encodeP1Message({ ...x.contentFromMimeEntity(eml), originator, recipients: [recipient] });
  assert.ok(checkBer(fx, 'p1_corpus_clear.ber', p1, 'p1').ok);
  const [found] = x.findCmsObjects(p1);
  assert.ok(sameBytes(found!.cms, eml));
  assert.ok(opensslVerifies(fx, x.toInternetMessage(found!), 'SMIME', 'clear-back.eml'));
});

test('corpus encrypted CMS (alice.env.eml, extracted by openssl) → bare P1 → back → openssl decrypts with Bob.p12', () => {
  const der = corpusCmsDer(join(TB, 'alice.env.eml'));
  const c = x.contentFromCms(der);
  assert.equal(c.cmsType, x.ID_ENVELOPED_DATA);
  const p1 = x.encodeP1Message({ content: c.content, contentType: c.contentType, originator, recipients: [recipient] });
  const chk = checkBer(fx, 'p1_env.ber', p1, 'p1');
  assert.ok(chk.ok, chk.output);
  const [found] = x.findCmsObjects(p1);
  assert.ok(sameBytes(found!.cms, der));
  const eml = x.toInternetMessage(found!);
  assert.match(new TextDecoder().decode(eml), /smime-type=enveloped-data/);
  const r = openssl(['cms', '-decrypt', '-inform', 'SMIME', '-in', fx.write('env-back.eml', eml), '-inkey', bobKey(fx)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.toString(), /This is a test message from Alice to Bob/);
});

test('corpus raw BER CMS file (indefinite lengths) is accepted as bare content and survives byte for byte', () => {
  const ber = readCorpus('thunderbird-smime/mailnews/test/data/smime/alice.dsig.SHA256.multipart.env');
  const c = x.contentFromCms(ber);
  const p1 = x.encodeP1Message({ content: c.content, contentType: c.contentType, originator, recipients: [recipient] });
  assert.ok(checkBer(fx, 'p1_ber.ber', p1, 'p1').ok);
  assert.ok(sameBytes(x.decodeP1Message(p1).content, ber));
});

test('X.411 envelope fields survive the round trip (message id, originator, recipients, priority, trace)', () => {
  const when = new Date(Date.UTC(2025, 4, 6, 7, 8, 9));
  const p1 = x.encodeP1Message({
    content: new Uint8Array([1, 2, 3]),
    contentType: x.ID_DATA,
    originator,
    recipients: [recipient, x.parseORName('C=DE;A=ADMD;O=Org;OU1=Unit;OU2=Sub;S=Meier;G=Hans;I=HM')],
    messageId: { localIdentifier: 'msg-1' },
    priority: 'non-urgent',
    arrivalTime: when,
  });
  const d = x.decodeP1Message(p1);
  assert.deepEqual(d.messageId, { country: 'GB', adminDomain: ' ', privateDomain: 'Example', localIdentifier: 'msg-1' });
  assert.deepEqual(d.originator, originator);
  assert.deepEqual(d.recipients.map((r) => r.name), [recipient, x.parseORName('C=DE;A=ADMD;O=Org;OU1=Unit;OU2=Sub;S=Meier;G=Hans;I=HM')]);
  assert.deepEqual(d.recipients.map((r) => r.originallySpecifiedNumber), [1, 2]);
  assert.equal(d.priority, 'non-urgent');
  assert.equal(d.trace[0]!.arrivalTime.getTime(), when.getTime());
  assert.equal(d.trace[0]!.routingAction, 'relayed');
  assert.deepEqual(d.extensions, []);
});

test('Wireshark renders the RFC 2156 RFC-822 DDA recipient as /C=GB/A= /P=Gateway/DD.RFC-822=bob(a)example.com/', () => {
  const p1 = x.encodeP1Message({ content: new Uint8Array([0x30, 0]), contentType: x.ID_DATA, originator, recipients: [recipient] });
  const show = tsharkShow(fx, 'p1_dda.ber', p1, 'p1');
  assert.match(show, /recipient-name \(\/C=GB\/A= \/P=Gateway\/DD\.RFC-822=bob\(a\)example\.com\/\)/);
  assert.match(show, /originator-name \(\/C=GB\/A= \/P=Example\/O=Org\/S=Surname\/G=Given\/\)/);
});

test('unknown but well-formed envelope extensions are kept and listed, and re-encoded as found', () => {
  // X.411 standard extension 4 = latest-delivery-time (UTCTime): not modelled here, known to Wireshark.
  const value = new TextEncoder().encode('\x17\x0d250102030405Z');
  const ext: x.X400Extension = { type: 4, value: { bytes: value, offset: 0, tag: 'UTCTime', path: '' } };
  const p1 = x.encodeP1Message({ content: new Uint8Array([0x30, 0]), contentType: x.ID_DATA, originator, recipients: [recipient], extensions: [ext] });
  assert.ok(checkBer(fx, 'p1_ext.ber', p1, 'p1').ok);
  const d = x.decodeP1Message(p1);
  assert.equal(d.extensions.length, 1);
  assert.equal(d.extensions[0]!.type, 4);
  assert.ok(sameBytes(d.extensions[0]!.value!.bytes, ext.value!.bytes));
});

test('X400_UNKNOWN_CONTENT: a P1 content type that carries no CMS (P2-unrelated OID) is a typed error', () => {
  const p1 = x.encodeP1Message({ content: new Uint8Array([0x30, 0]), contentType: '1.2.3.4', originator, recipients: [recipient] });
  assert.throws(() => x.findCmsObjects(p1), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'X400_UNKNOWN_CONTENT' && typeof e.location.offset === 'number');
});

test('encodeP1Message rejects bad arguments with typed errors (no recipients, bad OID)', () => {
  assert.throws(() => x.encodeP1Message({ content: new Uint8Array(1), contentType: x.ID_DATA, originator, recipients: [] }), SmimeBridgeError);
  assert.throws(() => x.encodeP1Message({ content: new Uint8Array(1), contentType: 'not.an.oid', originator, recipients: [recipient] }), SmimeBridgeError);
});
