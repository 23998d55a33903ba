// O/R names: X.400 string form, RFC 2156 RFC-822 domain-defined attribute with the RFC 2156 3.4
// PrintableString escapes, X.411 upper bounds; Wireshark's ORName rendering as the outside check.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as x from '../../src/x400/index.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { makeFixture, tsharkShow } from './helpers.js';

const fx = makeFixture();
after(() => fx.cleanup());

test('string form: C=GB;A= ;P=Example;O=Org;S=Surname;G=Given parses with A = one space', () => {
  const n = x.parseORName('C=GB;A= ;P=Example;O=Org;S=Surname;G=Given');
  assert.deepEqual(n, { country: 'GB', adminDomain: ' ', privateDomain: 'Example', organization: 'Org', surname: 'Surname', givenName: 'Given' });
  assert.equal(x.formatORName(n), 'C=GB;A= ;P=Example;O=Org;S=Surname;G=Given');
});

test('string form: slash form, OU1..OU4, I, Q, X121, T-ID, UA-ID and DDA round-trip through format', () => {
  const n = x.parseORName('/C=DE/A=ADMD/P=Priv/O=Org/OU1=Unit/OU2=Sub/S=Meier/G=Hans/I=HM/Q=Jr/X121=12345/T-ID=term/UA-ID=987/DDA:ABC=val/');
  assert.deepEqual(n.organizationalUnits, ['Unit', 'Sub']);
  assert.equal(n.networkAddress, '12345');
  assert.deepEqual(n.domainDefined, [{ type: 'ABC', value: 'val' }]);
  assert.deepEqual(x.parseORName(x.formatORName(n)), n);
});

test('Wireshark decodes every standard attribute we encode (P, O, S, G, I, Q, OU, DDA)', () => {
  const o = x.parseORName('C=DE;A=ADMD;P=Priv;O=Org;OU1=Unit;OU2=Sub;S=Meier;G=Hans;I=HM;Q=Jr;DDA:ABC=val');
  const p1 = x.encodeP1Message({ content: new Uint8Array([0x30, 0]), contentType: x.ID_DATA, originator: o, recipients: [x.parseORName('C=123;A=0;S=X')] });
  const show = tsharkShow(fx, 'orname.ber', p1, 'p1');
  assert.match(show, /originator-name \(\/C=DE\/A=ADMD\/P=Priv\/O=Org\/S=Meier\/G=Hans\/I=HM\/Q=Jr\/OU=Unit\/OU=Sub\/DD\.ABC=val\/\)/);
  // X.121 DCC country and numeric ADMD use the NumericString alternatives
  assert.match(show, /recipient-name \(\/C=123\/A=0\/S=X\/\)/);
  assert.deepEqual(x.decodeP1Message(p1).recipients[0]!.name, { country: '123', adminDomain: '0', surname: 'X' });
});

test('RFC 2156 3.4: @ % ! " _ ( ) map to (a) (p) (b) (q) (u) (l) (r), other IA5 to (ddd)', () => {
  assert.equal(x.rfc2156Encode('Steve.Kille@cs.ucl.ac.uk'), 'Steve.Kille(a)cs.ucl.ac.uk');
  assert.equal(x.rfc2156Encode('a%b!c"d_e(f)g#h'), 'a(p)b(b)c(q)d(u)e(l)f(r)g(035)h');
  assert.equal(x.rfc2156Decode('a(p)b(b)c(q)d(u)e(l)f(r)g(035)h'), 'a%b!c"d_e(f)g#h');
});

test('RFC 2156 4.2.1: orNameFromRfc822 puts the address in the RFC-822 DDA of the gateway domain, and back', () => {
  const n = x.orNameFromRfc822('"Bob B." <bob_b@example.com>', 'C=GB;A= ;P=Gateway');
  assert.deepEqual(n, { country: 'GB', adminDomain: ' ', privateDomain: 'Gateway', domainDefined: [{ type: 'RFC-822', value: 'bob(u)b(a)example.com' }] });
  assert.equal(x.rfc822FromORName(n), 'bob_b@example.com');
  assert.equal(x.formatORName(n), 'C=GB;A= ;P=Gateway;DDA:RFC-822=bob(u)b(a)example.com');
});

test('X.411 bounds and types: bad names are X400_ORNAME_MALFORMED', () => {
  const bad = [
    'C=GBR;A= ', // neither alpha-2 nor 3-digit DCC
    'C=GB;A= ;O=Org@Home', // @ is not PrintableString
    'C=GB;A= ;G=Given', // given name without surname
    'C=GB;A= ;Z=1', // unknown attribute
    'C=GB;C=FR', // twice
    'C=GB;A= ;S=' + 'x'.repeat(41), // ub-surname-length 40
    'C=GB;OU=a;OU=b;OU=c;OU=d;OU=e', // ub-organizational-units 4
    'nonsense',
    '',
  ];
  for (const s of bad) assert.throws(() => x.parseORName(s), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'X400_ORNAME_MALFORMED', s);
  assert.throws(() => x.orNameFromRfc822('not an address'), SmimeBridgeError);
  assert.throws(() => x.orNameFromRfc822(`${'a'.repeat(130)}@example.com`), SmimeBridgeError); // ub-domain-defined-attribute-value-length 128
});
