// IPM forwarding (draft-ietf-smime-x400transport-01 2.3, X.420 content-body-part): standalone and
// inside P1 (built-in 22) the files pass Wireshark's X.420 dissector, the CMS comes back byte for
// byte and OpenSSL verifies it. Variants built with asn1js check decoding of X.420 (1999)
// submission-proof, pkcs7-body-part, message body parts and unknown body parts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import * as x from '../../src/x400/index.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { checkBer, makeFixture, opensslVerifies, sameBytes, signWithOpenssl } from './helpers.js';

const fx = makeFixture();
after(() => fx.cleanup());

const cms = signWithOpenssl(fx, 'DER');
const originator = x.parseORName('C=GB;A= ;P=Example;O=Org;S=Surname;G=Given');
const bob = x.orNameFromRfc822('bob@example.com', 'C=GB;A= ;P=Gateway');
const carol = x.parseORName('C=FR;A=ATLAS;O=Org;S=Dupont');
const when = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));

function forward(extra: Partial<x.IpmForwardOptions> = {}): Uint8Array {
  return x.encodeIpmForward({
    cms,
    contentType: x.ID_CT_CONTENT_INFO,
    subject: 'Forwarded: signed report',
    originator,
    recipients: [bob],
    copyRecipients: [carol],
    thisIpm: 'ipm-0001',
    deliveryTime: when,
    mtsIdentifier: { country: 'GB', adminDomain: ' ', privateDomain: 'Example', localIdentifier: 'mts-42' },
    deliveryEnvelope: { originator, thisRecipient: bob, submissionTime: when, priority: 'urgent', contentIdentifier: 'cid-7' },
    ...extra,
  });
}

test('draft 2.3: standalone IPM forward passes Wireshark P22; decodes to identical CMS that OpenSSL verifies', () => {
  const ipm = forward();
  const chk = checkBer(fx, 'ipm_fwd.ber', ipm, 'p22');
  assert.ok(chk.ok, chk.output);
  const d = x.decodeIpm(ipm);
  assert.equal(d.thisIpm.id, 'ipm-0001');
  assert.deepEqual(d.thisIpm.user, originator);
  assert.equal(d.subject, 'Forwarded: signed report');
  assert.deepEqual(d.originator?.formalName, originator);
  assert.deepEqual(d.primaryRecipients.map((r) => r.formalName), [bob]);
  assert.deepEqual(d.copyRecipients.map((r) => r.formalName), [carol]);
  assert.equal(d.body.length, 1);
  const bp = d.body[0]!;
  assert.equal(bp.kind, 'forwarded-content');
  if (bp.kind !== 'forwarded-content') return;
  assert.equal(bp.contentType, x.ID_CT_CONTENT_INFO);
  assert.ok(sameBytes(bp.content, cms));
  assert.ok(opensslVerifies(fx, bp.content, 'DER'));
  assert.deepEqual(d.warnings, []);
});

test('draft 2.3: ForwardedContentParameters (delivery-time, delivery-envelope, mts-identifier) round-trip', () => {
  const d = x.decodeIpm(forward());
  const bp = d.body[0]!;
  assert.ok(bp.kind === 'forwarded-content');
  const p = bp.parameters!;
  assert.equal(p.deliveryTime!.getTime(), when.getTime());
  assert.deepEqual(p.mtsIdentifier, { country: 'GB', adminDomain: ' ', privateDomain: 'Example', localIdentifier: 'mts-42' });
  assert.equal(p.deliveryEnvelope!.contentType, x.ID_CT_CONTENT_INFO);
  assert.deepEqual(p.deliveryEnvelope!.originator, originator);
  assert.deepEqual(p.deliveryEnvelope!.thisRecipient, bob);
  assert.equal(p.deliveryEnvelope!.submissionTime.getTime(), when.getTime());
  assert.equal(p.deliveryEnvelope!.priority, 'urgent');
  assert.equal(p.deliveryEnvelope!.contentIdentifier, 'cid-7');
});

test('draft 2.3: IPM inside P1 with built-in content type 22 passes Wireshark P1 → P22 → CMS; findCmsObjects returns the CMS', () => {
  const ipm = forward();
  const p1 = x.encodeP1Message({ content: ipm, contentType: x.BUILTIN_P22, originator, recipients: [bob] });
  const chk = checkBer(fx, 'p1_ipm_fwd.ber', p1, 'p1');
  assert.ok(chk.ok, chk.output);
  assert.equal(x.decodeP1Message(p1).contentType, 22);
  const found = x.findCmsObjects(p1);
  assert.equal(found.length, 1);
  const f = found[0]!;
  assert.ok(sameBytes(f.cms, cms));
  assert.equal(f.where, 'MTS-APDU.message.content.InformationObject.ipm.body[0].extended.data');
  assert.equal(f.cmsType, x.ID_SIGNED_DATA);
  assert.equal(f.headers.subject, 'Forwarded: signed report');
  // The way back: .eml with application/pkcs7-mime; smime-type=signed-data, verified by OpenSSL.
  const eml = x.toInternetMessage(f);
  const text = new TextDecoder().decode(eml);
  assert.match(text, /^Subject: Forwarded: signed report\r$/m);
  assert.match(text, /^To: <bob@example\.com>\r$/m);
  assert.match(text, /^X400-Recipients: C=FR;A=ATLAS;O=Org;S=Dupont\r$/m);
  assert.match(text, /smime-type=signed-data/);
  assert.ok(opensslVerifies(fx, eml, 'SMIME', 'ipm-back.eml'));
});

test('draft 2.3: a MIME-wrapped object forwarded with id-data comes back flagged mimeWrapped, bytes identical', () => {
  const entity = signWithOpenssl(fx, 'SMIME');
  const ipm = x.encodeIpmForward({ cms: entity, contentType: x.ID_DATA, subject: 'wrapped' });
  const found = x.findCmsObjects(ipm, 'ipm');
  assert.equal(found.length, 1);
  assert.equal(found[0]!.mimeWrapped, true);
  assert.ok(sameBytes(found[0]!.cms, entity));
  assert.ok(opensslVerifies(fx, x.toInternetMessage(found[0]!), 'SMIME', 'wrapped-back.eml'));
});

// ---- variants built with asn1js -----------------------------------------------------------------

type Block = asn1js.BaseBlock & { valueBlock: { value: asn1js.BaseBlock[] } };
const kids = (b: asn1js.BaseBlock) => (b as Block).valueBlock.value;
const parse = (b: Uint8Array) => asn1js.fromBER(b, { parseEmbedded: false }).result;
const ctxTag = (n: number) => ({ tagClass: 3, tagNumber: n });

test('X.420 (1999): ForwardedContentParameters with a fourth field submission-proof [3] decodes', () => {
  const root = parse(forward());
  const bodyPart = kids(kids(root)[1]!)[0]!; // ipm → body → [15]
  const paramsSet = kids(kids(kids(bodyPart)[0]!)[1]!)[0]!; // parameters → value [0] → SET
  kids(paramsSet).push(
    new asn1js.Constructed({
      idBlock: ctxTag(3),
      value: [
        new asn1js.Constructed({ idBlock: ctxTag(0), value: [new asn1js.Sequence({ value: [new asn1js.Null()] })] }),
        new asn1js.Constructed({ idBlock: ctxTag(1), value: [new asn1js.Sequence({ value: [] })] }),
        new asn1js.Set({ value: [] }),
      ],
    }),
  );
  const d = x.decodeIpm(new Uint8Array(root.toBER()));
  const bp = d.body[0]!;
  assert.ok(bp.kind === 'forwarded-content');
  assert.ok(bp.parameters?.submissionProof);
  assert.equal(bp.parameters.submissionProof.messageSubmissionEnvelope.tag, 'SET');
  assert.ok(sameBytes(bp.content, cms));
});

test('X.420 pkcs7-body-part (id-et-pkcs7, 2.6.1.4.18) is found as a CMS object; Wireshark agrees', () => {
  const root = parse(forward());
  const body = kids(root)[1]!;
  const pkcs7 = new asn1js.Constructed({
    idBlock: ctxTag(15),
    value: [new asn1js.Constructed({ idBlock: { tagClass: 1, tagNumber: 8 }, value: [new asn1js.ObjectIdentifier({ value: x.ID_ET_PKCS7 }), new asn1js.Constructed({ idBlock: ctxTag(0), value: [parse(cms)] })] })],
  });
  kids(body).splice(0, 1, pkcs7);
  const bytes = new Uint8Array(root.toBER());
  const chk = checkBer(fx, 'ipm_pkcs7.ber', bytes, 'p22');
  assert.ok(chk.ok, chk.output);
  const found = x.findCmsObjects(bytes);
  assert.equal(found.length, 1);
  assert.ok(sameBytes(found[0]!.cms, cms));
  assert.equal(x.decodeIpm(bytes).body[0]!.kind, 'pkcs7');
});

test('X.420 message body part [9] holding a forwarded IPM is searched too; Wireshark agrees', () => {
  const inner = parse(forward({ thisIpm: 'inner' }));
  inner.idBlock.tagClass = 1; // the IPM SEQUENCE itself, not InformationObject [0]
  inner.idBlock.tagNumber = 16;
  const outer = parse(x.encodeIpmForward({ cms, contentType: x.ID_CT_CONTENT_INFO, thisIpm: 'outer', subject: 'outer' }));
  const msgPart = new asn1js.Constructed({ idBlock: ctxTag(9), value: [new asn1js.Set({ value: [] }), inner] });
  kids(kids(outer)[1]!).push(msgPart);
  const bytes = new Uint8Array(outer.toBER());
  const chk = checkBer(fx, 'ipm_msgpart.ber', bytes, 'p22');
  assert.ok(chk.ok, chk.output);
  const found = x.findCmsObjects(bytes, 'ipm');
  assert.equal(found.length, 2);
  assert.deepEqual(found.map((f) => f.headers.subject), ['outer', 'Forwarded: signed report']);
  assert.match(found[1]!.where, /body\[1\]\.message\.data\.body\[0\]\.extended\.data$/);
});

test('unknown body parts are kept raw and reported as X400_UNKNOWN_CONTENT warnings, not rejected', () => {
  const root = parse(forward());
  // bilaterally-defined [14] BilaterallyDefinedBodyPart ::= OCTET STRING (implicit: 8E)
  kids(kids(root)[1]!).push(new asn1js.Primitive({ idBlock: ctxTag(14), valueHex: new Uint8Array([1, 2, 3]) }));
  const bytes = new Uint8Array(root.toBER());
  assert.ok(checkBer(fx, 'ipm_unknown_bp.ber', bytes, 'p22').ok);
  const d = x.decodeIpm(bytes);
  assert.equal(d.body.length, 2);
  const u = d.body[1]!;
  assert.equal(u.kind, 'unknown');
  if (u.kind === 'unknown') assert.equal(u.tag, '[14]');
  assert.equal(d.warnings.length, 1);
  assert.equal(d.warnings[0]!.code, 'X400_UNKNOWN_CONTENT');
  assert.equal(typeof d.warnings[0]!.location.offset, 'number');
  assert.equal(x.findCmsObjects(bytes).length, 1);
  assert.throws(() => x.decodeIpm(bytes, { strict: true }), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'X400_UNKNOWN_CONTENT');
});

test('decodeIpm rejects an IPN with a typed error; encodeIpmForward rejects a non-OID content type', () => {
  const ipn = new Uint8Array(new asn1js.Constructed({ idBlock: ctxTag(1), value: [new asn1js.Set({ value: [] })] }).toBER());
  assert.throws(() => x.decodeIpm(ipn), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'X400_STRUCTURE');
  assert.throws(() => x.encodeIpmForward({ cms, contentType: 'smime' }), SmimeBridgeError);
});

test('inspectX400 describes envelope, heading, body parts and CMS layers of a P1(22) forward', () => {
  const p1 = x.encodeP1Message({ content: forward(), contentType: x.BUILTIN_P22, originator, recipients: [bob], contentIdentifier: 'insp' });
  const j = x.inspectX400(p1) as Record<string, any>;
  assert.equal(j['kind'], 'p1');
  assert.equal(j['envelope'].contentType, 22);
  assert.equal(j['envelope'].contentIdentifier, 'insp');
  assert.equal(j['envelope'].originator, 'C=GB;A= ;P=Example;O=Org;S=Surname;G=Given');
  assert.equal(j['ipm'].subject, 'Forwarded: signed report');
  assert.deepEqual(j['ipm'].body[0].parameters, ['deliveryTime', 'deliveryEnvelope', 'mtsIdentifier']);
  assert.deepEqual(j['cms'], [{ where: 'MTS-APDU.message.content.InformationObject.ipm.body[0].extended.data', contentType: x.ID_CT_CONTENT_INFO, cmsType: x.ID_SIGNED_DATA, mimeWrapped: false, length: cms.length }]);
  assert.doesNotThrow(() => JSON.stringify(j));
});
